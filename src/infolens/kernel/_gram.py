"""Gaussian Gram matrices, kernel widths and centring shared by the kernel measures.

Convention (spec §3): ``K_ij = exp(-||x_i - x_j||^2 / (2 sigma^2))``. Every ``sigma`` in
:mod:`infolens.kernel` means this; the converters below translate other conventions.
"""

import math
from collections.abc import Iterator

import numpy as np
from scipy.spatial.distance import cdist, pdist
from scipy.special import logsumexp

from infolens._typing import ArrayLike, FloatArray
from infolens._validation import check_array, check_int, check_positive_real
from infolens.exceptions import (
    InsufficientSamplesError,
    InvalidInputError,
    InvalidParameterError,
)

#: Rows per block in the blocked (O(block x n) memory) sums of HSIC and CS-QMI.
BLOCK_SIZE = 1024
#: Largest sample for the measures that need a dense n x n matrix (eigenvalues, solves).
MAX_DENSE_SAMPLES = 5000
#: Number of evenly spaced rows the median heuristic looks at.
MEDIAN_SUBSAMPLE = 1000


def gaussian_gram(x: ArrayLike, y: ArrayLike | None = None, *, sigma: float) -> FloatArray:
    """Return the Gaussian Gram matrix ``exp(-||x_i - y_j||^2 / (2 sigma^2))``.

    Parameters
    ----------
    x : array-like of shape (n_samples_x,) or (n_samples_x, n_features)
        First sample.
    y : array-like of shape (n_samples_y,) or (n_samples_y, n_features), default=None
        Second sample; ``None`` means ``x`` (a symmetric Gram matrix with unit diagonal).
    sigma : float
        Kernel width, a positive finite float.

    Returns
    -------
    ndarray of shape (n_samples_x, n_samples_y)
        The Gram matrix (dimensionless, entries in (0, 1]).

    Examples
    --------
    >>> gaussian_gram([0.0, 1.0], sigma=1.0).round(4)
    array([[1.    , 0.6065],
           [0.6065, 1.    ]])
    """
    xa = check_array(x, name="x")
    ya = xa if y is None else check_array(y, name="y")
    if ya.shape[1] != xa.shape[1]:
        raise InvalidInputError(
            f"Inputs x and y must have the same number of features; got {xa.shape[1]} and "
            f"{ya.shape[1]}."
        )
    width = check_positive_real(sigma, name="sigma", owner="gaussian_gram")
    return _gram(xa, ya, width)


def _gram(a: FloatArray, b: FloatArray, sigma: float) -> FloatArray:
    """Gaussian Gram between validated 2-D float64 arrays."""
    out: FloatArray = np.exp(cdist(a, b, "sqeuclidean") / (-2.0 * sigma * sigma))
    return out


def _log_gram(a: FloatArray, b: FloatArray, sigma: float) -> FloatArray:
    """Logarithm of the Gaussian Gram (never underflows)."""
    out: FloatArray = cdist(a, b, "sqeuclidean") / (-2.0 * sigma * sigma)
    return out


def row_blocks(n: int, block: int) -> Iterator[slice]:
    """Yield consecutive row slices of at most ``block`` rows covering ``range(n)``."""
    for start in range(0, n, block):
        yield slice(start, min(start + block, n))


def check_block(block: object) -> int:
    """Validate a block size (rows per block of a blocked sum)."""
    return check_int(block, name="_block", owner="the blocked kernel sums")


