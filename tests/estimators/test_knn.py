"""The shared k-NN layer: neighbour conventions, counting rules and the search backends."""

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from scipy.spatial import cKDTree

import infolens
from infolens._preprocess import standardize
from infolens.estimators import _knn
from infolens.estimators._knn import (
    BACKENDS,
    count_within,
    kth_neighbor,
    lattice_codes,
    resolve_backend,
    standardize_knn,
)
from infolens.exceptions import InvalidParameterError


def test_kth_neighbor_excludes_self_even_with_duplicates() -> None:
    points = np.array([[0.0], [0.0], [0.0], [1.0]])
    dist, neighbors = kth_neighbor(points, 2, n_jobs=1)
    assert dist.tolist() == [0.0, 0.0, 0.0, 1.0]
    for i, row in enumerate(neighbors):
        assert i not in row


def test_count_within_is_strict_for_positive_radii_and_counts_exact_ties_at_zero() -> None:
    points = np.array([[0.0], [0.0], [1.0], [2.0]])
    strict = count_within(points, np.array([1.0, 0.0, 1.0, 1.0]), strict=True, n_jobs=1)
    assert strict.tolist() == [2.0, 2.0, 1.0, 1.0]
    inclusive = count_within(points, np.array([1.0, 0.0, 1.0, 1.0]), strict=False, n_jobs=1)
    assert inclusive.tolist() == [3.0, 2.0, 4.0, 2.0]


def test_standardize_leaves_constant_columns_finite() -> None:
    out = standardize(np.array([[1.0, 5.0], [3.0, 5.0]]))
    np.testing.assert_array_equal(out, [[-1.0, 0.0], [1.0, 0.0]])


def test_lattice_codes_are_the_same_for_every_affine_image_of_a_lattice() -> None:
    rng = np.random.default_rng(0)
    m = rng.poisson(3, 1000)
    codes, levels = lattice_codes(m.astype(float)) or (None, 0)
    assert codes is not None
    np.testing.assert_array_equal(codes, m - m.min())
    for a, b in [(3.0, 0.1), (0.5, 0.0), (1e-3, -7.0), (-2.0, 1.0), (1e150, 0.0)]:
        image = lattice_codes(np.asarray(a * m + b, dtype=np.float64))
        assert image is not None
        expected = codes if a > 0 else levels - codes
        np.testing.assert_array_equal(image[0], expected)
        assert image[1] == levels


def test_continuous_and_constant_columns_are_not_lattices() -> None:
    rng = np.random.default_rng(1)
    assert lattice_codes(rng.standard_normal(5000)) is None
    assert lattice_codes(rng.random(200)) is None
    assert lattice_codes(np.full(50, 0.3)) is None
    # a lattice plus one value off it is not a lattice
    assert lattice_codes(np.append(np.arange(100.0), 3 + np.pi / 10)) is None


def test_standardize_knn_puts_lattices_on_exact_unit_variance_lattices() -> None:
    rng = np.random.default_rng(2)
    data = np.column_stack([rng.poisson(3, 2000) * 3 + 0.1, rng.standard_normal(2000)])
    out = standardize_knn(data)
    np.testing.assert_array_equal(out[:, 1], standardize(data)[:, 1:].ravel())
    gaps = np.diff(np.unique(out[:, 0]))
    assert np.all(gaps == gaps[0])  # equal gaps, bit for bit
    assert out[:, 0].std() == pytest.approx(1.0, rel=1e-9)


# --- backends -------------------------------------------------------------------------------
# Every backend is exact: max-norm distances and counts must agree bit for bit, with and without
# ties, for any thread count, tile size or leaf size; Euclidean distances to the rounding of a
# sum of squares (1e-12 relative is 10,000 ulps of headroom). scipy's cKDTree is the independent
# reference.

ENGINES = ["kdtree", "brute", "torch"]


