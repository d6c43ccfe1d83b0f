"""Gaussian-copula estimator: invariance to monotone maps, Gaussian truth, ties."""

import numpy as np
import pytest

from infolens.estimators.gaussian_copula import GaussianCopulaEstimator, normal_scores
from tests.helpers import correlated_gaussian


def test_copula_is_invariant_to_increasing_transforms(global_random_seed: int) -> None:
    x, y, _ = correlated_gaussian(2000, 2, 0.6, np.random.default_rng(global_random_seed))
    est = GaussianCopulaEstimator()
    transformed = est.mutual_information(
        np.exp(x), np.column_stack([y[:, 0] ** 3, np.arctan(y[:, 1])])
    )
    assert transformed.value == pytest.approx(est.mutual_information(x, y).value, abs=1e-12)


def test_copula_matches_gaussian_truth_through_nonlinear_margins() -> None:
    # Mean of 10 seeds at N=10,000 (rank noise adds a small negative bias, measured < 0.003).
    values, truth = [], 0.0
    for seed in range(10):
        x, y, truth = correlated_gaussian(10_000, 3, 0.5, np.random.default_rng(seed))
        values.append(GaussianCopulaEstimator().mutual_information(x**3, np.sinh(y)).value)
    assert np.mean(values) == pytest.approx(truth, abs=0.01)


def test_copula_conditional_mi_is_zero_under_conditional_independence(
    global_random_seed: int,
) -> None:
    rng = np.random.default_rng(global_random_seed)
    z = rng.standard_normal(5000)
    x, y = np.exp(z + rng.standard_normal(5000)), (z + rng.standard_normal(5000)) ** 3
    assert abs(GaussianCopulaEstimator().conditional_mutual_information(x, y, z).value) < 0.01


def test_normal_scores_give_tied_values_the_same_score() -> None:
    scores = normal_scores(np.array([[1.0], [2.0], [2.0], [3.0]]))
    assert scores[1, 0] == scores[2, 0] == 0.0
    assert scores[0, 0] == pytest.approx(-scores[3, 0], abs=1e-15)
