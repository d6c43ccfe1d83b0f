"""The sampler protocols: distributions of (X, Y) or (X, Y, Z) with exactly known information."""

from typing import Protocol, runtime_checkable

from infolens._typing import FloatArray, RNGLike


@runtime_checkable
class Sampler(Protocol):
    """A joint distribution of ``(X, Y)`` whose mutual information is known exactly."""

    @property
    def dim_x(self) -> int:
        """Dimension of ``X``."""
        ...

    @property
    def dim_y(self) -> int:
        """Dimension of ``Y``."""
        ...

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples: arrays of shapes ``(n, dim_x)`` and ``(n, dim_y)``, float64."""
        ...

    def mutual_information(self) -> float:
        """Return the exact I(X; Y), in nats."""
        ...


@runtime_checkable
class ConditionalSampler(Protocol):
    """A joint distribution of ``(X, Y, Z)`` whose I(X; Y | Z) is known exactly."""

    @property
    def dim_x(self) -> int:
        """Dimension of ``X``."""
        ...

    @property
    def dim_y(self) -> int:
        """Dimension of ``Y``."""
        ...

    @property
    def dim_z(self) -> int:
        """Dimension of the conditioning variable ``Z``."""
        ...

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Draw ``n`` samples of ``(X, Y, Z)``, float64 arrays of shape ``(n, dim)``."""
        ...

    def conditional_mutual_information(self) -> float:
        """Return the exact I(X; Y | Z), in nats."""
        ...