def _points(n: int, d: int, ties: bool, seed: int) -> np.ndarray:
    points = np.random.default_rng(seed).standard_normal((n, d))
    return np.round(points) if ties else points  # rounding: many exact ties and duplicates


def _search(points: np.ndarray, backend: str, **kw: Any) -> dict[str, np.ndarray]:
    if backend == "torch":
        pytest.importorskip("torch")
    out = {}
    for metric in ("max", "euclidean"):
        dist, neighbors = kth_neighbor(points, 3, metric=metric, backend=backend, **kw)
        out[metric], out[metric + "_nb"] = dist, np.sort(neighbors, axis=1)
    radii = out["max"].copy()
    radii[::3] = 0.0
    radii[1::3] *= 0.5
    for strict in (True, False):
        out[f"count_{strict}"] = count_within(points, radii, strict=strict, backend=backend, **kw)
    return out


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("dim", [1, 2, 5, 16])
def test_backends_agree_with_each_other_and_with_scipy(dim: int, ties: bool) -> None:
    points = _points(600, dim, ties, seed=dim)
    results = {b: _search(points, b, n_jobs=2) for b in ENGINES}
    ref = results["kdtree"]
    tree = cKDTree(points)
    np.testing.assert_array_equal(ref["max"], tree.query(points, 4, p=np.inf)[0][:, 3])
    np.testing.assert_allclose(ref["euclidean"], tree.query(points, 4)[0][:, 3], rtol=1e-12)
    radii = np.where(
        np.arange(600) % 3 == 0, 0.0, ref["max"] * np.where(np.arange(600) % 3 == 1, 0.5, 1.0)
    )
    scipy_strict = tree.query_ball_point(
        points, np.where(radii > 0, np.nextafter(radii, 0), 0), p=np.inf, return_length=True
    )
    np.testing.assert_array_equal(ref["count_True"], scipy_strict)
    for backend in ("brute", "torch"):
        for key, value in results[backend].items():
            if key == "euclidean":
                np.testing.assert_allclose(value, ref[key], rtol=1e-12, err_msg=backend)
            elif key == "euclidean_nb" and not ties:
                np.testing.assert_array_equal(value, ref[key], err_msg=backend)
            elif key != "euclidean_nb":  # tied Euclidean sums may round differently in torch
                np.testing.assert_array_equal(value, ref[key], err_msg=f"{backend} {key}")


def test_neighbors_break_ties_by_the_smaller_index() -> None:
    points = np.array([[0.0], [1.0], [-1.0], [1.0], [-1.0], [2.0]])
    for backend in ENGINES:
        if backend == "torch":
            pytest.importorskip("torch")
        dist, neighbors = kth_neighbor(points, 2, backend=backend)
        assert dist[0] == 1.0
        assert sorted(neighbors[0]) == [1, 2]  # not 3 or 4: same distance, larger index


