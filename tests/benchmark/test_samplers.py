"""Every ground truth checked a second, independent way: identities, quadrature or large N.

Monte Carlo checks average the exact pointwise MI (log-density ratios) over 200 000 samples at
the global seed; their standard error is below 0.005 nats, so the tolerance is 0.02 nats.
"""

import math
import re

import numpy as np
import pytest
from scipy import integrate, stats

import infolens
from infolens._limits import format_bytes, physical_memory
from infolens.benchmark import get_task, list_tasks
from infolens.benchmark.samplers import (
    AdditiveUniform,
    ConditionalMultinormal,
    ConditionalSampler,
    CorrelatedPairs,
    DiscreteGaussianMixture,
    DiscreteUniformShift,
    MixtureQuantile,
    QuantisedNormal,
    Sampler,
    Spiral,
    SplitMultinormal,
    SplitStudentT,
    SwissRoll,
    Wiggly,
    dense_covariance,
    sparse_covariance,
    student_correction,
    student_entropy,
)
from infolens.exceptions import InvalidParameterError

MC_N = 200_000
MC_TOL = 0.02


def _canonical_mi(cov: np.ndarray, dx: int) -> float:
    """MI from canonical correlations: -½ Σ ln(1 − ρ_i²) (an identity independent of slogdet)."""
    sxx, syy, sxy = cov[:dx, :dx], cov[dx:, dx:], cov[:dx, dx:]
    m = np.linalg.solve(sxx, sxy) @ np.linalg.solve(syy, sxy.T)
    rho2 = np.clip(np.linalg.eigvals(m).real, 0, 1 - 1e-15)
    return float(-0.5 * np.sum(np.log1p(-rho2)))


@pytest.mark.parametrize(
    ("cov", "dx"),
    [
        (dense_covariance(1, 1, 0.75), 1),
        (dense_covariance(5, 5, 0.5), 5),
        (dense_covariance(50, 50, 0.5), 50),
        (sparse_covariance(25, 25, 2, 2.0), 25),
    ],
)
def test_multinormal_mi_equals_canonical_correlation_identity(cov: np.ndarray, dx: int) -> None:
    mi = SplitMultinormal(dim_x=dx, dim_y=cov.shape[0] - dx, covariance=cov).mutual_information()
    assert mi == pytest.approx(_canonical_mi(cov, dx), abs=1e-9)


def test_sparse_is_two_pairs_of_correlation_0_8() -> None:
    cov = sparse_covariance(5, 5, 2, 2.0)
    assert cov[0, 5] == pytest.approx(0.8)
    assert np.array_equal(np.diag(cov), np.ones(10))  # bmi uses the correlation matrix
    mi = SplitMultinormal(dim_x=5, dim_y=5, covariance=cov).mutual_information()
    assert mi == pytest.approx(-math.log(1 - 0.64), abs=1e-12)


def test_multinormal_large_n_gaussian_estimate(global_random_seed: int) -> None:
    task = get_task("multinormal-dense-5-5-0.5")
    x, y = task.sample(100_000, rng=global_random_seed)
    est = infolens.mutual_information(x, y, method="gaussian").value
    assert est == pytest.approx(task.truth, abs=0.01)


def test_multinormal_rejects_bad_covariance() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The covariance matrix must be positive definite; got a matrix whose Cholesky "
            "factorisation fails."
        ),
    ):
        SplitMultinormal(dim_x=1, dim_y=1, covariance=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'covariance' parameter of SplitMultinormal must be a symmetric (2, 2) matrix; "
            "got shape (3, 3)."
        ),
    ):
        SplitMultinormal(dim_x=1, dim_y=1, covariance=np.eye(3))
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("symmetric (3, 3) matrix; got a non-symmetric matrix of shape (3, 3)."),
    ):
        ConditionalMultinormal(dim_x=1, dim_y=1, dim_z=1, covariance=np.triu(np.ones((3, 3))))