def median_heuristic(x: ArrayLike) -> float:
    """Return the median-heuristic kernel width of ``x``.

    The variant used throughout :mod:`infolens.kernel`: ``sigma`` is the median of the
    Euclidean distances ``||x_i - x_j||`` over all pairs ``i < j`` (zero distances between
    repeated points included), for the Gaussian kernel ``exp(-d^2 / (2 sigma^2))``. This is the
    heuristic of Gretton et al. [1]_. Above ``MEDIAN_SUBSAMPLE`` (1,000) rows it looks only at
    1,000 evenly spaced rows ``round(linspace(0, n - 1, 1000))``: deterministic, O(10^6) work
    whatever n, and not biased towards the start of sorted data.

    This is *not* the heuristic of the Cauchy-Schwarz IB code (10 x median of squared distances
    over ``cat([X, X])``, floored at 1e-2); pass that width explicitly if you need it.

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, n_features)
        The sample, at least two rows.

    Returns
    -------
    float
        The kernel width ``sigma`` (in the units of ``x``).

    Raises
    ------
    ValueError
        If there are fewer than two samples, or the median distance is zero (more than half the
        pairs are repeated points); then pass ``sigma`` explicitly.

    References
    ----------
    .. [1] A. Gretton, K. Fukumizu, C. H. Teo, L. Song, B. Schoelkopf and A. J. Smola, "A kernel
       statistical test of independence", NeurIPS 2007.

    Examples
    --------
    >>> median_heuristic([0.0, 1.0, 3.0])
    2.0
    """
    return _median_heuristic(check_array(x, name="x"), name="x")


def _median_heuristic(xa: FloatArray, *, name: str) -> float:
    n = xa.shape[0]
    if n < 2:
        raise InsufficientSamplesError(
            f"The median heuristic needs at least 2 samples of {name} to choose a kernel width; "
            f"got {n}. Pass the width explicitly."
        )
    if n > MEDIAN_SUBSAMPLE:
        xa = xa[np.round(np.linspace(0, n - 1, MEDIAN_SUBSAMPLE)).astype(np.intp)]
    sigma = float(np.median(pdist(xa, "euclidean")))
    if sigma <= 0.0:
        raise InvalidInputError(
            f"The median heuristic gives a zero kernel width for {name}: more than half of the "
            "pairs of samples are identical. Pass the width explicitly."
        )
    return sigma


#: Largest magnitude of a coordinate for which every squared distance stays finite in float64.
MAX_MAGNITUDE = 1e150
#: Smallest kernel width whose square is a normal float64 (``sigma**2 >= 1e-300``).
MIN_SIGMA = 1e-150


def resolve_sigma(sigma: object, xa: FloatArray, *, param: str, data: str, owner: str) -> float:
    """Return ``sigma`` checked as a positive finite float, or the median heuristic if ``None``.

    Raises a clear error, instead of a NaN Gram matrix, when the data are too large for their
    squared distances or the width too small for its square to be represented in float64.
    """
    magnitude = float(np.abs(xa).max()) * math.sqrt(xa.shape[1]) if xa.size else 0.0
    if magnitude > MAX_MAGNITUDE:
        raise InvalidInputError(
            f"Input {data} of {owner} has values up to {magnitude:.3g} (times sqrt(dim)): their "
            f"squared distances overflow float64 (at most {MAX_MAGNITUDE:g} is supported). "
            "Rescale the data (with the median heuristic the kernel measures do not depend on "
            "a common rescaling)."
        )
    width = _median_heuristic(xa, name=data) if sigma is None else None
    if width is None:
        width = check_positive_real(sigma, name=param, owner=owner)
    if width < MIN_SIGMA:
        where = "the median heuristic gives" if sigma is None else "got"
        raise InvalidParameterError(
            f"The '{param}' parameter of {owner} must be at least {MIN_SIGMA:g} (its square must "
            f"be a normal float64 for exp(-d^2 / (2 {param}^2))); {where} {width!r}. Rescale the "
            "data or choose a larger width."
        )
    return width


def sigma_from_dimension_scaled(sigma: float, dim: int) -> float:
    """Convert the width of ``exp(-||.||^2 / (2 sigma^2 d))`` into this module's ``sigma``.

    The HSIC-bottleneck code scales the kernel by the feature dimension ``d``; the same kernel
    here has width ``sigma * sqrt(d)``.

    Parameters
    ----------
    sigma : float
        Width in the dimension-scaled convention.
    dim : int
        Feature dimension ``d``.

    Returns
    -------
    float
        The equivalent width for ``exp(-||.||^2 / (2 sigma^2))``.

    Examples
    --------
    >>> sigma_from_dimension_scaled(5.0, 4)
    10.0
    """
    width = check_positive_real(sigma, name="sigma", owner="sigma_from_dimension_scaled")
    d = check_int(dim, name="dim", owner="sigma_from_dimension_scaled")
    return width * math.sqrt(d)


