"""Seed-mean trajectories of the information plane and the compression statistics."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeAlias, cast

import numpy as np

from infolens.infoplane.store import PlaneRecord

#: Per layer: ``epochs``, ``i_xt``, ``i_xt_sd``, ``i_ty``, ``i_ty_sd`` arrays and ``n_seeds``.
Curves: TypeAlias = dict[str, Any]


def seed_mean_curves(records: Sequence[PlaneRecord]) -> dict[str, Curves]:
    """Average the records of one estimator over seeds, per layer and epoch (bits).

    Records flagged non-finite are left out of the means.

    Examples
    --------
    >>> r = [PlaneRecord("run", s, "binning", 0, "L1", 0, 1.0 + s, 0.5, 0.5, {}) for s in (0, 1)]
    >>> seed_mean_curves(r)["L1"]["i_xt"].tolist()
    [1.5]
    """
    grouped: dict[str, dict[int, list[PlaneRecord]]] = defaultdict(lambda: defaultdict(list))
    order: dict[str, int] = {}
    for r in records:
        if r.status == "ok":
            grouped[r.layer][r.epoch].append(r)
            order[r.layer] = r.layer_index
    curves = {}
    for layer in sorted(grouped, key=order.__getitem__):
        epochs = sorted(grouped[layer])
        xt = [[float(cast(float, r.i_xt)) for r in grouped[layer][e]] for e in epochs]
        ty = [[float(cast(float, r.i_ty)) for r in grouped[layer][e]] for e in epochs]
        curves[layer] = {
            "epochs": np.array(epochs),
            "i_xt": np.array([np.mean(v) for v in xt]),
            "i_xt_sd": np.array([np.std(v) for v in xt]),
            "i_ty": np.array([np.mean(v) for v in ty]),
            "i_ty_sd": np.array([np.std(v) for v in ty]),
            "n_seeds": max(len(v) for v in xt),
        }
    return curves


def compression(curve: Curves) -> dict[str, float]:
    """Rise (peak minus first value), drop (peak minus last value) and the peak's epoch, in bits.

    Examples
    --------
    >>> c = {"epochs": np.array([0, 1, 2]), "i_xt": np.array([3.0, 5.0, 1.0])}
    >>> compression(c)
    {'rise': 2.0, 'drop': 4.0, 'peak_epoch': 1.0}
    """
    values = np.asarray(curve["i_xt"], dtype=float)
    peak = int(np.argmax(values))
    return {
        "rise": float(values[peak] - values[0]),
        "drop": float(values[peak] - values[-1]),
        "peak_epoch": float(curve["epochs"][peak]),
    }
