"""A non-Gaussian high-MI family: uniform signal in a cube plus small uniform noise.

Correlated Gaussian pairs at any MI are :class:`~infolens.benchmark.samplers.CorrelatedPairs`;
this module adds a family whose copula is far from Gaussian, so the Gaussian-copula estimate is
only a loose floor and k-NN estimators must do the work at 5–10 nats.
"""

import math
from dataclasses import dataclass
from typing import final

import numpy as np

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_int, check_rng
from infolens.benchmark.samplers.normal import check_n


def additive_mi(epsilon: float) -> float:
    """Return I(X; X + N) in nats for X ~ U(0, 1), N ~ U(-ε, ε), ``0 < ε <= 1/2``: ε − ln 2ε.

    Examples
    --------
    >>> round(additive_mi(0.1), 4)
    1.7094
    """
    return float(epsilon - math.log(2.0 * epsilon))


def additive_epsilon(mi: float) -> float:
    """Return the noise half-width ``ε`` in (0, 1/2] with :func:`additive_mi` equal to ``mi``.

    ``mi`` must be at least 0.5 nats (the value at ε = 1/2); solved by bisection to 1e-15.

    Examples
    --------
    >>> round(additive_mi(additive_epsilon(5.0)), 12)
    5.0
    """
    if not mi >= 0.5:
        raise ValueError(f"The MI per coordinate must be >= 0.5 nats; got {mi!r}.")
    low, high = 0.0, 0.5  # additive_mi decreases on (0, 1/2]
    for _ in range(200):
        mid = 0.5 * (low + high)
        if additive_mi(mid) > mi:
            low = mid
        else:
            high = mid
        if high - low < 1e-15:
            break
    return 0.5 * (low + high)


@final
@dataclass(frozen=True, kw_only=True)
class UniformNoiseCube:
    """``X ~ U(0, 1)^dim`` and ``Y = X + N`` with ``N ~ U(-ε, ε)^dim``, MI ``mi`` nats in total.

    Coordinates are independent, each carrying ``mi / dim`` nats (at least 0.5), so the noise
    half-width is ``ε = additive_epsilon(mi / dim)``; at 10 nats in one dimension ε = 2.3e-5.
    The ``dim = 1`` case is bmi's ``1v1-additive`` task.

    Examples
    --------
    >>> s = UniformNoiseCube(dim=2, mi=10.0)
    >>> x, y = s.sample(4, rng=0)
    >>> x.shape, bool(np.abs(y - x).max() <= s.epsilon), s.mutual_information()
    ((4, 2), True, 10.0)
    """

    dim: int
    mi: float

    def __post_init__(self) -> None:
        check_int(self.dim, name="dim", owner="UniformNoiseCube")
        if isinstance(self.mi, bool) or not isinstance(self.mi, int | float):
            raise ValueError(
                f"The 'mi' parameter of UniformNoiseCube must be a float; got {self.mi!r}."
            )
        if not self.mi >= 0.5 * self.dim:
            raise ValueError(
                "The 'mi' parameter of UniformNoiseCube must be >= 0.5 * dim (0.5 nats per "
                f"coordinate). Got mi={self.mi!r} with dim={self.dim}."
            )

    @property
    def epsilon(self) -> float:
        """Half-width of the uniform noise on each coordinate."""
        return additive_epsilon(self.mi / self.dim)

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
        n = check_n(n, "UniformNoiseCube")
        generator = check_rng(rng)
        x = generator.random((n, self.dim))
        noise = self.epsilon * (2.0 * generator.random((n, self.dim)) - 1.0)
        return x, np.asarray(x + noise)

    def mutual_information(self) -> float:
        """Return I(X; Y) = ``mi`` in nats (``dim`` times ε − ln 2ε)."""
        return float(self.mi)