@pytest.mark.parametrize("backend", ENGINES)
def test_results_do_not_depend_on_threads_tiles_or_leaves(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = _points(700, 4, ties=True, seed=1)
    reference = _search(points, backend, n_jobs=1)
    monkeypatch.setattr(_knn, "LEAFSIZE", 1)  # deepest possible tree
    monkeypatch.setattr(_knn, "TILE_QUERIES", 3)
    monkeypatch.setattr(_knn, "TILE_POINTS", 7)  # tiles that do not divide n
    small = _search(points, backend, n_jobs=2, memory_budget=7 * 700 * 18)  # 7-row torch tiles
    monkeypatch.setattr(_knn, "LEAFSIZE", 10_000)  # one leaf: the tree is a brute-force scan
    monkeypatch.setattr(_knn, "TILE_QUERIES", 700)
    monkeypatch.setattr(_knn, "TILE_POINTS", 700)  # one tile
    one_tile = _search(points, backend, n_jobs=2, memory_budget=2**40)
    for key in reference:
        np.testing.assert_array_equal(small[key], reference[key], err_msg=key)
        np.testing.assert_array_equal(one_tile[key], reference[key], err_msg=key)


@pytest.mark.parametrize(
    ("method", "kwargs", "arrays"),
    [
        ("ksg", {}, 2),
        ("ksg", {"variant": 2}, 2),
        ("mixed_knn", {}, 2),
        ("mixed_knn", {}, 3),
        ("frenzel_pompe", {}, 3),
        ("kl", {"metric": "euclidean"}, 1),
        ("kl", {}, 1),
    ],
)
def test_estimates_are_identical_across_backends(
    method: str, kwargs: dict[str, Any], arrays: int
) -> None:
    rng = np.random.default_rng(7)
    data = [rng.standard_normal((500, 3)) for _ in range(arrays)]
    if method == "mixed_knn":
        data = [np.round(a) for a in data]  # ties: the Gao et al. rule is exercised
    values = []
    for backend in ENGINES:
        if backend == "torch":
            pytest.importorskip("torch")
        if arrays == 1:
            est = infolens.entropy(data[0], method=method, backend=backend, **kwargs)
        elif arrays == 2:
            est = infolens.mutual_information(
                *data, method=method, backend=backend, rng=0, **kwargs
            )
        else:
            est = infolens.conditional_mutual_information(
                *data, method=method, backend=backend, rng=0, **kwargs
            )
        values.append(est.value)
    np.testing.assert_allclose(values, values[0], rtol=1e-12, atol=1e-12)


def test_unknown_backend_lists_the_valid_ones() -> None:
    message = "Unknown backend 'faiss'. Available: 'auto', 'brute', 'kdtree', 'torch'."
    with pytest.raises(InvalidParameterError, match=message):
        infolens.mutual_information(
            np.zeros((10, 1)), np.ones((10, 1)), method="ksg", backend="faiss"
        )
    with pytest.raises(InvalidParameterError, match=message):
        resolve_backend("faiss", 3)
    assert set(BACKENDS) == {"auto", "brute", "kdtree", "torch"}


def test_auto_backend_picks_by_dimension_and_uses_a_visible_gpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    assert resolve_backend("auto", _knn.TREE_MAX_DIM) == "kdtree"
    assert resolve_backend("auto", _knn.TREE_MAX_DIM + 1) == "brute"
    assert resolve_backend("brute", 1) == "brute"

    class _Cuda:
        @staticmethod
        def is_available() -> bool:
            return True

    class _Torch:
        cuda = _Cuda

    monkeypatch.setitem(sys.modules, "torch", _Torch)
    assert resolve_backend("auto", 1) == "torch"


def test_a_million_samples_stay_within_two_gib() -> None:
    # Peak resident memory of a whole KSG estimate at N = 1,000,000 (1 + 1 dims), and of the
    # k-d tree in 20 dimensions at N = 1,000,000 (the data alone are 160 MB), in a fresh process.
    code = (
        "import resource, numpy as np, infolens\n"
        "from infolens.estimators._knn import LEAFSIZE\n"
        "from infolens.estimators._knn_numba import build\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.standard_normal(1_000_000); y = x + rng.standard_normal(1_000_000)\n"
        "infolens.mutual_information(x, y, method='ksg')\n"
        "del x, y\n"
        "tree = build(rng.standard_normal((1_000_000, 20)), LEAFSIZE)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) < 2 * 2**30


@pytest.mark.parametrize("record", [2048, 5, 1])
def test_fused_brute_force_counts_equal_per_space_counts(
    record: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The brute-force backend finds rho and every count in one pass, holding at most RECORD
    # candidate distances per query; a full record falls back to a separate count.
    rng = np.random.default_rng(3)
    blocks = [np.round(rng.standard_normal((400, d))) for d in (1, 1, 2)]
    spaces = [(0, 2), (1, 2), (2,), (0, 1, 2)]
    expected = _knn.neighbor_counts(blocks, spaces, k=3, n_jobs=1, backend="kdtree")
    monkeypatch.setattr(_knn, "RECORD", record)
    monkeypatch.setattr(_knn, "FUSED_MIN_DIM", 1)  # fuse every space, however small
    rho, counts = _knn.neighbor_counts(blocks, spaces, k=3, n_jobs=2, backend="brute")
    np.testing.assert_array_equal(rho, expected[0])
    assert (rho == 0).any()  # ties: zero radii count exact duplicates
    for got, want in zip(counts, expected[1], strict=True):
        np.testing.assert_array_equal(got, want)


def test_concurrent_calls_from_python_threads_agree() -> None:
    # Dask's threaded runner calls estimators from several Python threads at once.
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(11)
    x = rng.standard_normal((3000, 12))
    y = x + rng.standard_normal((3000, 12))
    expected = infolens.mutual_information(x, y, method="ksg").value
    jobs = [("kdtree", 1), ("brute", -1), ("kdtree", 2), ("brute", 1)] * 2
    with ThreadPoolExecutor(4) as pool:
        values = list(
            pool.map(
                lambda job: (
                    infolens.mutual_information(
                        x, y, method="ksg", backend=job[0], n_jobs=job[1]
                    ).value
                ),
                jobs,
            )
        )
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 7])
@pytest.mark.parametrize("dim", [1, 2, 5])
def test_large_groups_of_identical_points_give_the_brute_force_neighbours(k: int, dim: int) -> None:
    # Leaves of identical points (issue 17's quadratic case) are searched in O(k): the result
    # must still be the brute-force one, distances and neighbour indices (ties: smaller index).
    rng = np.random.default_rng(dim + k)
    centres = rng.integers(0, 3, (4, dim)).astype(float)
    points = np.vstack([centres[rng.integers(0, 4, 1500)], rng.standard_normal((40, dim))])
    points = points[rng.permutation(len(points))]
    for metric in ("max", "euclidean"):
        tree_d, tree_nb = kth_neighbor(points, k, metric=metric, backend="kdtree")
        brute_d, brute_nb = kth_neighbor(points, k, metric=metric, backend="brute")
        np.testing.assert_array_equal(tree_d, brute_d)
        np.testing.assert_array_equal(np.sort(tree_nb, axis=1), np.sort(brute_nb, axis=1))


def test_tied_data_cost_n_log_n() -> None:
    # Issue 17: mutual_information(np.zeros(n), labels) took 17 s at N=100,000 and 90 s at
    # 200,000 (quadratic); now about as fast as continuous data (benchmarks/ties_speed.py).
    # X constant: I = 0 exactly term by term (psi(k~) + psi(N) - psi(N) - psi(k~)).
    import time

    labels = np.random.default_rng(0).integers(0, 5, 300_000)
    start = time.perf_counter()
    est = infolens.mutual_information(np.zeros(300_000), labels, method="mixed_knn")
    assert time.perf_counter() - start < 60.0  # quadratic: ~200 s; measured ~5 s on 2 cores
    assert est.value == pytest.approx(0.0, abs=1e-12)


def test_duplicate_counts_equal_zero_radius_counts() -> None:
    rng = np.random.default_rng(4)
    points = rng.integers(0, 3, (2000, 2)).astype(float)
    points[::7, 0] = -0.0  # -0.0 and 0.0 are at distance zero
    expected = count_within(points, np.zeros(2000), strict=False, backend="brute")
    np.testing.assert_array_equal(_knn.duplicate_counts(points), expected)
    # the k-d tree skips samples known to be tied; everything else is searched as before
    tied = _knn.duplicate_counts(points) > 3
    rho, _ = kth_neighbor(points, 3, backend="kdtree", tied=tied)
    np.testing.assert_array_equal(rho, kth_neighbor(points, 3, backend="brute")[0])


def test_heavily_tied_samples_found_by_the_one_column_precheck() -> None:
    # Marks exactly the samples with more than k copies; None (nothing to mark) on continuous data.
    from infolens.estimators._knn import _heavily_tied, duplicate_counts

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 2))
    assert _heavily_tied(x, 3) is None
    for data in (np.round(x * 2) / 2, np.zeros((50, 3)), np.vstack([x[:100]] * 4), x[:, :1] * 0):
        marked = _heavily_tied(data, 3)
        assert marked is not None
        np.testing.assert_array_equal(marked, duplicate_counts(data) > 3)
    three_copies = np.vstack([x[:100]] * 3)  # each row 3 times: not more than k = 3
    assert _heavily_tied(three_copies, 3) is None
    assert not (duplicate_counts(three_copies) > 3).any()


