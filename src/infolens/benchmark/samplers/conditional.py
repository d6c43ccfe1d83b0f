"""Jointly Gaussian ``(X, Y, Z)`` with closed-form conditional mutual information."""

from dataclasses import dataclass, field
from typing import final

import numpy as np

from infolens._typing import ArrayLike, FloatArray, RNGLike
from infolens._validation import check_int, check_rng
from infolens.benchmark.samplers.normal import _check_covariance, _cholesky, _logdet, check_n


def linear_model_covariance(mixing: ArrayLike) -> FloatArray:
    """Return ``M Mᵀ``: the covariance of ``M ε`` for standard normal noise ``ε``.

    Examples
    --------
    >>> linear_model_covariance(np.array([[1.0, 0.0], [1.0, 1.0]]))
    array([[1., 1.],
           [1., 2.]])
    """
    matrix = np.asarray(mixing, dtype=np.float64)
    return matrix @ matrix.T


@final
@dataclass(frozen=True, kw_only=True, eq=False)
class ConditionalMultinormal:
    """Jointly Gaussian ``(X, Y, Z)`` (coordinates in that order) with zero mean.

    Notes
    -----
    I(X; Y | Z) = ½ [ln det Σ_XZ + ln det Σ_YZ − ln det Σ_Z − ln det Σ_XYZ], in nats.

    Examples
    --------
    >>> chain = linear_model_covariance(np.array([[1.0, 0, 0], [1, 1, 1], [1, 1, 0]]))
    >>> s = ConditionalMultinormal(dim_x=1, dim_y=1, dim_z=1, covariance=chain)
    >>> abs(round(s.conditional_mutual_information(), 12))  # X -> Z -> Y: zero
    0.0
    """

    dim_x: int
    dim_y: int
    dim_z: int
    covariance: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("dim_x", "dim_y", "dim_z"):
            check_int(getattr(self, name), name=name, owner="ConditionalMultinormal")
        d = self.dim_x + self.dim_y + self.dim_z
        cov = _check_covariance(self.covariance, d, "ConditionalMultinormal")
        object.__setattr__(self, "covariance", cov)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Draw ``n`` samples of ``(X, Y, Z)``."""
        n = check_n(n, "ConditionalMultinormal", self.dim_x + self.dim_y + self.dim_z)
        d = self.covariance.shape[0]
        xyz = check_rng(rng).standard_normal((n, d)) @ _cholesky(self.covariance).T
        a, b = self.dim_x, self.dim_x + self.dim_y
        return xyz[:, :a].copy(), xyz[:, a:b].copy(), xyz[:, b:].copy()

    def conditional_mutual_information(self) -> float:
        """Return I(X; Y | Z) in nats (closed form)."""
        a, b = self.dim_x, self.dim_x + self.dim_y
        d = self.covariance.shape[0]
        ix, iy, iz = np.arange(a), np.arange(a, b), np.arange(b, d)

        def logdet(index: np.ndarray[tuple[int], np.dtype[np.intp]]) -> float:
            return _logdet(self.covariance[np.ix_(index, index)])

        value = 0.5 * (
            logdet(np.concatenate([ix, iz]))
            + logdet(np.concatenate([iy, iz]))
            - logdet(iz)
            - logdet(np.arange(d))
        )
        return value if value > 1e-12 else 0.0  # exact zero for conditional independence
