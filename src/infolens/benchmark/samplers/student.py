"""Multivariate Student-t: a Gaussian scaled by one shared chi-square variable."""

from dataclasses import dataclass
from typing import final

import numpy as np
from scipy.special import digamma, gammaln

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_rng
from infolens.benchmark.samplers.normal import CorrelatedPairs, SplitMultinormal, check_n
from infolens.exceptions import InvalidParameterError


def student_entropy(dim: int, df: float) -> float:
    """Differential entropy (nats) of a standard ``dim``-variate Student-t with ``df`` dof.

    Eq. (7) of Arellano-Valle, Contreras-Reyes & Genton (2013), identity dispersion.

    Examples
    --------
    >>> round(student_entropy(1, 1.0), 6)  # the standard Cauchy: ln(4π)
    2.531024
    """
    half = 0.5 * (df + dim)
    return float(
        gammaln(0.5 * df)
        - gammaln(half)
        + 0.5 * dim * np.log(df * np.pi)
        + half * (digamma(half) - digamma(0.5 * df))
    )


def student_correction(dim_x: int, dim_y: int, df: float) -> float:
    """Return the Student-t excess of MI over the Gaussian term, h(X) + h(Y) − h(X, Y).

    It depends only on the dimensions and ``df``, never on the dispersion matrix.

    Examples
    --------
    >>> round(student_correction(1, 1, 1.0), 4)
    0.2242
    """
    return (
        student_entropy(dim_x, df) + student_entropy(dim_y, df) - student_entropy(dim_x + dim_y, df)
    )


@final
@dataclass(frozen=True, kw_only=True)
class SplitStudentT:
    """Multivariate Student-t ``(X, Y) = G / sqrt(W / df)``, ``G ~ gaussian``, ``W ~ χ²(df)``.

    Parameters
    ----------
    gaussian : SplitMultinormal or CorrelatedPairs
        The Gaussian whose covariance is the dispersion matrix of the Student-t.
    df : float
        Degrees of freedom (> 0).

    Notes
    -----
    I(X; Y) = I_Gauss(dispersion) + c(dim_x, dim_y, df), where ``c`` is
    :func:`student_correction` [1]_.

    References
    ----------
    .. [1] R.B. Arellano-Valle, J.E. Contreras-Reyes, M.G. Genton, "Shannon entropy and mutual
       information for multivariate skew-elliptical distributions", Scand. J. Stat. 40 (2013).

    Examples
    --------
    >>> g = SplitMultinormal(dim_x=1, dim_y=1, covariance=np.eye(2))
    >>> round(SplitStudentT(gaussian=g, df=1).mutual_information(), 4)
    0.2242
    """

    gaussian: SplitMultinormal | CorrelatedPairs
    df: float

    def __post_init__(self) -> None:
        if not self.df > 0:
            raise InvalidParameterError(
                f"The 'df' parameter of SplitStudentT must be a float in the range (0, inf). "
                f"Got {self.df!r} instead."
            )

    @property
    def dim_x(self) -> int:
        """Dimension of ``X``."""
        return self.gaussian.dim_x

    @property
    def dim_y(self) -> int:
        """Dimension of ``Y``."""
        return self.gaussian.dim_y

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples, arrays of shapes ``(n, dim_x)`` and ``(n, dim_y)``."""
        n = check_n(n, "SplitStudentT", self.dim_x + self.dim_y)
        generator = check_rng(rng)
        x, y = self.gaussian.sample(n, generator)
        scale = 1.0 / np.sqrt(generator.chisquare(self.df, size=(n, 1)) / self.df)
        return x * scale, y * scale

    def mutual_information(self) -> float:
        """Return I(X; Y) in nats (Gaussian term plus the Student-t correction)."""
        return self.gaussian.mutual_information() + student_correction(
            self.dim_x, self.dim_y, self.df
        )
