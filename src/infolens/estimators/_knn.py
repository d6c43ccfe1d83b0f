"""Neighbour search and the shared kernel of the k-nearest-neighbour estimators.

Every k-NN estimator (Kozachenko–Leonenko, KSG, Frenzel–Pompe, mixed) goes through this module.
Counting conventions, used everywhere:

* ``rho[i]`` is the distance from sample ``i`` to its ``k``-th nearest neighbour in the joint
  space (the sample itself excluded); the neighbours are the ``k`` nearest, ties at equal
  distance going to the smaller sample index;
* marginal counts **include the sample itself** and are *strict* (``distance < rho``) when
  ``rho > 0``, *inclusive* (``distance == 0``) when ``rho == 0`` (the tie rule of Gao et al.).

Backends (``backend=``), all exact and giving identical results (max-norm distances and counts
bit for bit; Euclidean distances to the last bits of the sum of squares):

* ``"kdtree"``: a compiled k-d tree (median splits, whole nodes counted at once), searched in
  parallel; in one dimension the counts are binary searches in the sorted sample;
* ``"brute"``: all pairs in small query x point tiles, vectorised over points, in parallel;
* ``"torch"``: all pairs with :func:`torch.cdist` in row tiles sized from ``memory_budget``,
  on CUDA when available (``pip install infolens[torch]``);
* ``"auto"``: ``"torch"`` when torch is already imported and sees a GPU, else ``"kdtree"`` up to
  :data:`TREE_MAX_DIM` dimensions and ``"brute"`` above.
"""

import math
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma

from infolens._preprocess import standardize
from infolens._typing import ArrayLike, FloatArray, IntArray
from infolens._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_int,
    check_min_samples,
)
from infolens.exceptions import DegenerateDataWarning, InvalidParameterError

Metric = Literal["max", "euclidean"]
BACKENDS = ("auto", "brute", "kdtree", "torch")
TREE_MAX_DIM = 20
"""Largest dimension searched with the k-d tree under ``backend="auto"`` (see benchmarks)."""
MEMORY_BUDGET = 256 * 2**20
"""Bytes of pairwise-distance tiles the ``"torch"`` backend may hold at once."""
LEAFSIZE = 128
TILE_QUERIES, TILE_POINTS = 8, 512  # brute-force tile: 32 KiB of distances per thread
RECORD = 8192  # candidates per query and space the fused brute-force pass may hold
FUSED_MIN_DIM = 8
"""Spaces of fewer dimensions hold too many neighbours to record in the brute-force pass."""
T = TypeVar("T")


def check_knn_params(owner: Any) -> None:
    """Validate the ``k``, ``n_jobs`` and ``backend`` fields shared by the k-NN estimators."""
    name = type(owner).__name__
    check_int(owner.k, name="k", owner=name)
    n_jobs = owner.n_jobs
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise InvalidParameterError(
            f"The 'n_jobs' parameter of {name} must be -1 (all cores) or an int in the range "
            f"[1, inf). Got {n_jobs!r} instead."
        )
    check_choice(owner.backend, BACKENDS, name="backend")


def check_enough_samples(n_samples: int, k: int, owner: object) -> None:
    """Raise unless there are at least ``k + 1`` samples."""
    check_min_samples(n_samples, k + 1, owner=f"{type(owner).__name__} with k={k}", reason="k + 1")


def knn_inputs(
    data: Sequence[ArrayLike], owner: Any, *, standardize: bool
) -> tuple[list[FloatArray], int]:
    """Check and prepare the inputs of the k-NN MI/CMI estimators (their one preamble).

    Checks each of ``data`` (named x, y, z in messages) as a finite float array, their common
    length and that there are more than ``owner.k`` samples; then, if asked, standardises each
    with :func:`standardize_knn`. Returns the arrays and the number of samples.
    """
    arrays = [check_array(a, name=name) for a, name in zip(data, "xyz", strict=False)]
    n = check_consistent_length(arrays)
    check_enough_samples(n, owner.k, owner)
    if standardize:
        arrays = [standardize_knn(a) for a in arrays]
    return arrays, n


LATTICE_MAX_LEVELS = 2**31
"""Most levels a column may span and still be treated as a lattice by :func:`standardize_knn`."""


