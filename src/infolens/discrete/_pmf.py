"""Validated joint probability tables: one axis per variable.

A *pmf* here is a float64 array whose entry ``p[i, j, k]`` is the probability of the joint outcome
``(X_0 = i, X_1 = j, X_2 = k)``. Every function of :mod:`infolens.discrete` takes such a table and
checks it with :func:`check_pmf`.
"""

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from infolens._limits import FLOAT_BYTES, check_memory, format_count
from infolens._typing import ArrayLike, FloatArray
from infolens._validation import check_categorical, check_consistent_length
from infolens.estimators._discrete import encode
from infolens.exceptions import InvalidDataTypeError, InvalidInputError

#: Largest accepted deviation of the total probability from 1.
SUM_TOLERANCE = 1e-9

Axes = int | Iterable[int]


def check_pmf(p: ArrayLike, *, name: str = "p") -> FloatArray:
    """Return ``p`` as a float64 joint probability table, one axis per variable.

    Parameters
    ----------
    p : array-like of shape (n_0, n_1, ..., n_{k-1})
        Probabilities of the joint outcomes; ``p[i, j]`` is P(X_0 = i, X_1 = j).
    name : str, default="p"
        Name of the input in error messages.

    Returns
    -------
    p : ndarray of float64, same shape as the input
        The validated table (a copy when the input was not already float64).

    Raises
    ------
    TypeError
        If the entries are not real numbers.
    ValueError
        If the table is empty or a scalar, holds NaN, infinity or negative entries, or does not
        sum to 1 within ``1e-9``.

    Examples
    --------
    >>> check_pmf([[0.5, 0.0], [0.0, 0.5]]).shape
    (2, 2)
    """
    if p is None:
        raise InvalidDataTypeError(f"Input {name} must be an array of probabilities; got None.")
    try:
        array = np.asarray(p)
    except (TypeError, ValueError) as err:
        raise InvalidInputError(
            f"Input {name} must be a rectangular array of probabilities; it could not be "
            f"converted to an array ({err})."
        ) from err
    if array.dtype.kind not in "biuf":
        raise InvalidDataTypeError(
            f"Input {name} must contain real numbers (probabilities); got dtype {array.dtype}."
        )
    if array.ndim == 0:
        raise InvalidInputError(
            f"Input {name} must have one axis per variable; got a scalar ({array!r})."
        )
    if array.size == 0:
        raise InvalidInputError(
            f"Input {name} is empty: expected at least one outcome; got shape {array.shape}."
        )
    table = np.asarray(array, dtype=np.float64)
    finite = np.isfinite(table)
    if not finite.all():
        what = "NaN" if np.isnan(table).any() else "infinity"
        raise InvalidInputError(
            f"Input {name} contains {what}: expected finite probabilities; found "
            f"{int((~finite).sum())} non-finite entries."
        )
    negative = table < 0
    if negative.any():
        raise InvalidInputError(
            f"Input {name} must have non-negative entries; found {int(negative.sum())} "
            f"negative entries, the smallest {float(table.min())!r}."
        )
    total = float(table.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise InvalidInputError(
            f"Input {name} must sum to 1 (within {SUM_TOLERANCE:g}); got a sum of {total!r}."
        )
    return table


def check_marginal(p: ArrayLike, *, name: str = "p") -> FloatArray:
    """Return ``p`` as a validated 1-D pmf (see :func:`check_pmf`).

    Raises
    ------
    ValueError
        If ``p`` is not one-dimensional or is not a valid pmf.
    """
    table = check_pmf(p, name=name)
    if table.ndim != 1:
        raise InvalidInputError(
            f"Input {name} must be a 1-D vector of probabilities; got {table.ndim} axes "
            f"with shape {table.shape}."
        )
    return table


def check_axes(axes: Axes, ndim: int, *, name: str = "axes") -> tuple[int, ...]:
    """Return ``axes`` (an int or a sequence of ints) as sorted, distinct, non-negative axes.

    Raises
    ------
    ValueError
        If an axis is not an int in ``[-ndim, ndim)``.

    Examples
    --------
    >>> check_axes([2, -3, 2], 3)
    (0, 2)
    """
    values = [axes] if isinstance(axes, int | np.integer) else list(axes)
    result = set()
    for axis in values:
        if (
            isinstance(axis, bool)
            or not isinstance(axis, int | np.integer)
            or not (-ndim <= axis < ndim)
        ):
            raise InvalidInputError(
                f"The '{name}' must be ints in the range [{-ndim}, {ndim}) for a pmf with "
                f"{ndim} axes. Got {axis!r} instead."
            )
        result.add(int(axis) % ndim)
    return tuple(sorted(result))


def marginal(p: ArrayLike, axes: Axes) -> FloatArray:
    """Return the marginal pmf of the variables on ``axes``, summing out all other axes.

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    axes : int or sequence of int
        Axes to keep, in increasing order in the result. An empty sequence gives ``array(1.0)``.

    Returns
    -------
    marginal : ndarray of float64
        The pmf of the kept variables, with their axes in increasing order.

    Examples
    --------
    >>> marginal([[0.1, 0.2], [0.3, 0.4]], 1).tolist()
    [0.4, 0.6000000000000001]
    """
    table = check_pmf(p)
    return _marginal(table, check_axes(axes, table.ndim))


def _marginal(table: FloatArray, axes: Sequence[int]) -> FloatArray:
    """Marginal of an already validated table over already normalised ``axes``."""
    drop = tuple(a for a in range(table.ndim) if a not in axes)
    return np.asarray(table.sum(axis=drop), dtype=np.float64)


def pmf_from_samples(*variables: ArrayLike) -> FloatArray:
    """Return the empirical joint pmf (plug-in frequencies) of discrete samples.

    Parameters
    ----------
    *variables : array-like of shape (n_samples,) or (n_samples, dim)
        One array per variable, all of the same length. Integers, booleans, strings and
        categories are accepted; a 2-D array is one joint variable (each distinct row is a
        symbol). Numbers and strings are coded in sorted order, object arrays by first appearance.

    Returns
    -------
    p : ndarray of float64 of shape (k_0, k_1, ...)
        ``p[i, j, ...]`` is the fraction of samples with the i-th symbol of the first variable,
        the j-th of the second, and so on; ``k_v`` is the number of distinct symbols of variable
        ``v``.

    Raises
    ------
    ValueError
        If no variable is given, the variables have different lengths, or hold NaN or infinity.

    Notes
    -----
    For continuous data, discretise first, e.g. with
    ``infolens.estimators.binning.BinningEstimator(bins=8).bin_indices(x)``.

    Examples
    --------
    >>> pmf_from_samples([0, 0, 1, 1], ["a", "b", "a", "a"]).tolist()
    [[0.25, 0.25], [0.5, 0.0]]
    """
    if not variables:
        raise InvalidInputError("pmf_from_samples needs at least one variable; got none.")
    names = [f"variables[{i}]" for i in range(len(variables))]
    return _pmf_from_arrays(variables, names)


def _pmf_from_arrays(variables: Sequence[ArrayLike], names: Sequence[str]) -> FloatArray:
    arrays = [check_categorical(v, name=n) for v, n in zip(variables, names, strict=True)]
    n_samples = check_consistent_length(arrays)
    codes = [encode(a) for a in arrays]
    shape = tuple(int(c.max()) + 1 for c in codes)
    cells = math.prod(shape)
    check_memory(
        cells * FLOAT_BYTES * 2,  # the counts and the pmf
        what=(
            f"The joint table of {', '.join(names)} has {' x '.join(map(str, shape))} = "
            f"{format_count(cells)} cells, which"
        ),
        advice="Merge rare levels or bin the variables more coarsely.",
    )
    flat = np.ravel_multi_index(tuple(codes), shape)
    counts: np.ndarray[Any, Any] = np.bincount(flat, minlength=int(np.prod(shape)))
    return np.asarray(counts.reshape(shape) / n_samples, dtype=np.float64)
