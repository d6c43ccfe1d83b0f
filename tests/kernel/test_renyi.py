import math
import re

import numpy as np
import pytest

from infolens.kernel import (
    matrix_renyi_entropy,
    matrix_renyi_joint_entropy,
    matrix_renyi_mutual_information,
)
from tests.kernel._data import X, Y

# spec §3.1 table (10 decimals: atol 1e-10) and Corrections item 7 (full precision: rtol 1e-10)
TABLE = [
    (2.0, 1.1326758510, 0.5879884407, 1.4490069489, 0.27165734278496156, 0.3919187013),
    (1.01, 1.3674379004, 0.7506347659, 1.6023945780, 0.5156780883728451, 0.7439662208),
    (1.0, 1.3706381219, 0.7530088376, 1.6041587754, 0.5194881841611774, 0.7494630271),
]


@pytest.mark.parametrize(("alpha", "sx", "sy", "sxy", "mi", "mi_bits"), TABLE)
def test_matrix_renyi_spec_vectors(
    alpha: float, sx: float, sy: float, sxy: float, mi: float, mi_bits: float
) -> None:
    est = matrix_renyi_mutual_information(X, Y, alpha=alpha, sigma_x=1.0, sigma_y=1.0)
    assert est.value == pytest.approx(mi, rel=1e-10)
    assert est.units == "nats"
    assert est.quantity == "mutual_information"
    assert est.details["entropy_x"] == pytest.approx(sx, abs=1e-10)
    assert est.details["entropy_y"] == pytest.approx(sy, abs=1e-10)
    assert est.details["joint_entropy"] == pytest.approx(sxy, abs=1e-10)
    assert matrix_renyi_entropy(X, alpha=alpha, sigma=1.0).value == pytest.approx(sx, abs=1e-10)
    assert matrix_renyi_entropy(Y, alpha=alpha, sigma=1.0).value == pytest.approx(sy, abs=1e-10)
    joint = matrix_renyi_joint_entropy(X, Y, alpha=alpha, sigma_x=1.0, sigma_y=1.0)
    assert joint.value == pytest.approx(sxy, abs=1e-10)
    bits = matrix_renyi_mutual_information(
        X, Y, alpha=alpha, sigma_x=1.0, sigma_y=1.0, units="bits"
    )
    assert bits.value == pytest.approx(mi_bits, abs=1e-10)
    assert bits.details["entropy_x"] == pytest.approx(sx / math.log(2), abs=1e-10)


def test_alpha_two_matches_closed_form() -> None:
    k = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / 2)
    closed = -math.log(np.sum(k**2) / np.trace(k) ** 2)
    assert matrix_renyi_entropy(X, alpha=2.0, sigma=1.0).value == pytest.approx(closed, rel=1e-12)


def test_von_neumann_is_the_limit_of_alpha_to_one() -> None:
    near = matrix_renyi_entropy(X, alpha=1.0 + 1e-7, sigma=1.0).value
    assert matrix_renyi_entropy(X, alpha=1.0, sigma=1.0).value == pytest.approx(near, abs=1e-6)


def test_matrix_renyi_mi_symmetric_and_bounded(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((80, 2))
    y = x[:, :1] + 0.5 * rng.standard_normal((80, 1))
    for alpha in (0.5, 1.0, 2.0, 3.0):
        ixy = matrix_renyi_mutual_information(x, y, alpha=alpha)
        iyx = matrix_renyi_mutual_information(y, x, alpha=alpha)
        assert ixy.value == pytest.approx(iyx.value, rel=1e-10)
        assert -1e-10 <= ixy.value <= min(ixy.details["entropy_x"], ixy.details["entropy_y"])


def test_matrix_renyi_median_default_records_sigma() -> None:
    est = matrix_renyi_entropy(X)
    assert est.params == {"alpha": 2.0, "sigma": math.sqrt(2)}


def test_matrix_renyi_rejects_bad_alpha() -> None:
    msg = "The 'alpha' parameter of matrix_renyi_entropy must be a float in the range (0, inf). Got 0.0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        matrix_renyi_entropy(X, alpha=0.0)
    msg = "The 'alpha' parameter of matrix_renyi_mutual_information must be a float in the range (0, inf). Got -1 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        matrix_renyi_mutual_information(X, Y, alpha=-1)


def test_matrix_renyi_rejects_bad_sigma() -> None:
    msg = "The 'sigma_y' parameter of matrix_renyi_mutual_information must be a float in the range (0, inf). Got 0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        matrix_renyi_mutual_information(X, Y, sigma_y=0)


def test_matrix_renyi_rejects_nan_and_length_mismatch() -> None:
    with pytest.raises(ValueError, match=re.escape("Input x contains NaN")):
        matrix_renyi_entropy([1.0, float("nan"), 2.0])
    msg = "Found input variables with inconsistent numbers of samples: [6, 5]"
    with pytest.raises(ValueError, match=re.escape(msg)):
        matrix_renyi_mutual_information(X, Y[:5])


def test_matrix_renyi_rejects_too_many_samples() -> None:
    msg = (
        "matrix_renyi_entropy needs a dense 5001 x 5001 matrix (O(n^2) memory, O(n^3) time) "
        "and accepts at most 5000 samples; got 5001. Subsample the data."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        matrix_renyi_entropy(np.zeros(5001), sigma=1.0)


def test_matrix_renyi_rejects_unknown_units() -> None:
    with pytest.raises(
        ValueError, match=re.escape("Unknown units 'nat'. Available: 'bits', 'nats'.")
    ):
        matrix_renyi_entropy(X, sigma=1.0, units="nat")
