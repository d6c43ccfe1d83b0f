"""Gaussian (covariance / canonical-correlation) estimators of entropy, MI and CMI."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import final

import numpy as np
from scipy.special import digamma

from infolens._preprocess import log_std, standardize_nonconstant
from infolens._typing import ArrayLike, FloatArray, Quantity, RNGLike
from infolens._validation import check_array, check_consistent_length, check_min_samples
from infolens.estimators._base import Estimate, Estimator
from infolens.exceptions import InvalidInputError

_LOG_2PI_E = float(np.log(2 * np.pi * np.e))


def _bias(dim: int, n: int) -> float:
    """Return half the bias of ln det S, S a ``dim``-D sample covariance (ddof=1) of ``n`` rows.

    For Gaussian data, E[ln det S] = ln det Sigma + sum_{i=1..d} psi((n - i) / 2)
    + d ln(2 / (n - 1)).
    """
    if dim == 0:
        return 0.0
    return 0.5 * float(digamma((n - np.arange(1, dim + 1)) / 2).sum() + dim * np.log(2 / (n - 1)))


def _standardize_blocks(
    blocks: Sequence[FloatArray],
) -> tuple[list[FloatArray], list[int]]:
    """Scale each block's columns to zero mean, unit variance (ddof=1); drop constant columns."""
    out, dropped = [], []
    for block in blocks:
        scaled, n_dropped = standardize_nonconstant(block, ddof=1)
        out.append(scaled)
        dropped.append(n_dropped)
    return out, dropped


def _log_det(blocks: Sequence[FloatArray]) -> float:
    """Log-determinant of the sample correlation matrix of the standardised blocks side by side."""
    if not blocks or sum(b.shape[1] for b in blocks) == 0:
        return 0.0
    data = np.hstack(blocks)
    corr = data.T @ data / (len(data) - 1)
    eigenvalues = np.linalg.eigvalsh(corr)
    if eigenvalues[0] <= 1e-12 * eigenvalues[-1]:
        raise InvalidInputError(
            "The sample covariance is singular: some columns are (numerically) linear "
            "combinations of others, so the Gaussian estimate is infinite. Remove the redundant "
            "columns (or add noise)."
        )
    return float(np.log(eigenvalues).sum())


def gaussian_cmi(
    x: FloatArray, y: FloatArray, z: FloatArray | None, *, bias_correction: bool
) -> tuple[float, list[int]]:
    """I(X; Y | Z) (``z=None``: I(X; Y)) of a Gaussian with the sample covariance, in nats.

    Returns the value and the number of constant columns dropped from each input.
    """
    n = len(x)
    raw = [x, y] if z is None else [x, y, z]
    check_min_samples(
        n, sum(b.shape[1] for b in raw) + 2, owner="The Gaussian estimator", reason="dimension + 2"
    )
    blocks, dropped = _standardize_blocks(raw)
    zs = blocks[2:]

    def term(*parts: FloatArray) -> float:
        dim = sum(p.shape[1] for p in parts)
        return 0.5 * _log_det(parts) - (_bias(dim, n) if bias_correction else 0.0)

    bx, by = blocks[0], blocks[1]
    value = term(bx, *zs) + term(by, *zs) - term(bx, by, *zs) - term(*zs)
    return value, dropped


def estimate_gaussian_cmi(
    owner: Estimator,
    data: Sequence[ArrayLike],
    *,
    bias_correction: bool,
    transform: Callable[[FloatArray], FloatArray] | None = None,
) -> Estimate:
    """Validate ``data`` = [x, y] or [x, y, z], apply ``transform`` per input, and estimate."""
    arrays = [check_array(a, name=name) for a, name in zip(data, "xyz", strict=False)]
    n = check_consistent_length(arrays)
    if transform is not None:
        arrays = [transform(a) for a in arrays]
    z = arrays[2] if len(arrays) == 3 else None
    value, dropped = gaussian_cmi(arrays[0], arrays[1], z, bias_correction=bias_correction)
    quantity: Quantity = "mutual_information" if z is None else "conditional_mutual_information"
    return owner._estimate(value, n_samples=n, quantity=quantity, constant_columns_dropped=dropped)


@final
@dataclass(frozen=True, kw_only=True)
class GaussianEstimator(Estimator):
    """Entropy, MI and CMI of the Gaussian with the sample mean and covariance.

    Exact for Gaussian data; for other data, the MI of the Gaussian with the same covariance
    (a lower bound on the true MI for a given covariance structure only in special cases, so
    treat it as "the linear part" of the dependence). I(X; Y) equals
    ``-1/2 sum_i ln(1 - r_i^2)`` over the canonical correlations ``r_i`` of X and Y.

    Parameters
    ----------
    bias_correction : bool, default=True
        Remove the exact finite-sample bias of ln det of the sample covariance under
        Gaussianity (each entropy term becomes unbiased) [1]_.

    Notes
    -----
    Constant columns carry no information and are dropped from MI and CMI
    (``details["constant_columns_dropped"]``); entropy of data with a constant column is
    ``-inf`` and raises ``ValueError``, as does a singular covariance.

    References
    ----------
    .. [1] R. A. A. Ince et al., "A statistical framework for neuroimaging data analysis based on
       mutual information estimated via a Gaussian copula", Hum. Brain Mapp. 38 (2017).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> xy = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=20000)
    >>> round(GaussianEstimator().mutual_information(xy[:, 0], xy[:, 1]).value, 2)  # 0.511
    0.51
    """

    name = "gaussian"
    bias_correction: bool = True

    def entropy(self, x: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return the entropy in nats of the Gaussian fitted to ``x`` ``(n_samples, dim)``."""
        xa = check_array(x, name="x")
        n, d = xa.shape
        check_min_samples(n, d + 2, owner="The Gaussian estimator", reason="dimension + 2")
        constant = np.flatnonzero(np.ptp(xa, axis=0) == 0)
        if constant.size:
            raise InvalidInputError(
                f"Input x has constant column(s) {constant.tolist()}: the "
                "Gaussian entropy of a point mass is -inf. Drop the constant columns."
            )
        blocks, _ = _standardize_blocks([xa])
        log_det_cov = _log_det(blocks) + 2 * float(log_std(xa, ddof=1).sum())
        value = 0.5 * (d * _LOG_2PI_E + log_det_cov)
        if self.bias_correction:
            value -= _bias(d, n)
        return self._estimate(value, n_samples=n, quantity="entropy")

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return the Gaussian I(X; Y) in nats from samples of shape ``(n_samples, dim)``."""
        return self._run([x, y])

    def conditional_mutual_information(
        self, x: ArrayLike, y: ArrayLike, z: ArrayLike, *, rng: RNGLike = None
    ) -> Estimate:
        """Return the Gaussian I(X; Y | Z) in nats from samples of shape ``(n_samples, dim)``."""
        return self._run([x, y, z])

    def _run(self, data: list[ArrayLike]) -> Estimate:
        return estimate_gaussian_cmi(self, data, bias_correction=self.bias_correction)
