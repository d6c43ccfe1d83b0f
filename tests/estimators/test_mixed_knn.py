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


def _exact_lattice_mixed_knn(mx: np.ndarray, my: np.ndarray, k: int) -> float:
    """Gao et al.'s estimate on integer lattice codes, comparisons within a column on integers.

    The reference for the exact-lattice fix: standardised distances are ``|dm| / std(m)``;
    within one column they are compared as integers, so equal gaps are equal exactly.
    """
    from scipy.special import digamma

    dx = np.abs(mx[:, None] - mx[None, :]).astype(float)
    dy = np.abs(my[:, None] - my[None, :]).astype(float)
    sx, sy = mx.std(), my.std()
    joint = np.maximum(dx / sx, dy / sy)
    np.fill_diagonal(joint, np.inf)
    rho = np.sort(joint, axis=1)[:, k - 1]
    tied = rho == 0.0
    k_tilde = np.where(tied, (joint == 0.0).sum(axis=1) + 1, k)
    n_x = np.where(tied, (dx == 0).sum(axis=1), (dx / sx < rho[:, None]).sum(axis=1))
    n_y = np.where(tied, (dy == 0).sum(axis=1), (dy / sy < rho[:, None]).sum(axis=1))
    n = len(mx)
    return float(np.mean(digamma(k_tilde) + digamma(n) - digamma(n_x) - digamma(n_y)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mixed_knn_on_lattice_data_equals_exact_lattice_arithmetic(seed: int) -> None:
    # Issue 17: after plain standardisation, equal lattice gaps differ in the last bit and a
    # strict '< rho' count kept or dropped whole levels. Tolerance 1e-12: only the order of the
    # final mean differs from the reference.
    rng = np.random.default_rng(seed)
    mx = rng.poisson(3, 400)
    my = mx + rng.poisson(2, 400)
    reference = _exact_lattice_mixed_knn(mx, my, 3)
    for x, y in [
        (mx, my),
        (mx * 3 + 0.1, my),
        (mx * 0.5, my * -0.7 + 5),
        (mx * 1e-3 - 7, my * 1e5),
    ]:
        value = MixedKNNEstimator().mutual_information(x, y).value
        assert value == pytest.approx(reference, abs=1e-12)


def test_mixed_knn_on_a_half_grid_is_invariant_to_row_order_swap_and_affine_maps() -> None:
    # The case: auto (-> mixed_knn) on data on a 0.5-grid gave 6 values over 10 orders.
    rng = np.random.default_rng(5)
    g = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], 3000)
    x, y = np.round(g[:, 0] * 2) / 2, np.round(g[:, 1] * 2) / 2
    base = MixedKNNEstimator().mutual_information(x, y).value
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(3000)
        value = MixedKNNEstimator().mutual_information(x[order], y[order]).value
        assert value == pytest.approx(base, abs=1e-12)
    assert MixedKNNEstimator().mutual_information(y, x).value == pytest.approx(base, abs=1e-12)
    moved = MixedKNNEstimator().mutual_information(x * 3 + 0.1, -2 * y + 1).value
    assert moved == pytest.approx(base, abs=1e-12)
    reference = _exact_lattice_mixed_knn(
        np.rint(x * 2).astype(int)[:800], np.rint(y * 2).astype(int)[:800], 3
    )
    head = MixedKNNEstimator().mutual_information(x[:800], y[:800]).value
    assert head == pytest.approx(reference, abs=1e-12)


@pytest.mark.parametrize("backend", ["kdtree", "brute", "torch"])
def test_mixed_knn_lattice_fix_agrees_across_backends(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.poisson(4, (600, 2)) * 0.3 + 0.1
    y = x[:, :1] + rng.integers(0, 3, (600, 1))
    z = rng.integers(0, 2, 600)
    reference = MixedKNNEstimator(backend="kdtree")
    est = MixedKNNEstimator(backend=backend)
    assert est.mutual_information(x, y).value == reference.mutual_information(x, y).value
    assert (
        est.conditional_mutual_information(x, y, z).value
        == reference.conditional_mutual_information(x, y, z).value
    )
