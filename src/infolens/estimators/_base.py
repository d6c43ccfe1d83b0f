"""The result record and the estimator protocols shared by every method."""

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from infolens._typing import ArrayLike, Quantity, RNGLike
from infolens._units import check_units, convert

QUANTITIES: tuple[Quantity, ...] = (
    "entropy",
    "mutual_information",
    "conditional_mutual_information",
)


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """One estimate of an information quantity, with everything needed to interpret it.

    Attributes
    ----------
    value : float
        The estimate, in ``units``.
    units : {"nats", "bits"}
        Units of ``value`` (and of ``ci``).
    n_samples : int
        Number of samples the estimate was computed from.
    method : str
        Registry name of the estimator (e.g. ``"ksg"``).
    quantity : {"entropy", "mutual_information", "conditional_mutual_information"}
        What was estimated.
    params : dict
        The estimator's hyper-parameters, as used.
    details : dict
        Diagnostics specific to the method (e.g. how ties were handled).
    ci : tuple of float or None, default=None
        A confidence interval ``(low, high)`` in ``units``, when one was computed.
    ci_level : float or None, default=None
        Coverage of ``ci`` (e.g. 0.95).

    Examples
    --------
    >>> est = Estimate(value=1.0, units="bits", n_samples=10, method="plugin",
    ...                quantity="entropy")
    >>> float(est)
    1.0
    >>> round(est.to("nats").value, 6)
    0.693147
    """

    value: float
    units: str = "nats"
    n_samples: int
    method: str
    quantity: Quantity
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    ci: tuple[float, float] | None = None
    ci_level: float | None = None

    def __float__(self) -> float:
        return self.value

    def to(self, units: str) -> "Estimate":
        """Return the same estimate expressed in ``units`` (``"nats"`` or ``"bits"``)."""
        units = check_units(units)
        ci = self.ci
        if ci is not None:
            ci = (convert(ci[0], self.units, units), convert(ci[1], self.units, units))
        return dataclasses.replace(
            self, value=convert(self.value, self.units, units), units=units, ci=ci
        )

    def __str__(self) -> str:
        text = f"{self.value:.6g} {self.units}"
        if self.ci is not None:
            text += f" [{self.ci[0]:.6g}, {self.ci[1]:.6g}]"
        return f"{text} ({self.quantity}, method={self.method!r}, n_samples={self.n_samples})"


class Estimator:
    """Mixin of the concrete estimators: builds :class:`Estimate` records in nats.

    Concrete estimators are frozen keyword-only dataclasses that set ``name`` and implement one or
    more of ``entropy``, ``mutual_information`` and ``conditional_mutual_information``.
    """

    name: ClassVar[str]

    def _estimate(
        self, value: float, *, n_samples: int, quantity: Quantity, **details: Any
    ) -> Estimate:
        if not math.isfinite(value):  # a bug or an unhandled degenerate case, never silent
            raise RuntimeError(
                f"{type(self).__name__} produced a non-finite {quantity} ({value}); "
                "please report this with the data that caused it."
            )
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
