"""MI-preserving transforms and the samplers that apply them.

Mutual information is invariant under injective, differentiable maps applied to ``X`` and ``Y``
separately (and conditional MI under such maps of ``X``, ``Y`` and ``Z``), so every transformed
sampler keeps the ground truth of its base sampler.
"""

from dataclasses import dataclass, field
from typing import Literal, Protocol, final

import numpy as np
from scipy.special import ndtr

from infolens._typing import FloatArray, RNGLike
from infolens.benchmark.samplers._base import ConditionalSampler, Sampler
from infolens.exceptions import InvalidParameterError


class Transform(Protocol):
    """An injective smooth map applied row-wise to an ``(n, dim)`` array."""

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return the transformed ``(n, out_dim(dim))`` array."""
        ...

    def out_dim(self, dim: int) -> int:
        """Return the output dimension for an input of dimension ``dim``."""
        ...


@dataclass(frozen=True)
class _Elementwise:
    def out_dim(self, dim: int) -> int:
        """Return ``dim``: elementwise maps keep the dimension."""
        return dim


@final
@dataclass(frozen=True)
class Identity(_Elementwise):
    """The identity map."""

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return ``values`` unchanged."""
        return values


@final
@dataclass(frozen=True)
class NormalCDF(_Elementwise):
    """The standard normal CDF Φ, elementwise (Gaussian margins become uniform)."""

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return Φ(values)."""
        return np.asarray(ndtr(values), dtype=np.float64)


@final
@dataclass(frozen=True)
class HalfCube(_Elementwise):
    """``t ↦ t·sqrt(|t|)``, elementwise (longer tails)."""

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return values · sqrt(|values|)."""
        return values * np.sqrt(np.abs(values))


@final
@dataclass(frozen=True)
class Asinh(_Elementwise):
    """``asinh``, elementwise (shorter tails)."""

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return asinh(values)."""
        return np.arcsinh(values)


@final
@dataclass(frozen=True, kw_only=True)
class Wiggly(_Elementwise):
    """bmi's monotone "wiggly" maps: identity plus small sines (``variant`` ``"x"`` or ``"y"``)."""

    variant: Literal["x", "y"] = "x"

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return the wiggly map of ``values``."""
        t = values
        if self.variant == "x":
            return t + 0.4 * np.sin(t) + 0.2 * np.sin(1.7 * t + 1) + 0.03 * np.sin(3.3 * t - 2.5)
        return (
            t - 0.4 * np.sin(0.4 * t) + 0.17 * np.sin(1.3 * t + 3.5) + 0.02 * np.sin(4.3 * t - 2.5)
        )


@final
@dataclass(frozen=True, kw_only=True)
class MixtureQuantile(_Elementwise):
    """Quantile function of a unit-variance Gaussian mixture, applied to values in (0, 1).

    Inverted by vectorised bisection on ``[-20, 20]`` (to float64 resolution), so uniform
    margins become bimodal ones.

    Examples
    --------
    >>> q = MixtureQuantile(weights=(0.5, 0.5), means=(-1.0, 1.0))
    >>> abs(float(q(np.array([[0.5]]))[0, 0])) < 1e-12
    True
    """

    weights: tuple[float, ...]
    means: tuple[float, ...]

    def cdf(self, values: FloatArray) -> FloatArray:
        """Return the mixture CDF at ``values``."""
        total = np.zeros_like(values)
        for weight, mean in zip(self.weights, self.means, strict=True):
            total += weight * ndtr(values - mean)
        return total

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return the mixture quantiles of ``values`` (probabilities)."""
        low = np.full_like(values, -20.0)
        high = np.full_like(values, 20.0)
        for _ in range(80):
            mid = 0.5 * (low + high)
            below = self.cdf(mid) < values
            low = np.where(below, mid, low)
            high = np.where(below, high, mid)
        return 0.5 * (low + high)


