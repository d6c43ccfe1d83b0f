"""Permutation tests of (conditional) independence: exact pieces, calibration and errors."""

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def _surrogates_and_truth(
    method: str, x: np.ndarray, y: np.ndarray, perms: np.ndarray, **params: Any
) -> tuple[np.ndarray, np.ndarray, object]:
    """The batched surrogates of ``perms`` and the estimator on each permuted data set."""
    import warnings

    _, arrays, statistic = _prepare_information(method, "mutual_information", [x, y], params)
    batch = getattr(statistic, "batch", None)  # heavy ties: the estimator per surrogate
    batched = batch(perms) if batch else np.array([statistic(p) for p in perms])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ksg's tie-breaking noise warns
        truth = np.array(
            [
                infolens.mutual_information(
                    arrays[0], arrays[1][p], method=method, standardize=False, rng=0, **params
                ).value
                for p in perms
            ]
        )
    return batched, truth, statistic


@pytest.mark.parametrize("method", ["ksg", "mixed_knn"])
@pytest.mark.parametrize(("dx", "dy"), [(1, 1), (2, 1), (1, 3), (5, 5)])
def test_batched_knn_surrogates_equal_the_estimator_bit_for_bit(
    method: str, dx: int, dy: int, global_random_seed: int
) -> None:
    # 1 + 1 runs the rank-grid kernel, the others the sorted-list walk: both must reproduce the
    # estimator exactly (same neighbours, same counts, same digamma table and summation).
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((400, dx))
    y = rng.standard_normal((400, dy)) + 0.7 * x[:, :1]
    perms = np.array([np.arange(400)] + [rng.permutation(400) for _ in range(3)])
    batched, truth, statistic = _surrogates_and_truth(method, x, y, perms)
    np.testing.assert_array_equal(batched, truth)
    assert statistic(None) == infolens.mutual_information(x, y, method=method).value  # type: ignore[operator]


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("method", ["ksg", "mixed_knn"])
def test_batched_knn_surrogates_on_tied_and_lattice_data(
    method: str, dims: int, global_random_seed: int
) -> None:
    # Repeated values put the k-th joint neighbour at distance zero for some permutations:
    # mixed_knn counts the copies (Gao et al.), ksg hands the permutation to the estimator.
    # 30 levels: about 13 copies of each value, fewer than sqrt(2N) = 28 (the batched limit)
    rng = np.random.default_rng(global_random_seed)
    x = rng.integers(0, 30, (400, dims)).astype(float)
    y = x[:, :1] + rng.integers(0, 3, (400, 1))
    perms = np.array([np.arange(400)] + [rng.permutation(400) for _ in range(3)])
    batched, truth, statistic = _surrogates_and_truth(method, x, y, perms)
    assert hasattr(statistic, "batch")
    np.testing.assert_array_equal(batched, truth)


@pytest.mark.parametrize("ties", [False, True])
def test_surrogates_past_truncated_lists_fall_back_exactly(
    ties: bool, monkeypatch: pytest.MonkeyPatch, global_random_seed: int
) -> None:
    # A tiny memory budget truncates the sorted lists to k entries: counts then come from the
    # marginal trees and walks from brute force, with the same values.
    import infolens.independence as independence

    monkeypatch.setattr(independence, "SURROGATE_MEMORY", 1)
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((250, 3))
    y = rng.standard_normal((250, 2)) + x[:, :2]
    if ties:  # a half-integer lattice: rows repeat, but fewer than sqrt(2N) times
        x, y = np.round(2 * x) / 2, np.round(2 * y) / 2
    perms = np.array([rng.permutation(250) for _ in range(2)])
    batched, truth, statistic = _surrogates_and_truth("mixed_knn", x, y, perms)
    np.testing.assert_array_equal(batched, truth)
    _, structures = statistic.prepared  # type: ignore[attr-defined]
    assert structures[2].shape[1] == 3  # the X list holds k = 3 neighbours
    assert statistic.brute_searched > 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("dims", [1, 3])
def test_surrogates_do_not_depend_on_threads_or_backend(dims: int) -> None:
    pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((200, dims))
    y = np.round(rng.standard_normal((200, dims)) + x, 1)
    perms = np.array([rng.permutation(200) for _ in range(3)])
    values = {
        (n_jobs, backend): _prepare_information(
            "mixed_knn", "mutual_information", [x, y], {"n_jobs": n_jobs, "backend": backend}
        )[2].batch(perms)  # type: ignore[attr-defined]
        for n_jobs in (1, -1)
        for backend in ("kdtree", "torch")
    }
    first = values[(1, "kdtree")]
    for other in values.values():
        np.testing.assert_array_equal(other, first)


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


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 70),
    dims=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    levels=st.sampled_from([2, 3, 50, 0]),  # 0: continuous
    scale=st.sampled_from([1e-200, 1.0, 1e150]),
    method=st.sampled_from(["ksg", "mixed_knn"]),
)
def test_surrogates_equal_the_estimator_on_hostile_data(
    seed: int, n: int, dims: tuple[int, int], levels: int, scale: float, method: str
) -> None:
    # Few samples, heavy ties, lattices and extreme magnitudes: the batched kernels must still
    # give the estimator's value on every permuted data set.
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dims[0]))
    y = rng.standard_normal((n, dims[1])) + x[:, :1]
    if levels:
        x, y = np.floor(x * levels / 3), np.floor(y * levels / 3)
    perms = np.array([rng.permutation(n) for _ in range(2)])
    batched, truth, _ = _surrogates_and_truth(method, scale * x, scale * y, perms)
    np.testing.assert_array_equal(batched, truth)


def test_large_multivariate_samples_use_the_estimator_per_surrogate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sorted lists cost O(N^2) to build: past LIST_MAX_SAMPLES a multivariate test runs the
    # estimator per surrogate (same values), while 1 + 1 keeps the grid.
    import infolens.independence as independence

    monkeypatch.setattr(independence, "LIST_MAX_SAMPLES", 50)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((80, 2)), rng.standard_normal((80, 2))
    _, arrays, statistic = _prepare_information("ksg", "mutual_information", [x, y], {})
    assert not hasattr(statistic, "batch")
    perm = rng.permutation(80)
    expected = infolens.mutual_information(arrays[0], arrays[1][perm], method="ksg").value
    assert statistic(perm) == expected
    _, _, grid = _prepare_information("ksg", "mutual_information", [x[:, 0], y[:, 0]], {})
    assert hasattr(grid, "batch")


def test_heavily_tied_marginals_use_the_estimator_per_surrogate() -> None:
    # A constant feature against a label: every value repeats thousands of times, which the
    # estimator's sort-based tie handling counts in O(N log N); the grid would scan the ties.
    rng = np.random.default_rng(0)
    x, y = np.zeros(2000), (rng.random(2000) < 0.05).astype(float)
    _, _, statistic = _prepare_information("mixed_knn", "mutual_information", [x, y], {})
    assert not hasattr(statistic, "batch")
    light = np.round(rng.standard_normal(2000), 2)  # ties in groups of about 10 (< sqrt(2N))
    _, _, batched = _prepare_information(
        "mixed_knn", "mutual_information", [light, rng.standard_normal(2000)], {}
    )
    assert hasattr(batched, "batch")
