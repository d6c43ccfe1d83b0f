"""Frenzel–Pompe CMI: Gaussian closed form, conditional independence, invariants, bad input."""

import re

import numpy as np
import pytest

import infolens
from infolens.estimators.frenzel_pompe import FrenzelPompeEstimator
from tests.helpers import correlated_gaussian


def _gaussian_cmi_truth(cov: np.ndarray) -> float:
    """I(X; Y | Z) of a trivariate Gaussian with covariance ``cov`` (order x, y, z)."""

    def logdet(idx: list[int]) -> float:
        return float(np.linalg.slogdet(cov[np.ix_(idx, idx)])[1])

    return 0.5 * (logdet([0, 2]) + logdet([1, 2]) - logdet([0, 1, 2]) - logdet([2]))


def test_frenzel_pompe_matches_gaussian_closed_form(global_random_seed: int) -> None:
    # X = Z + e1, Y = X + Z + e2: truth 0.3466 nats; tolerance 0.03 at N=5000 (bias+sd ~0.01).
    cov = np.array([[2.0, 3.0, 1.0], [3.0, 6.0, 2.0], [1.0, 2.0, 1.0]])
    truth = _gaussian_cmi_truth(cov)
    xyz = np.random.default_rng(global_random_seed).multivariate_normal(np.zeros(3), cov, 5000)
    value = FrenzelPompeEstimator().conditional_mutual_information(xyz[:, 0], xyz[:, 1], xyz[:, 2])
    assert value.value == pytest.approx(truth, abs=0.03)


def test_frenzel_pompe_is_near_zero_under_conditional_independence(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    z = rng.standard_normal((5000, 2))
    x = z.sum(axis=1) + rng.standard_normal(5000)
    y = z[:, 0] - z[:, 1] + rng.standard_normal(5000)
    assert abs(FrenzelPompeEstimator().conditional_mutual_information(x, y, z).value) < 0.03


def test_frenzel_pompe_with_independent_z_estimates_mi(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x, y, truth = correlated_gaussian(5000, 1, 0.7, rng)
    value = FrenzelPompeEstimator().conditional_mutual_information(x, y, rng.random(5000)).value
    assert value == pytest.approx(truth, abs=0.04)


def test_frenzel_pompe_symmetric_and_thread_invariant(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x, y, _ = correlated_gaussian(2000, 1, 0.6, rng)
    z = rng.standard_normal(2000)
    values = {
        FrenzelPompeEstimator(n_jobs=j).conditional_mutual_information(a, b, z).value
        for j in (1, -1)
        for a, b in ((x, y), (y, x))
    }
    assert max(values) - min(values) < 1e-12


def test_frenzel_pompe_rejects_inconsistent_lengths() -> None:
    msg = "Found input variables with inconsistent numbers of samples: [10, 10, 9]"
    with pytest.raises(ValueError, match=re.escape(msg)):
        infolens.conditional_mutual_information(
            np.arange(10.0), np.arange(10.0), np.arange(9.0), method="frenzel_pompe"
        )


@pytest.mark.parametrize("scale", [1e160, 1e-170, 1e300, 1e-300])
def test_frenzel_pompe_and_mixed_knn_give_the_same_value_at_extreme_scales(scale: float) -> None:
    from infolens.estimators.mixed_knn import MixedKNNEstimator

    rng = np.random.default_rng(6)
    z = rng.standard_normal(800)
    x = z + rng.standard_normal(800)
    y = x + z + rng.standard_normal(800)
    for est in (FrenzelPompeEstimator(), MixedKNNEstimator()):
        expected = est.conditional_mutual_information(x, y, z).value
        scaled = est.conditional_mutual_information(x * scale, y * scale, z * scale).value
        assert scaled == pytest.approx(expected, abs=1e-12)
    lattice = np.round(2 * x) / 2  # and on lattice data (the exact-lattice path)
    mixed = MixedKNNEstimator().mutual_information(lattice, y).value
    assert MixedKNNEstimator().mutual_information(lattice * scale, y).value == pytest.approx(
        mixed, abs=1e-12
    )
