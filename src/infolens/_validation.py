"""The one place where user input is checked.

Every public entry point funnels its data and parameters through these functions, so every error
message has the same shape: what was expected, and what was received.
"""

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from infolens._typing import ArrayLike, FloatArray, RNGLike
from infolens.exceptions import (
    InsufficientSamplesError,
    InvalidDataTypeError,
    InvalidInputError,
    InvalidParameterError,
)

_NUMERIC_KINDS = "biuf"
_CATEGORICAL_SCALARS = (str, bytes, bool, int, np.integer, np.bool_, np.str_, np.bytes_)


def _to_numpy(data: ArrayLike, name: str) -> np.ndarray[Any, Any]:
    """Turn lists, pandas objects and torch tensors into a numpy array without importing torch."""
    if type(data).__module__.split(".")[0] == "torch" and hasattr(data, "detach"):
        data = data.detach().cpu().numpy()
    if data is None:
        raise InvalidDataTypeError(f"Input {name} must be array-like; got None.")
    try:
        return np.asarray(data)
    except (TypeError, ValueError) as err:  # ragged lists and the like
        raise InvalidInputError(
            f"Input {name} must be a rectangular array of samples; it could not be converted "
            f"to an array ({err})."
        ) from err


def _check_shape(array: np.ndarray[Any, Any], name: str) -> np.ndarray[Any, Any]:
    if array.ndim == 0:
        raise InvalidInputError(
            f"Input {name} must be 1-D (n_samples,) or 2-D (n_samples, n_features); "
            f"got a scalar ({array!r})."
        )
    if array.ndim > 2:
        raise InvalidInputError(
            f"Input {name} must be 1-D (n_samples,) or 2-D (n_samples, n_features); "
            f"got a {array.ndim}-D array of shape {array.shape}."
        )
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[0] == 0:
        raise InvalidInputError(
            f"Input {name} is empty: expected at least one sample; got shape {array.shape}."
        )
    if array.shape[1] == 0:
        raise InvalidInputError(
            f"Input {name} has no features: expected at least one column; got shape {array.shape}."
        )
    return array


def _check_finite(array: FloatArray, name: str) -> None:
    finite = np.isfinite(array)
    if not finite.all():
        bad = ~finite
        first_row = int(np.argwhere(bad)[0, 0])
        what = "NaN" if np.isnan(array[bad]).any() else "infinity"
        raise InvalidInputError(
            f"Input {name} contains {what}: expected finite values; found {int(bad.sum())} "
            f"non-finite value(s), the first in row {first_row}."
        )


def check_array(data: ArrayLike, *, name: str = "x") -> FloatArray:
    """Return ``data`` as a finite float64 array of shape ``(n_samples, n_features)``.

    One-dimensional input is promoted to a single column.

    Raises
    ------
    TypeError
        If the data are not real numbers (complex, strings, objects).
    ValueError
        If the data are empty, have more than two dimensions, or contain NaN or infinity.

    Examples
    --------
    >>> check_array([1, 2, 3]).shape
    (3, 1)
    """
    array = _check_shape(_to_numpy(data, name), name)
    if array.dtype.kind not in _NUMERIC_KINDS:
        kind = {"c": "complex", "O": "object", "U": "string", "S": "bytes"}.get(
            array.dtype.kind, str(array.dtype)
        )
        raise InvalidDataTypeError(
            f"Input {name} must contain real numbers (int, float or bool); got {kind} data "
            f"(dtype {array.dtype}). For categorical data use method='plugin' or 'miller_madow'."
        )
    array = np.ascontiguousarray(array, dtype=np.float64)
    _check_finite(array, name)
    return array


def check_categorical(data: ArrayLike, *, name: str = "x") -> np.ndarray[Any, Any]:
    """Return discrete ``data`` as a 2-D array of symbols (numbers, strings or categories).

    Accepts integers, booleans, finite floats (each distinct value is a symbol), strings and
    object arrays of strings/integers (e.g. pandas categoricals).

    Raises
    ------
    TypeError
        If the data are complex or hold objects that are not categories.
    ValueError
        If the data are empty, have more than two dimensions, or contain NaN or infinity.
    """
    array = _check_shape(_to_numpy(data, name), name)
    kind = array.dtype.kind
    if kind == "c":
        raise InvalidDataTypeError(
            f"Input {name} must contain real numbers or categories; got complex data "
            f"(dtype {array.dtype})."
        )
    if kind == "f":
        _check_finite(array, name)
    elif kind == "O":
        for value in array.flat:
            if not isinstance(value, _CATEGORICAL_SCALARS):
                raise InvalidDataTypeError(
                    f"Input {name} must contain numbers or category labels (str, int, bool); "
                    f"got an object array holding {type(value).__name__} ({value!r})."
                )
    elif kind not in "biuUS":
        raise InvalidDataTypeError(
            f"Input {name} must contain numbers or category labels; got dtype {array.dtype}."
        )
    return array


def check_consistent_length(arrays: Sequence[np.ndarray[Any, Any]]) -> int:
    """Return the common number of samples, or raise if the arrays disagree."""
    lengths = [int(a.shape[0]) for a in arrays]
    if len(set(lengths)) > 1:
        raise InvalidInputError(
            f"Found input variables with inconsistent numbers of samples: {lengths}"
        )
    return lengths[0]


def check_min_samples(n_samples: int, minimum: int, *, owner: str, reason: str) -> None:
    """Raise :class:`InsufficientSamplesError` when ``n_samples < minimum``."""
    if n_samples < minimum:
        raise InsufficientSamplesError(
            f"{owner} needs at least {minimum} samples ({reason}); got {n_samples}."
        )


def check_rng(rng: RNGLike) -> np.random.Generator:
    """Normalise ``rng`` (int seed, Generator or None) into a :class:`numpy.random.Generator`."""
    if isinstance(rng, bool) or not (
        rng is None or isinstance(rng, int | np.integer | np.random.Generator)
    ):
        raise InvalidParameterError(
            f"rng must be an int seed, a numpy.random.Generator or None; "
            f"got {type(rng).__name__} ({rng!r})."
        )
    return np.random.default_rng(rng)


def check_int(value: object, *, name: str, owner: str, low: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= low``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must be an int in the range [{low}, inf). "
            f"Got {value!r} instead."
        )
    return int(value)


def check_positive_real(value: object, *, name: str, owner: str) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number ``> 0``; raise otherwise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must be a float in the range (0, inf). "
            f"Got {value!r} instead."
        )
    return float(value)


def check_choice(value: object, choices: Iterable[str], *, name: str) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise list the available ones."""
    options = sorted(choices)
    if not isinstance(value, str) or value not in options:
        available = ", ".join(repr(c) for c in options)
        raise InvalidParameterError(f"Unknown {name} {value!r}. Available: {available}.")
    return value
