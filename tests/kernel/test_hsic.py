import re
import time

import numpy as np
import pytest

from infolens.kernel import (
    HSICTestResult,
    hsic,
    hsic_test,
    normalized_hsic,
    sigma_from_dimension_scaled,
)
from tests.kernel._data import X, Y


def _grams(x: np.ndarray, y: np.ndarray, sx: float, sy: float) -> tuple[np.ndarray, np.ndarray]:
    k = np.exp(-np.sum((x[:, None] - x[None]) ** 2, axis=-1) / (2 * sx**2))
    l_ = np.exp(-np.sum((y[:, None] - y[None]) ** 2, axis=-1) / (2 * sy**2))
    return k, l_


def _dense_biased(k: np.ndarray, l_: np.ndarray) -> float:
    n = len(k)
    h = np.eye(n) - np.ones((n, n)) / n
    return float(np.trace(k @ h @ l_ @ h) / n**2)


def _dense_unbiased(k: np.ndarray, l_: np.ndarray) -> float:
    n = len(k)
    kt, lt = k - np.diag(np.diag(k)), l_ - np.diag(np.diag(l_))
    one = np.ones(n)
    return float(
        (
            np.trace(kt @ lt)
            + (one @ kt @ one) * (one @ lt @ one) / ((n - 1) * (n - 2))
            - 2 / (n - 2) * (one @ kt @ lt @ one)
        )
        / (n * (n - 3))
    )


def test_hsic_spec_vectors() -> None:
    # Corrections item 7 (full precision)
    biased = hsic(X, Y, sigma_x=1.0, sigma_y=1.0)
    assert biased.value == pytest.approx(0.03730549603938062, rel=1e-10)
    assert biased.quantity == "dependence"
    assert biased.units is None  # dimensionless: not an amount of information
    with pytest.raises(ValueError, match="dimensionless dependence statistic"):
        biased.to("bits")
    unbiased = hsic(X, Y, sigma_x=1.0, sigma_y=1.0, estimator="unbiased")
    assert unbiased.value == pytest.approx(0.00707674170615095, rel=1e-10)
    # §3.3, 12 decimals only: atol 1e-12
    gretton = hsic(X, Y, sigma_x=1.0, sigma_y=1.0, normalizer="1/(n-1)^2")
    assert gretton.value == pytest.approx(0.053719914297, abs=1e-12)


def test_unbiased_hsic_matches_brute_force_u_statistic() -> None:
    k, l_ = _grams(X, Y, 1.0, 1.0)
    n = len(X)
    total = 0.0
    count = 0
    for i in range(n):
        for j in range(n):
            for q in range(n):
                for r in range(n):
                    if len({i, j, q, r}) < 4:
                        continue
                    count += 1
                    total += k[i, j] * l_[i, j] + k[i, j] * l_[q, r] - 2 * k[i, j] * l_[i, q]
    assert count == 360
    unbiased = hsic(X, Y, sigma_x=1.0, sigma_y=1.0, estimator="unbiased").value
    assert unbiased == pytest.approx(total / count, rel=1e-12)


@pytest.mark.parametrize(
    ("sigma", "regular", "nhsic"),
    [
        (1.0, 0.02569592707192051, 1.9982727175794361),
        (5.0, 0.00011763590376672367, 1.5517896154758353),
    ],
)
def test_hsic_bottleneck_spec_vectors(sigma: float, regular: float, nhsic: float) -> None:
    # the HSIC-bottleneck kernel exp(-||.||^2 / (2 sigma^2 d)), Corrections items 6 and 7
    sx = sigma_from_dimension_scaled(sigma, X.shape[1])
    sy = sigma_from_dimension_scaled(sigma, Y.shape[1])
    assert hsic(X, Y, sigma_x=sx, sigma_y=sy).value == pytest.approx(regular, rel=1e-10)
    assert normalized_hsic(X, Y, sigma_x=sx, sigma_y=sy).value == pytest.approx(nhsic, rel=1e-6)


