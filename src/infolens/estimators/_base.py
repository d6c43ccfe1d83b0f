"""The estimator protocols shared by every method; the result record is in ``_estimate``."""

import dataclasses
from typing import Any, ClassVar, Protocol, runtime_checkable

from infolens._estimate import (
    INFORMATION_QUANTITIES as QUANTITIES,
)
from infolens._estimate import (
    ConfidenceInterval,
    Estimate,
    finite_or_raise,
)
from infolens._typing import ArrayLike, Quantity, RNGLike


class Estimator:
    """Mixin of the concrete estimators: builds :class:`Estimate` records in nats.

    Concrete estimators are frozen keyword-only dataclasses that set ``name`` and implement one or
    more of ``entropy``, ``mutual_information`` and ``conditional_mutual_information``.
    """

    name: ClassVar[str]

    def _estimate(
        self, value: float, *, n_samples: int, quantity: Quantity, **details: Any
    ) -> Estimate:
        value = finite_or_raise(value, owner=type(self).__name__, quantity=quantity)
        params = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return Estimate(
            value=float(value),
            units="nats",
            n_samples=n_samples,
            method=self.name,
            quantity=quantity,
            params=params,
            details=details,
        )


@runtime_checkable
class EntropyEstimator(Protocol):
    """Estimates the (differential or discrete) entropy H(X)."""

    def entropy(self, x: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return H(X) in nats."""


@runtime_checkable
class MutualInformationEstimator(Protocol):
    """Estimates the mutual information I(X; Y)."""

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return I(X; Y) in nats."""


@runtime_checkable
class ConditionalMutualInformationEstimator(Protocol):
    """Estimates the conditional mutual information I(X; Y | Z)."""

    def conditional_mutual_information(
        self, x: ArrayLike, y: ArrayLike, z: ArrayLike, *, rng: RNGLike = None
    ) -> Estimate:
        """Return I(X; Y | Z) in nats."""


PROTOCOLS: dict[Quantity, type] = {
    "entropy": EntropyEstimator,
    "mutual_information": MutualInformationEstimator,
    "conditional_mutual_information": ConditionalMutualInformationEstimator,
}


__all__ = [
    "PROTOCOLS",
    "QUANTITIES",
    "ConfidenceInterval",
    "ConditionalMutualInformationEstimator",
    "EntropyEstimator",
    "Estimate",
    "Estimator",
    "MutualInformationEstimator",
]