def sigma_from_denominator(denominator: float) -> float:
    """Convert the ``s`` of ``exp(-||.||^2 / s)`` into this module's ``sigma = sqrt(s / 2)``.

    Parameters
    ----------
    denominator : float
        The constant ``s`` dividing the squared distance (e.g. the BrainIB code's "sigma").

    Returns
    -------
    float
        The equivalent width for ``exp(-||.||^2 / (2 sigma^2))``.

    Examples
    --------
    >>> sigma_from_denominator(8.0)
    2.0
    """
    s = check_positive_real(denominator, name="denominator", owner="sigma_from_denominator")
    return math.sqrt(s / 2.0)


def center_gram(k: ArrayLike) -> FloatArray:
    """Return the doubly centred Gram matrix ``H K H`` with ``H = I - 11^T / n``.

    Parameters
    ----------
    k : array-like of shape (n, n)
        A square matrix.

    Returns
    -------
    ndarray of shape (n, n)
        ``H K H``: every row and column sums to zero.

    Examples
    --------
    >>> center_gram([[1.0, 0.0], [0.0, 1.0]])
    array([[ 0.5, -0.5],
           [-0.5,  0.5]])
    """
    ka = np.asarray(k, dtype=np.float64)
    if ka.ndim != 2 or ka.shape[0] != ka.shape[1]:
        raise InvalidInputError(f"k must be a square matrix; got shape {ka.shape}.")
    centred: FloatArray = ka - ka.mean(axis=0) - ka.mean(axis=1)[:, None] + ka.mean()
    return centred


def check_dense_size(n: int, *, owner: str) -> None:
    """Raise if ``n`` is above :data:`MAX_DENSE_SAMPLES` for a measure needing an n x n matrix."""
    if n > MAX_DENSE_SAMPLES:
        raise InvalidInputError(
            f"{owner} needs a dense {n} x {n} matrix (O(n^2) memory, O(n^3) time) and accepts "
            f"at most {MAX_DENSE_SAMPLES} samples; got {n}. Subsample the data."
        )


def paired_gram_sums(
    xa: FloatArray,
    ya: FloatArray,
    sigma_x: float,
    sigma_y: float,
    *,
    zero_diagonal: bool,
    block: int,
) -> tuple[float, FloatArray, FloatArray]:
    """Return ``sum_ij K_ij L_ij`` and the row sums of ``K`` and ``L``, in row blocks.

    ``K`` and ``L`` are the Gaussian Grams of ``xa`` and ``ya`` (optionally with zeroed
    diagonals). Memory is O(block x n), never O(n^2).
    """
    n = xa.shape[0]
    total = 0.0
    row_k = np.empty(n)
    row_l = np.empty(n)
    for rows in row_blocks(n, block):
        k = _gram(xa[rows], xa, sigma_x)
        l_ = _gram(ya[rows], ya, sigma_y)
        if zero_diagonal:
            local = np.arange(rows.stop - rows.start)
            k[local, local + rows.start] = 0.0
            l_[local, local + rows.start] = 0.0
        total += float(np.einsum("ij,ij->", k, l_))
        row_k[rows] = k.sum(axis=1)
        row_l[rows] = l_.sum(axis=1)
    return total, row_k, row_l


def log_mean_gram(a: FloatArray, b: FloatArray, sigma: float, *, block: int) -> float:
    """Return ``log(mean_ij K(a_i, b_j))`` in row blocks, in the log domain (no underflow)."""
    parts = [float(logsumexp(_log_gram(a[rows], b, sigma))) for rows in row_blocks(len(a), block)]
    return float(logsumexp(parts)) - math.log(a.shape[0] * b.shape[0])
