"""The ``"torch"`` neighbour-search backend: all pairs with :func:`torch.cdist`, in row tiles.

Runs on CUDA when torch sees a GPU, else on the CPU. Each tile holds ``rows x n`` distances
plus two masks of the same shape; ``rows`` is chosen so that they fit in ``memory_budget``
bytes. Distances are float64 and the max norm is exact, so the results equal the compiled
backends' (ties at equal distance go to the smaller index, as there).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from numpy.typing import NDArray

from infolens._typing import FloatArray, IntArray

_BYTES_PER_PAIR = 8 + 2 * 1 + 8  # distance, two boolean masks, a cumulative count


def _rows(n: int, memory_budget: int) -> int:
    return max(1, min(n, memory_budget // (_BYTES_PER_PAIR * n)))


@contextmanager
def _threads(n_jobs: int) -> Iterator[None]:
    before = torch.get_num_threads()
    if n_jobs != -1:
        torch.set_num_threads(n_jobs)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _tiles(
    points: FloatArray, memory_budget: int
) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
    """Yield ``(first_row, the tile's rows, all points)`` as float64 tensors on the device."""
    data = torch.as_tensor(points, dtype=torch.float64, device=_device())
    step = _rows(len(points), memory_budget)
    for first in range(0, len(points), step):
        yield first, data[first : first + step], data


def _cdist(rows: torch.Tensor, data: torch.Tensor, metric: str) -> torch.Tensor:
    p = float("inf") if metric == "max" else 2.0
    return torch.cdist(rows, data, p=p, compute_mode="donot_use_mm_for_euclid_dist")


def kth_neighbor(
    points: FloatArray, k: int, metric: str, n_jobs: int, memory_budget: int
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Distance to the ``k``-th nearest other point and the ``k`` neighbours (see ``_knn``)."""
    n = len(points)
    dist = np.empty(n)
    neighbors = np.empty((n, k), dtype=np.intp)
    with _threads(n_jobs), torch.no_grad():
        for first, rows, data in _tiles(points, memory_budget):
            d = _cdist(rows, data, metric)
            local = torch.arange(len(rows), device=d.device)
            d[local, first + local] = float("inf")  # exclude the point itself
            kth = torch.topk(d, k, dim=1, largest=False).values[:, -1:]
            closer = d < kth
            tied = d == kth
            room = k - closer.sum(dim=1, keepdim=True)
            chosen = closer | (tied & (torch.cumsum(tied, dim=1) <= room))
            cols = torch.nonzero(chosen)[:, 1].reshape(len(rows), k)
            dist[first : first + len(rows)] = kth[:, 0].cpu().numpy()
            neighbors[first : first + len(rows)] = cols.cpu().numpy()
    return dist, neighbors


def count_within(
    points: FloatArray, radii: FloatArray, strict: bool, n_jobs: int, memory_budget: int
) -> NDArray[np.int64]:
    """Max-norm neighbour counts, self included, for per-point ``radii`` (see ``_knn``)."""
    counts = np.empty(len(points), dtype=np.int64)
    r_all = torch.as_tensor(radii, dtype=torch.float64, device=_device())
    with _threads(n_jobs), torch.no_grad():
        for first, rows, data in _tiles(points, memory_budget):
            d = _cdist(rows, data, "max")
            r = r_all[first : first + len(rows), None]
            inside = d <= r
            if strict:
                inside &= (d < r) | (r == 0.0)
            counts[first : first + len(rows)] = inside.sum(dim=1).cpu().numpy()
    return counts


_SURROGATE_BYTES_PER_PAIR = 4 * 8  # the X and Y distances, their maximum and one comparison


def surrogate_terms(
    x: FloatArray,
    y: FloatArray,
    perms: IntArray,
    k: int,
    mixed: bool,
    psi: FloatArray,
    n_jobs: int,
    memory_budget: int,
) -> tuple[FloatArray, IntArray, IntArray]:
    """Return KSG-1 / mixed terms under each row of ``perms``, as ``_surrogates_numba``.

    For each permutation, row tiles of the two marginal max-norm distance matrices (float64,
    exact) give the joint ``k``-th neighbour distance and the counts with the rules of
    ``_knn``; the terms are formed on the host from the same ``psi`` table, so every value
    equals the compiled kernels' bit for bit. With one tile, the X distances are computed once
    for every permutation.
    """
    n = len(x)
    device = _device()
    rows = max(1, min(n, memory_budget // (_SURROGATE_BYTES_PER_PAIR * n)))
    out = np.empty((len(perms), n))
    tied = np.zeros(len(perms), dtype=np.int64)
    with _threads(n_jobs), torch.no_grad():
        xt = torch.as_tensor(x, dtype=torch.float64, device=device)
        yt = torch.as_tensor(y, dtype=torch.float64, device=device)
        cached = rows == n  # one tile: the X distances serve every permutation
        dx_all = torch.cdist(xt, xt, p=float("inf")) if cached else None
        for b, perm in enumerate(perms):
            yp = yt[torch.as_tensor(perm, device=device)]
            nx = np.empty(n, dtype=np.int64)
            ny = np.empty(n, dtype=np.int64)
            kt = np.full(n, k, dtype=np.int64)
            for first in range(0, n, rows):
                last = min(n, first + rows)
                dx = (
                    dx_all
                    if dx_all is not None
                    else torch.cdist(xt[first:last], xt, p=float("inf"))
                )
                dy = torch.cdist(yp[first:last], yp, p=float("inf"))
                joint = torch.maximum(dx, dy)
                local = torch.arange(last - first, device=device)
                joint[local, first + local] = float("inf")  # the sample itself
                rho = torch.topk(joint, k, dim=1, largest=False).values[:, -1:]
                zero = rho == 0.0
                x_in = torch.where(zero, dx == 0.0, dx < rho)
                y_in = torch.where(zero, dy == 0.0, dy < rho)
                nx[first:last] = x_in.sum(dim=1).cpu().numpy()
                ny[first:last] = y_in.sum(dim=1).cpu().numpy()
                copies = ((dx == 0.0) & (dy == 0.0)).sum(dim=1)
                at_zero = zero[:, 0].cpu().numpy()
                kt[first:last][at_zero] = copies.cpu().numpy()[at_zero]
                if not mixed:
                    tied[b] += int(at_zero.sum())
            out[b] = psi[kt] + psi[n] - psi[nx] - psi[ny]
    return out, tied, np.zeros(len(perms), dtype=np.int64)
