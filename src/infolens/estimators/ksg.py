"""Kraskov–Stögbauer–Grassberger (KSG) estimators of mutual information."""

from dataclasses import dataclass
from typing import final

import numpy as np
from scipy.special import digamma

from infolens._typing import ArrayLike, FloatArray, RNGLike
from infolens._validation import check_rng
from infolens.estimators._base import Estimate, Estimator
from infolens.estimators._knn import (
    breaking_ties,
    check_knn_params,
    count_within,
    knn_inputs,
    ksg_terms,
    kth_neighbor,
)
from infolens.exceptions import InvalidParameterError


@final
@dataclass(frozen=True, kw_only=True)
class KSGEstimator(Estimator):
    """KSG k-nearest-neighbour estimator of I(X; Y) for joint multivariate X and Y.

    Parameters
    ----------
    k : int, default=3
        Number of neighbours (Kraskov et al. recommend 2–4; larger k: lower variance, more bias).
    variant : {1, 2}, default=1
        KSG estimator 1 (hyper-cube of the k-th neighbour) or 2 (per-marginal rectangle).
    standardize : bool, default=True
        Centre and scale every column to unit variance first, so the estimate is invariant to
        per-column affine rescaling. Distances use the max norm in every space.
    n_jobs : int, default=-1
        Threads of the neighbour search (-1: all cores). Does not change the result.
    backend : {"auto", "kdtree", "brute", "torch"}, default="auto"
        Neighbour search: compiled k-d tree, tiled brute force, or torch (CUDA when present);
        ``"auto"`` picks by dimension. Does not change the result (all backends are exact).

    Notes
    -----
    KSG-1 is ``psi(k) + psi(N) - <psi(n_x + 1) + psi(n_y + 1)>`` where ``n_x`` counts the other
    samples strictly closer in X than the k-th joint neighbour [1]_. If samples repeat so often
    that the k-th neighbour is at distance zero, the counts are meaningless; the estimator then
    adds noise of relative amplitude 1e-10 (drawn from ``rng``, so the result is reproducible),
    warns with :class:`~infolens.exceptions.DegenerateDataWarning` and records
    ``details["jitter"]``. For data with many ties prefer ``method="mixed_knn"``, which handles
    them exactly.

    References
    ----------
    .. [1] A. Kraskov, H. Stögbauer, P. Grassberger, "Estimating mutual information",
       Phys. Rev. E 69, 066138 (2004).

    Examples
    --------
    >>> import math, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> y = x + rng.standard_normal(2000)
    >>> est = KSGEstimator(k=3).mutual_information(x, y)
    >>> abs(est.value - math.log(2) / 2) < 0.05  # the truth is ln(2)/2 nats
    True
    """

    name = "ksg"
    k: int = 3
    variant: int = 1
    standardize: bool = True
    n_jobs: int = -1
    backend: str = "auto"

    def __post_init__(self) -> None:
        check_knn_params(self)
        if self.variant not in (1, 2) or isinstance(self.variant, bool):
            raise InvalidParameterError(
                f"The 'variant' parameter of KSGEstimator must be 1 or 2. Got {self.variant!r} "
                "instead."
            )

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Estimate I(X; Y) in nats from paired samples of shape ``(n_samples, dim)``."""
        generator = check_rng(rng)
        arrays, n = knn_inputs([x, y], self, standardize=self.standardize)
        value, jittered = breaking_ties(
            self._variant1 if self.variant == 1 else self._variant2,
            arrays,
            k=self.k,
            rng=generator,
            owner="KSGEstimator",
        )
        return self._estimate(value, n_samples=n, quantity="mutual_information", jitter=jittered)

    def _variant1(self, arrays: list[FloatArray]) -> tuple[float, FloatArray]:
        x, y = arrays
        terms, rho = ksg_terms(x, y, None, k=self.k, n_jobs=self.n_jobs, backend=self.backend)
        return float(terms.mean()), rho

    def _variant2(self, arrays: list[FloatArray]) -> tuple[float, FloatArray]:
        rho, neighbors = kth_neighbor(
            np.hstack(arrays), self.k, n_jobs=self.n_jobs, backend=self.backend
        )

        def psi_count(points: FloatArray) -> FloatArray:
            eps = np.abs(points[neighbors] - points[:, None, :]).max(axis=(1, 2))
            counts = count_within(
                points, eps, strict=False, n_jobs=self.n_jobs, backend=self.backend
            )
            return np.asarray(digamma(counts - 1.0))

        k, n = self.k, len(rho)
        psi = psi_count(arrays[0]) + psi_count(arrays[1])
        return float(digamma(k) - 1.0 / k + digamma(n) - psi.mean()), rho
