"""Compiled neighbour-search kernels: a k-d tree and its single-leaf special case, brute force.

The tree is built once per point set (median splits on the widest coordinate, so heavy tails
cannot unbalance it; a tight bounding box per node) and queried in parallel over the points
themselves. Two queries are supported:

* ``knn``: the distance to the ``k``-th nearest other point, and the ``k`` neighbours, with ties
  at equal distance broken by the smaller original index (so every backend picks the same set);
* ``count``: the number of points (the query included) strictly within a per-point radius, or at
  distance zero when the radius is zero. Whole nodes inside the radius are counted without
  visiting their points.

Distances are the max norm or the Euclidean norm; the max norm is evaluated exactly (``abs`` and
``max`` of float64 differences), so counts equal those of any other exact implementation. A tree
whose only leaf holds every point *is* a brute-force search (with early exit inside each
distance), which is how the ``"brute"`` backend runs. The kernels are compiled on first use and
cached on disk.
"""

from typing import Any

import numba as nb
import numpy as np
from numpy.typing import NDArray

from infolens._typing import FloatArray, IntArray

MAX_NORM = 0
EUCLIDEAN = 1
_CHUNK = 256  # queries per task handed to a thread
_FLOAT32_MIN_DIM = 4  # below, the float32 leaf scan saves less than its re-measuring costs
_LANES = 16  # float32 lanes of one AVX-512 register: the brute-force scan checks chunks
_STACK = 256  # depth-first stack; a median-split tree over 2**63 points is 63 levels deep


@nb.njit(cache=True, nogil=True)
def _swap_rows(data: FloatArray, perm: IntArray, i: int, j: int) -> None:
    perm[i], perm[j] = perm[j], perm[i]
    for c in range(data.shape[1]):
        data[i, c], data[j, c] = data[j, c], data[i, c]


