"""Fixed-width binning: exact tiny examples, edges / counts / widths, bad settings."""

import re

import numpy as np
import pytest

from infolens.estimators.binning import BinningEstimator
from infolens.estimators.plugin import PluginEstimator


def test_binning_with_edges_exact_entropy() -> None:
    est = BinningEstimator(edges=(0.0, 0.5, 1.0)).entropy([0.1, 0.2, 0.7, 1.0])
    assert est.to("bits").value == pytest.approx(1.0, abs=1e-12)


def test_binning_count_spans_data_range_and_keeps_the_maximum() -> None:
    est = BinningEstimator(bins=4)
    assert est.bin_indices([0.0, 0.3, 0.6, 1.0]).ravel().tolist() == [0, 1, 2, 3]
    assert est.entropy([0.0, 0.3, 0.6, 1.0]).value == pytest.approx(np.log(4), abs=1e-12)


def test_binning_width_is_anchored_at_zero() -> None:
    est = BinningEstimator(width=0.5)
    assert est.bin_indices([-0.7, -0.2, 0.2, 0.9, 1.1]).ravel().tolist() == [-2, -1, 0, 1, 2]


def test_binning_per_dimension_counts_and_joint_cells() -> None:
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.4, 0.6]])
    est = BinningEstimator(bins=(2, 1))
    assert est.bin_indices(x).tolist() == [[0, 0], [1, 0], [0, 0], [1, 0], [0, 0]]
    assert est.entropy(x).value == pytest.approx(
        PluginEstimator().entropy([0, 1, 0, 1, 0]).value, abs=1e-15
    )


def test_binning_mutual_information_of_a_variable_with_itself_is_its_entropy(
    global_random_seed: int,
) -> None:
    x = np.random.default_rng(global_random_seed).standard_normal(1000)
    est = BinningEstimator(bins=30, bin_range=(-5.0, 5.0))
    assert est.mutual_information(x, x).value == pytest.approx(est.entropy(x).value, abs=1e-12)


def test_binning_estimates_gaussian_mi(global_random_seed: int) -> None:
    # rho = 0.8 (truth 0.511 nats), N = 20,000, 20 bins per axis: histogram bias (+(K-1)/2N and
    # discretisation loss) stays within 0.05 nats.
    rng = np.random.default_rng(global_random_seed)
    xy = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=20_000)
    value = BinningEstimator(bins=20).mutual_information(xy[:, 0], xy[:, 1]).value
    assert value == pytest.approx(-0.5 * np.log(1 - 0.64), abs=0.05)


def test_binning_rejects_values_outside_given_edges() -> None:
    msg = "1 value(s) fall outside the bin edges [0, 1] (data range [0.2, 1.5])"
    with pytest.raises(ValueError, match=re.escape(msg)):
        BinningEstimator(edges=(0.0, 0.5, 1.0)).entropy([0.2, 1.5])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"bins": 0},
            "The 'bins' parameter of BinningEstimator must be an int in the range [1, inf). Got 0 instead.",
        ),
        (
            {"width": -1.0},
            "The 'width' parameter of BinningEstimator must be a float in the range (0, inf).",
        ),
        (
            {"edges": (1.0, 0.0)},
            "The 'edges' parameter of BinningEstimator must be a strictly increasing",
        ),
        (
            {"edges": (0.0, 1.0), "width": 0.1},
            "BinningEstimator takes either 'edges' or 'width', not both.",
        ),
        (
            {"bin_range": (1.0, 1.0)},
            "The 'bin_range' parameter of BinningEstimator must be (low, high)",
        ),
    ],
)
def test_binning_rejects_bad_settings(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        BinningEstimator(**params)  # type: ignore[arg-type]


def test_binning_rejects_per_column_settings_of_wrong_length() -> None:
    with pytest.raises(ValueError, match=re.escape("has 3 entries, but the input has 2 column(s)")):
        BinningEstimator(bins=(2, 3, 4)).entropy(np.zeros((5, 2)))


def test_binning_by_width_accepts_negative_values() -> None:
    # Issue 17: negative bin indices reached np.bincount, so a standard-normal sample failed.
    x = np.random.default_rng(0).standard_normal(2000)
    est = BinningEstimator(width=0.5)
    index = est.bin_indices(x)[:, 0]
    assert index.min() < 0
    _, counts = np.unique(index, return_counts=True)
    p = counts / counts.sum()
    assert est.entropy(x).value == pytest.approx(float(-(p * np.log(p)).sum()), abs=1e-12)
    assert est.mutual_information(x, x).value == pytest.approx(est.entropy(x).value, abs=1e-12)
    # shifting the data by a whole number of bins relabels the bins only
    assert est.entropy(x - 10.0).value == pytest.approx(est.entropy(x).value, abs=1e-12)


def test_binning_exact_entropy_with_negative_width_bins() -> None:
    # bins [-1, -0.5), [-0.5, 0), [0, 0.5): counts 1, 2, 1 -> H = 1.5 bits
    est = BinningEstimator(width=0.5).entropy([-0.7, -0.2, -0.1, 0.3])
    assert est.to("bits").value == pytest.approx(1.5, abs=1e-12)


def test_binning_by_count_handles_a_range_that_overflows() -> None:
    x = np.random.default_rng(1).standard_normal(500)
    scaled = BinningEstimator(bins=8).entropy(x * 1e307).value
    assert scaled == BinningEstimator(bins=8).entropy(x).value


def test_binning_rejects_a_width_too_small_for_the_data() -> None:
    x = np.random.default_rng(2).standard_normal(100) * 1e300
    with pytest.raises(ValueError, match=re.escape("The 'width' parameter of BinningEstimator")):
        BinningEstimator(width=1e-10).entropy(x)