def _hostile_columns(seed: int, n: int) -> np.ndarray:
    """Columns of every kind the lattice test must tell apart, side by side in one array."""
    rng = np.random.default_rng(seed)
    return np.column_stack([
        rng.standard_normal(n),  # continuous
        rng.integers(0, 5, n) * 0.1 + 1e6,  # a lattice under a large offset
        np.round(rng.standard_normal(n), 1),  # a 0.1 grid
        np.full(n, 0.3),  # constant
        rng.integers(0, 7, n) / 3.0,  # a lattice of thirds
        rng.integers(0, 2**40, n).astype(float),  # too many levels to matter
        np.where(rng.random(n) < 0.5, 0.0, rng.random(n)),  # an atom at 0 plus continuous
    ])  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n", [1, 2, 7, 60, 3000])
def test_lattice_columns_decide_every_column_as_if_it_were_alone(seed: int, n: int) -> None:
    data = _hostile_columns(seed, n)[:, np.random.default_rng(seed).permutation(7)]
    together = _knn.lattice_columns(data)
    for c in range(data.shape[1]):
        alone, joint = _knn.lattice_columns(data[:, [c]])[0], together[c]
        assert (alone is None) == (joint is None), c
        if alone is not None and joint is not None:
            np.testing.assert_array_equal(alone[0], joint[0])
            assert alone[1] == joint[1]
    if n >= 60:  # the lattices are found (the test would pass vacuously otherwise)
        found = [lattice_codes(data[:, c]) is not None for c in range(7)]
        assert sum(found) == 3, found


