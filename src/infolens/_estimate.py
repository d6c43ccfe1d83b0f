"""The result records every family returns: :class:`Estimate` and its :class:`ConfidenceInterval`.

This module imports only typing and units, so every part of the package (estimators, kernel
measures, the information plane, the CLI) can build and read the same record.
"""

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from infolens._typing import Quantity
from infolens._units import check_units, convert
from infolens.exceptions import InvalidParameterError

#: Every quantity an :class:`Estimate` can hold, in one place.
QUANTITIES: tuple[Quantity, ...] = (
    "entropy",
    "mutual_information",
    "conditional_mutual_information",
    "divergence",
    "dependence",
)
#: The information quantities the functional API and the method registry estimate.
INFORMATION_QUANTITIES: tuple[Quantity, ...] = QUANTITIES[:3]
#: The quantities in words, for messages.
QUANTITY_WORDS: dict[Quantity, str] = {
    "entropy": "entropy",
    "mutual_information": "mutual information",
    "conditional_mutual_information": "conditional mutual information",
    "divergence": "divergence",
    "dependence": "dependence",
}


@dataclass(frozen=True, kw_only=True)
class ConfidenceInterval:
    """A confidence interval on an estimate, with how it was obtained.

    Attributes
    ----------
    low, high : float
        The interval, in the units of the :class:`Estimate` that carries it.
    level : float
        Nominal coverage, in (0, 1) (e.g. 0.95).
    method : str
        How the interval was computed (e.g. ``"subsampling"``, ``"bootstrap"``, ``"asymptotic"``).
    standard_error : float or None, default=None
        The estimated standard error of the estimate, in the same units, when the method gives one.

    Examples
    --------
    >>> ci = ConfidenceInterval(low=0.1, high=0.3, level=0.95, method="bootstrap")
    >>> ci.low < ci.high
    True
    """

    low: float
    high: float
    level: float
    method: str
    standard_error: float | None = None

    def to(self, source: str, target: str) -> "ConfidenceInterval":
        """Return the interval converted from ``source`` to ``target`` units."""
        se = self.standard_error
        return dataclasses.replace(
            self,
            low=convert(self.low, source, target),
            high=convert(self.high, source, target),
            standard_error=None if se is None else convert(se, source, target),
        )


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """One estimate of an information quantity, with everything needed to interpret it.

    Attributes
    ----------
    value : float
        The estimate, in ``units``.
    units : {"nats", "bits"} or None
        Units of ``value`` (and of ``ci``); ``None`` for dimensionless statistics such as HSIC,
        which are not amounts of information and cannot be converted.
    n_samples : int
        Number of samples the estimate was computed from.
    method : str
        Registry name of the estimator (e.g. ``"ksg"``).
    quantity : {"entropy", "mutual_information", "conditional_mutual_information", \
"divergence", "dependence"}
        What was estimated.
    params : dict
        The estimator's hyper-parameters, as used.
    details : dict
        Diagnostics specific to the method (e.g. how ties were handled).
    ci : ConfidenceInterval or None, default=None
        A confidence interval in ``units``, when one was asked for (``ci=0.95``).

    Examples
    --------
    >>> est = Estimate(value=1.0, units="bits", n_samples=10, method="plugin",
    ...                quantity="entropy")
    >>> float(est), f"{est:.2f}"
    (1.0, '1.00')
    >>> round(est.to("nats").value, 6)
    0.693147
    >>> est + 1.0
    2.0
    """

    value: float
    units: str | None = "nats"
    n_samples: int
    method: str
    quantity: Quantity
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    ci: ConfidenceInterval | None = None

    def __post_init__(self) -> None:
        if self.units is not None:
            check_units(self.units)
        if self.ci is not None and not isinstance(self.ci, ConfidenceInterval):
            raise InvalidParameterError(
                "The 'ci' field of Estimate must be a ConfidenceInterval or None. "
                f"Got {type(self.ci).__name__} ({self.ci!r}) instead."
            )

    # -- conversions -------------------------------------------------------------------------

    def __float__(self) -> float:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec) if spec else str(self)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        import numpy as np

        return np.asarray(self.value, dtype=dtype)

    def to(self, units: str) -> "Estimate":
        """Return the same estimate expressed in ``units`` (``"nats"`` or ``"bits"``)."""
        units = check_units(units)
        if self.units is None:
            raise InvalidParameterError(
                f"{self.method} is a dimensionless {QUANTITY_WORDS[self.quantity]} statistic, "
                f"not an amount of information: it cannot be expressed in {units}."
            )
        ci = None if self.ci is None else self.ci.to(self.units, units)
        value = convert(self.value, self.units, units)  # one rounding, as every conversion
        return dataclasses.replace(self, value=value, units=units, ci=ci)

    # -- arithmetic goes through float: an Estimate is a number with provenance ---------------

    def __add__(self, other: float) -> float:
        return self.value + float(other)

    __radd__ = __add__

    def __sub__(self, other: float) -> float:
        return self.value - float(other)

    def __rsub__(self, other: float) -> float:
        return float(other) - self.value

    def __mul__(self, other: float) -> float:
        return self.value * float(other)

    __rmul__ = __mul__

    def __truediv__(self, other: float) -> float:
        return self.value / float(other)

    def __rtruediv__(self, other: float) -> float:
        return float(other) / self.value

    def __neg__(self) -> float:
        return -self.value

    def __abs__(self) -> float:
        return abs(self.value)

    def __lt__(self, other: float) -> bool:
        return self.value < float(other)

    def __le__(self, other: float) -> bool:
        return self.value <= float(other)

    def __gt__(self, other: float) -> bool:
        return self.value > float(other)

    def __ge__(self, other: float) -> bool:
        return self.value >= float(other)

    # -- display -----------------------------------------------------------------------------

    def _value_text(self) -> str:
        value = 0.0 if abs(self.value) < 1e-12 else self.value  # 0 up to rounding reads as 0
        units = "" if self.units is None else f" {self.units}"
        text = f"{value:.6g}{units}"
        if self.ci is not None:
            text += (
                f" [{self.ci.low:.6g}, {self.ci.high:.6g}] ({self.ci.level:.0%} {self.ci.method})"
            )
        return text

    def __str__(self) -> str:
        return (
            f"{self._value_text()} ({self.quantity}, method={self.method!r}, "
            f"n_samples={self.n_samples})"
        )

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in {**self.params, **self.details}.items()
            if not hasattr(v, "state_dict")  # no torch modules in a notebook table
        )
        return (
            f"<div><b>{html.escape(self._value_text())}</b> "
            f"{html.escape(QUANTITY_WORDS[self.quantity])}, method "
            f"<code>{html.escape(self.method)}</code>, n_samples={self.n_samples}"
            f"<table>{rows}</table></div>"
        )


def finite_or_raise(value: float, *, owner: str, quantity: str) -> float:
    """Return ``value`` as a float, or raise if it is NaN or infinite (never silent)."""
    if not math.isfinite(value):
        raise RuntimeError(
            f"{owner} produced a non-finite {quantity} ({value}); "
            "please report this with the data that caused it."
        )
    return float(value)