@pytest.mark.parametrize("mi", [2.0, 5.0, 10.0, 20.0])
def test_correlated_pairs_construction(mi: float, global_random_seed: int) -> None:
    sampler = CorrelatedPairs(dim=1, mi=mi)
    x, y = sampler.sample(50_000, rng=global_random_seed)
    s = math.exp(-mi)
    residual = (y - math.sqrt(1 - s * s) * x) / s  # exactly the standard normal noise
    assert residual.std() == pytest.approx(1.0, abs=0.02)
    assert abs(np.corrcoef(x[:, 0], residual[:, 0])[0, 1]) < 0.02
    assert -0.5 * math.log(s * s) == pytest.approx(sampler.mutual_information())
    if mi <= 10:
        est = infolens.mutual_information(x, y, method="gaussian").value
        assert est == pytest.approx(mi, abs=0.02)


def test_student_entropy_matches_quadrature() -> None:
    for df in (1.0, 2.0, 3.0):
        pdf = stats.t(df).pdf
        h = integrate.quad(lambda t, p=pdf: -p(t) * math.log(p(t)), -np.inf, np.inf, limit=500)[0]
        assert student_entropy(1, df) == pytest.approx(h, abs=1e-6)
    assert student_entropy(1, 1.0) == pytest.approx(math.log(4 * math.pi))


def _student_pointwise_mi(sampler: SplitStudentT, n: int, seed: int) -> float:
    x, y = sampler.sample(n, rng=seed)
    dx = sampler.dim_x
    if isinstance(sampler.gaussian, SplitMultinormal):
        shape = sampler.gaussian.covariance
    else:
        rho = math.sqrt(-math.expm1(-2 * sampler.gaussian.mi / dx))
        shape = np.kron(np.array([[1.0, rho], [rho, 1.0]]), np.eye(dx))
    df = sampler.df
    joint = stats.multivariate_t(shape=shape, df=df).logpdf(np.hstack([x, y]))
    px = stats.multivariate_t(shape=shape[:dx, :dx], df=df).logpdf(x)
    py = stats.multivariate_t(shape=shape[dx:, dx:], df=df).logpdf(y)
    return float(np.mean(joint - px - py))


@pytest.mark.parametrize(
    "task_id",
    [
        "student-identity-1-1-1",
        "student-identity-2-2-2",
        "student-identity-5-5-3",
        "highmi-student-1-1-3-2.0",
        "highmi-student-3-3-3-5.0",
    ],
)
def test_student_mi_matches_monte_carlo_of_log_densities(
    task_id: str, global_random_seed: int
) -> None:
    task = get_task(task_id)
    assert isinstance(task.sampler, SplitStudentT)
    mc = _student_pointwise_mi(task.sampler, MC_N, global_random_seed)
    assert mc == pytest.approx(task.truth, abs=MC_TOL)


def test_student_correction_is_positive_and_vanishes_for_large_df() -> None:
    assert student_correction(2, 2, 1.0) > student_correction(2, 2, 10.0) > 0
    assert student_correction(2, 2, 1e7) == pytest.approx(0.0, abs=1e-6)


def test_additive_uniform_matches_quadrature() -> None:
    for eps in (0.1, 0.75):
        # p(y) = |[y - eps, y + eps] ∩ [0, 1]| / (2 eps); I = h(Y) - ln(2 eps).
        def p(y: float, e: float = eps) -> float:
            return max(0.0, min(1.0, y + e) - max(0.0, y - e)) / (2 * e)

        h_y = integrate.quad(
            lambda y: -p(y) * math.log(p(y)) if p(y) > 0 else 0.0,
            -eps,
            1 + eps,
            points=[eps, 1 - eps, -eps + 1],
            limit=200,
        )[0]
        assert AdditiveUniform(epsilon=eps).mutual_information() == pytest.approx(
            h_y - math.log(2 * eps), abs=1e-7
        )


