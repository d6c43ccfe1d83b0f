"""Gaussian samplers: a split multivariate normal and its covariance constructions."""

from dataclasses import dataclass, field
from typing import final

import numpy as np

from infolens._limits import check_sample_memory
from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_int, check_rng
from infolens.exceptions import InvalidParameterError


def _logdet(matrix: FloatArray) -> float:
    sign, value = np.linalg.slogdet(matrix)
    if sign <= 0:
        raise InvalidParameterError("The covariance matrix must be positive definite.")
    return float(value)


def _cholesky(covariance: FloatArray) -> FloatArray:
    try:
        factor = np.asarray(np.linalg.cholesky(covariance), dtype=np.float64)
    except np.linalg.LinAlgError:
        raise InvalidParameterError(
            "The covariance matrix must be positive definite; got a matrix whose Cholesky "
            "factorisation fails."
        ) from None
    return factor


def _check_covariance(covariance: object, d: int, owner: str) -> FloatArray:
    """Return ``covariance`` as float64, refused unless a symmetric positive-definite (d, d)."""
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.shape != (d, d) or not np.allclose(cov, cov.T):
        raise InvalidParameterError(
            f"The 'covariance' parameter of {owner} must be a symmetric ({d}, {d}) matrix; got "
            f"{'a non-symmetric matrix of ' if cov.shape == (d, d) else ''}shape {cov.shape}."
        )
    _cholesky(cov)
    return cov


def check_n(n: object, owner: str, columns: int = 1) -> int:
    """Check a number of samples ``n``: an int >= 1 whose ``columns`` float64 columns fit in memory.

    Raises
    ------
    ValueError
        :class:`~infolens.exceptions.InvalidParameterError` if ``n`` is not an int >= 1, or if
        ``n * columns`` float64 values would not fit in the memory of this machine (the message
        says how much they would need).
    """
    n = check_int(n, name="n", owner=owner, low=1)
    check_sample_memory(n, columns, owner=owner)
    return n


@final
@dataclass(frozen=True, kw_only=True, eq=False)
class SplitMultinormal:
    """Jointly Gaussian ``(X, Y)`` with zero mean and a given covariance.

    Parameters
    ----------
    dim_x, dim_y : int
        Dimensions of ``X`` (the first ``dim_x`` coordinates) and ``Y`` (the rest).
    covariance : ndarray of shape (dim_x + dim_y, dim_x + dim_y)
        Positive-definite covariance of the joint vector.

    Notes
    -----
    I(X; Y) = ½ [ln det Σ_XX + ln det Σ_YY − ln det Σ], in nats.

    Examples
    --------
    >>> s = SplitMultinormal(dim_x=1, dim_y=1, covariance=np.array([[1, 0.75], [0.75, 1]]))
    >>> round(s.mutual_information(), 4)
    0.4133
    """

    dim_x: int
    dim_y: int
    covariance: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        check_int(self.dim_x, name="dim_x", owner="SplitMultinormal")
        check_int(self.dim_y, name="dim_y", owner="SplitMultinormal")
        cov = _check_covariance(self.covariance, self.dim_x + self.dim_y, "SplitMultinormal")
        object.__setattr__(self, "covariance", cov)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples, arrays of shapes ``(n, dim_x)`` and ``(n, dim_y)``."""
        n = check_n(n, "SplitMultinormal", self.dim_x + self.dim_y)
        z = check_rng(rng).standard_normal((n, self.dim_x + self.dim_y))
        xy = z @ _cholesky(self.covariance).T
        return xy[:, : self.dim_x].copy(), xy[:, self.dim_x :].copy()

    def mutual_information(self) -> float:
        """Return I(X; Y) in nats (closed form)."""
        c, dx = self.covariance, self.dim_x
        return max(0.0, 0.5 * (_logdet(c[:dx, :dx]) + _logdet(c[dx:, dx:]) - _logdet(c)))


def dense_covariance(dim_x: int, dim_y: int, off_diag: float = 0.5) -> FloatArray:
    """Return unit variances and every correlation equal to ``off_diag`` (bmi's dense task).

    Examples
    --------
    >>> dense_covariance(1, 1, 0.5)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    d = dim_x + dim_y
    return np.eye(d) * (1.0 - off_diag) + off_diag


def sparse_covariance(
    dim_x: int, dim_y: int, n_interacting: int = 2, strength: float = 2.0
) -> FloatArray:
    """Return the correlation matrix of bmi's sparse Gaussian latent-variable model.

    Each coordinate is unit noise plus one latent of weight ``strength``: the first
    ``n_interacting`` pairs ``(X_i, Y_i)`` share their latent ``Z_i``, the other coordinates get
    a private one. Like bmi, the covariance is normalised to unit variances, so the interacting
    pairs have correlation ``strength² / (1 + strength²)`` (0.8 for strength 2) and every other
    correlation is 0.

    Examples
    --------
    >>> sparse_covariance(2, 2, 1, 2.0)
    array([[1. , 0. , 0.8, 0. ],
           [0. , 1. , 0. , 0. ],
           [0.8, 0. , 1. , 0. ],
           [0. , 0. , 0. , 1. ]])
    """
    d = dim_x + dim_y
    cov = np.eye(d)
    for i in range(n_interacting):
        cov[i, dim_x + i] = cov[dim_x + i, i] = strength**2 / (1.0 + strength**2)
    return cov


@final
@dataclass(frozen=True, kw_only=True)
class CorrelatedPairs:
    """``dim`` independent Gaussian pairs ``(X_i, Y_i)``, each carrying ``mi / dim`` nats.

    ``Y_i = sqrt(1 - s²) X_i + s N_i`` with ``s = exp(-mi / dim)``, so very high MI (20 nats in
    one dimension, correlation ``1 - 2e-18``) is sampled without forming an ill-conditioned
    covariance matrix.

    Examples
    --------
    >>> CorrelatedPairs(dim=2, mi=5.0).mutual_information()
    5.0
    """

    dim: int
    mi: float

    def __post_init__(self) -> None:
        check_int(self.dim, name="dim", owner="CorrelatedPairs")
        if not self.mi > 0:
            raise InvalidParameterError(
                f"The 'mi' parameter of CorrelatedPairs must be a float in the range (0, inf). "
                f"Got {self.mi!r} instead."
            )

    @property
    def dim_x(self) -> int:
        """Dimension of ``X``."""
        return self.dim

    @property
    def dim_y(self) -> int:
        """Dimension of ``Y``."""
        return self.dim

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples, two arrays of shape ``(n, dim)``."""
        n = check_n(n, "CorrelatedPairs", self.dim_x + self.dim_y)
        z = check_rng(rng).standard_normal((n, 2 * self.dim))
        s = np.exp(-self.mi / self.dim)
        x = z[:, : self.dim]
        return x.copy(), np.sqrt(-np.expm1(-2 * self.mi / self.dim)) * x + s * z[:, self.dim :]

    def mutual_information(self) -> float:
        """Return I(X; Y) = ``mi`` in nats (−Σ ½ ln(1 − ρ_i²) with ρ_i² = 1 − s²)."""
        return float(self.mi)
