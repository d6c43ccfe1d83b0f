"""The shared k-NN layer: neighbour conventions with duplicates, counting rules."""

import numpy as np

from infolens.estimators._knn import count_within, kth_neighbor, standardize


def test_kth_neighbor_excludes_self_even_with_duplicates() -> None:
    points = np.array([[0.0], [0.0], [0.0], [1.0]])
    dist, neighbors = kth_neighbor(points, 2, n_jobs=1)
    assert dist.tolist() == [0.0, 0.0, 0.0, 1.0]
    for i, row in enumerate(neighbors):
        assert i not in row


def test_count_within_is_strict_for_positive_radii_and_counts_exact_ties_at_zero() -> None:
    points = np.array([[0.0], [0.0], [1.0], [2.0]])
    strict = count_within(points, np.array([1.0, 0.0, 1.0, 1.0]), strict=True, n_jobs=1)
    assert strict.tolist() == [2.0, 2.0, 1.0, 1.0]
    inclusive = count_within(points, np.array([1.0, 0.0, 1.0, 1.0]), strict=False, n_jobs=1)
    assert inclusive.tolist() == [3.0, 2.0, 4.0, 2.0]


def test_standardize_leaves_constant_columns_finite() -> None:
    out = standardize(np.array([[1.0, 5.0], [3.0, 5.0]]))
    np.testing.assert_array_equal(out, [[-1.0, 0.0], [1.0, 0.0]])
