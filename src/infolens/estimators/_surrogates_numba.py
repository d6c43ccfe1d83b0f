"""Compiled kernels for KSG-1 / mixed k-NN MI of many permutations of one data set.

A permutation of ``y`` changes the joint space but neither marginal space, so everything about
the marginals is computed once and each surrogate costs only what the joint space needs:

* :func:`marginal_lists`: every sample's ``m`` nearest neighbours in one marginal space, sorted
  by max-norm distance (the full sorted row when ``m = n - 1``);
* :func:`list_terms` (any dimensions): the ``k``-th joint neighbour of sample ``i`` is found by
  walking its X list and the Y list of ``y[perm[i]]``, always advancing the list whose next
  distance is larger (the sparser space, which reaches the joint radius first). Every sample
  met is measured in the joint space (its other marginal distance is computed on the fly); the
  walk stops as soon as the ``k``-th smallest joint distance found is at most the next
  distance of either list, because every sample not yet met in that list is at least that far
  in the joint space. It visits about min(n_x, n_y) samples. The marginal counts are then
  binary searches in the same sorted lists;
* :func:`grid_terms` (one dimension each): the joint space is a plane, searched in a grid of
  rank cells (``s`` consecutive ranks of x by ``s`` of y, so under independence every cell holds
  ``s**2 / n`` samples on average) grown one row or column at a time towards the nearest
  unsearched side; the counts are binary searches in the sorted marginals.

Both run whole permutations on each thread (one join per batch: a thread descheduled by
another process delays its batch once, not every permutation) and return the per-sample KSG
terms ``psi(k~) + psi(n) - psi(n_x) - psi(n_y)`` with the
counting rules of :mod:`infolens.estimators._knn` (self included, strict below ``rho``, exact
ties at ``rho = 0`` with ``k~`` their number, when ``mixed``), from a table of ``psi`` computed
by :func:`scipy.special.digamma`: the same numbers, bit for bit, as the estimators' own. A
sample whose walk runs past its truncated lists is searched by brute force. For KSG (not
``mixed``), a sample with ``rho = 0`` is flagged instead: the caller reruns the estimator, which
breaks such ties with noise.
"""

from typing import Any

import numba as nb
import numpy as np
from numpy.typing import NDArray

from infolens._typing import FloatArray, IntArray
from infolens.estimators._knn_numba import _STACK, count_point

_CHUNK = 64  # samples per parallel task of marginal_lists


@nb.njit(cache=True, nogil=True, inline="always")
def _norm(a: FloatArray, i: int, b: FloatArray, j: int) -> float:
    acc = 0.0
    for c in range(a.shape[1]):
        acc = max(acc, abs(a[i, c] - b[j, c]))
    return acc