def test_transforms_are_injective() -> None:
    t = np.linspace(-15, 15, 20001)[:, None]
    for variant in ("x", "y"):
        assert np.all(np.diff(Wiggly(variant=variant)(t)[:, 0]) > 0)
    u = np.linspace(1e-9, 1 - 1e-9, 2001)[:, None]
    q = MixtureQuantile(weights=(0.3, 0.7), means=(0.0, 5.0))
    assert np.allclose(q.cdf(q(u)), u, atol=1e-12)
    assert np.all(np.diff(q(u)[:, 0]) > 0)
    roll = SwissRoll()(u)
    radius = np.hypot(roll[:, 0], roll[:, 1])
    assert np.all(np.diff(radius) > 0)  # the radius t/21 increases: the embedding is injective
    rng = np.random.default_rng(0)
    v = rng.standard_normal((100, 3))
    spiral = Spiral(i=1, j=2, speed=1 / 3)
    w = spiral(v)
    assert np.allclose(np.linalg.norm(w, axis=1), np.linalg.norm(v, axis=1))
    assert np.allclose(Spiral(i=1, j=2, speed=-1 / 3)(w), v)  # the inverse: rotate back


@pytest.mark.parametrize(
    "task_id",
    [
        "normal_cdf-1v1-normal-0.75",
        "1v1-bimodal-0.75",
        "wiggly-1v1-normal-0.75",
        "half_cube-multinormal-sparse-3-3-2-2.0",
        "half_cube-highmi-normal-1-1-5.0",
    ],
)
def test_monotone_transformed_tasks_large_n_copula_estimate(
    task_id: str, global_random_seed: int
) -> None:
    # The Gaussian copula estimator is exact (up to sampling error) for monotone transforms
    # of Gaussians, so a large-N estimate must match the claimed invariance.
    task = get_task(task_id)
    x, y = task.sample(50_000, rng=global_random_seed)
    est = infolens.mutual_information(x, y, method="gaussian_copula").value
    assert est == pytest.approx(task.truth, rel=0.03, abs=0.02)


def test_cmi_matches_partial_correlation_identity() -> None:
    for task_id in (
        "cmi-normal-chain-1-1-1",
        "cmi-normal-direct-1-1-1",
        "cmi-normal-collider-1-1-1",
    ):
        sampler = get_task(task_id).sampler
        assert isinstance(sampler, ConditionalMultinormal)
        precision = np.linalg.inv(sampler.covariance)
        partial = -precision[0, 1] / math.sqrt(precision[0, 0] * precision[1, 1])
        expected = -0.5 * math.log(1 - partial**2)
        assert get_task(task_id).truth == pytest.approx(expected, abs=1e-12)
    assert get_task("cmi-normal-chain-1-1-1").truth == 0.0


def test_cmi_large_n_gaussian_estimate(global_random_seed: int) -> None:
    task = get_task("cmi-normal-direct-3-3-3")
    x, y, z = task.sample(100_000, rng=global_random_seed)
    est = infolens.conditional_mutual_information(x, y, z, method="gaussian").value
    assert est == pytest.approx(task.truth, abs=0.01)


def test_discrete_shift_matches_quadrature() -> None:
    for m in (2, 5):

        def p(y: float, m: int = m) -> float:
            return sum(1 / (2 * m) for k in range(m) if k <= y < k + 2)

        edges = list(range(m + 2))
        h_y = sum(integrate.quad(lambda y: -p(y) * math.log(p(y)), a, a + 1)[0] for a in edges[:-1])
        assert DiscreteUniformShift(m=m).mutual_information() == pytest.approx(
            h_y - math.log(2), abs=1e-9
        )


@pytest.mark.parametrize("task_id", ["discrete-mixture-3-1.0-1", "discrete-mixture-4-2.0-5"])
def test_discrete_mixture_matches_monte_carlo(task_id: str, global_random_seed: int) -> None:
    sampler = get_task(task_id).sampler
    assert isinstance(sampler, DiscreteGaussianMixture)
    x, y = sampler.sample(MC_N, rng=global_random_seed)
    means = np.asarray(sampler.means)
    log_lik = stats.norm.logpdf(y[:, :1] - means[None, :])  # (n, K); other coordinates cancel
    pointwise = log_lik[np.arange(MC_N), x[:, 0].astype(int)] - np.log(
        np.mean(np.exp(log_lik), axis=1)
    )
    assert pointwise.mean() == pytest.approx(sampler.mutual_information(), abs=MC_TOL)


