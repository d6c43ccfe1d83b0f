"""Per-layer information-plane estimators: exact small cases, agreement with plug-in, bounds."""

import math
import re

import numpy as np
import pytest

from infolens.estimators.plugin import PluginEstimator
from infolens.infoplane import measures
from infolens.infoplane.measures import (
    AdaptiveBinning,
    FixedBinning,
    GaussianNoiseBound,
    KDEBound,
    KNNEntropy,
    RangeBinning,
    labels_to_codes,
)


def test_fixed_binning_uses_idnns_digitize_semantics() -> None:
    # 30 edges in [-1, 1]: 1.0 lies beyond the last edge and gets its own bin, as in IDNNs.
    t = np.array([[0.99], [1.0], [-1.0], [-0.999]])
    info = FixedBinning().estimate(t, np.array([0, 1, 0, 1])).to("bits")
    # bins [0.93, 1), {1.0} and [-1, -0.93) holding 1, 1 and 2 samples: H = 1.5 bits
    assert info.i_xt == pytest.approx(1.5, abs=1e-12)


def test_fixed_binning_agrees_with_the_plugin_estimator(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    t = np.tanh(rng.standard_normal((2000, 3)))
    y = rng.integers(0, 2, 2000)
    info = FixedBinning().estimate(t, y).to("bits")
    bins = np.digitize(t, np.linspace(-1, 1, 30))
    plugin = PluginEstimator()
    assert info.i_xt == pytest.approx(plugin.entropy(bins).to("bits").value, abs=1e-12)
    assert info.i_ty == pytest.approx(
        plugin.mutual_information(bins, y).to("bits").value, abs=1e-12
    )
    # distinct, equiprobable inputs: I(X;T|Y) = H(T|Y) = I(X;T) - I(T;Y)
    assert info.i_xt_given_y == pytest.approx(info.i_xt - info.i_ty, abs=1e-12)


def test_range_binning_and_its_global_high() -> None:
    t = np.array([[0.0], [0.4], [0.6], [1.0]])
    y = np.array([0, 0, 1, 1])
    info = (
        RangeBinning(n_edges=3, high=1.0).estimate(t, y).to("bits")
    )  # edges 0, 0.5, 1: bins 1, 1, 2, 3
    assert info.i_xt == pytest.approx(1.5, abs=1e-12)
    assert info.i_ty == pytest.approx(1.0, abs=1e-12)
    assert RangeBinning(n_edges=3).with_high(2.0).high == 2.0


def test_adaptive_binning_puts_equal_numbers_of_unique_levels_in_each_bin() -> None:
    t = np.arange(1.0, 9.0)[:, None]  # 8 unique levels above low=0
    estimator = AdaptiveBinning(n_bins=4, low=0.0)
    np.testing.assert_array_equal(estimator.edges(t), [0.0, 1.0, 3.0, 5.0, 7.0, 8.0])
    counts = np.bincount(np.digitize(t.ravel(), estimator.edges(t)))
    assert counts[counts > 0].tolist() == [2, 2, 2, 1, 1]


def test_kde_bounds_on_two_far_clusters() -> None:
    # Two tight clusters 100 sigma apart, labels = cluster: both bounds give exactly 1 bit.
    t = np.repeat(np.array([[0.0, 0.0], [30.0, 0.0]]), 50, axis=0)
    y = np.repeat([0, 1], 50)
    for bound in ("upper", "lower"):
        info = KDEBound(noise_variance=0.1, bound=bound).estimate(t, y).to("bits")
        assert info.i_xt == pytest.approx(1.0, abs=1e-9)
        assert info.i_ty == pytest.approx(1.0, abs=1e-9)
        assert info.i_xt_given_y == pytest.approx(0.0, abs=1e-9)


def test_kde_upper_bound_is_above_lower_bound_and_blocking_is_exact(
    monkeypatch: pytest.MonkeyPatch, global_random_seed: int
) -> None:
    rng = np.random.default_rng(global_random_seed)
    t, y = rng.standard_normal((700, 3)), rng.integers(0, 3, 700)
    upper = KDEBound(noise_variance=0.1).estimate(t, y)
    lower = KDEBound(noise_variance=0.1, bound="lower").estimate(t, y)
    assert upper.i_xt > lower.i_xt > 0
    assert upper.i_xt <= math.log(700) + 1e-9
    monkeypatch.setattr(measures, "_BLOCK", 64)
    assert KDEBound(noise_variance=0.1).estimate(t, y).i_xt == pytest.approx(upper.i_xt, abs=1e-10)


def test_labels_to_codes_accepts_one_hot_rows() -> None:
    assert labels_to_codes(np.array([[1, 0], [0, 1], [1, 0]])).tolist() == [0, 1, 0]
    assert labels_to_codes(["b", "a", "b"]).tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: FixedBinning(edges=(1.0, 0.0)),
            "The 'edges' parameter of FixedBinning must be a strictly increasing",
        ),
        (
            lambda: RangeBinning(n_edges=1),
            "The 'n_edges' parameter of RangeBinning must be an int in the range [2, inf)",
        ),
        (
            lambda: KDEBound(noise_variance=0.0),
            "The 'noise_variance' parameter of KDEBound must be a float in the range (0, inf)",
        ),
        (
            lambda: KDEBound(bound="middle"),  # type: ignore[arg-type]
            "Unknown bound 'middle'. Available: 'lower', 'upper'.",
        ),
        (
            lambda: AdaptiveBinning(n_bins=0),
            "The 'n_bins' parameter of AdaptiveBinning must be an int",
        ),
    ],
)
def test_layer_estimators_reject_bad_settings(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make()  # type: ignore[operator]


def test_gaussian_noise_bound_is_exact_for_gaussian_activations(global_random_seed: int) -> None:
    # h ~ N(0, s^2 I_2) and noise variance v: I(X;T) = log2(1 + s^2 / v) per unit (2 units).
    t = 2.0 * np.random.default_rng(global_random_seed).standard_normal((20_000, 2))
    info = (
        GaussianNoiseBound(noise_variance=1.0).estimate(t, np.zeros(20_000, dtype=int)).to("bits")
    )
    assert info.i_xt == pytest.approx(2 * 0.5 * math.log2(1 + 4.0), abs=0.02)
    assert info.i_ty == pytest.approx(0.0, abs=1e-12)  # one class: nothing about Y


def test_knn_entropy_recovers_a_gaussian_channel(global_random_seed: int) -> None:
    # h ~ N(0, 1) per unit; T = h + N(0, v): I(X;T) = 1/2 log2(1 + 1/v); classes by the sign of h.
    rng = np.random.default_rng(global_random_seed)
    h = rng.standard_normal((4000, 1))
    info = KNNEntropy(noise_variance=0.25).estimate(h, (h[:, 0] > 0).astype(int), rng=0).to("bits")
    assert info.i_xt == pytest.approx(0.5 * math.log2(1 + 4.0), abs=0.08)
    assert 0 < info.i_ty <= 1.0 + 0.05
