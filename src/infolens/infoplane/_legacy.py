"""Store keys of the records written before estimator identities (infolens <= 0.1, in bits).

Those records are keyed by the estimator's configuration joined as ``k=v,...`` (for example
``estimator=binning,n_edges=30,low=-1.0,high=1.0``). That key cannot be turned back into an
estimator in general (it does not hold the edges of a :class:`FixedBinning`), so old records
are adopted when an estimator asks for them: :meth:`PlaneStore.done` and
:meth:`PlaneStore.records` rename the rows of ``legacy_key(estimator)`` to its identity. The
values stay as written, in bits, with ``units="bits"``; every reader converts per record.
"""

from typing import Any

import numpy as np

from infolens.infoplane.measures import (
    AdaptiveBinning,
    FixedBinning,
    GaussianNoiseBound,
    KDEBound,
    KNNEntropy,
    RangeBinning,
)


def _legacy_config(estimator: object) -> dict[str, Any] | None:
    if isinstance(estimator, FixedBinning):
        e = np.asarray(estimator.edges)
        return {"estimator": "binning", "n_edges": int(e.size), "low": float(e[0]),
                "high": float(e[-1])}  # fmt: skip
    if isinstance(estimator, RangeBinning):
        return {"estimator": "range_binning", "n_edges": estimator.n_edges,
                "low": estimator.low, "high": estimator.high, "scope": estimator.scope}  # fmt: skip
    if isinstance(estimator, AdaptiveBinning):
        return {"estimator": "adaptive_binning", "n_bins": estimator.n_bins,
                "low": estimator.low}  # fmt: skip
    if isinstance(estimator, KDEBound):
        return {"estimator": "kde", "noise_variance": estimator.noise_variance,
                "bound": estimator.bound}  # fmt: skip
    if isinstance(estimator, GaussianNoiseBound):
        return {"estimator": "gaussian", "noise_variance": estimator.noise_variance}
    if isinstance(estimator, KNNEntropy):
        return {"estimator": "knn", "k": estimator.k, "noise_variance": estimator.noise_variance}
    return None


def legacy_key(estimator: object) -> str | None:
    """Return the key the pre-identity code stored ``estimator``'s records under, if any.

    Examples
    --------
    >>> legacy_key(FixedBinning())
    'estimator=binning,n_edges=30,low=-1.0,high=1.0'
    """
    config = _legacy_config(estimator)
    return None if config is None else ",".join(f"{k}={v}" for k, v in config.items())


__all__ = ["legacy_key"]
