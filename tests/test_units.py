"""Unit conversion at the boundary."""

import math

import pytest

from infolens._units import convert, from_nats


def test_bits_and_nats_round_trip() -> None:
    assert convert(1.0, "bits", "nats") == pytest.approx(math.log(2), abs=1e-15)
    assert from_nats(math.log(2), "bits") == pytest.approx(1.0, abs=1e-15)
    assert convert(0.3, "nats", "nats") == 0.3


def test_unknown_units_are_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown units 'dits'. Available: 'bits', 'nats'."):
        convert(1.0, "nats", "dits")