@nb.njit(cache=True, nogil=True, parallel=True)
def marginal_lists(points: FloatArray, m: int) -> tuple[NDArray[np.int32], FloatArray]:
    """Return each sample's ``m`` nearest other samples and their distances, sorted ascending.

    Per sample: all distances, a threshold from the sorted distances of every 16th sample
    (its ``1.3 m / n`` quantile, so about ``1.3 m`` candidates pass; an exact selection when too
    few do), then a sort of the candidates. Ties at the ``m``-th distance keep the smaller
    indices.
    """
    n = points.shape[0]
    order = np.empty((n, m), np.int32)
    dist = np.empty((n, m), np.float64)
    stride = 16
    for start in nb.prange((n + _CHUNK - 1) // _CHUNK):
        row = np.empty(n, np.float64)
        picked = np.empty(n, np.int64)
        for i in range(start * _CHUNK, min(n, (start + 1) * _CHUNK)):
            for j in range(n):
                row[j] = _norm(points, i, points, j)
            row[i] = np.inf
            bound = np.inf
            if m < n - 1:
                sample = np.sort(row[::stride])
                rank = int(1.3 * m / stride) + 1
                if rank < sample.shape[0] and sample[rank] < np.inf:
                    bound = sample[rank]
            filled = 0
            for j in range(n):
                if row[j] <= bound:
                    picked[filled] = j
                    filled += 1
            if filled < m:  # the threshold was too tight: select exactly
                bound = np.partition(row, m - 1)[m - 1]
                filled = 0
                for j in range(n):
                    if row[j] <= bound:
                        picked[filled] = j
                        filled += 1
            values = row[picked[:filled]]
            ranked = np.argsort(values, kind="mergesort")  # stable: ties by index
            for r in range(m):
                order[i, r] = picked[ranked[r]]
                dist[i, r] = values[ranked[r]]
    return order, dist


@nb.njit(cache=True, nogil=True, inline="always")
def _push(best: FloatArray, v: float) -> None:
    """Insert ``v`` into the ascending list of the k smallest values."""
    k = best.shape[0]
    if v >= best[k - 1]:
        return
    pos = k - 1
    while pos > 0 and best[pos - 1] > v:
        best[pos] = best[pos - 1]
        pos -= 1
    best[pos] = v


@nb.njit(cache=True, nogil=True, inline="always")
def _below(row: FloatArray, radius: float) -> int:
    """Count the entries of the ascending ``row`` below ``radius`` (``== 0`` when it is 0)."""
    lo, hi = 0, row.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if row[mid] < radius or (radius == 0.0 and row[mid] == 0.0):
            lo = mid + 1
        else:
            hi = mid
    return lo


@nb.njit(cache=True, nogil=True, inline="always")
def _brute(
    x: FloatArray, y: FloatArray, perm: IntArray, i: int, k: int
) -> tuple[float, int, int, int]:
    """``rho``, ``n_x``, ``n_y`` and ``k~`` of sample ``i`` by a scan of every sample."""
    n = x.shape[0]
    best = np.full(k, np.inf)
    for j in range(n):
        if j != i:
            _push(best, max(_norm(x, i, x, j), _norm(y, perm[i], y, perm[j])))
    rho = best[k - 1]
    nx, ny, kt = 1, 1, 1
    for j in range(n):
        if j != i:
            dx = _norm(x, i, x, j)
            dy = _norm(y, perm[i], y, perm[j])
            if rho > 0.0:
                nx += dx < rho
                ny += dy < rho
            else:
                nx += dx == 0.0
                ny += dy == 0.0
                kt += dx == 0.0 and dy == 0.0
    return rho, nx, ny, kt if rho == 0.0 else k


@nb.njit(cache=True, nogil=True, inline="always")
def _term(psi: FloatArray, k: int, nx: int, ny: int, n: int) -> float:
    return float(psi[k] + psi[n] - psi[nx] - psi[ny])


@nb.njit(cache=True, nogil=True, inline="always")
def _tree_count(tree: Any, points: FloatArray, i: int, r: float, scratch: Any) -> int:
    """Count the samples within ``r`` of sample ``i`` (itself included) in a marginal tree."""
    q, q32, stack, leaf32 = scratch
    for c in range(points.shape[1]):
        q[c] = points[i, c]
        q32[c] = np.float32(points[i, c])
    data_t, data32_t, margin, start, end, left, lo, hi = tree
    return count_point(
        data_t, data32_t, margin, start, end, left, lo, hi, q, q32, r, r == 0.0, stack, leaf32
    )


@nb.njit(cache=True, nogil=True, inline="always")
def _scratch(tree: Any, dim: int) -> Any:
    largest_leaf = np.max(tree[4] - tree[3])
    return (
        np.empty(dim),
        np.empty(dim, np.float32),
        np.empty(_STACK, np.int64),
        np.empty(largest_leaf, np.float32),
    )


@nb.njit(cache=True, nogil=True, parallel=True)
def list_terms(
    x: FloatArray,
    y: FloatArray,
    ox: IntArray,
    dx: FloatArray,
    oy: IntArray,
    dy: FloatArray,
    tree_x: Any,
    tree_y: Any,
    perms: IntArray,
    k: int,
    mixed: bool,
    psi: FloatArray,
) -> tuple[FloatArray, IntArray, IntArray]:
    """KSG terms of every sample under each row of ``perms``.

    ``ox``/``dx`` and ``oy``/``dy`` are the sorted X and Y lists of :func:`marginal_lists`;
    ``tree_x``/``tree_y`` the marginal k-d trees (``_knn._tree`` without ``perm``), which count
    the samples whose count runs past their list. Returns the terms ``(n_perms, n)``, per
    permutation the number of samples with ``rho = 0`` (always 0 when ``mixed``; else their
    terms are meaningless) and of samples searched by brute force.
    """
    n_perms, n = perms.shape
    m = ox.shape[1]
    complete = m == n - 1
    terms = np.empty((n_perms, n))
    tied = np.zeros(n_perms, np.int64)
    brute = np.zeros(n_perms, np.int64)
    for b in nb.prange(n_perms):  # whole permutations per thread: one join per batch
        perm = perms[b]
        inverse = np.empty(n, np.int64)
        for i in range(n):
            inverse[perm[i]] = i
        stamp = np.full(n, -1, np.int64)  # stamp[j] == i: sample j already met by sample i
        best = np.empty(k)
        scratch_x = _scratch(tree_x, x.shape[1])
        scratch_y = _scratch(tree_y, y.shape[1])
        for i in range(n):
            yi = perm[i]
            best.fill(np.inf)
            px, py = 0, 0
            found = True
            while True:
                next_x = dx[i, px] if px < m else (np.inf if complete else dx[i, m - 1])
                next_y = dy[yi, py] if py < m else (np.inf if complete else dy[yi, m - 1])
                if best[k - 1] <= max(next_x, next_y):
                    break
                x_left, y_left = px < m, py < m
                if not x_left and not y_left:
                    found = False
                    break
                if x_left and (next_x >= next_y or not y_left):  # the sparser list
                    j = ox[i, px]
                    px += 1
                    if stamp[j] != i:
                        stamp[j] = i
                        _push(best, max(dx[i, px - 1], _norm(y, yi, y, perm[j])))
                else:
                    j = inverse[oy[yi, py]]
                    py += 1
                    if stamp[j] != i:
                        stamp[j] = i
                        _push(best, max(dy[yi, py - 1], _norm(x, i, x, j)))
            rho = best[k - 1]
            below_x = _below(dx[i], rho) if found else 0
            if found and (complete or below_x < m or rho > 0.0):
                below_y = _below(dy[yi], rho)
                if complete or below_x < m:
                    nx = below_x + 1
                else:
                    nx = _tree_count(tree_x, x, i, rho, scratch_x)
                if complete or below_y < m:
                    ny = below_y + 1
                else:
                    ny = _tree_count(tree_y, y, yi, rho, scratch_y)
                kt = k
                if rho == 0.0:
                    kt = 1
                    for r in range(below_x):
                        kt += _norm(y, yi, y, perm[ox[i, r]]) == 0.0
            else:  # the walk ran past the lists, or ties at zero fill the X list
                rho, nx, ny, kt = _brute(x, y, perm, i, k)
                brute[b] += 1
            if rho == 0.0 and not mixed:
                tied[b] += 1
            terms[b, i] = _term(psi, kt, nx, ny, n)
    return terms, tied, brute


@nb.njit(cache=True, nogil=True, parallel=True)
def grid_terms(
    x_sorted: FloatArray,
    x_rank: IntArray,
    y_sorted: FloatArray,
    y_rank: IntArray,
    side: int,
    perms: IntArray,
    k: int,
    mixed: bool,
    psi: FloatArray,
) -> tuple[FloatArray, IntArray, IntArray]:
    """:func:`list_terms` for one-dimensional x and y, with a rank grid of ``side`` ranks a cell.

    ``x_sorted[x_rank[i]] == x[i]`` (and likewise for y). Returns the same triple (no sample
    is ever searched by brute force: the grid covers the plane). Samples are visited cell by
    cell, so that neighbouring queries read the same memory.
    """
    n_perms, n = perms.shape
    cells = (n + side - 1) // side
    # the largest value left of each column (row) of cells and the smallest right of it
    left_x = np.full(cells, -np.inf)
    right_x = np.full(cells, np.inf)
    left_y = np.full(cells, -np.inf)
    right_y = np.full(cells, np.inf)
    for c in range(cells):
        if c > 0:
            left_x[c] = x_sorted[c * side - 1]
            left_y[c] = y_sorted[c * side - 1]
        if (c + 1) * side < n:
            right_x[c] = x_sorted[(c + 1) * side]
            right_y[c] = y_sorted[(c + 1) * side]
    terms = np.empty((n_perms, n))
    tied = np.zeros(n_perms, np.int64)
    for b in nb.prange(n_perms):  # whole permutations per thread: one join per batch
        perm = perms[b]
        # samples bucketed by cell (row-major in (x cell, y cell)), with their coordinates
        start = np.zeros(cells * cells + 1, np.int64)
        cell_of = np.empty(n, np.int64)
        for i in range(n):
            c = (x_rank[i] // side) * cells + y_rank[perm[i]] // side
            cell_of[i] = c
            start[c + 1] += 1
        for c in range(cells * cells):
            start[c + 1] += start[c]
        fill = start[:-1].copy()
        px = np.empty(n)
        py = np.empty(n)
        rx = np.empty(n, np.int64)
        ry = np.empty(n, np.int64)
        sample = np.empty(n, np.int64)
        for i in range(n):
            c = cell_of[i]
            q = fill[c]
            fill[c] += 1
            rx[q], ry[q], sample[q] = x_rank[i], y_rank[perm[i]], i
            px[q], py[q] = x_sorted[rx[q]], y_sorted[ry[q]]
        best = np.empty(k)
        for q in range(n):  # cell by cell: neighbouring queries read the same memory
            xi, yi = px[q], py[q]
            cx, cy = rx[q] // side, ry[q] // side
            best.fill(np.inf)
            self_seen = False
            # the 3 x 3 block of cells around the sample first, then grow towards the
            # nearest unsearched side until no sample outside can be closer (about 9
            # samples and one growth a query at one sample a cell: fastest measured)
            x0, x1 = max(cx - 1, 0), min(cx + 1, cells - 1)
            y0, y1 = max(cy - 1, 0), min(cy + 1, cells - 1)
            a0, a1, b0, b1 = x0, x1, y0, y1
            while True:
                for gx in range(a0, a1 + 1):  # cells b0..b1 of a column are contiguous
                    for p in range(start[gx * cells + b0], start[gx * cells + b1 + 1]):
                        d = max(abs(px[p] - xi), abs(py[p] - yi))
                        if d == 0.0 and not self_seen and px[p] == xi and py[p] == yi:
                            self_seen = True  # one exact copy of the point is itself
                            continue
                        _push(best, d)
                gap_l = xi - left_x[x0]
                gap_r = right_x[x1] - xi
                gap_d = yi - left_y[y0]
                gap_u = right_y[y1] - yi
                gap = min(min(gap_l, gap_r), min(gap_d, gap_u))
                if best[k - 1] <= gap:
                    break
                if gap == gap_l:
                    x0 -= 1
                    a0, a1, b0, b1 = x0, x0, y0, y1
                elif gap == gap_r:
                    x1 += 1
                    a0, a1, b0, b1 = x1, x1, y0, y1
                elif gap == gap_d:
                    y0 -= 1
                    a0, a1, b0, b1 = x0, x1, y0, y0
                else:
                    y1 += 1
                    a0, a1, b0, b1 = x0, x1, y1, y1
            rho = best[k - 1]
            if rho > 0.0:  # every sample within rho of it in x lies in the block's columns,
                # and the column edges narrow each side to one column
                hi_x, lo_x, hi_y, lo_y = cx, cx, cy, cy
                while hi_x < x1 and right_x[hi_x] - xi < rho:
                    hi_x += 1
                while lo_x > x0 and xi - left_x[lo_x] < rho:
                    lo_x -= 1
                while hi_y < y1 and right_y[hi_y] - yi < rho:
                    hi_y += 1
                while lo_y > y0 and yi - left_y[lo_y] < rho:
                    lo_y -= 1
                nx = _within_sorted(x_sorted, rx[q], rho, lo_x * side, min(n, (hi_x + 1) * side))
                ny = _within_sorted(y_sorted, ry[q], rho, lo_y * side, min(n, (hi_y + 1) * side))
            else:
                lo, hi = _range_sorted(x_sorted, rx[q], rho)
                nx = hi - lo
                lo, hi = _range_sorted(y_sorted, ry[q], rho)
                ny = hi - lo
            kt = k
            if rho == 0.0:  # k~: the exact copies, wherever their ranks put them
                if not mixed:
                    tied[b] += 1
                lx, ux = _range_sorted(x_sorted, rx[q], 0.0)
                ly, uy = _range_sorted(y_sorted, ry[q], 0.0)
                kt = 0
                for gx in range(lx // side, (ux - 1) // side + 1):
                    first = start[gx * cells + ly // side]
                    for p in range(first, start[gx * cells + (uy - 1) // side + 1]):
                        kt += px[p] == xi and py[p] == yi
            terms[b, sample[q]] = _term(psi, kt, nx, ny, n)
    return terms, tied, np.zeros(n_perms, np.int64)


@nb.njit(cache=True, nogil=True, inline="always")
def _within_sorted(values: FloatArray, p: int, r: float, first: int, stop: int) -> int:
    """Count the samples strictly within ``r > 0`` of sorted position ``p``, all in a window.

    The window ``[first, stop)`` holds every such sample.

    Branch-free bisections (``abs(values[j] - values[p]) < r`` is monotone on each side).
    """
    v = values[p]
    base, size = p, stop - p  # last position at or above p inside the radius
    while size > 1:
        half = size // 2
        base += half * (values[base + half] - v < r)
        size -= half
    upper = base + 1
    base, size = first, p - first + 1  # first position at or below p inside the radius
    while size > 1:
        half = size // 2
        base += half * (v - values[base + half - 1] >= r)
        size -= half
    return upper - base


@nb.njit(cache=True, nogil=True, inline="always")
def _range_sorted(values: FloatArray, p: int, r: float) -> tuple[int, int]:
    """Sorted positions ``[lo, hi)`` within ``r`` of position ``p`` (rules of ``_knn``)."""
    n = values.shape[0]
    v = values[p]
    inclusive = r == 0.0
    lo, hi = p + 1, n  # first position above p outside the radius
    while lo < hi:
        mid = (lo + hi) // 2
        d = values[mid] - v
        if d < r or (inclusive and d == r):
            lo = mid + 1
        else:
            hi = mid
    upper = lo
    lo, hi = 0, p  # first position at or below p inside the radius
    while lo < hi:
        mid = (lo + hi) // 2
        d = v - values[mid]
        if d < r or (inclusive and d == r):
            hi = mid
        else:
            lo = mid + 1
    return lo, upper
