"""The Estimate record."""

import dataclasses
import math

import pytest

from infolens import Estimate


def _estimate(**changes: object) -> Estimate:
    fields = {
        "value": 2.0,
        "units": "bits",
        "n_samples": 10,
        "method": "plugin",
        "quantity": "entropy",
    }
    fields.update(changes)
    return Estimate(**fields)  # type: ignore[arg-type]


def test_estimate_converts_value_and_interval() -> None:
    est = _estimate(ci=(1.0, 3.0), ci_level=0.95)
    nats = est.to("nats")
    assert nats.value == pytest.approx(2 * math.log(2), abs=1e-15)
    assert nats.ci == pytest.approx((math.log(2), 3 * math.log(2)), abs=1e-15)
    assert nats.units == "nats"
    assert nats.ci_level == 0.95
    assert nats.to("bits").value == pytest.approx(2.0, abs=1e-15)


def test_estimate_is_frozen_and_floatable() -> None:
    est = _estimate()
    assert float(est) == 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.value = 3.0  # type: ignore[misc]
    assert str(est) == "2 bits (entropy, method='plugin', n_samples=10)"


def test_estimate_rejects_unknown_units() -> None:
    with pytest.raises(ValueError, match="Unknown units 'bans'"):
        _estimate().to("bans")
