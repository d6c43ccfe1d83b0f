"""Uniform signal plus uniform noise."""

import math
from dataclasses import dataclass
from typing import final

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_positive_real, check_rng
from infolens.benchmark.samplers.normal import check_n


@final
@dataclass(frozen=True, kw_only=True)
class AdditiveUniform:
    """``X ~ U(0, 1)``, ``Y = X + N`` with ``N ~ U(−epsilon, epsilon)``.

    Notes
    -----
    I(X; Y) = 1 / (4 ε) if ε ≥ ½, else ε − ln(2ε), in nats.

    Examples
    --------
    >>> round(AdditiveUniform(epsilon=0.1).mutual_information(), 4)
    1.7094
    >>> round(AdditiveUniform(epsilon=0.75).mutual_information(), 4)
    0.3333
    """

    epsilon: float

    def __post_init__(self) -> None:
        check_positive_real(self.epsilon, name="epsilon", owner="AdditiveUniform")

    dim_x = 1
    dim_y = 1

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples, two arrays of shape ``(n, 1)``."""
        n = check_n(n, "AdditiveUniform", self.dim_x + self.dim_y)
        generator = check_rng(rng)
        x = generator.uniform(0.0, 1.0, size=(n, 1))
        return x, x + generator.uniform(-self.epsilon, self.epsilon, size=(n, 1))

    def mutual_information(self) -> float:
        """Return I(X; Y) in nats (closed form)."""
        eps = self.epsilon
        return 0.25 / eps if eps >= 0.5 else eps - math.log(2 * eps)
