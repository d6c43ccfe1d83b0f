"""Conversion between units of information. All internal math is in nats."""

import dataclasses
import math
from collections.abc import Iterable
from typing import Any, TypeVar

from infolens._validation import check_choice

UNITS: tuple[str, ...] = ("nats", "bits")
_NATS_PER_UNIT = {"nats": 1.0, "bits": math.log(2.0)}


def check_units(units: object) -> str:
    """Return ``units`` if it names a supported unit, else raise a ``ValueError``."""
    return check_choice(units, UNITS, name="units")


def from_nats(value: float, units: str) -> float:
    """Convert ``value`` in nats into ``units``."""
    return value / _NATS_PER_UNIT[check_units(units)]


def convert(value: float, source: str, target: str) -> float:
    """Convert ``value`` from ``source`` units to ``target`` units.

    Examples
    --------
    >>> round(convert(1.0, "bits", "nats"), 6)
    0.693147
    """
    return value * _NATS_PER_UNIT[check_units(source)] / _NATS_PER_UNIT[check_units(target)]


Record = TypeVar("Record")


def convert_fields(record: Record, units: str, fields: Iterable[str]) -> Record:
    """Return a copy of the dataclass ``record`` with ``fields`` and ``units`` in ``units``."""
    units = check_units(units)
    source: Any = record
    changes = {f: convert(getattr(source, f), source.units, units) for f in fields}
    return dataclasses.replace(source, units=units, **changes)  # type: ignore[no-any-return]
