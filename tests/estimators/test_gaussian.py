"""Gaussian estimator: closed forms (MI, CMI, entropy), canonical correlations, bias correction."""

import re

import numpy as np
import pytest

from infolens.estimators.gaussian import GaussianEstimator
from tests.helpers import correlated_gaussian


@pytest.mark.parametrize("dim", [1, 3, 10])
def test_gaussian_mi_within_001_nats_at_n_10000(dim: int) -> None:
    # rho = 0.5, N = 10,000. One estimate has sd sqrt(d rho^2 / N) (delta method): 0.005 at d=1,
    # 0.016 at d=10, so each seed is checked at 4 sd and the mean over 20 seeds (sd <= 0.0036)
    # at 0.01 nats: a biased estimator (e.g. without the canonical-correlation formula) fails.
    n, rho, values = 10_000, 0.5, []
    for seed in range(20):
        x, y, truth = correlated_gaussian(n, dim, rho, np.random.default_rng(seed))
        values.append(GaussianEstimator().mutual_information(x, y).value)
        assert values[-1] == pytest.approx(truth, abs=4 * np.sqrt(dim * rho**2 / n))
    assert np.mean(values) == pytest.approx(truth, abs=0.01)


@pytest.mark.parametrize("dim", [1, 3, 10])
def test_gaussian_entropy_closed_form(dim: int) -> None:
    # Covariance diag(1..d): h = d/2 ln(2 pi e) + 1/2 sum ln i. sd of one estimate ~ sqrt(d/2N).
    scales = np.sqrt(np.arange(1, dim + 1))
    truth = dim / 2 * np.log(2 * np.pi * np.e) + 0.5 * np.log(np.arange(1, dim + 1)).sum()
    values = [
        GaussianEstimator()
        .entropy(scales * np.random.default_rng(seed).standard_normal((10_000, dim)))
        .value
        for seed in range(20)
    ]
    assert np.mean(values) == pytest.approx(truth, abs=0.01)


def test_gaussian_mi_equals_canonical_correlation_formula(global_random_seed: int) -> None:
    # Independent computation: -1/2 sum ln(1 - r_i^2) over canonical correlations from the SVD of
    # the whitened cross-covariance. Exact identity, checked to 1e-10.
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((500, 3))
    y = x @ rng.standard_normal((3, 2)) + rng.standard_normal((500, 2))
    c = np.cov(np.hstack([x, y]), rowvar=False)
    cxx, cyy, cxy = c[:3, :3], c[3:, 3:], c[:3, 3:]

    def inv_sqrt(m: np.ndarray) -> np.ndarray:
        w, v = np.linalg.eigh(m)
        return np.asarray(v @ np.diag(w**-0.5) @ v.T)

    r = np.linalg.svd(inv_sqrt(cxx) @ cxy @ inv_sqrt(cyy), compute_uv=False)
    expected = -0.5 * np.log(1 - r**2).sum()
    value = GaussianEstimator(bias_correction=False).mutual_information(x, y).value
    assert value == pytest.approx(expected, abs=1e-10)


def test_gaussian_cmi_closed_form() -> None:
    # X = Z + e1, Y = X + Z + e2: I(X; Y | Z) = I(e1; e1 + e2) = ln(2)/2. Mean of 10 seeds.
    cov = np.array([[2.0, 3.0, 1.0], [3.0, 6.0, 2.0], [1.0, 2.0, 1.0]])
    values = []
    for seed in range(10):
        xyz = np.random.default_rng(seed).multivariate_normal(np.zeros(3), cov, 10_000)
        est = GaussianEstimator().conditional_mutual_information(xyz[:, 0], xyz[:, 1], xyz[:, 2])
        values.append(est.value)
    assert np.mean(values) == pytest.approx(np.log(2) / 2, abs=0.01)


def test_gaussian_bias_correction_removes_small_sample_bias() -> None:
    # Independent 3x3 data at N=30: the plug-in estimate is biased up by ~d_x d_y / (2N) = 0.15
    # nats; the corrected one is centred on 0 (mean of 400 runs, se ~0.006).
    corrected, plugin = [], []
    for seed in range(400):
        rng = np.random.default_rng(seed)
        x, y = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
        corrected.append(GaussianEstimator().mutual_information(x, y).value)
        plugin.append(GaussianEstimator(bias_correction=False).mutual_information(x, y).value)
    assert np.mean(corrected) == pytest.approx(0.0, abs=0.03)
    assert np.mean(plugin) > 0.1


def test_gaussian_drops_constant_columns(global_random_seed: int) -> None:
    x, y, _ = correlated_gaussian(1000, 2, 0.5, np.random.default_rng(global_random_seed))
    with_constant = np.column_stack([x, np.full(1000, 3.0)])
    est = GaussianEstimator()
    result = est.mutual_information(with_constant, y)
    assert result.details["constant_columns_dropped"] == [1, 0]
    assert result.value == pytest.approx(est.mutual_information(x, y).value, abs=1e-12)


def test_gaussian_raises_on_singular_covariance(global_random_seed: int) -> None:
    x = np.random.default_rng(global_random_seed).standard_normal(100)
    with pytest.raises(ValueError, match=re.escape("The sample covariance is singular")):
        GaussianEstimator().mutual_information(x, 2 * x + 1)


def test_gaussian_raises_with_fewer_samples_than_dimensions() -> None:
    msg = "The Gaussian estimator needs at least 7 samples (dimension + 2); got 5."
    with pytest.raises(ValueError, match=re.escape(msg)):
        GaussianEstimator().mutual_information(np.ones((5, 3)), np.ones((5, 2)))


@pytest.mark.parametrize("scale", [1e160, 1e-170, 1e300, 1e-300])
def test_gaussian_gives_the_same_value_at_extreme_scales(scale: float) -> None:
    # Issue 17: x * 1e-170 returned 0.0 (the variance underflowed, columns were dropped).
    # Tolerance 1e-12: the rounding of x * scale (measured 3e-16).
    x, y, _ = correlated_gaussian(1000, 2, 0.5, np.random.default_rng(4))
    est = GaussianEstimator()
    mi = est.mutual_information(x, y).value
    assert est.mutual_information(x * scale, y).value == pytest.approx(mi, abs=1e-12)
    assert est.mutual_information(x * scale, y * scale).value == pytest.approx(mi, abs=1e-12)
    h = est.entropy(x).value + 2 * np.log(scale)
    assert est.entropy(x * scale).value == pytest.approx(h, abs=1e-11)
