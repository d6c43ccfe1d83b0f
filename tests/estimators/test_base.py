"""The Estimate record and its ConfidenceInterval."""

import dataclasses
import math

import numpy as np
import pytest

from infolens import ConfidenceInterval, Estimate
from infolens.exceptions import InvalidParameterError


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


_CI = ConfidenceInterval(low=1.0, high=3.0, level=0.95, method="bootstrap", standard_error=0.5)


def test_estimate_converts_value_and_interval() -> None:
    est = _estimate(ci=_CI)
    nats = est.to("nats")
    assert nats.value == pytest.approx(2 * math.log(2), abs=1e-15)
    assert nats.ci is not None
    assert (nats.ci.low, nats.ci.high) == pytest.approx((math.log(2), 3 * math.log(2)), abs=1e-15)
    assert nats.ci.standard_error == pytest.approx(0.5 * math.log(2), abs=1e-15)
    assert (nats.ci.level, nats.ci.method) == (0.95, "bootstrap")
    assert nats.units == "nats"
    assert nats.to("bits").value == pytest.approx(2.0, abs=1e-15)


def test_estimate_is_frozen_and_behaves_as_a_number() -> None:
    est = _estimate()
    assert float(est) == 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.value = 3.0  # type: ignore[misc]
    assert str(est) == "2 bits (entropy, method='plugin', n_samples=10)"
    assert f"{est:.3f}" == "2.000"
    assert format(est) == str(est)
    assert est + 1 == 3.0
    assert 1 + est == 3.0
    assert est * 2 == 4.0
    assert 3 - est == 1.0
    assert est / 4 == 0.5
    assert -est == -2.0
    assert abs(_estimate(value=-1.0)) == 1.0
    assert est > 1.5
    assert est <= 2.0
    assert np.asarray(est) == 2.0
    assert np.array([est, est]).dtype == np.float64
    assert math.isclose(np.log(np.asarray(est)), math.log(2.0))


def test_estimate_shows_zero_up_to_rounding_and_its_interval() -> None:
    assert str(_estimate(value=-3e-17)).startswith("0 bits")
    text = str(_estimate(ci=_CI))
    assert "[1, 3] (95% bootstrap)" in text


def test_estimate_renders_html_without_torch_reprs() -> None:
    html = _estimate(params={"k": 3}, details={"note": "<b>x</b>"})._repr_html_()
    assert "<code>plugin</code>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "k" in html


def test_estimate_rejects_unknown_units() -> None:
    with pytest.raises(ValueError, match="Unknown units 'bans'"):
        _estimate().to("bans")
    with pytest.raises(ValueError, match="Unknown units 'bans'"):
        _estimate(units="bans")


def test_dimensionless_statistics_cannot_be_converted() -> None:
    stat = _estimate(units=None, quantity="dependence", method="hsic")
    assert str(stat).startswith("2 (dependence")
    with pytest.raises(InvalidParameterError, match="dimensionless dependence statistic"):
        stat.to("nats")


def test_ci_must_be_a_record() -> None:
    with pytest.raises(InvalidParameterError, match="'ci' field of Estimate"):
        _estimate(ci=(1.0, 3.0))


def test_unit_conversion_rounds_once_like_every_conversion() -> None:
    # value / ln 2, not value * (1 / ln 2): exact bit counts stay exact (1.5 bits, not 1.4999...).
    import infolens

    assert infolens.entropy([0, 0, 1, 2], method="plugin", units="bits").value == 1.5
    nats = _estimate(value=1.5 * math.log(2), units="nats", ci=_CI)
    assert nats.to("bits").value == 1.5
    assert nats.to("bits").ci == ConfidenceInterval(
        low=1.0 / math.log(2), high=3.0 / math.log(2), level=0.95, method="bootstrap",
        standard_error=0.5 / math.log(2),
    )  # fmt: skip