@pytest.mark.parametrize("seed", range(8))
def test_a_group_column_gives_each_group_its_own_search_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(6, 60, size=rng.integers(1, 6))
    groups = np.repeat(np.arange(len(sizes)), sizes)[rng.permutation(sizes.sum())]
    x = rng.standard_normal((len(groups), 3)) * 10.0 ** rng.integers(-3, 4)
    y = np.round(x[:, :2] + rng.standard_normal((len(groups), 2)), 1 if seed % 2 else 6)
    if seed % 3 == 0:
        x[:, 0] = np.round(x[:, 0])  # ties and lattice gaps inside the groups
    xs, ys = _knn.standardize_knn(x), _knn.standardize_knn(y)
    column = _knn.group_column(groups, [xs, ys])
    n_of = np.bincount(groups).astype(float)[groups]
    terms, rho = _knn.ksg_terms(np.hstack([xs, column]), np.hstack([ys, column]), None, k=4,
                                n_jobs=1, backend="auto", sizes=n_of)  # fmt: skip
    eps, _ = kth_neighbor(np.hstack([xs, _knn.group_column(groups, [xs])]), 4)
    for g in range(len(sizes)):
        members = groups == g
        alone, alone_rho = _knn.ksg_terms(xs[members], ys[members], None, k=4, n_jobs=1,
                                          backend="brute")  # fmt: skip
        np.testing.assert_array_equal(terms[members], alone)
        np.testing.assert_array_equal(rho[members], alone_rho)
        np.testing.assert_array_equal(eps[members], kth_neighbor(xs[members], 4)[0])
