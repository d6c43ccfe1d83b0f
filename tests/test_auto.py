"""The ``method="auto"`` rule: every branch and every ensemble candidate reachable, determinism."""

import re

import numpy as np
import pytest

import infolens
from infolens.auto import (
    COMPRESS_MIN_DIM,
    HIGH_MI,
    KNN_MAX_DIM,
    CopulaEnsembleEstimator,
    choose_method,
)
from infolens.benchmark.samplers import CorrelatedPairs, SplitMultinormal, SplitStudentT
from infolens.benchmark.samplers.high_mi import UniformNoiseCube
from infolens.benchmark.samplers.images import GaussianBlobs
from infolens.exceptions import InvalidDataTypeError, InvalidParameterError

_CONT = np.linspace(0.0, 1.0, 60)
_WIDE_CLIPPED = np.clip(np.random.default_rng(0).standard_normal((60, 30)), -0.5, 0.5)


@pytest.mark.parametrize(
    ("quantity", "data", "method", "reason"),
    [
        ("entropy", [["a", "b", "a"]], "miller_madow", "all inputs are discrete"),
        ("mutual_information", [[1, 2, 3], [True, False, True]], "miller_madow", "discrete"),
        ("mutual_information", [np.arange(60) % 4, _CONT], "mixed_knn", "integer/boolean"),
        ("mutual_information", [np.arange(60.0) % 4, _CONT], "mixed_knn", "repeated values"),
        ("conditional_mutual_information", [_CONT, _CONT**2, np.arange(60.0) % 3], "mixed_knn",
         "repeated values"),
        ("entropy", [_CONT], "kl", "continuous data without repeated values"),
        ("conditional_mutual_information", [_CONT, _CONT**2, _CONT**3], "frenzel_pompe",
         "continuous data without repeated values"),
        ("mutual_information", [_CONT, _CONT**2], "copula_ensemble", "Gaussian-copula"),
        ("mutual_information", [_WIDE_CLIPPED, _CONT], "copula_ensemble", "saturated pixels"),
        ("conditional_mutual_information", [_WIDE_CLIPPED, _CONT, _CONT**2], "mixed_knn",
         "repeated values"),
    ],
)  # fmt: skip
def test_every_rule_branch_is_reachable(
    quantity: str, data: list[object], method: str, reason: str
) -> None:
    chosen, why = choose_method(quantity, data)  # type: ignore[arg-type]
    assert chosen == method
    assert reason in why


def test_labels_mixed_with_floats_are_refused() -> None:
    with pytest.raises(InvalidDataTypeError, match=re.escape("cannot mix category labels")):
        choose_method("mutual_information", [["a", "b", "c"], [0.1, 0.2, 0.3]])


def test_lattice_data_get_the_exact_tie_handling_never_jittered_ksg() -> None:
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal(2000) * 2) / 2
    y = np.round((x + rng.standard_normal(2000)) * 2) / 2
    est = infolens.mutual_information(x, y, rng=0)
    assert est.method == "mixed_knn"
    assert "jitter" not in est.details


def _ensemble(x: np.ndarray, y: np.ndarray) -> infolens.Estimate:
    est = infolens.mutual_information(x, y, rng=0)
    assert est.method == "copula_ensemble"
    candidates = est.details["candidates"]
    assert est.value == max(candidates.values())
    assert est.details["chosen"] == max(candidates, key=candidates.get)
    return est


def test_gaussian_copula_wins_on_transformed_gaussians() -> None:
    # 5 + 5 dims, 2 pairs of correlation 0.8 (truth 1.022 nats), cubed: KSG in 10 dims is
    # ~0.3 nats low, the Gaussian copula is exact up to ~0.02.
    cov = np.eye(10)
    cov[0, 5] = cov[5, 0] = cov[1, 6] = cov[6, 1] = 0.8
    x, y = SplitMultinormal(dim_x=5, dim_y=5, covariance=cov).sample(2000, rng=1)
    est = _ensemble(x**3, y**3)
    assert est.details["chosen"] == "gaussian_copula"
    assert est.details["k"] == 1  # more than 4 joint dimensions
    assert est.value == pytest.approx(1.0217, abs=0.06)


def test_ksg_wins_on_uniform_noise_and_lnc_joins_at_high_mi() -> None:
    x, y = UniformNoiseCube(dim=1, mi=1.7094).sample(2000, rng=2)  # bmi's 1v1-additive-0.1
    est = _ensemble(x, y)
    assert est.details["chosen"] == "ksg"
    assert est.details["k"] == 3
    assert "lnc" not in est.details["candidates"]
    x, y = UniformNoiseCube(dim=1, mi=7.0).sample(2000, rng=2)
    est = _ensemble(x, y)
    assert est.details["candidates"]["ksg"] > HIGH_MI
    assert est.details["chosen"] == "lnc"


def test_lnc_fixes_ksg_saturation_on_a_strongly_dependent_pair() -> None:
    # 1-D Gaussian pair at 10 nats, N = 3000: KSG saturates near 7.5 nats, LNC on the
    # standardised data is within ~0.5 nat (on normal scores, ties of ranks between X and Y
    # made it explode to >100 nats before the fix).
    x, y = CorrelatedPairs(dim=1, mi=10.0).sample(3000, rng=8)
    est = _ensemble(x, y)
    assert est.details["chosen"] == "lnc"
    assert est.details["candidates"]["ksg"] < 8.5
    assert est.value == pytest.approx(10.0, abs=1.0)


def test_radial_floor_wins_on_a_shared_heavy_tailed_scale() -> None:
    # Student-t 3 x 3, identity dispersion, dof 1 (truth 0.39 nats, all of it in the shared
    # scale): the ranks are uncorrelated, the Gaussian copula sees ~0.
    gauss = SplitMultinormal(dim_x=3, dim_y=3, covariance=np.eye(6))
    student = SplitStudentT(gaussian=gauss, df=1)
    x, y = student.sample(2000, rng=3)
    est = _ensemble(x, y)
    assert est.details["chosen"] == "radial"
    assert est.details["candidates"]["gaussian_copula"] < 0.05
    assert est.value == pytest.approx(student.mutual_information(), abs=0.1)


def test_images_skip_ksg_and_the_collinear_gaussian_copula_and_use_compression() -> None:
    x, y = GaussianBlobs(mi=2.0).sample(1000, rng=4)
    assert x.shape[1] > COMPRESS_MIN_DIM
    assert 2 * x.shape[1] > KNN_MAX_DIM
    est = _ensemble(x, y)
    assert set(est.details["skipped"]) == {"ksg", "gaussian_copula"}
    assert "near-collinear" in est.details["skipped"]["gaussian_copula"]
    assert est.details["chosen"] == "compression"


def test_auto_is_deterministic_for_a_fixed_rng() -> None:
    x, y = CorrelatedPairs(dim=2, mi=1.0).sample(1500, rng=5)
    first = infolens.mutual_information(x, y, rng=7)
    again = infolens.mutual_information(x, y, rng=np.random.default_rng(7))
    assert first.value == again.value
    assert first.details["candidates"] == again.details["candidates"]


def test_user_k_reaches_the_ensemble_and_bad_k_is_refused() -> None:
    x, y = CorrelatedPairs(dim=1, mi=0.5).sample(500, rng=6)
    assert infolens.mutual_information(x, y, k=5).details["k"] == 5
    msg = "The 'k' parameter of CopulaEnsembleEstimator must be an int in the range [1, inf)."
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        CopulaEnsembleEstimator(k=0)
