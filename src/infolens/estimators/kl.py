"""Kozachenko–Leonenko k-nearest-neighbour estimator of differential entropy."""

from dataclasses import dataclass
from typing import final

import numpy as np
from scipy.special import digamma, gammaln

from infolens._preprocess import log_std, standardize
from infolens._typing import ArrayLike, FloatArray, RNGLike
from infolens._validation import check_array, check_choice
from infolens.estimators._base import Estimate, Estimator
from infolens.estimators._knn import (
    Metric,
    check_enough_samples,
    check_knn_params,
    kth_neighbor,
)
from infolens.exceptions import InvalidInputError


@final
@dataclass(frozen=True, kw_only=True)
class KozachenkoLeonenkoEstimator(Estimator):
    """Kozachenko–Leonenko k-NN estimator of the differential entropy h(X).

    Parameters
    ----------
    k : int, default=3
        Number of neighbours.
    metric : {"max", "euclidean"}, default="max"
        Norm of the neighbour distances (the unit-ball volume matches it).
    standardize : bool, default=False
        Scale every column to unit variance before the neighbour search and add the log-scales
        back (h(aX) = h(X) + ln|a|): same target, better-conditioned neighbourhoods when columns
        have very different scales.
    n_jobs : int, default=-1
        Threads of the neighbour search (-1: all cores). Does not change the result.
    backend : {"auto", "kdtree", "brute", "torch"}, default="auto"
        Neighbour search: compiled k-d tree, tiled brute force, or torch (CUDA when present);
        ``"auto"`` picks by dimension. Does not change the result (all backends are exact).

    Notes
    -----
    ``h = psi(N) - psi(k) + ln V_d + (d / N) sum_i ln eps_i`` where ``eps_i`` is the distance to
    the k-th neighbour and ``V_d`` the volume of the unit ball of the norm (``2**d`` for the max
    norm) [1]_, [2]_. Differential entropy is undefined for data with atoms: if a sample repeats
    k or more times the estimator raises ``ValueError`` instead of returning ``-inf``.

    References
    ----------
    .. [1] L. F. Kozachenko, N. N. Leonenko, "Sample estimate of the entropy of a random vector",
       Probl. Peredachi Inf. 23 (1987).
    .. [2] A. Kraskov, H. Stögbauer, P. Grassberger, Phys. Rev. E 69, 066138 (2004), eq. 20.

    Examples
    --------
    >>> import math, numpy as np
    >>> x = np.random.default_rng(0).standard_normal(5000)
    >>> est = KozachenkoLeonenkoEstimator().entropy(x)
    >>> abs(est.value - 0.5 * math.log(2 * math.pi * math.e)) < 0.05
    True
    """

    name = "kl"
    k: int = 3
    metric: str = "max"
    standardize: bool = False
    n_jobs: int = -1
    backend: str = "auto"

    def __post_init__(self) -> None:
        check_knn_params(self)
        check_choice(self.metric, ("max", "euclidean"), name="metric")

    def entropy(self, x: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Estimate the differential entropy h(X) in nats from samples ``(n_samples, dim)``."""
        xa = check_array(x, name="x")
        n, d = xa.shape
        check_enough_samples(n, self.k, self)
        log_scale = 0.0
        if self.standardize:
            logs = log_std(xa)
            log_scale = float(logs[np.isfinite(logs)].sum())
            xa = standardize(xa)
        constant = np.flatnonzero(np.ptp(xa, axis=0) == 0.0)
        if constant.size:
            raise InvalidInputError(
                f"Input x has constant column(s) {constant.tolist()}: a point mass has "
                "differential entropy -inf. Drop the constant columns."
            )
        metric: Metric = "euclidean" if self.metric == "euclidean" else "max"
        eps, _ = kth_neighbor(xa, self.k, metric=metric, n_jobs=self.n_jobs, backend=self.backend)
        n_zero = int((eps == 0.0).sum())
        if n_zero:
            raise InvalidInputError(
                f"Input x has repeated samples: {n_zero} of {n} samples have their k={self.k}-th "
                "neighbour at distance zero, so the differential entropy is undefined (-inf). "
                "For discrete data use method='plugin' or 'miller_madow'; otherwise add noise."
            )
        value = kl_entropy(eps, d, self.k, metric) + log_scale
        return self._estimate(float(value), n_samples=n, quantity="entropy")


def kl_entropy(eps: FloatArray, dim: int, k: int, metric: Metric) -> np.float64:
    """Return ``psi(N) - psi(k) + ln V_d + (d / N) sum_i ln eps_i`` from k-th neighbour distances.

    The estimator's formula on its own, for callers that find the distances themselves (the
    distances must be positive: :meth:`KozachenkoLeonenkoEstimator.entropy` checks that).
    """
    if metric == "max":
        log_volume = dim * np.log(2.0)
    else:
        log_volume = dim / 2 * np.log(np.pi) - gammaln(dim / 2 + 1)
    value: np.float64 = digamma(len(eps)) - digamma(k) + log_volume + dim * np.log(eps).mean()
    return value