@nb.njit(cache=True, nogil=True)
def _select(data: FloatArray, perm: IntArray, dim: int, lo: int, hi: int, nth: int) -> None:
    """Reorder rows ``lo:hi`` so that row ``nth`` holds their median by column ``dim``."""
    while hi - lo > 1:
        pivot = data[(lo + hi) // 2, dim]
        i, j = lo, hi - 1
        while i <= j:
            while data[i, dim] < pivot:
                i += 1
            while data[j, dim] > pivot:
                j -= 1
            if i <= j:
                _swap_rows(data, perm, i, j)
                i += 1
                j -= 1
        if nth <= j:
            hi = j + 1
        elif nth >= i:
            lo = i
        else:
            return


@nb.njit(cache=True, nogil=True, inline="always")
def _is_point(lo: FloatArray, hi: FloatArray) -> bool:
    """Whether the box ``[lo, hi]`` is a single point (a node of identical points)."""
    same = True
    for c in range(lo.shape[0]):
        same &= lo[c] == hi[c]
    return same


@nb.njit(cache=True, nogil=True, parallel=True)
def build(
    points: FloatArray, leafsize: int
) -> tuple[FloatArray, IntArray, IntArray, IntArray, IntArray, FloatArray, FloatArray]:
    """Build the tree over a copy of ``points``, level by level, a level's nodes in parallel.

    Returns ``data_t`` (the points in tree order, transposed to ``(dim, n)`` so that a leaf's
    coordinates are contiguous), ``perm`` (their original indices), and per node ``start``,
    ``end``, ``left`` (-1 for a leaf), ``lo`` and ``hi`` (the bounding box). Children of node
    ``i`` are ``left[i]`` and ``left[i] + 1``.
    """
    data = points.copy()
    n, d = data.shape
    max_nodes = 2 * (n // max(1, (leafsize + 1) // 2)) + 3
    perm = np.arange(n)
    start = np.empty(max_nodes, np.int64)
    end = np.empty(max_nodes, np.int64)
    left = np.full(max_nodes, -1, np.int64)
    split = np.full(max_nodes, -1, np.int64)  # the coordinate a node is split on
    lo = np.empty((max_nodes, d))
    hi = np.empty((max_nodes, d))
    start[0], end[0] = 0, n
    first, last = 0, 1  # the nodes of the current level
    while first < last:
        for node in nb.prange(first, last):
            s, e = start[node], end[node]
            lo[node] = data[s]
            hi[node] = data[s]
            for p in range(s + 1, e):
                for c in range(d):
                    v = data[p, c]
                    if v < lo[node, c]:
                        lo[node, c] = v
                    elif v > hi[node, c]:
                        hi[node, c] = v
            widest, spread = 0, 0.0
            for c in range(d):
                if hi[node, c] - lo[node, c] > spread:
                    widest, spread = c, hi[node, c] - lo[node, c]
            if e - s > leafsize and spread > 0.0:
                split[node] = widest
        children = np.cumsum(split[first:last] >= 0) * 2  # children before and of each node
        for node in nb.prange(first, last):
            if split[node] >= 0:
                child = last + children[node - first] - 2
                s, e = start[node], end[node]
                mid = (s + e) // 2
                _select(data, perm, split[node], s, e, mid)
                left[node] = child
                start[child], end[child] = s, mid
                start[child + 1], end[child + 1] = mid, e
        first, last = last, last + (children[-1] if last > first else 0)
    for node in nb.prange(last):  # a leaf of identical points lists them by original index
        if left[node] < 0 and _is_point(lo[node], hi[node]):
            perm[start[node] : end[node]] = np.sort(perm[start[node] : end[node]])
    data_t = np.ascontiguousarray(data.T)
    return data_t, perm, start[:last], end[:last], left[:last], lo[:last], hi[:last]


@nb.njit(cache=True, nogil=True, inline="always")
def _box_distance(q: FloatArray, lo: FloatArray, hi: FloatArray, metric: int) -> float:
    """Smallest distance (squared for the Euclidean norm) from ``q`` to the box ``[lo, hi]``."""
    acc = 0.0
    for c in range(lo.shape[0]):
        v = lo[c] - q[c]
        if v < 0.0:
            v = q[c] - hi[c]
        if v > 0.0:
            if metric == MAX_NORM:
                acc = max(acc, v)
            else:
                acc += v * v
    return acc


@nb.njit(cache=True, nogil=True, inline="always")
def _leaf_distances(
    data_t: NDArray[Any], s: int, e: int, q: NDArray[Any], metric: int, out: NDArray[Any]
) -> None:
    """Distances (squared if Euclidean) from ``q`` to points ``s:e``, vectorised over points."""
    m = e - s
    out[:m] = 0.0
    for c in range(data_t.shape[0]):
        row = data_t[c, s:e]
        qc = q[c]
        if metric == MAX_NORM:
            for j in range(m):
                out[j] = max(out[j], abs(row[j] - qc))
        else:
            for j in range(m):
                diff = row[j] - qc
                out[j] += diff * diff


@nb.njit(cache=True, nogil=True, inline="always")
def _within(diff: float, r: float, inclusive: bool) -> bool:
    """Whether a distance ``diff`` counts for radius ``r`` (strict unless ``inclusive``)."""
    return diff < r or (inclusive and diff == r)


@nb.njit(cache=True, nogil=True, inline="always")
def _push_k_smallest(best_d: FloatArray, best_i: IntArray, v: float, index: int) -> None:
    """Insert ``(v, index)`` into the descending list of the k smallest (ties: smaller index)."""
    if v > best_d[0] or (v == best_d[0] and index > best_i[0]):
        return
    pos = 0
    k = best_d.shape[0]
    while pos + 1 < k and (
        best_d[pos + 1] > v or (best_d[pos + 1] == v and best_i[pos + 1] > index)
    ):
        best_d[pos], best_i[pos] = best_d[pos + 1], best_i[pos + 1]
        pos += 1
    best_d[pos], best_i[pos] = v, index


@nb.njit(cache=True, nogil=True, inline="always")
def _up32(x: float) -> np.float32:
    """Round ``x`` up to float32 (conservatively: float32 rounding is at most 2**-24 relative)."""
    return np.float32(x + abs(x) * 2.0**-20)


@nb.njit(cache=True, nogil=True, inline="always")
def _down32(x: float) -> np.float32:
    """Round ``x`` down to float32 (conservatively)."""
    return np.float32(x - abs(x) * 2.0**-20)


@nb.njit(cache=True, nogil=True, inline="always")
def _exact_max_norm(data_t: FloatArray, j: int, q: FloatArray) -> float:
    acc = 0.0
    for c in range(data_t.shape[0]):
        acc = max(acc, abs(data_t[c, j] - q[c]))
    return acc


@nb.njit(cache=True, nogil=True)
def _kth_smallest(
    values: NDArray[np.float32], m: int, s: int, perm: IntArray, me: int, k: int
) -> float:
    """Return the k-th smallest of ``values[:m]``, skipping ``j`` where ``perm[s + j] == me``."""
    smallest = np.full(k, np.inf)  # descending
    for j in range(m):
        v = values[j]
        if v < smallest[0] and perm[s + j] != me:
            pos = 0
            while pos + 1 < k and smallest[pos + 1] > v:
                smallest[pos] = smallest[pos + 1]
                pos += 1
            smallest[pos] = v
    return float(smallest[0])


@nb.njit(cache=True, nogil=True, parallel=True)
def knn(
    data_t: FloatArray,
    data32_t: NDArray[np.float32],
    margin: float,
    perm: IntArray,
    start: IntArray,
    end: IntArray,
    left: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    k: int,
    metric: int,
    skip: NDArray[np.bool_],
) -> tuple[FloatArray, IntArray]:
    """Distance to the ``k``-th nearest other point of every point, and the ``k`` neighbours.

    Points flagged in ``skip`` (original order; known to have ``k`` exact duplicates) are not
    searched: distance 0, neighbours -1.

    Takes the output of :func:`build`, a float32 copy of ``data_t`` and the bound ``margin`` on
    the difference between float32 and float64 max-norm distances: max-norm leaves of at least
    ``_FLOAT32_MIN_DIM`` dimensions are scanned in float32 and the points within ``margin`` of
    the current bound re-measured in float64 (``margin=inf``: all of them). Euclidean distances
    are accumulated as float64 squares and square-rooted at the end. Results are in the original
    order.
    """
    d, n = data_t.shape
    dist = np.empty(n)
    neighbors = np.empty((n, k), np.int64)
    largest_leaf = np.max(end - start)
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for chunk in nb.prange(n_chunks):
        best_d = np.empty(k)
        best_i = np.empty(k, np.int64)
        stack_node = np.empty(_STACK, np.int64)
        stack_bound = np.empty(_STACK)
        q = np.empty(d)
        q32 = np.empty(d, np.float32)
        leaf = np.empty(largest_leaf)
        leaf32 = np.empty(largest_leaf, np.float32)
        for p in range(chunk * _CHUNK, min(n, (chunk + 1) * _CHUNK)):
            q[:] = data_t[:, p]
            q32[:] = data32_t[:, p]
            me = perm[p]
            if skip[me]:
                dist[me] = 0.0
                neighbors[me] = -1
                continue
            best_d[:] = np.inf
            best_i[:] = n
            stack_node[0], stack_bound[0], top = 0, 0.0, 1
            while top:
                top -= 1
                node = stack_node[top]
                if stack_bound[top] > best_d[0]:
                    continue
                child = left[node]
                if child >= 0:  # push the farther child first, so the nearer is searched first
                    b0 = _box_distance(q, lo[child], hi[child], metric)
                    b1 = _box_distance(q, lo[child + 1], hi[child + 1], metric)
                    near = child + 1 if b1 < b0 else child
                    stack_node[top], stack_bound[top] = 2 * child + 1 - near, max(b0, b1)
                    stack_node[top + 1], stack_bound[top + 1] = near, min(b0, b1)
                    top += 2
                    continue
                s, m = start[node], end[node] - start[node]
                if m > k + 1 and _is_point(lo[node], hi[node]):
                    # Identical points, listed by index: all at one distance (the box distance,
                    # exact), so only the first k other than the query can enter the k nearest.
                    # Tied data thus cost O(k) per leaf instead of O(leaf size).
                    v = _box_distance(q, lo[node], hi[node], metric)
                    pushed = 0
                    for j in range(m):
                        if pushed == k or v > best_d[0]:
                            break
                        if perm[s + j] != me:
                            _push_k_smallest(best_d, best_i, v, perm[s + j])
                            pushed += 1
                    continue
                if metric == MAX_NORM and d >= _FLOAT32_MIN_DIM:
                    _leaf_distances(data32_t, s, end[node], q32, metric, leaf32)
                    limit = _up32(best_d[0] + margin)
                    if limit == np.inf and m > k:  # first leaf: a bound from its k nearest
                        limit = _up32(_kth_smallest(leaf32, m, s, perm, me, k) + 2.0 * margin)
                    inside = 0
                    for j in range(m):  # vectorised test; most leaves hold no better point
                        inside += leaf32[j] <= limit
                    if inside:
                        for j in range(m):
                            if leaf32[j] <= limit and perm[s + j] != me:
                                exact = _exact_max_norm(data_t, s + j, q)
                                _push_k_smallest(best_d, best_i, exact, perm[s + j])
                    continue
                _leaf_distances(data_t, s, end[node], q, metric, leaf)
                inside = 0
                for j in range(m):
                    inside += leaf[j] <= best_d[0]
                if inside:
                    for j in range(m):
                        if leaf[j] <= best_d[0] and perm[s + j] != me:
                            _push_k_smallest(best_d, best_i, leaf[j], perm[s + j])
            dist[me] = best_d[0] if metric == MAX_NORM else np.sqrt(best_d[0])
            neighbors[me] = best_i
    return dist, neighbors


@nb.njit(cache=True, nogil=True, inline="always")
def count_point(
    data_t: FloatArray,
    data32_t: NDArray[np.float32],
    margin: float,
    start: IntArray,
    end: IntArray,
    left: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    q: FloatArray,
    q32: NDArray[np.float32],
    r: float,
    inclusive: bool,
    stack: IntArray,
    leaf32: NDArray[np.float32],
) -> int:
    """Points of the tree within max-norm ``r`` of ``q`` (``<= r`` if ``inclusive``).

    ``stack`` (:data:`_STACK` entries) and ``leaf32`` (the largest leaf) are scratch space.
    """
    d = data_t.shape[0]
    sure, unsure = _down32(r - margin), _up32(r + margin)
    total = 0
    stack[0], top = 0, 1
    while top:
        top -= 1
        node = stack[top]
        near, far = 0.0, 0.0  # box distance and farthest-corner distance
        for c in range(d):
            a, b = q[c] - lo[node, c], hi[node, c] - q[c]
            far = max(far, a, b)
            near = max(near, -a, -b)
        if near > r or (near == r and not inclusive):
            continue
        if far < r or (far == r and inclusive):
            total += end[node] - start[node]
            continue
        child = left[node]
        if child >= 0:
            stack[top], stack[top + 1] = child, child + 1
            top += 2
            continue
        s, m = start[node], end[node] - start[node]
        _leaf_distances(data32_t, s, end[node], q32, MAX_NORM, leaf32)
        n_sure, n_unsure = 0, 0
        for j in range(m):
            n_sure += leaf32[j] < sure
            n_unsure += leaf32[j] <= unsure
        total += n_sure
        if n_unsure > n_sure:
            for j in range(m):
                if sure <= leaf32[j] <= unsure:
                    exact = _exact_max_norm(data_t, s + j, q)
                    total += _within(exact, r, inclusive)
    return total


@nb.njit(cache=True, nogil=True, parallel=True)
def count(
    data_t: FloatArray,
    data32_t: NDArray[np.float32],
    margin: float,
    perm: IntArray,
    start: IntArray,
    end: IntArray,
    left: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    radii: FloatArray,
    strict: bool,
) -> IntArray:
    """Max-norm neighbour counts, the point itself included, for per-point ``radii``.

    ``strict`` counts ``distance < radius``; otherwise, and whenever the radius is zero,
    ``distance <= radius``. ``radii`` and the output are in the original order. Leaves are
    scanned in float32 as in :func:`knn`; points within ``margin`` of the radius are
    re-measured in float64.
    """
    d, n = data_t.shape
    counts = np.zeros(n, np.int64)
    largest_leaf = np.max(end - start)
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for chunk in nb.prange(n_chunks):
        stack = np.empty(_STACK, np.int64)
        q = np.empty(d)
        q32 = np.empty(d, np.float32)
        leaf32 = np.empty(largest_leaf, np.float32)
        for p in range(chunk * _CHUNK, min(n, (chunk + 1) * _CHUNK)):
            q[:] = data_t[:, p]
            q32[:] = data32_t[:, p]
            r = radii[perm[p]]
            total = count_point(
                data_t, data32_t, margin, start, end, left, lo, hi, q, q32, r,
                not strict or r == 0.0, stack, leaf32,
            )  # fmt: skip
            counts[perm[p]] = total
    return counts


@nb.njit(cache=True, nogil=True, inline="always")
def _tile_distances(
    data_t: FloatArray,
    queries: IntArray,
    nq: int,
    p0: int,
    m: int,
    metric: int,
    block: FloatArray,
) -> None:
    """Fill ``block[qi, :m]`` with distances from point ``queries[qi]`` to points ``p0:p0 + m``.

    Squared if Euclidean; one coordinate at a time, so each pass is contiguous and vectorised.
    """
    block[:, :m] = 0.0
    for c in range(data_t.shape[0]):
        row = data_t[c, p0 : p0 + m]
        for qi in range(nq):
            qc = data_t[c, queries[qi]]
            acc = block[qi]
            if metric == MAX_NORM:
                for j in range(m):
                    acc[j] = max(acc[j], abs(row[j] - qc))
            else:
                for j in range(m):
                    diff = row[j] - qc
                    acc[j] += diff * diff


@nb.njit(cache=True, nogil=True, parallel=True)
def brute_knn(
    data_t: FloatArray, k: int, metric: int, tile_queries: int, tile_points: int
) -> tuple[FloatArray, IntArray]:
    """Brute-force ``knn`` over the transposed data ``(dim, n)``, in query x point tiles.

    Each thread holds one ``tile_queries x tile_points`` block of distances, filled one coordinate
    at a time so that the inner loop is a contiguous, vectorised pass over points; the ``k``
    smallest per query are kept in a sorted list (ties: the smaller index wins).
    """
    n = data_t.shape[1]
    everyone = np.arange(n)
    dist = np.empty(n)
    neighbors = np.empty((n, k), np.int64)
    n_tiles = (n + tile_queries - 1) // tile_queries
    for tile in nb.prange(n_tiles):
        q0 = tile * tile_queries
        nq = min(tile_queries, n - q0)
        block = np.empty((tile_queries, tile_points))
        best_d = np.full((tile_queries, k), np.inf)  # descending: [0] is the k-th nearest
        best_i = np.full((tile_queries, k), n, np.int64)
        for p0 in range(0, n, tile_points):
            m = min(tile_points, n - p0)
            _tile_distances(data_t, everyone[q0:], nq, p0, m, metric, block)
            for qi in range(nq):
                acc = block[qi]
                for j in range(m):
                    if acc[j] < best_d[qi, 0] and p0 + j != q0 + qi:
                        _push_k_smallest(best_d[qi], best_i[qi], acc[j], p0 + j)
        for qi in range(nq):
            kth = best_d[qi, 0]
            dist[q0 + qi] = kth if metric == MAX_NORM else np.sqrt(kth)
            neighbors[q0 + qi] = best_i[qi]
    return dist, neighbors


@nb.njit(cache=True, nogil=True, parallel=True)
def brute_count(
    data_t: FloatArray,
    queries: IntArray,
    radii: FloatArray,
    strict: bool,
    tile_queries: int,
    tile_points: int,
) -> IntArray:
    """Brute-force ``count`` for the points ``queries`` (``radii`` and the output follow them)."""
    n = data_t.shape[1]
    n_queries = queries.shape[0]
    counts = np.zeros(n_queries, np.int64)
    n_tiles = (n_queries + tile_queries - 1) // tile_queries
    for tile in nb.prange(n_tiles):
        q0 = tile * tile_queries
        nq = min(tile_queries, n_queries - q0)
        block = np.empty((tile_queries, tile_points))
        for p0 in range(0, n, tile_points):
            m = min(tile_points, n - p0)
            _tile_distances(data_t, queries[q0:], nq, p0, m, MAX_NORM, block)
            for qi in range(nq):
                r = radii[q0 + qi]
                acc = block[qi]
                total = 0
                if strict and r > 0.0:
                    for j in range(m):
                        total += acc[j] < r
                else:
                    for j in range(m):
                        total += acc[j] <= r
                counts[q0 + qi] += total
    return counts


@nb.njit(cache=True, nogil=True, parallel=True)
def sorted_count(values: FloatArray, order: IntArray, radii: FloatArray, strict: bool) -> IntArray:
    """Compute ``count`` in one dimension by searches in the sorted ``values``.

    ``values[p]`` is sample ``order[p]``. The searches test the same predicate as the other
    kernels, ``abs(x_j - x_i) < r``, which is monotone along the sorted order because float
    subtraction rounds monotonically. Samples are
    visited in sorted order and each boundary is found by doubling steps from the sample, then
    bisection, so that memory is read near the sample.
    """
    n = values.shape[0]
    counts = np.empty(n, np.int64)
    for p in nb.prange(n):
        v = values[p]
        r = radii[order[p]]
        inclusive = not strict or r == 0.0
        step = 1  # upper boundary: first j > p with values[j] - v outside the radius
        while p + step < n and _within(values[p + step] - v, r, inclusive):
            step *= 2
        lo, hi = p + step // 2 + 1, min(n, p + step)
        while lo < hi:
            mid = (lo + hi) // 2
            if _within(values[mid] - v, r, inclusive):
                lo = mid + 1
            else:
                hi = mid
        upper = lo
        step = 1  # lower boundary: first j <= p with v - values[j] inside the radius
        while p - step >= 0 and _within(v - values[p - step], r, inclusive):
            step *= 2
        lo, hi = max(0, p - step + 1), p - step // 2
        while lo < hi:
            mid = (lo + hi) // 2
            if _within(v - values[mid], r, inclusive):
                hi = mid
            else:
                lo = mid + 1
        counts[order[p]] = upper - lo
    return counts


@nb.njit(cache=True, nogil=True, inline="always")
def _exact_distance(data: FloatArray, block_of: IntArray, mask: int, i: int, j: int) -> float:
    """Float64 max-norm distance between rows ``i`` and ``j`` over the blocks in ``mask``."""
    acc = 0.0
    for c in range(data.shape[1]):
        if mask >> block_of[c] & 1:
            acc = max(acc, abs(data[j, c] - data[i, c]))
    return acc


@nb.njit(cache=True, nogil=True, parallel=True)
def brute_ksg(
    data: FloatArray,
    data32_t: NDArray[np.float32],
    margin: float,
    block_of: IntArray,
    spaces: IntArray,
    k: int,
    tile_queries: int,
    tile_points: int,
    capacity: int,
) -> tuple[FloatArray, IntArray, IntArray]:
    """Joint ``k``-th neighbour distance and the counts in several spaces, in one pass.

    Column ``c`` of ``data`` (n x dim) belongs to block ``block_of[c]``; a space is a bit mask
    of blocks and its distance the max norm over their columns. Counts follow ``count``
    (strict for a positive radius ``rho``, inclusive at zero).

    The pass over all pairs runs on ``data32_t``, a transposed float32 copy, at twice the vector
    width. A float32 distance is within ``margin`` of the float64 one, so the float32 values
    only select candidates: a pair within ``margin`` of the current bound is re-measured in
    float64 before it enters the ``k`` nearest, and a count is decided in float32 only when the
    float32 distance is more than ``margin`` away from ``rho``; the results equal the float64
    kernels'. A point can only be counted if its distance is at most the query's current
    ``k``-th joint distance, which only shrinks, so each query records those candidates (up to
    ``capacity`` per space) and counts them once ``rho`` is final. Returns ``rho``, ``counts``
    (spaces x n) and ``overflow`` (spaces x n, 1 where the record was full: count those with
    another kernel).
    """
    n, d = data.shape
    n_blocks = int(np.max(block_of)) + 1
    n_spaces = spaces.shape[0]
    joint_mask = (1 << n_blocks) - 1
    identity = np.arange(n)
    rho = np.empty(n)
    counts = np.zeros((n_spaces, n), np.int64)
    overflow = np.zeros((n_spaces, n), np.int64)
    n_tiles = (n + tile_queries - 1) // tile_queries
    for tile in nb.prange(n_tiles):
        q0 = tile * tile_queries
        nq = min(tile_queries, n - q0)
        block = np.empty((n_blocks, tile_queries, tile_points), np.float32)
        approx = np.empty(tile_points + _LANES, np.float32)
        hits = np.empty(tile_points // _LANES + 1, np.int64)
        best_d = np.full((tile_queries, k), np.inf)
        best_i = np.full((tile_queries, k), n, np.int64)
        record = np.empty((n_spaces, tile_queries, capacity), np.float32)
        record_i = np.empty((n_spaces, tile_queries, capacity), np.int64)
        n_rec = np.zeros((n_spaces, tile_queries), np.int64)
        for p0 in range(0, n, tile_points):
            m = min(tile_points, n - p0)
            block[:, :, :m] = 0.0
            for c in range(d):
                row = data32_t[c, p0 : p0 + m]
                b = block_of[c]
                for qi in range(nq):
                    qc = data32_t[c, q0 + qi]
                    acc = block[b, qi]
                    for j in range(m):
                        acc[j] = max(acc[j], abs(row[j] - qc))
            for qi in range(nq):
                me = q0 + qi
                for s in range(-1, n_spaces):  # -1: the joint space, for rho
                    mask = joint_mask if s < 0 else int(spaces[s])
                    if s >= 0 and n_rec[s, qi] < 0:
                        continue  # overflowed
                    approx[:m] = 0.0
                    for b in range(n_blocks):
                        if mask >> b & 1:
                            part = block[b, qi]
                            for j in range(m):
                                approx[j] = max(approx[j], part[j])
                    limit = best_d[qi, 0] + margin
                    if s < 0 and limit == np.inf and m > k:  # first tile: bound from the tile
                        limit = _kth_smallest(approx, m, p0, identity, me, k) + 2.0 * margin
                    limit32 = np.float32(limit + limit * 2.0**-20)  # rounded, still >= limit
                    candidates = 0
                    approx[m : m + _LANES] = np.inf  # pad the last chunk
                    n_hit = 0  # chunks of _LANES points holding candidates, listed in ``hits``
                    for c0 in range(0, m, _LANES):
                        inside = 0
                        for j in range(c0, c0 + _LANES):
                            inside += approx[j] <= limit32
                        if inside:
                            hits[n_hit] = c0
                            n_hit += 1
                            candidates += inside
                    if not n_hit:
                        continue
                    if s < 0:
                        for h in range(n_hit):
                            for j in range(hits[h], min(m, hits[h] + _LANES)):
                                if approx[j] <= limit32 and p0 + j != me:
                                    exact = _exact_distance(data, block_of, mask, me, p0 + j)
                                    _push_k_smallest(best_d[qi], best_i[qi], exact, p0 + j)
                        continue
                    rec_d, rec_i = record[s, qi], record_i[s, qi]
                    used = n_rec[s, qi]
                    if used + candidates > capacity:  # drop what the shrunken bound excludes
                        kept = 0
                        for j in range(used):
                            if rec_d[j] <= limit32:
                                rec_d[kept], rec_i[kept] = rec_d[j], rec_i[j]
                                kept += 1
                        used = kept
                    if used + candidates > capacity:
                        n_rec[s, qi] = -1
                        continue
                    for h in range(n_hit):
                        for j in range(hits[h], min(m, hits[h] + _LANES)):
                            if approx[j] <= limit32:
                                rec_d[used], rec_i[used] = approx[j], p0 + j
                                used += 1
                    n_rec[s, qi] = used
        for qi in range(nq):
            r = best_d[qi, 0]
            rho[q0 + qi] = r
            for s in range(n_spaces):
                used = n_rec[s, qi]
                if used < 0:
                    overflow[s, q0 + qi] = 1
                    continue
                total = 0
                for j in range(used):  # float32 decides, except within ``margin`` of ``r``
                    v = np.float64(record[s, qi, j])
                    if v + margin < r:
                        total += 1
                    elif v - margin <= r:
                        exact = _exact_distance(
                            data, block_of, spaces[s], q0 + qi, record_i[s, qi, j]
                        )
                        total += _within(exact, r, r == 0.0)
                counts[s, q0 + qi] = total
    return rho, counts, overflow
