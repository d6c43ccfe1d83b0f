"""LNC: closed-form high-MI Gaussians (where KSG saturates), low-MI agreement, invariants, input."""

import re

import numpy as np
import pytest

import infolens
from infolens.benchmark.samplers import CorrelatedPairs
from infolens.estimators.ksg import KSGEstimator
from infolens.estimators.lnc import (
    LOG_ALPHA_TABLE,
    LNCEstimator,
    calibrated_log_alpha,
    log_volume_ratios,
)
from infolens.exceptions import InvalidParameterError


@pytest.mark.parametrize(("dim", "tol"), [(1, 0.5), (2, 1.2)])
def test_lnc_recovers_high_mi_where_ksg_is_biased(dim: int, tol: float) -> None:
    # Correlated Gaussian pairs with exact MI 8 nats (correlation 1 - 6e-8 in 1-D), N = 3000,
    # seed 42. KSG saturates (it needs ~e^MI samples) and is ~2 nats low; the correction
    # recovers most of it. Measured: 1-D KSG 6.18, LNC 7.68; 2-D KSG 5.82, LNC 7.02. The
    # tolerances leave ~0.2 nat for the seed; LNC must also not overshoot the truth.
    mi = 8.0
    x, y = CorrelatedPairs(dim=dim, mi=mi).sample(3000, rng=42)
    ksg = KSGEstimator(k=5).mutual_information(x, y).value
    est = LNCEstimator().mutual_information(x, y)
    assert ksg < mi - 1.5
    assert est.value > ksg + 1.0
    assert mi - tol < est.value < mi + 0.3
    assert est.details["ksg"] == pytest.approx(ksg, abs=1e-12)  # same k, same KSG-1 term
    assert est.details["corrected_fraction"] > 0.2


def test_lnc_leaves_weak_dependence_alone(global_random_seed: int) -> None:
    # rho = 0.5 in 1-D (truth 0.1438 nats): neighbourhoods are locally uniform, so at most
    # ~0.5 % of samples are corrected (the calibrated false-correction rate) and LNC ~ KSG.
    x, y = CorrelatedPairs(dim=1, mi=0.1438410362258904).sample(3000, rng=global_random_seed)
    est = LNCEstimator().mutual_information(x, y)
    assert est.details["corrected_fraction"] < 0.02
    assert est.value - est.details["ksg"] < 0.01
    assert est.value == pytest.approx(0.1438, abs=0.04)


def test_correction_is_never_negative_and_alpha_one_corrects_more() -> None:
    x, y = CorrelatedPairs(dim=1, mi=3.0).sample(1000, rng=0)
    default = LNCEstimator().mutual_information(x, y)
    loose = LNCEstimator(alpha=1.0).mutual_information(x, y)
    assert default.details["correction"] >= 0.0
    assert loose.details["corrected_fraction"] >= default.details["corrected_fraction"]
    assert loose.value >= default.value


def test_volume_ratio_of_a_thin_tilted_neighbourhood() -> None:
    # Points on the diagonal: the axis-aligned box is a square of side 3, the PCA box is a thin
    # segment (side ~3 sqrt 2 by ~0), so the log ratio is very negative; an axis-aligned
    # neighbourhood (a cross) has ratio 1 (log 0) up to rounding.
    diag = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0 + 1e-6], [3.0, 3.0]])
    ratio = log_volume_ratios(diag, np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]))
    assert ratio[0] < -10
    cross = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    flat = log_volume_ratios(cross, np.array([[1, 2, 3, 4]] * 5))
    assert flat[0] == pytest.approx(0.0, abs=1e-9)


def test_threshold_table_matches_the_calibration() -> None:
    assert calibrated_log_alpha(5, 2) == pytest.approx(LOG_ALPHA_TABLE[(5, 2)], abs=1e-9)
    assert all(v < 0 for v in LOG_ALPHA_TABLE.values())


def test_more_neighbours_than_dimensions_are_used_in_high_dimension() -> None:
    x, y = CorrelatedPairs(dim=4, mi=2.0).sample(400, rng=1)
    est = LNCEstimator().mutual_information(x, y, rng=0)
    assert est.details["k_used"] == 9
    assert np.isfinite(est.value)


def test_lnc_is_registered_and_deterministic() -> None:
    x, y = CorrelatedPairs(dim=1, mi=4.0).sample(800, rng=3)
    first = infolens.mutual_information(x, y, method="lnc", rng=1)
    assert first.method == "lnc"
    assert infolens.mutual_information(x, y, method="lnc", rng=1).value == first.value


@pytest.mark.parametrize("alpha", [0.0, 1.5, -0.1, True, "0.2"])
def test_bad_alpha_is_refused(alpha: object) -> None:
    msg = (
        "The 'alpha' parameter of LNCEstimator must be None or a float in the range (0, 1]. "
        f"Got {alpha!r} instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        LNCEstimator(alpha=alpha)  # type: ignore[arg-type]
