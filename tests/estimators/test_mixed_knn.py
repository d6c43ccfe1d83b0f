"""Mixed discrete–continuous k-NN MI/CMI: ties, discrete–continuous truth, equality with KSG."""

import numpy as np
import pytest

from infolens.estimators.ksg import KSGEstimator
from infolens.estimators.mixed_knn import MixedKNNEstimator
from infolens.estimators.plugin import PluginEstimator
from tests.helpers import ROUNDED_NORMAL_MI, correlated_gaussian, rounded_normal


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mixed_knn_handles_integer_rounded_gaussians(seed: int) -> None:
    # The tie case: N=10,000, rho=0.8, both rounded; exact MI 0.394164542171 nats.
    # Tolerance 0.02 nats (measured deviations <= 0.004; sampling sd ~0.006).
    x, y = rounded_normal(10_000, np.random.default_rng(seed))
    first = MixedKNNEstimator().mutual_information(x, y, rng=1)
    second = MixedKNNEstimator().mutual_information(x, y, rng=2)
    assert np.isfinite(first.value)
    assert first.value == second.value  # deterministic: no noise is added
    assert first.value == pytest.approx(ROUNDED_NORMAL_MI, abs=0.02)
    assert first.details["n_tied"] > 9000


def test_mixed_knn_equals_ksg_without_ties(global_random_seed: int) -> None:
    x, y, _ = correlated_gaussian(2000, 2, 0.5, np.random.default_rng(global_random_seed))
    mixed = MixedKNNEstimator().mutual_information(x, y).value
    assert mixed == KSGEstimator().mutual_information(x, y).value


def test_mixed_knn_discrete_x_continuous_y_closed_form(global_random_seed: int) -> None:
    # X uniform on {0,1,2,3}, Y = X + U(0, 1): Y determines X, so I(X; Y) = H(X) = ln 4.
    # Tolerance 0.03 nats at N=5000 (kNN boundary effects at the bin edges of Y).
    rng = np.random.default_rng(global_random_seed)
    x = rng.integers(0, 4, 5000)
    y = x + rng.random(5000)
    assert MixedKNNEstimator().mutual_information(x, y).value == pytest.approx(np.log(4), abs=0.03)


def test_mixed_knn_approaches_plugin_on_discrete_data(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.integers(0, 5, 10_000)
    y = (x + rng.integers(0, 3, 10_000)) % 5
    plugin = PluginEstimator().mutual_information(x, y).value
    assert MixedKNNEstimator().mutual_information(x, y).value == pytest.approx(plugin, abs=0.01)


def test_mixed_knn_conditional_independence_with_discrete_z(global_random_seed: int) -> None:
    # X and Y depend on each other only through a discrete Z: I(X; Y | Z) = 0, I(X; Y) > 0.
    rng = np.random.default_rng(global_random_seed)
    z = rng.integers(0, 3, 5000)
    x, y = 3 * z + rng.standard_normal(5000), 3 * z + rng.standard_normal(5000)
    est = MixedKNNEstimator()
    assert abs(est.conditional_mutual_information(x, y, z).value) < 0.03
    assert est.mutual_information(x, y).value > 0.3


def test_mixed_knn_conditional_discrete_closed_form(global_random_seed: int) -> None:
    # Y = X XOR Z on fair bits: I(X; Y | Z) = ln 2, while I(X; Y) = 0.
    rng = np.random.default_rng(global_random_seed)
    x, z = rng.integers(0, 2, 4000), rng.integers(0, 2, 4000)
    value = MixedKNNEstimator().conditional_mutual_information(x, x ^ z, z).value
    assert value == pytest.approx(np.log(2), abs=0.01)