def lattice_codes(column: FloatArray) -> tuple[FloatArray, int] | None:
    """Return integer codes ``m`` with ``column == u0 + m * b`` up to rounding, and the span.

    A column is a lattice when every value lies, within 16 ulps of its largest magnitude, on
    ``u0 + m * b`` with ``b`` the smallest gap between distinct values (or that gap divided by
    2..6) and at most :data:`LATTICE_MAX_LEVELS` levels. Continuous data fail the test (their
    values are not integer multiples of their smallest gap). Returns ``None`` for
    non-lattice and constant columns. The codes, and so everything computed from them, are the
    same for the column and for any affine image ``a * column + c`` (``a < 0``: reversed).
    """
    return lattice_columns(np.asarray(column, dtype=np.float64)[:, None])[0]


def lattice_columns(data: FloatArray) -> list[tuple[FloatArray, int] | None]:
    """Return :func:`lattice_codes` of every column of ``data`` (2-D), testing all at once.

    The same arithmetic as one column at a time (every value's misfit is computed exactly as
    for that column alone; duplicates repeat a distinct value's misfit and so do not change the
    largest), in one sort and a few array passes over the whole array, all six candidate
    spacings together, instead of a loop per column and candidate: this check runs on every
    column of every k-NN input.
    """
    n, d = data.shape
    out: list[tuple[FloatArray, int] | None] = [None] * d
    ordered = np.sort(data, axis=0)
    changes = ordered[1:] != ordered[:-1]
    varying = np.flatnonzero(changes.any(axis=0))
    if not varying.size:
        return out
    ordered, changes = ordered[:, varying], changes[:, varying]
    first, last = ordered[0], ordered[-1]
    span = last - first
    tol = 16.0 * np.finfo(np.float64).eps * np.maximum(np.abs(first), np.abs(last))
    smallest_gap = np.where(changes, np.diff(ordered, axis=0), np.inf).min(axis=0)
    trial = smallest_gap / np.arange(1.0, 7.0)[:, None]  # the candidates: gap / 1..6, (6, m)
    levels = np.rint(span / trial)
    gap = span / levels
    misfit = np.zeros_like(trial)
    offsets = ordered - first
    rows = max(1, 2**16 // trial.size)  # rows per pass: at most 64 Ki elements at a time
    for top in range(0, n, rows):
        part = offsets[None, top : top + rows]
        worst = np.abs(part - np.rint(part / gap[:, None]) * gap[:, None]).max(axis=1)
        np.maximum(misfit, worst, out=misfit)
    # The first candidate that decides, in order: no lattice if the offset swamps the spacing
    # or there are too many levels, a lattice if every value fits.
    bad = (tol > 1e-6 * trial) | (levels > LATTICE_MAX_LEVELS)
    decided = bad | (misfit <= tol)
    chosen = decided.argmax(axis=0)
    for j in np.flatnonzero(decided.any(axis=0) & ~bad[chosen, np.arange(len(varying))]):
        c, column = chosen[j], varying[j]
        # the same arithmetic per sample as per distinct value: the same codes
        codes = np.rint((data[:, column] - first[j]) / gap[c, j])
        out[column] = np.asarray(codes, dtype=np.float64), int(levels[c, j])
    return out


def _snap_to_lattice(codes: FloatArray, levels: int) -> FloatArray:
    """Place lattice codes on an exact float lattice of unit variance (to 2**-20 or better).

    The positions are ``t * h`` with ``t = 2 m - levels`` (integers, negated when the column is
    reversed) and ``h`` about ``1 / std(t)`` rounded to ``52 - bits(levels)`` significant bits,
    so that every position and every difference of positions is exact: distances are integer
    multiples of ``h`` and compare exactly, whatever the row order or affine map. ``std(t)`` is
    computed from correctly rounded sums over the distinct values (``math.fsum``), so it does
    not depend on the row order or the sign of the map either.
    """
    twice = 2.0 * codes - levels
    values, counts = np.unique(np.abs(twice), return_counts=True)
    n = float(len(codes))
    signed, signed_counts = np.unique(twice, return_counts=True)
    mean = math.fsum((signed * signed_counts).tolist()) / n
    mean_square = math.fsum((values * values * counts).tolist()) / n
    std = math.sqrt(max(mean_square - mean * mean, 0.0))
    bits = 52 - levels.bit_length()
    mantissa, exponent = math.frexp(1.0 / std)
    step = math.ldexp(round(mantissa * 2.0**bits), exponent - bits)
    return np.asarray(twice * step, dtype=np.float64)


def standardize_knn(data: FloatArray) -> FloatArray:
    """Standardise ``data`` for the k-NN estimators, placing lattice columns on exact lattices.

    Every column is centred and scaled to unit variance by :func:`infolens._preprocess.standardize`
    (bit for bit on continuous data). A column whose values lie on a lattice (integers, a 0.5
    grid, Poisson counts times 3 plus 0.1...; see :func:`lattice_codes`) is instead placed on
    an exact float lattice of the same unit variance (:func:`_snap_to_lattice`): after plain
    standardisation, gaps that are equal on the lattice differ in the last bit, so a strict
    ``distance < rho`` count would keep or drop a whole level depending on the row order or
    the affine map. On the exact lattice, equal gaps are equal.
    """
    out = standardize(data)
    for c, lattice in enumerate(lattice_columns(data)):
        if lattice is not None:
            out[:, c] = _snap_to_lattice(*lattice)
    return out


def jitter(data: FloatArray, rng: np.random.Generator, amplitude: float = 1e-10) -> FloatArray:
    """Add Gaussian noise of ``amplitude`` times each column's scale, as Kraskov et al. advise.

    The scale is ``max(1, mean |column|)`` so the noise survives float rounding of large values.
    """
    scale = np.maximum(1.0, np.abs(data).mean(axis=0))
    return np.asarray(data + amplitude * scale * rng.standard_normal(data.shape))


def resolve_backend(backend: str, dim: int) -> str:
    """Return the backend that ``backend`` (possibly ``"auto"``) means for ``dim`` columns."""
    check_choice(backend, BACKENDS, name="backend")
    if backend != "auto":
        return backend
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return "torch"
    return "kdtree" if dim <= TREE_MAX_DIM else "brute"


_KERNEL_LOCK = threading.RLock()


@contextmanager
def _threads(n_jobs: int) -> Iterator[None]:
    """Run the compiled kernels on ``n_jobs`` threads (-1: all cores), then restore the count.

    Launches are serialised: every kernel already uses all its threads, and numba's fallback
    ``workqueue`` threading layer must not be entered from two Python threads at once.
    """
    import numba

    with _KERNEL_LOCK:
        before = numba.get_num_threads()
        available = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
        numba.set_num_threads(available if n_jobs == -1 else min(n_jobs, available))
        try:
            yield
        finally:
            numba.set_num_threads(before)


def _as_points(points: FloatArray) -> FloatArray:
    return np.ascontiguousarray(points, dtype=np.float64)


def _in_range(points: FloatArray) -> tuple[FloatArray, int]:
    """Divide ``points`` by a power of two ``2**e`` if their magnitude is extreme; return ``e``.

    Outside ``[2**-60, 2**60]`` float32 copies overflow or lose everything and Euclidean squares
    overflow or underflow; dividing every coordinate by the same power of two is exact, scales
    every max-norm and Euclidean distance by exactly ``2**-e`` and leaves every count unchanged.
    """
    scale = float(np.abs(points).max()) if points.size else 0.0
    if scale == 0.0 or 2.0**-60 < scale < 2.0**60:
        return points, 0
    shift = math.frexp(scale)[1]
    return np.ascontiguousarray(np.ldexp(points, -shift)), shift


def _float32_margin(points: FloatArray) -> float:
    """Bound on |float32 - float64| max-norm distances between rows of ``points``.

    A float32 distance between float64 points of magnitude at most M is within 2**-22 * M of
    the float64 one (two input roundings and one subtraction, each 2**-24 relative); the margin
    is 2**-20 * M. Outside float32's comfortable range it is ``inf``: every candidate is then
    re-measured in float64.
    """
    scale = float(np.abs(points).max()) if points.size else 1.0
    return 2.0**-20 * scale if 2.0**-60 < scale < 2.0**60 else np.inf


def _tree(
    points: FloatArray,
) -> tuple[
    FloatArray,
    NDArray[np.float32],
    float,
    IntArray,
    IntArray,
    IntArray,
    IntArray,
    FloatArray,
    FloatArray,
]:
    """Build the k-d tree and return the arguments the tree kernels take before their own."""
    from infolens.estimators import _knn_numba

    data_t, perm, start, end, left, lo, hi = _knn_numba.build(points, LEAFSIZE)
    data32_t = data_t.astype(np.float32)
    return data_t, data32_t, _float32_margin(points), perm, start, end, left, lo, hi


def kth_neighbor(
    points: FloatArray,
    k: int,
    *,
    metric: Metric = "max",
    n_jobs: int = -1,
    backend: str = "auto",
    memory_budget: int = MEMORY_BUDGET,
    tied: NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Return the distance to the ``k``-th nearest neighbour and the ``k`` neighbour indices.

    The query point itself is excluded, also when it has exact duplicates. Needs ``k < n``.
    ``tied`` (optional) marks samples known to have at least ``k`` exact duplicates: the k-d
    tree does not search for them (their distance is 0, their neighbours are returned as -1);
    the other backends search every sample.
    """
    points, shift = _in_range(_as_points(points))
    dist, neighbors = _kth_neighbor(points, k, metric, n_jobs, backend, memory_budget, tied)
    return (np.ldexp(dist, shift) if shift else dist), neighbors


def _kth_neighbor(
    points: FloatArray,
    k: int,
    metric: Metric,
    n_jobs: int,
    backend: str,
    memory_budget: int,
    tied: NDArray[np.bool_] | None,
) -> tuple[FloatArray, NDArray[np.intp]]:
    kind = resolve_backend(backend, points.shape[1])
    code = 0 if metric == "max" else 1
    if kind == "torch":
        from infolens.estimators import _knn_torch

        return _knn_torch.kth_neighbor(points, k, metric, n_jobs, memory_budget)
    from infolens.estimators import _knn_numba

    with _threads(n_jobs):
        if kind == "kdtree":
            skip = np.zeros(len(points), dtype=np.bool_) if tied is None else tied
            return _knn_numba.knn(*_tree(points), k, code, skip)
        return _knn_numba.brute_knn(
            np.ascontiguousarray(points.T), k, code, TILE_QUERIES, TILE_POINTS
        )


def count_within(
    points: FloatArray,
    radii: FloatArray,
    *,
    strict: bool,
    n_jobs: int = -1,
    backend: str = "auto",
    memory_budget: int = MEMORY_BUDGET,
) -> NDArray[np.float64]:
    """Count samples (self included) within max-norm ``radii`` of each sample.

    ``strict`` counts ``distance < radius`` for positive radii; a zero radius always counts exact
    ties (``distance == 0``).
    """
    points, shift = _in_range(_as_points(points))
    radii = np.ascontiguousarray(np.ldexp(radii, -shift) if shift else radii, dtype=np.float64)
    kind = resolve_backend(backend, points.shape[1])
    if kind == "torch":
        from infolens.estimators import _knn_torch

        counts = _knn_torch.count_within(points, radii, strict, n_jobs, memory_budget)
        return np.asarray(counts, dtype=np.float64)
    from infolens.estimators import _knn_numba

    with _threads(n_jobs):
        if kind == "brute":
            counts = _knn_numba.brute_count(
                np.ascontiguousarray(points.T),
                np.arange(len(points)),
                radii,
                strict,
                TILE_QUERIES,
                TILE_POINTS,
            )
        elif points.shape[1] == 1:
            order = np.argsort(points[:, 0])
            counts = _knn_numba.sorted_count(points[order, 0], order, radii, strict)
        else:
            counts = _knn_numba.count(*_tree(points), radii, strict)
    return np.asarray(counts, dtype=np.float64)


def neighbor_counts(
    blocks: Sequence[FloatArray],
    spaces: Sequence[tuple[int, ...]],
    *,
    k: int,
    n_jobs: int,
    backend: str,
) -> tuple[FloatArray, list[FloatArray]]:
    """Return ``rho`` in the joint space of ``blocks`` and the counts within it in each space.

    A space is a tuple of block indices; its counts follow :func:`count_within` (strict, or
    exact ties where ``rho`` is zero). The brute-force backend finds ``rho`` and the counts in
    every space of at least :data:`FUSED_MIN_DIM` dimensions in a single pass over the pairs;
    other spaces, and the other backends, search once per space.
    """
    joint, shift = _in_range(_as_points(np.hstack(blocks)))
    if shift:  # extreme magnitudes: search the exactly rescaled blocks, rescale rho back
        scaled = [np.ldexp(b, -shift) for b in blocks]
        rho, counts = neighbor_counts(scaled, spaces, k=k, n_jobs=n_jobs, backend=backend)
        return np.ldexp(rho, shift), counts
    kind = resolve_backend(backend, joint.shape[1])

    def space(members: tuple[int, ...]) -> FloatArray:
        return np.hstack([blocks[b] for b in members])

    if kind != "brute":
        # Samples with k or more exact duplicates have rho = 0: found by sorting, not searched.
        tied = _heavily_tied(joint, k) if kind == "kdtree" else None
        rho, _ = kth_neighbor(joint, k, n_jobs=n_jobs, backend=kind, tied=tied)
        counts = [
            count_within(space(m), rho, strict=True, n_jobs=n_jobs, backend=backend) for m in spaces
        ]
        return rho, counts
    from infolens.estimators import _knn_numba

    # One pass finds rho and the counts in the high-dimensional spaces; low-dimensional spaces
    # hold too many neighbours to record and are counted on their own (k-d tree under "auto").
    high = [m for m in spaces if sum(blocks[b].shape[1] for b in m) >= FUSED_MIN_DIM]
    block_of = np.repeat(np.arange(len(blocks)), [b.shape[1] for b in blocks])
    masks = np.array([sum(1 << b for b in m) for m in high], dtype=np.int64)
    with _threads(n_jobs):
        rho, counted, overflow = _knn_numba.brute_ksg(
            joint,
            np.ascontiguousarray(joint.T, dtype=np.float32),
            _float32_margin(joint),
            block_of,
            masks,
            k,
            TILE_QUERIES,
            TILE_POINTS,
            RECORD,
        )
        for members, values, full in zip(high, counted, overflow, strict=True):
            redo = np.flatnonzero(full)  # more candidates than the record held: count apart
            if redo.size:
                points_t = np.ascontiguousarray(space(members).T)
                values[redo] = _knn_numba.brute_count(
                    points_t, redo, rho[redo], True, TILE_QUERIES, TILE_POINTS
                )
    fused = dict(zip(high, counted.astype(np.float64), strict=True))
    counts = [
        fused[m]
        if m in fused
        else count_within(space(m), rho, strict=True, n_jobs=n_jobs, backend=backend)
        for m in spaces
    ]
    return rho, counts


def _heavily_tied(points: FloatArray, k: int) -> NDArray[np.bool_] | None:
    """Mark the samples with more than ``k`` exact copies (themselves included), or ``None``.

    Equal rows have equal first coordinates, so when no value of the first column occurs more
    than ``k`` times (continuous data) no sample is marked, and the full row sort of
    :func:`duplicate_counts` is skipped: one sort of one column instead of a sort of the rows.
    """
    first = np.sort(points[:, 0])
    breaks = np.flatnonzero(first[1:] != first[:-1])
    longest = int(np.diff(np.concatenate(([-1], breaks, [len(first) - 1]))).max())
    return duplicate_counts(points) > k if longest > k else None


def duplicate_counts(points: FloatArray) -> NDArray[np.float64]:
    """Return, for every sample, how many samples (itself included) equal it exactly.

    Equals :func:`count_within` with zero radii (``-0.0`` and ``0.0`` are equal), by sorting
    the rows instead of searching: O(N log N) however large the groups of ties.
    """
    rows = np.asarray(points, dtype=np.float64) + 0.0  # -0.0 + 0.0 is +0.0
    n = len(rows)
    order = np.lexsort(rows.T[::-1])
    ordered = rows[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.cumsum(starts) - 1
    counts = np.empty(n, dtype=np.float64)
    counts[order] = np.bincount(group)[group]
    return counts


def group_column(groups: IntArray, blocks: Sequence[FloatArray]) -> FloatArray:
    """Return a column that confines every max-norm search in ``blocks`` to its own group.

    Group ``g`` (integer codes ``0..G-1``) sits at ``g * B``, with ``B`` a power of two at least
    four times the largest magnitude in ``blocks``: within a group the column adds nothing to any
    distance; between groups it puts every pair at least ``B`` apart, farther than any two rows
    of one group (at most twice the largest magnitude). Appended to every block (and so to every
    space), it makes one search over all rows give, for every row, exactly the neighbour
    distances and counts of a search in its group alone, as long as each group has more than
    ``k`` rows: one kernel call in place of one per group, bit for bit the same (all products
    and differences on the column are exact).
    """
    peak = max((float(np.abs(b).max()) for b in blocks if b.size), default=1.0)
    step = math.ldexp(1.0, math.frexp(4.0 * max(peak, 2.0**-60))[1])
    return np.asarray(groups, dtype=np.float64)[:, None] * step


def ksg_terms(
    x: FloatArray,
    y: FloatArray,
    z: FloatArray | None,
    *,
    k: int,
    n_jobs: int,
    backend: str,
    sizes: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Per-sample terms of the KSG-1 / Frenzel–Pompe / Gao mixed estimators (nats), and ``rho``.

    With ``z=None`` the mean of the terms estimates I(X; Y), otherwise I(X; Y | Z). Samples whose
    ``k``-th neighbour is at distance zero use the number of exact ties in place of ``k``
    (Gao et al. 2017); without ties this is exactly KSG estimator 1. ``sizes`` (with ``z=None``)
    gives each sample's N when the blocks hold several independent samples, kept apart by a
    :func:`group_column` in each block: each group's terms are then those of its sample alone.
    """
    blocks: list[FloatArray] = [x, y] if z is None else [x, y, z]
    spaces = [(0,), (1,)] if z is None else [(0, 2), (1, 2), (2,)]
    rho, counts = neighbor_counts(blocks, spaces, k=k, n_jobs=n_jobs, backend=backend)
    k_tilde = np.full(len(rho), float(k))
    tied = rho == 0.0
    if tied.any():
        k_tilde[tied] = duplicate_counts(np.hstack(blocks))[tied]
    psi = [np.asarray(digamma(c)) for c in counts]
    if z is None:
        n = digamma(float(len(x))) if sizes is None else digamma(sizes)
        terms = digamma(k_tilde) + n - psi[0] - psi[1]
    else:
        terms = digamma(k_tilde) - psi[0] - psi[1] + psi[2]
    return np.asarray(terms), rho


_NOISE_STREAM = 0x71E5  # separates the tie-breaking noise from any stream the data came from


def breaking_ties(
    compute: Callable[[list[FloatArray]], tuple[T, FloatArray]],
    arrays: list[FloatArray],
    *,
    k: int,
    rng: np.random.Generator,
    owner: str,
) -> tuple[T, bool]:
    """Run ``compute(arrays) -> (result, rho)``; if some ``rho`` are zero, jitter and rerun.

    KSG-type counts are meaningless when a sample repeats k or more times. Following Kraskov et
    al., noise of relative amplitude 1e-10 (from ``rng``, so reproducible) breaks the ties, with a
    :class:`~infolens.exceptions.DegenerateDataWarning`. Returns the result and whether noise was
    added.
    """
    result, rho = compute(arrays)
    n_tied = int((rho == 0.0).sum())
    if not n_tied:
        return result, False
    warnings.warn(
        f"{owner}: {n_tied} of {len(rho)} samples have their k={k}-th neighbour at distance "
        "zero (repeated values); noise of relative amplitude 1e-10 was added to break the ties. "
        "Use method='mixed_knn' to treat repeated values exactly.",
        DegenerateDataWarning,
        stacklevel=3,
    )
    # The noise comes from a generator seeded by ``rng``, not from ``rng``'s own stream: data
    # drawn with the same seed would otherwise get their own normal draws back as noise, which
    # orders every tie group by the un-rounded values (KSG 1.41 nats instead of 0.2).
    noise = np.random.default_rng([int(rng.integers(2**63)), _NOISE_STREAM])
    result, _ = compute([jitter(a, noise) for a in arrays])
    return result, True