@pytest.mark.parametrize("task_id", [t for t in list_tasks() if t.startswith("ties-")])
def test_quantised_mi_matches_monte_carlo(task_id: str, global_random_seed: int) -> None:
    sampler = get_task(task_id).sampler
    assert isinstance(sampler, QuantisedNormal)
    x, y = sampler.sample(MC_N, rng=global_random_seed)
    rho, s, wx = sampler.rho, math.sqrt(1 - sampler.rho**2), sampler.width_x
    lo, hi = x - wx / 2, x + wx / 2
    if sampler.width_y is None:
        # ln p(q | y) - ln p(q), exactly.
        cond = stats.norm.cdf((hi - rho * y) / s) - stats.norm.cdf((lo - rho * y) / s)
        marg = stats.norm.cdf(hi) - stats.norm.cdf(lo)
        mc = float(np.mean(np.log(cond) - np.log(marg)))
    else:
        # Both rounded: the plug-in MI at large N (bias ≈ cells / 2N < 0.003 nats).
        mc = infolens.mutual_information(x, y, method="plugin").value
    assert mc == pytest.approx(sampler.mutual_information(), abs=MC_TOL)
    assert sampler.mutual_information() < -0.5 * math.log(1 - rho**2)  # data processing


def test_sampler_parameter_errors() -> None:
    """Every sampler error is an infolens exception (a ValueError) naming the parameter."""
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'epsilon' parameter of AdditiveUniform must be a float in the range (0, inf). Got 0 instead."
        ),
    ):
        AdditiveUniform(epsilon=0)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'n' parameter of CorrelatedPairs must be an int in the range [1, inf). Got 0 instead."
        ),
    ):
        CorrelatedPairs(dim=1, mi=1.0).sample(0)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'mi' parameter of CorrelatedPairs must be a float in the range (0, inf). Got -1.0 instead."
        ),
    ):
        CorrelatedPairs(dim=1, mi=-1.0)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'df' parameter of SplitStudentT must be a float in the range (0, inf). Got 0 instead."
        ),
    ):
        SplitStudentT(gaussian=CorrelatedPairs(dim=1, mi=1.0), df=0)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'rho' parameter of QuantisedNormal must be a float in the range (-1, 1). Got 1.0 instead."
        ),
    ):
        QuantisedNormal(rho=1.0, width_x=1.0)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'means' parameter of DiscreteGaussianMixture must hold at least two means. Got 1 instead."
        ),
    ):
        DiscreteGaussianMixture(means=(0.0,))
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("SwissRoll embeds a 1-dimensional variable; got dimension 2."),
    ):
        SwissRoll().out_dim(2)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("Spiral plane (0, 1) needs 0 <= i < j < dimension; got dimension 1."),
    ):
        Spiral(i=0, j=1, speed=1.0).out_dim(1)


@pytest.mark.parametrize(
    ("sampler", "columns"),
    [
        (CorrelatedPairs(dim=1, mi=1.0), 2),
        (SplitMultinormal(dim_x=2, dim_y=3, covariance=np.eye(5)), 5),
        (ConditionalMultinormal(dim_x=1, dim_y=1, dim_z=2, covariance=np.eye(4)), 4),
        (get_task("asinh-student-identity-2-2-1").sampler, 4),  # transformed: its base checks
    ],
)
def test_absurd_sample_sizes_are_refused_with_the_memory_they_need(
    sampler: Sampler | ConditionalSampler, columns: int
) -> None:
    need = format_bytes(10**14 * columns * 8)
    with pytest.raises(InvalidParameterError) as info:
        sampler.sample(10**14, rng=0)
    message = str(info.value)
    assert message.startswith("The 'n' parameter of ")
    assert (
        f"is too large: n=10**14 samples of {columns} float64 columns would need ~{need} "
        in message
    )
    assert message.endswith(
        f"of memory; this machine has {format_bytes(physical_memory())}. Choose a smaller n."
    )
