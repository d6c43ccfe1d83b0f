import math
import re

import numpy as np
import pytest

from infolens.kernel import (
    center_gram,
    gaussian_gram,
    median_heuristic,
    sigma_from_denominator,
    sigma_from_dimension_scaled,
)
from infolens.kernel._gram import MEDIAN_SUBSAMPLE
from tests.kernel._data import X


def test_gaussian_gram_matches_definition() -> None:
    k = gaussian_gram(X, sigma=1.5)
    i, j = 1, 5
    expected = math.exp(-np.sum((X[i] - X[j]) ** 2) / (2 * 1.5**2))
    assert k[i, j] == pytest.approx(expected, rel=1e-14)
    np.testing.assert_array_equal(np.diag(k), 1.0)
    np.testing.assert_array_equal(k, k.T)


def test_gaussian_gram_cross_shape() -> None:
    assert gaussian_gram([0.0, 1.0, 2.0], [0.5], sigma=1.0).shape == (3, 1)


def test_gaussian_gram_rejects_feature_mismatch() -> None:
    msg = "Inputs x and y must have the same number of features; got 2 and 1."
    with pytest.raises(ValueError, match=re.escape(msg)):
        gaussian_gram(X, [1.0], sigma=1.0)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf")])
def test_gaussian_gram_rejects_bad_sigma(sigma: float) -> None:
    msg = f"The 'sigma' parameter of gaussian_gram must be a float in the range (0, inf). Got {sigma!r} instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        gaussian_gram(X, sigma=sigma)


def test_median_heuristic_is_median_pairwise_distance() -> None:
    # pairwise distances of X: six 1s, four sqrt(2)s, 2, 2, sqrt5, sqrt5, sqrt8 -> median sqrt(2)
    assert median_heuristic(X) == math.sqrt(2)


def test_median_heuristic_subsample_is_deterministic_and_evenly_spaced() -> None:
    x = np.arange(5000.0)
    sigma = median_heuristic(x)
    assert sigma == median_heuristic(x)
    idx = np.round(np.linspace(0, 4999, MEDIAN_SUBSAMPLE)).astype(np.intp)
    sub = x[idx]
    expected = np.median(np.abs(sub[:, None] - sub[None, :])[np.triu_indices(len(sub), 1)])
    assert sigma == expected


def test_median_heuristic_rejects_degenerate_data() -> None:
    msg = (
        "The median heuristic gives a zero kernel width for x: more than half of the pairs of "
        "samples are identical. Pass the width explicitly."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        median_heuristic([1.0, 1.0, 1.0, 1.0, 2.0])
    msg = (
        "The median heuristic needs at least 2 samples of x to choose a kernel width; got 1. "
        "Pass the width explicitly."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        median_heuristic([1.0])


def test_sigma_converters_give_the_same_kernel() -> None:
    d = X.shape[1]
    scaled = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / (2 * 5.0**2 * d))
    np.testing.assert_allclose(
        gaussian_gram(X, sigma=sigma_from_dimension_scaled(5.0, d)), scaled, rtol=1e-14
    )
    plain = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / 3.0)
    np.testing.assert_allclose(
        gaussian_gram(X, sigma=sigma_from_denominator(3.0)), plain, rtol=1e-14
    )


def test_center_gram_equals_hkh() -> None:
    k = gaussian_gram(X, sigma=1.0)
    h = np.eye(6) - np.ones((6, 6)) / 6
    np.testing.assert_allclose(center_gram(k), h @ k @ h, atol=1e-15)


def test_center_gram_rejects_non_square() -> None:
    with pytest.raises(ValueError, match=re.escape("k must be a square matrix; got shape (2, 3).")):
        center_gram(np.ones((2, 3)))
