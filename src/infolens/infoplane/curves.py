"""Seed-mean trajectories of the information plane and the compression statistics."""

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np

from infolens._typing import Units
from infolens._units import check_units
from infolens.exceptions import InvalidInputError
from infolens.infoplane._base import LayerEstimator, identity_of
from infolens.infoplane.store import PlaneRecord

#: Per layer: ``epochs``, ``i_xt``, ``i_xt_sd``, ``i_ty``, ``i_ty_sd`` arrays and ``n_seeds``;
#: with intervals, also ``i_xt_low``, ``i_xt_high``, ``i_ty_low``, ``i_ty_high`` (NaN where a
#: point has none), ``ci_level`` and ``ci_method`` (see :func:`seed_mean_curves`).
Curves: TypeAlias = dict[str, Any]
_LN2 = math.log(2.0)


def _in(value: float | None, source: str, target: str) -> float:
    """``value`` converted from ``source`` to ``target`` units (nats -> bits: ``x / ln 2``)."""
    number = float(value)  # type: ignore[arg-type]  # only "ok" records reach here
    if source == target:
        return number
    return number / _LN2 if target == "bits" else number * _LN2


def seed_mean_curves(
    records: Sequence[PlaneRecord],
    *,
    estimator: LayerEstimator | str | None = None,
    units: Units = "bits",
) -> dict[str, Curves]:
    """Average the records of ONE estimator over seeds, per layer and epoch (bits by default).

    Each record is converted to ``units`` before averaging, so curves from records in nats and
    in bits (runs stored before nats) agree. Records flagged non-finite are left out.

    When records carry intervals, a layer's curve also has ``i_xt_low`` / ``i_xt_high`` and
    ``i_ty_low`` / ``i_ty_high``: at each epoch, the mean over seeds of the seeds' interval ends
    (NaN unless every seed has one). Its width is the mean width, never less than what the
    seed mean's own interval needs whatever the correlation between seeds (the standard
    deviation of a mean is at most the mean of the standard deviations); ``ci_level`` and
    ``ci_method`` say what the intervals are (None when the records mix several).

    Parameters
    ----------
    records : sequence of PlaneRecord
    estimator : layer estimator, identity string or None, default=None
        Which estimator's records to average; None requires the records to hold just one.
    units : {"bits", "nats"}, default="bits"
        Units of the curves (the papers' criteria are stated in bits).

    Raises
    ------
    InvalidInputError
        If the records hold several estimators and ``estimator`` does not pick one (averaging
        two estimators as if they were seeds would be a wrong number), or none of its records.

    Examples
    --------
    >>> r = [PlaneRecord("run", s, "fixed_binning/v1", 0, "L1", 0, 1.0 + s, 0.5, 0.5, {},
    ...                  units="bits") for s in (0, 1)]
    >>> seed_mean_curves(r)["L1"]["i_xt"].tolist()
    [1.5]
    """
    target = check_units(units)
    identities = sorted({r.estimator for r in records})
    if estimator is not None:
        wanted = identity_of(estimator)
        records = [r for r in records if r.estimator == wanted]
        if not records:
            raise InvalidInputError(
                f"No records of estimator {wanted!r} to average; the records hold "
                f"{', '.join(repr(i) for i in identities) or 'nothing'}."
            )
    elif len(identities) > 1:
        raise InvalidInputError(
            f"The records hold {len(identities)} estimators ({', '.join(map(repr, identities))}); "
            "seed means average one: pass estimator=... to pick it."
        )
    grouped: dict[str, dict[int, list[PlaneRecord]]] = defaultdict(lambda: defaultdict(list))
    order: dict[str, int] = {}
    for r in records:
        if r.status == "ok":
            grouped[r.layer][r.epoch].append(r)
            order[r.layer] = r.layer_index
    curves = {}
    for layer in sorted(grouped, key=order.__getitem__):
        epochs = sorted(grouped[layer])
        xt = [[_in(r.i_xt, r.units, target) for r in grouped[layer][e]] for e in epochs]
        ty = [[_in(r.i_ty, r.units, target) for r in grouped[layer][e]] for e in epochs]
        curves[layer] = {
            "epochs": np.array(epochs),
            "i_xt": np.array([np.mean(v) for v in xt]),
            "i_xt_sd": np.array([np.std(v) for v in xt]),
            "i_ty": np.array([np.mean(v) for v in ty]),
            "i_ty_sd": np.array([np.std(v) for v in ty]),
            "n_seeds": max(len(v) for v in xt),
            "units": target,
            **_interval_curves([grouped[layer][e] for e in epochs], target),
        }
    return curves


def _interval_curves(points: Sequence[Sequence[PlaneRecord]], target: str) -> dict[str, Any]:
    """Seed means of the interval ends per point (NaN unless every seed has an interval)."""
    found = [
        ci for group in points for r in group for ci in (r.i_xt_ci, r.i_ty_ci) if ci is not None
    ]
    if not found:
        return {}
    kinds = {(ci.level, ci.method) for ci in found}
    level, method = next(iter(kinds)) if len(kinds) == 1 else (None, None)
    curves: dict[str, Any] = {"ci_level": level, "ci_method": method}
    for quantity in ("i_xt", "i_ty"):
        low: list[float] = []
        high: list[float] = []
        for group in points:
            given = [(getattr(r, f"{quantity}_ci"), r.units) for r in group]
            if all(ci is not None for ci, _ in given):
                low.append(float(np.mean([_in(ci.low, u, target) for ci, u in given])))
                high.append(float(np.mean([_in(ci.high, u, target) for ci, u in given])))
            else:
                low.append(math.nan)
                high.append(math.nan)
        curves[f"{quantity}_low"], curves[f"{quantity}_high"] = np.array(low), np.array(high)
    return curves


def compression(curve: Curves) -> dict[str, float]:
    """Rise (peak minus first value), drop (peak minus last value) and the peak's epoch.

    In the curve's units (bits for :func:`seed_mean_curves`' default).

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
