"""Neighbour search and the shared kernel of the k-nearest-neighbour estimators.

Every k-NN estimator (Kozachenko–Leonenko, KSG, Frenzel–Pompe, mixed) goes through this module,
so a faster backend only has to change it. Counting conventions, used everywhere:

* ``rho[i]`` is the max-norm distance from sample ``i`` to its ``k``-th nearest neighbour in
  the joint space (the sample itself excluded);
* marginal counts **include the sample itself** and are *strict* (``distance < rho``) when
  ``rho > 0``, *inclusive* (``distance == 0``) when ``rho == 0`` (the tie rule of Gao et al.).
"""

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from scipy.special import digamma

from infolens._typing import FloatArray
from infolens._validation import check_int, check_min_samples
from infolens.exceptions import DegenerateDataWarning, InvalidParameterError

Metric = Literal["max", "euclidean"]
_MINKOWSKI_P = {"max": np.inf, "euclidean": 2.0}


def check_knn_params(owner: Any) -> None:
    """Validate the ``k`` and ``n_jobs`` fields shared by the k-NN estimators."""
    name = type(owner).__name__
    check_int(owner.k, name="k", owner=name)
    n_jobs = owner.n_jobs
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise InvalidParameterError(
            f"The 'n_jobs' parameter of {name} must be -1 (all cores) or an int in the range "
            f"[1, inf). Got {n_jobs!r} instead."
        )


def check_enough_samples(n_samples: int, k: int, owner: object) -> None:
    """Raise unless there are at least ``k + 1`` samples."""
    check_min_samples(n_samples, k + 1, owner=f"{type(owner).__name__} with k={k}", reason="k + 1")


def standardize(data: FloatArray) -> FloatArray:
    """Centre each column and divide it by its standard deviation (constant columns: centred only).

    Distances, and so every k-NN estimate, depend on the relative scale of the columns; this makes
    the estimate invariant to per-column affine rescaling.
    """
    scale = data.std(axis=0)
    scale[scale == 0.0] = 1.0
    return np.asarray((data - data.mean(axis=0)) / scale, dtype=np.float64)


def jitter(data: FloatArray, rng: np.random.Generator, amplitude: float = 1e-10) -> FloatArray:
    """Add Gaussian noise of ``amplitude`` times each column's scale, as Kraskov et al. advise.

    The scale is ``max(1, mean |column|)`` so the noise survives float rounding of large values.
    """
    scale = np.maximum(1.0, np.abs(data).mean(axis=0))
    return np.asarray(data + amplitude * scale * rng.standard_normal(data.shape))


def kth_neighbor(
    points: FloatArray, k: int, *, metric: Metric = "max", n_jobs: int = -1
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Return the distance to the ``k``-th nearest neighbour and the ``k`` neighbour indices.

    The query point itself is excluded, also when it has exact duplicates.
    """
    tree = cKDTree(points, balanced_tree=False, compact_nodes=False)
    dist, idx = tree.query(points, k=k + 1, p=_MINKOWSKI_P[metric], workers=n_jobs)
    is_self = idx == np.arange(len(points))[:, None]
    is_self[~is_self.any(axis=1), -1] = True  # self not among the k + 1 (ties): drop the farthest
    neighbors = idx[~is_self].reshape(len(points), k)
    return np.asarray(dist[:, k], dtype=np.float64), neighbors


def joint_neighbors_breaking_ties(
    arrays: list[FloatArray], *, k: int, n_jobs: int, rng: np.random.Generator, owner: str
) -> tuple[list[FloatArray], FloatArray, NDArray[np.intp], bool]:
    """Find the k-th joint neighbours; if some are at distance zero, jitter the data and redo.

    KSG-type counts are meaningless when a sample repeats k or more times. Following Kraskov et
    al., noise of relative amplitude 1e-10 (from ``rng``, so reproducible) breaks the ties, with a
    :class:`~infolens.exceptions.DegenerateDataWarning`. Returns the (possibly jittered) arrays,
    ``rho``, the neighbour indices and whether noise was added.
    """
    rho, neighbors = kth_neighbor(np.hstack(arrays), k, n_jobs=n_jobs)
    n_tied = int((rho == 0.0).sum())
    if not n_tied:
        return arrays, rho, neighbors, False
    warnings.warn(
        f"{owner}: {n_tied} of {len(rho)} samples have their k={k}-th neighbour at distance "
        "zero (repeated values); noise of relative amplitude 1e-10 was added to break the ties. "
        "Use method='mixed_knn' to treat repeated values exactly.",
        DegenerateDataWarning,
        stacklevel=3,
    )
    arrays = [jitter(a, rng) for a in arrays]
    rho, neighbors = kth_neighbor(np.hstack(arrays), k, n_jobs=n_jobs)
    return arrays, rho, neighbors, True


def count_within(
    points: FloatArray, radii: FloatArray, *, strict: bool, n_jobs: int = -1
) -> NDArray[np.float64]:
    """Count samples (self included) within max-norm ``radii`` of each sample.

    ``strict`` counts ``distance < radius`` for positive radii; a zero radius always counts exact
    ties (``distance == 0``).
    """
    r = np.nextafter(radii, 0.0) if strict else radii
    tree = cKDTree(points, balanced_tree=False, compact_nodes=False)
    counts = tree.query_ball_point(points, r, p=np.inf, return_length=True, workers=n_jobs)
    return np.asarray(counts, dtype=np.float64)


def ksg_terms(
    x: FloatArray,
    y: FloatArray,
    z: FloatArray | None,
    *,
    k: int,
    n_jobs: int,
    rho: FloatArray | None = None,
) -> FloatArray:
    """Per-sample terms of the KSG-1 / Frenzel–Pompe / Gao mixed estimators, in nats.

    With ``z=None`` the mean of the terms estimates I(X; Y), otherwise I(X; Y | Z). Samples whose
    ``k``-th neighbour is at distance zero use the number of exact ties in place of ``k``
    (Gao et al. 2017); without ties this is exactly KSG estimator 1.
    """
    parts: Sequence[FloatArray] = (x, y) if z is None else (x, y, z)
    joint = np.hstack(parts)
    if rho is None:
        rho, _ = kth_neighbor(joint, k, n_jobs=n_jobs)
    k_tilde = np.full(len(joint), float(k))
    tied = rho == 0.0
    if tied.any():
        k_tilde[tied] = count_within(joint, rho, strict=False, n_jobs=n_jobs)[tied]

    def psi_count(points: FloatArray) -> FloatArray:
        return np.asarray(digamma(count_within(points, rho, strict=True, n_jobs=n_jobs)))

    if z is None:
        n = float(len(joint))
        return np.asarray(digamma(k_tilde) + digamma(n) - psi_count(x) - psi_count(y))
    return np.asarray(
        digamma(k_tilde)
        - psi_count(np.hstack((x, z)))
        - psi_count(np.hstack((y, z)))
        + psi_count(z)
    )