def test_hsic_symmetric_and_biased_nonnegative(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    for _ in range(5):
        x = rng.standard_normal((30, 2))
        y = rng.standard_normal((30, 1))
        for estimator in ("biased", "unbiased"):
            a = hsic(x, y, estimator=estimator).value
            b = hsic(y, x, estimator=estimator).value
            assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
        assert hsic(x, y).value >= 0


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
def test_hsic_blocked_equals_dense(estimator: str, global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((600, 3))
    y = x[:, :1] * x[:, 1:2] + 0.5 * rng.standard_normal((600, 1))
    est = hsic(x, y, estimator=estimator, _block=100)
    k, l_ = _grams(x, y, est.params["sigma_x"], est.params["sigma_y"])
    dense = _dense_biased(k, l_) if estimator == "biased" else _dense_unbiased(k, l_)
    assert est.value == pytest.approx(dense, rel=1e-12, abs=1e-12)


def test_hsic_large_n_runs_blocked(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((10_000, 2))
    y = x[:, :1] + rng.standard_normal((10_000, 1))
    start = time.perf_counter()
    est = hsic(x, y, estimator="unbiased")
    assert time.perf_counter() - start < 10
    assert est.n_samples == 10_000
    assert est.value > 0


def test_hsic_test_detects_dependence_and_independence(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal(150)
    dependent = hsic_test(x, x**2 + 0.1 * rng.standard_normal(150), n_permutations=199, rng=0)
    assert isinstance(dependent, HSICTestResult)
    assert dependent.p_value == 1 / 200
    independent = hsic_test(x, rng.standard_normal(150), n_permutations=199, rng=0)
    assert independent.p_value > 0.05
    unbiased = hsic_test(x, x**2, n_permutations=99, rng=0, estimator="unbiased")
    assert unbiased.p_value == 1 / 100


def test_hsic_test_is_reproducible_and_statistic_matches_hsic(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((60, 2))
    y = x[:, :1] + 2 * rng.standard_normal((60, 1))
    a = hsic_test(x, y, n_permutations=50, rng=7)
    b = hsic_test(x, y, n_permutations=50, rng=np.random.default_rng(7))
    assert a == b
    assert a.statistic == pytest.approx(hsic(x, y).value, rel=1e-12)
    assert a.n_permutations == 50
    # the p-value lies on the grid (1 + k) / 51
    assert (a.p_value * 51) == pytest.approx(round(a.p_value * 51), abs=1e-9)


def test_hsic_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=re.escape("Input x contains NaN")):
        hsic([[np.nan, 0.0]] + X[1:].tolist(), Y)
    msg = "Found input variables with inconsistent numbers of samples: [6, 4]"
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic(X, Y[:4])
    msg = "The 'sigma_x' parameter of hsic must be a float in the range (0, inf). Got 0.0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic(X, Y, sigma_x=0.0)
    msg = "Unknown estimator 'unbiassed'. Available: 'biased', 'unbiased'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic(X, Y, estimator="unbiassed")
    msg = "Unknown normalizer '1/n'. Available: '1/(n-1)^2', '1/n^2'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic(X, Y, normalizer="1/n")
    msg = (
        "The 'normalizer' parameter of hsic applies only to estimator='biased'; got "
        "normalizer='1/(n-1)^2' with estimator='unbiased'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic(X, Y, estimator="unbiased", normalizer="1/(n-1)^2")
    msg = "The unbiased HSIC (hsic) needs at least 4 samples (n(n-3) > 0); got 3."
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic(X[:3], Y[:3], estimator="unbiased")


def test_hsic_test_and_nhsic_reject_bad_input() -> None:
    msg = "The 'n_permutations' parameter of hsic_test must be an int in the range [1, inf). Got 0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic_test(X, Y, n_permutations=0)
    msg = "rng must be an int seed, a numpy.random.Generator or None; got str ('a')."
    with pytest.raises(ValueError, match=re.escape(msg)):
        hsic_test(X, Y, rng="a")  # type: ignore[arg-type]
    msg = "The 'epsilon' parameter of normalized_hsic must be a float in the range (0, inf). Got 0.0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        normalized_hsic(X, Y, epsilon=0.0)
    msg = (
        "normalized_hsic needs a dense 5001 x 5001 matrix (O(n^2) memory, O(n^3) time) and "
        "accepts at most 5000 samples; got 5001. Subsample the data."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        normalized_hsic(np.arange(5001.0), np.arange(5001.0), sigma_x=1.0, sigma_y=1.0)
