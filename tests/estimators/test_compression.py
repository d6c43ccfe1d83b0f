"""Compression estimator: a lower bound by data processing, tight when the signal is kept."""

import re

import numpy as np
import pytest

import infolens
from infolens.estimators.compression import CompressionEstimator, principal_components
from infolens.exceptions import InvalidParameterError


def _signal_in(direction: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    # X in 10-D: one high-variance noise column (sd 10) and 9 unit columns; the shared signal
    # (corr 0.8 with Y, truth -ln(1 - 0.64)/2 = 0.511 nats) sits in the high-variance column
    # ("top") or in a unit column ("low").
    rng = np.random.default_rng(seed)
    s = rng.standard_normal(n)
    y = 0.8 * s + 0.6 * rng.standard_normal(n)
    x = rng.standard_normal((n, 10))
    if direction == "top":
        x[:, 0] = 10.0 * s
    else:
        x[:, 0] = 10.0 * rng.standard_normal(n)
        x[:, 5] = s
    return x, y, -0.5 * np.log(1 - 0.64)


def test_compression_is_tight_when_the_signal_is_a_leading_component() -> None:
    x, y, truth = _signal_in("top", 4000, 0)
    est = CompressionEstimator(n_components=1).mutual_information(x, y)
    # KSG (k=5) on a 1+1-dim Gaussian pair at N=4000: bias < 0.02, sd ~0.015.
    assert est.value == pytest.approx(truth, abs=0.05)
    assert est.details["dims"] == (1, 1)
    assert est.details["lower_bound"] is True


def test_compression_is_a_lower_bound_when_it_drops_the_signal() -> None:
    x, y, truth = _signal_in("low", 4000, 1)
    dropped = CompressionEstimator(n_components=1).mutual_information(x, y).value
    kept = CompressionEstimator(n_components=10).mutual_information(x, y).value
    assert abs(dropped) < 0.03  # the kept column is independent of Y
    assert dropped < kept < truth + 0.05


def test_principal_components_keep_low_dimensional_data_whole() -> None:
    data = np.random.default_rng(2).standard_normal((50, 3)) + 5.0
    scores, kept = principal_components(data, 4)
    assert kept == 1.0
    np.testing.assert_allclose(scores, data - data.mean(axis=0))


def test_lnc_inner_estimator_and_registry() -> None:
    x, y, _ = _signal_in("top", 1500, 3)
    est = infolens.mutual_information(x, y, method="compression", n_components=2, estimator="lnc")
    assert est.method == "compression"
    assert "correction" in est.details["inner"]


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(
        InvalidParameterError, match=re.escape("Unknown estimator 'kde'. Available: 'ksg', 'lnc'.")
    ):
        CompressionEstimator(estimator="kde")
    msg = (
        "The 'n_components' parameter of CompressionEstimator must be an int in the range "
        "[1, inf). Got 0 instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        CompressionEstimator(n_components=0)