@final
@dataclass(frozen=True)
class SwissRoll:
    """Embed ``u`` in [0, 1] as a 2-D Swiss roll ``t (cos t, sin t) / 21``, t = 1.5π(1 + 2u)."""

    def out_dim(self, dim: int) -> int:
        """Return 2 (the input must be one-dimensional)."""
        if dim != 1:
            raise InvalidParameterError(
                f"SwissRoll embeds a 1-dimensional variable; got dimension {dim}."
            )
        return 2

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return the ``(n, 2)`` embedding of the ``(n, 1)`` array ``values``."""
        t = 1.5 * np.pi * (1.0 + 2.0 * values[:, 0])
        return np.column_stack([t * np.cos(t), t * np.sin(t)]) / 21.0


@final
@dataclass(frozen=True, kw_only=True)
class Spiral:
    """``x ↦ exp(speed · ‖x‖² · A) x`` with ``A`` the so(n) generator of the plane ``(i, j)``.

    The map rotates the ``(i, j)`` plane by the angle ``speed · ‖x‖²``; it keeps ``‖x‖`` and is
    a diffeomorphism.
    """

    i: int = 0
    j: int = 1
    speed: float = 1.0

    def out_dim(self, dim: int) -> int:
        """Return ``dim`` (which must exceed ``max(i, j)``)."""
        if not 0 <= self.i < self.j < dim:
            raise InvalidParameterError(
                f"Spiral plane ({self.i}, {self.j}) needs 0 <= i < j < dimension; got "
                f"dimension {dim}."
            )
        return dim

    def __call__(self, values: FloatArray) -> FloatArray:
        """Return the spiralled ``values``."""
        angle = self.speed * np.einsum("ij,ij->i", values, values)
        cos, sin = np.cos(angle), np.sin(angle)
        out = values.copy()
        a, b = values[:, self.i], values[:, self.j]
        out[:, self.i] = cos * a - sin * b
        out[:, self.j] = sin * a + cos * b
        return out


@final
@dataclass(frozen=True, kw_only=True)
class TransformedSampler:
    """Apply ``transform_x`` to ``X`` and ``transform_y`` to ``Y``; the MI is unchanged."""

    base: Sampler
    transform_x: Transform = field(default_factory=Identity)
    transform_y: Transform = field(default_factory=Identity)

    @property
    def dim_x(self) -> int:
        """Dimension of the transformed ``X``."""
        return self.transform_x.out_dim(self.base.dim_x)

    @property
    def dim_y(self) -> int:
        """Dimension of the transformed ``Y``."""
        return self.transform_y.out_dim(self.base.dim_y)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples of the base sampler and transform them."""
        x, y = self.base.sample(n, rng)
        return self.transform_x(x), self.transform_y(y)

    def mutual_information(self) -> float:
        """Return the base sampler's I(X; Y), in nats."""
        return self.base.mutual_information()


@final
@dataclass(frozen=True, kw_only=True)
class TransformedConditionalSampler:
    """Transform ``X``, ``Y`` and ``Z`` separately; I(X; Y | Z) is unchanged."""

    base: ConditionalSampler
    transform: Transform

    @property
    def dim_x(self) -> int:
        """Dimension of the transformed ``X``."""
        return self.transform.out_dim(self.base.dim_x)

    @property
    def dim_y(self) -> int:
        """Dimension of the transformed ``Y``."""
        return self.transform.out_dim(self.base.dim_y)

    @property
    def dim_z(self) -> int:
        """Dimension of the transformed ``Z``."""
        return self.transform.out_dim(self.base.dim_z)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Draw ``n`` samples of the base sampler and transform each variable."""
        x, y, z = self.base.sample(n, rng)
        return self.transform(x), self.transform(y), self.transform(z)

    def conditional_mutual_information(self) -> float:
        """Return the base sampler's I(X; Y | Z), in nats."""
        return self.base.conditional_mutual_information()
