import math
import re

import numpy as np
import pytest
import torch

from infolens.exceptions import InvalidInputError
from infolens.metrics import MIG, InfoMEC, TotalCorrelation, infomec, mig, total_correlation

S1 = np.array([0, 0, 0, 0, 1, 1, 1, 1])
S2 = np.array([0, 1, 2, 3, 0, 1, 2, 3])
FACTORS = np.stack([S1, S2], axis=1)


def test_mig_spec_vectors() -> None:
    assert float(mig(FACTORS, FACTORS)) == pytest.approx(1.0, abs=1e-12)
    assert float(mig(FACTORS, np.stack([S1, S2, S2 % 2], axis=1))) == pytest.approx(0.75, abs=1e-12)
    # one latent encoding both factors still gets MIG = 1 (InfoM gives it 0)
    assert float(mig(FACTORS, np.stack([4 * S1 + S2, np.zeros(8)], axis=1))) == pytest.approx(
        1.0, abs=1e-12
    )


def test_mig_invariant_to_monotone_latent_maps_and_torch_input() -> None:
    latents = torch.tensor(np.stack([np.exp(S1), 3.0 * S2 - 1], axis=1))
    assert float(mig(FACTORS, latents)) == pytest.approx(1.0, abs=1e-12)


def test_mig_errors() -> None:
    with pytest.raises(InvalidInputError, match=re.escape("factor 0 is constant")):
        mig(np.zeros((8, 1)), FACTORS)
    with pytest.raises(InvalidInputError, match="at least 2 latents"):
        mig(FACTORS, S1)
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        mig(FACTORS, FACTORS[:5])


def test_infomec_spec_vectors() -> None:
    result = infomec(FACTORS, FACTORS, discrete_latents=True)
    np.testing.assert_allclose(result.nmi, np.eye(2), atol=1e-12)
    assert (result.infom, result.infoc) == pytest.approx((1.0, 1.0), abs=1e-12)
    assert result.infoe == pytest.approx(1.0, abs=1e-3)
    result = infomec(FACTORS, np.stack([S1, 4 * S1 + S2], axis=1), discrete_latents=True)
    np.testing.assert_allclose(result.nmi, [[1, 1], [0, 1]], atol=1e-12)
    assert (result.infom, result.infoc) == pytest.approx((0.5, 0.5), abs=1e-12)
    result = infomec(FACTORS, (4 * S1 + S2)[:, None], discrete_latents=True)
    assert result.infom == pytest.approx(0.0, abs=1e-12)
    assert result.infoc is None  # undefined with one active latent (NaN in the reference)
    result = infomec(FACTORS, np.stack([S1, np.zeros(8)], axis=1), discrete_latents=True)
    assert result.infoe == pytest.approx(0.5, abs=1e-3)
    assert result.active.tolist() == [True, False]


def test_infomec_continuous_latents(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    sources = rng.integers(0, 3, size=(600, 2))
    z = sources + 0.05 * rng.standard_normal((600, 2))
    result = infomec(sources, z, discrete_latents=False)
    # near-perfect code: statistical tolerance of the k-NN MI at n=600
    assert result.infom == pytest.approx(1.0, abs=0.05)
    assert result.infoc == pytest.approx(1.0, abs=0.05)
    assert result.infoe == pytest.approx(1.0, abs=0.01)
    mixed = infomec(sources, np.stack([z[:, 0] + z[:, 1], z[:, 1]], axis=1), discrete_latents=False)
    assert mixed.infom < result.infom - 0.2


def test_total_correlation_gaussian_closed_form(global_random_seed: int) -> None:
    rho = 0.8
    cov = np.array([[1, rho, 0], [rho, 1, 0], [0, 0, 1]])
    rng = np.random.default_rng(global_random_seed)
    z = torch.tensor(rng.multivariate_normal(np.zeros(3), cov, size=4000))
    truth = -0.5 * math.log(1 - rho**2)
    assert float(total_correlation(z)) == pytest.approx(truth, abs=0.03)
    assert float(total_correlation(z, method="knn")) == pytest.approx(truth, abs=0.08)
    # exact: the sample-covariance value
    sample = np.cov(z.numpy(), rowvar=False)
    corr = sample / np.sqrt(np.outer(np.diag(sample), np.diag(sample)))
    assert float(total_correlation(z)) == pytest.approx(
        -0.5 * np.linalg.slogdet(corr)[1], rel=1e-10
    )


def test_total_correlation_accumulators_equal_one_pass(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    z = torch.tensor(
        rng.standard_normal((300, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.2], [0, 0, 1]])
    )
    for method in ("gaussian", "knn"):
        metric = TotalCorrelation(dim=3, method=method)
        for start in range(0, 300, 64):
            metric.update(z[start : start + 64])
        assert float(metric.compute()) == pytest.approx(
            float(total_correlation(z, method=method)), rel=1e-9
        )


def test_mig_and_infomec_accumulators() -> None:
    metric = MIG()
    metric.update(FACTORS[:3], torch.tensor(np.stack([S1, S2, S2 % 2], axis=1)[:3]))
    metric.update(FACTORS[3:], torch.tensor(np.stack([S1, S2, S2 % 2], axis=1)[3:]))
    assert float(metric.compute()) == pytest.approx(0.75, abs=1e-12)
    info = InfoMEC(discrete_latents=True)
    info.update(FACTORS[:4], torch.tensor(FACTORS[:4]))
    info.update(FACTORS[4:], torch.tensor(FACTORS[4:]))
    assert info.compute().infom == pytest.approx(1.0, abs=1e-12)
