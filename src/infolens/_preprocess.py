"""Per-column standardisation shared by every estimator that rescales its input.

One helper, so the k-NN, Gaussian, neural and benchmark code all rescale the same way and all
survive extreme scales: a column whose largest magnitude lies outside ``[2**-256, 2**256]`` is
first divided by a power of two (an exact operation), so that neither the squares in the
standard deviation overflow (``x * 1e160``) nor underflow (``x * 1e-170``). Columns inside that
range, i.e. all ordinary data, are rescaled exactly as ``(x - mean) / std``.
"""

import math

import numpy as np
from numpy.typing import NDArray

from infolens._typing import FloatArray

SAFE_LOG2 = 256
"""Columns with ``max |x|`` outside ``[2**-SAFE_LOG2, 2**SAFE_LOG2]`` are pre-scaled by 2**-e."""


def _exponents(data: FloatArray) -> NDArray[np.int64]:
    """Return the per-column power-of-two exponent to divide by (0 inside the safe range)."""
    if data.shape[0] == 0:
        return np.zeros(data.shape[1], dtype=np.int64)
    peak = np.abs(data).max(axis=0)
    _, exponent = np.frexp(peak)  # peak = m * 2**exponent with 0.5 <= m < 1 (0 for zero columns)
    outside = (peak > 0) & ((exponent > SAFE_LOG2) | (exponent < -SAFE_LOG2))
    return np.where(outside, exponent, 0).astype(np.int64)


def prescale(data: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Divide each column far outside the safe range by a power of two; return it and the powers.

    The division is exact (only the exponent changes), so the result is ``data * 2**-e`` with
    ``e`` the returned integer exponents (zero, and ``data`` returned unchanged, for ordinary
    columns).

    Examples
    --------
    >>> scaled, e = prescale(np.array([[1e300, 1.0], [-2e300, 2.0]]))
    >>> e.tolist(), float(np.abs(scaled[:, 0]).max()) < 1
    ([998, 0], True)
    """
    data = np.asarray(data, dtype=np.float64)
    exponents = _exponents(data)
    if not exponents.any():
        return data, exponents
    return np.ldexp(data, -exponents), exponents


def standardize(data: FloatArray, *, ddof: int = 0) -> FloatArray:
    """Centre each column and divide it by its standard deviation (constant columns become 0).

    Distances, and so every k-NN estimate, depend on the relative scale of the columns; this
    makes the estimates invariant to per-column affine rescaling. Bit for bit
    ``(data - data.mean(axis=0)) / data.std(axis=0, ddof=ddof)`` on ordinary data; columns of
    extreme magnitude are first divided by a power of two (see :func:`prescale`), so the result
    is the same at any finite scale up to the rounding of the scaled input itself.

    Parameters
    ----------
    data : ndarray of shape (n_samples, dim)
        Finite float64 samples.
    ddof : int, default=0
        Delta degrees of freedom of the standard deviation.

    Returns
    -------
    ndarray of shape (n_samples, dim)
        The standardised float64 samples.

    Examples
    --------
    >>> standardize(np.array([[1.0], [3.0]]))
    array([[-1.],
           [ 1.]])
    >>> standardize(np.array([[1e-170], [3e-170]]))
    array([[-1.],
           [ 1.]])
    """
    data, _ = prescale(data)
    scale = data.std(axis=0, ddof=ddof)
    constant = np.ptp(data, axis=0) == 0.0  # its rounded std need not be 0
    scale[constant | (scale == 0.0)] = 1.0
    out = np.asarray((data - data.mean(axis=0)) / scale, dtype=np.float64)
    out[:, constant] = 0.0
    return out


def log_std(data: FloatArray, *, ddof: int = 0) -> FloatArray:
    """Return the natural log of each column's standard deviation (``-inf`` for constant columns).

    Safe at any finite scale: extreme columns are pre-scaled by a power of two first.

    Examples
    --------
    >>> np.round(np.exp(log_std(np.array([[1e200], [3e200]])) - 200 * np.log(10)), 12).tolist()
    [1.0]
    """
    scaled, exponents = prescale(data)
    std = scaled.std(axis=0, ddof=ddof)
    std[np.ptp(scaled, axis=0) == 0.0] = 0.0
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(std) + exponents * math.log(2.0), dtype=np.float64)


def standardize_nonconstant(data: FloatArray, *, ddof: int = 1) -> tuple[FloatArray, int]:
    """Standardise the non-constant columns of ``data`` and drop the constant ones.

    Returns the standardised columns (in order) and the number of columns dropped. Bit for bit
    the columns of ``(data - mean) / std`` with ``std > 0`` on ordinary data.

    Examples
    --------
    >>> out, dropped = standardize_nonconstant(np.array([[1.0, 5.0], [3.0, 5.0]]), ddof=0)
    >>> out.tolist(), dropped
    ([[-1.0], [1.0]], 1)
    """
    data, _ = prescale(data)
    std = data.std(axis=0, ddof=ddof)
    keep = (std > 0) & (np.ptp(data, axis=0) > 0)
    kept = data[:, keep]
    return np.asarray((kept - kept.mean(axis=0)) / std[keep], dtype=np.float64), int((~keep).sum())
