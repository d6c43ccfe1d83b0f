"""Kozachenko–Leonenko entropy: closed forms for both norms, scaling, degenerate data."""

import re

import numpy as np
import pytest

from infolens.estimators.kl import KozachenkoLeonenkoEstimator


@pytest.mark.parametrize("metric", ["max", "euclidean"])
@pytest.mark.parametrize(("dim", "tol"), [(1, 0.03), (3, 0.05), (10, 0.15)])
def test_kl_matches_gaussian_entropy(
    metric: str, dim: int, tol: float, global_random_seed: int
) -> None:
    # h(N(0, I_d)) = d/2 ln(2 pi e). N=5000; tolerance grows with d (bias of the k-NN volume
    # approximation: measured +0.05 nats at d=10 for the max norm, -0.005 for Euclidean).
    x = np.random.default_rng(global_random_seed).standard_normal((5000, dim))
    value = KozachenkoLeonenkoEstimator(metric=metric).entropy(x).value
    assert value == pytest.approx(dim / 2 * np.log(2 * np.pi * np.e), abs=tol)


def test_kl_matches_uniform_entropy(global_random_seed: int) -> None:
    # U(0, 2)^2 has h = 2 ln 2; boundary effects give a small upward bias (tolerance 0.03).
    x = 2 * np.random.default_rng(global_random_seed).random((5000, 2))
    assert KozachenkoLeonenkoEstimator().entropy(x).value == pytest.approx(2 * np.log(2), abs=0.03)


def test_kl_standardize_keeps_the_target(global_random_seed: int) -> None:
    # h(aX) = h(X) + ln a: with standardize=True the scales are added back exactly.
    x = np.random.default_rng(global_random_seed).standard_normal((3000, 2))
    scaled = x * [1000.0, 0.01]
    est = KozachenkoLeonenkoEstimator(standardize=True)
    shift = np.log(1000.0) + np.log(0.01)
    assert est.entropy(scaled).value == pytest.approx(est.entropy(x).value + shift, abs=1e-9)
    truth = np.log(2 * np.pi * np.e) + shift
    assert est.entropy(scaled).value == pytest.approx(truth, abs=0.05)


def test_kl_raises_on_repeated_samples() -> None:
    x = np.repeat(np.arange(10.0), 5)
    msg = "Input x has repeated samples: 50 of 50 samples have their k=3-th neighbour at distance"
    with pytest.raises(ValueError, match=re.escape(msg)):
        KozachenkoLeonenkoEstimator().entropy(x)


def test_kl_raises_on_constant_column(global_random_seed: int) -> None:
    x = np.column_stack([np.random.default_rng(global_random_seed).random(100), np.ones(100)])
    with pytest.raises(ValueError, match=re.escape("Input x has constant column(s) [1]")):
        KozachenkoLeonenkoEstimator().entropy(x)


def test_kl_rejects_unknown_metric() -> None:
    msg = "Unknown metric 'manhattan'. Available: 'euclidean', 'max'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        KozachenkoLeonenkoEstimator(metric="manhattan")


@pytest.mark.parametrize("scale", [1e160, 1e-170, 1e300, 1e-300])
@pytest.mark.parametrize("metric", ["max", "euclidean"])
def test_kl_entropy_shifts_by_log_scale_at_extreme_scales(scale: float, metric: str) -> None:
    # h(s X) = h(X) + d ln s; Euclidean squares of x * 1e160 overflowed, of x * 1e-170 vanished.
    # Tolerance 1e-11: ln(s) of a rounded s and the rounding of x * s (1e-13 measured).
    x = np.random.default_rng(0).standard_normal((500, 2))
    est = KozachenkoLeonenkoEstimator(metric=metric)
    expected = est.entropy(x).value + 2 * np.log(scale)
    assert est.entropy(x * scale).value == pytest.approx(expected, abs=1e-11)
