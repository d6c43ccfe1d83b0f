"""Permutation tests of (conditional) independence: exact pieces, calibration and errors."""

import re

import numpy as np
import pytest
from scipy import stats

import infolens
from infolens.exceptions import InvalidParameterError, UnsupportedQuantityError
from infolens.independence import (
    IndependenceTestResult,
    _prepare_information,
    independence_test,
    local_permutation,
)

KS_ALPHA = 0.01
"""Level of the Kolmogorov-Smirnov uniformity checks (fixed seeds: each check is one draw)."""


def _randomised(result: IndependenceTestResult, rng: np.random.Generator) -> float:
    """The p-value spread uniformly over its grid step: exactly U(0, 1) under the null."""
    return result.p_value - rng.random() / (1 + result.n_permutations)


def test_p_value_counts_the_null_at_or_above_the_statistic(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal(200)
    result = independence_test(x, x + rng.standard_normal(200), method="gaussian", rng=0)
    exceed = int((result.null_distribution >= result.statistic.value - 1e-15).sum())
    assert result.p_value == (1 + exceed) / (1 + 1000)
    assert result.null_distribution.shape == (1000,)
    assert (result.method, result.permutation, result.k_perm) == ("gaussian", "global", None)


@pytest.mark.parametrize(("method", "dims"), [("ksg", 1), ("ksg", 5), ("mixed_knn", 1)])
def test_batched_knn_statistic_equals_the_estimator_on_permuted_data(
    method: str, dims: int, global_random_seed: int
) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((300, dims))
    y = 0.5 * x + rng.standard_normal((300, dims))
    if method == "mixed_knn":
        y = np.round(y)  # ties: the Gao et al. rule
    _, arrays, statistic = _prepare_information(method, "mutual_information", [x, y], {})
    assert statistic(None) == infolens.mutual_information(x, y, method=method).value
    for _ in range(3):
        perm = rng.permutation(300)
        expected = infolens.mutual_information(
            arrays[0], arrays[1][perm], method=method, standardize=False
        ).value
        assert statistic(perm) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("method", ["gaussian", "gaussian_copula"])
@pytest.mark.parametrize("conditional", [False, True])
def test_gaussian_surrogate_statistic_equals_the_estimator(method: str, conditional: bool) -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((300, 2))
    x = z @ [[1.0], [0.5]] + rng.standard_normal((300, 1))
    y = z[:, :1] + rng.standard_normal((300, 1))
    data = [x, y, z] if conditional else [x, y]
    quantity = "conditional_mutual_information" if conditional else "mutual_information"
    _, _, statistic = _prepare_information(method, quantity, data, {})  # type: ignore[arg-type]
    compute = getattr(infolens, quantity)
    assert statistic(None) == compute(*data, method=method).value
    perm = rng.permutation(300)
    permuted = list(data)
    permuted[0 if conditional else 1] = permuted[0 if conditional else 1][perm]
    assert statistic(perm) == pytest.approx(compute(*permuted, method=method).value, abs=1e-12)


def test_local_permutation_stays_within_each_neighbourhood() -> None:
    rng = np.random.default_rng(0)
    neighbors = np.array([[i, i ^ 1] for i in range(10)])  # pairs {0,1}, {2,3}, ...
    for _ in range(20):
        perm = local_permutation(neighbors, rng)
        assert sorted(perm.tolist()) == list(range(10))  # pairs always allow a permutation
        assert all(perm[i] in (i, i ^ 1) for i in range(10))


def test_mi_test_p_values_are_uniform_under_independence(global_random_seed: int) -> None:
    # 200 null repetitions at N = 200 with the Gaussian statistic, 100 with KSG at N = 100
    # (19 permutations each: the randomised p-value is exactly uniform whatever the count).
    rng = np.random.default_rng(global_random_seed)
    for method, reps, n, perms in (("gaussian", 200, 200, 99), ("ksg", 100, 100, 19)):
        p_values = [
            _randomised(
                independence_test(
                    rng.standard_normal(n),
                    rng.standard_normal(n),
                    method=method,
                    n_permutations=perms,
                    rng=rng,
                ),
                rng,
            )
            for _ in range(reps)
        ]
        assert stats.kstest(p_values, "uniform").pvalue > KS_ALPHA, method


def test_local_permutation_cmi_test_is_calibrated_when_x_and_y_depend_on_z(
    global_random_seed: int,
) -> None:
    # X and Y both depend on Z (strongly: I(X; Y) ~ 0.4 nats), but X is independent of Y given
    # Z. The local permutation keeps the X-Z dependence: 200 p-values uniform.
    rng = np.random.default_rng(global_random_seed)
    p_values: list[float] = []
    marginal: list[float] = []
    for _ in range(200):
        z = rng.standard_normal(200)
        x, y = z + 0.6 * rng.standard_normal(200), z + 0.6 * rng.standard_normal(200)
        result = independence_test(x, y, z, method="gaussian", n_permutations=49, rng=rng)
        assert (result.permutation, result.k_perm) == ("local", 5)
        p_values.append(_randomised(result, rng))
        if len(marginal) < 5:
            marginal.append(independence_test(x, y, method="gaussian", n_permutations=49).p_value)
    assert stats.kstest(p_values, "uniform").pvalue > KS_ALPHA
    assert max(marginal) == 1 / 50  # ignoring Z, the dependence is plain


def test_local_permutation_with_a_knn_cmi_statistic(global_random_seed: int) -> None:
    # Frenzel-Pompe at N = 200: conditionally independent (p not small) versus dependent.
    rng = np.random.default_rng(global_random_seed)
    z = rng.standard_normal(200)
    x = z + 0.5 * rng.standard_normal(200)
    y = z + 0.5 * rng.standard_normal(200)
    null = independence_test(x, y, z, method="frenzel_pompe", n_permutations=49, rng=1)
    assert null.p_value > 0.05
    dependent = independence_test(x, x + y, z, method="frenzel_pompe", n_permutations=49, rng=1)
    assert dependent.p_value == 1 / 50
    assert dependent.statistic.quantity == "conditional_mutual_information"


def test_hsic_statistic_and_its_dense_null(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal(150)
    result = independence_test(x, x**2, method="hsic", n_permutations=99, rng=0)
    assert result.statistic.value == pytest.approx(infolens.kernel.hsic(x, x**2).value, rel=1e-9)
    assert result.p_value == 1 / 100
    assert result.statistic.units is None


def test_test_is_reproducible_with_a_seed(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x, y = rng.standard_normal(150), rng.standard_normal(150)
    first = independence_test(x, y, method="ksg", n_permutations=60, rng=5)
    again = independence_test(x, y, method="ksg", n_permutations=60, rng=5)
    np.testing.assert_array_equal(first.null_distribution, again.null_distribution)
    assert first.p_value == again.p_value


def test_dask_threads_give_the_serial_null(global_random_seed: int) -> None:
    pytest.importorskip("dask.distributed")
    rng = np.random.default_rng(global_random_seed)
    x, y = rng.standard_normal(120), rng.standard_normal(120)
    serial = independence_test(x, y, method="gaussian", n_permutations=120, rng=5)
    dask = independence_test(
        x, y, method="gaussian", n_permutations=120, rng=5, scheduler="threads", n_workers=2
    )
    np.testing.assert_array_equal(serial.null_distribution, dask.null_distribution)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n_permutations": 0},
            "The 'n_permutations' parameter of independence_test must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            {"scheduler": "cluster"},
            "Unknown scheduler 'cluster'. Available: 'serial', 'threads', 'processes' or a "
            "dask scheduler address 'tcp://host:port'.",
        ),
        (
            {"method": "hsic", "z": np.zeros(50)},
            "method='hsic' of independence_test tests unconditional independence only",
        ),
        (
            {"z": np.arange(50.0), "k_perm": 0},
            "The 'k_perm' parameter of independence_test must be an int in the range [1, inf). "
            "Got 0 instead.",
        ),
        (
            {"z": np.arange(50.0), "k_perm": 50, "method": "gaussian"},
            "The 'k_perm' parameter of independence_test must be smaller than the number of "
            "samples (50). Got 50 instead.",
        ),
    ],
)
def test_bad_options_raise_clear_errors(kwargs: dict[str, object], message: str) -> None:
    x = np.random.default_rng(0).standard_normal(50)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        independence_test(x, np.sin(x), **kwargs)  # type: ignore[arg-type]


def test_mi_only_method_with_z_raises() -> None:
    x = np.random.default_rng(0).standard_normal(50)
    with pytest.raises(UnsupportedQuantityError, match="does not estimate conditional"):
        independence_test(x, x, x, method="ksg")


def test_k_perm_without_z_is_refused_not_ignored() -> None:
    x = np.random.default_rng(0).standard_normal(50)
    with pytest.raises(InvalidParameterError, match="'k_perm' parameter .* only to a conditional"):
        independence_test(x, x, method="gaussian", n_permutations=5, k_perm=3, rng=0)
