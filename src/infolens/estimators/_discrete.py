"""Shared kernel of the discrete estimators: symbol coding and count-based entropies."""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from infolens._typing import ArrayLike, IntArray, RNGLike
from infolens._validation import check_categorical, check_consistent_length
from infolens.estimators._base import Estimate, Estimator
from infolens.exceptions import DegenerateDataWarning


def encode(data: np.ndarray[Any, Any]) -> IntArray:
    """Return one integer code per row of a 2-D array of symbols (equal rows, equal codes).

    Examples
    --------
    >>> encode(np.array([["a", 1], ["b", 2], ["a", 1]], dtype=object)).tolist()
    [0, 1, 0]
    """
    columns = []
    for column in data.T:
        if column.dtype.kind == "O":  # mixed Python objects: code by first appearance
            table: dict[Any, int] = {}
            columns.append(np.fromiter((table.setdefault(v, len(table)) for v in column), np.intp))
        else:
            columns.append(np.unique(column, return_inverse=True)[1].astype(np.intp))
    return joint_codes(columns)


def joint_codes(codes: Sequence[IntArray]) -> IntArray:
    """Combine per-variable codes into codes of the joint symbol."""
    if len(codes) == 1:
        return codes[0]
    stacked = np.column_stack(codes)
    return np.unique(stacked, axis=0, return_inverse=True)[1].reshape(-1).astype(np.intp)


def entropy_of_codes(codes: IntArray, *, miller_madow: bool) -> float:
    """Plug-in (optionally Miller–Madow corrected) entropy in nats of a sample of codes."""
    counts = np.bincount(codes)
    counts = counts[counts > 0]
    n = codes.size
    p = counts / n
    value = float(-(p * np.log(p)).sum())
    if miller_madow:
        value += (counts.size - 1) / (2 * n)
    return value


def discrete_information(codes: Sequence[IntArray], *, miller_madow: bool) -> float:
    """H(X), I(X; Y) or I(X; Y | Z) in nats from one, two or three code arrays."""

    def h(*parts: IntArray) -> float:
        return entropy_of_codes(joint_codes(parts), miller_madow=miller_madow) if parts else 0.0

    if len(codes) == 1:
        return h(codes[0])
    x, y, *z = codes
    return h(x, *z) + h(y, *z) - h(x, y, *z) - h(*z)


CONTINUOUS_MIN_SAMPLES = 10
"""Fewest samples from which all-distinct non-integer floats are taken for continuous data."""


def _warn_if_continuous(
    array: np.ndarray[Any, Any], codes: IntArray, name: str, method: str
) -> None:
    """Warn when ``array`` holds distinct non-integer floats: each sample is its own symbol."""
    n = len(codes)
    if array.dtype.kind != "f" or n < CONTINUOUS_MIN_SAMPLES or np.all(array == np.round(array)):
        return
    if int(codes.max()) + 1 < n:  # some sample repeats: a symbol table, not continuous data
        return
    warnings.warn(
        f"method='{method}': input {name} looks continuous: all {n} samples are distinct "
        f"non-integer floats, so every sample is its own symbol and the plug-in entropy is "
        f"ln N = {np.log(n):.4g} nats whatever the distribution. Bin the data first "
        "(method='binning') or use a continuous estimator ('ksg', 'kl', 'mixed_knn').",
        DegenerateDataWarning,
        stacklevel=4,
    )


@dataclass(frozen=True, kw_only=True)
class DiscreteEstimator(Estimator):
    """Abstract base of the count-based estimators for integer or categorical symbols.

    Each row of an input is one symbol (multi-column input is a joint variable). Subclasses fix
    ``miller_madow``.
    """

    def _codes(self, data: Sequence[ArrayLike]) -> tuple[list[IntArray], int]:
        arrays = [check_categorical(a, name=name) for a, name in zip(data, "xyz", strict=False)]
        n = check_consistent_length(arrays)
        codes = [encode(a) for a in arrays]
        for array, code, name in zip(arrays, codes, "xyz", strict=False):
            _warn_if_continuous(array, code, name, self.name)
        return codes, n

    def _corrected(self) -> bool:
        raise NotImplementedError

    def entropy(self, x: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return the entropy H(X) in nats of discrete samples ``(n_samples,)`` or ``(n, dim)``."""
        codes, n = self._codes([x])
        value = discrete_information(codes, miller_madow=self._corrected())
        return self._estimate(value, n_samples=n, quantity="entropy")

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return I(X; Y) in nats of discrete samples."""
        codes, n = self._codes([x, y])
        value = discrete_information(codes, miller_madow=self._corrected())
        return self._estimate(value, n_samples=n, quantity="mutual_information")

    def conditional_mutual_information(
        self, x: ArrayLike, y: ArrayLike, z: ArrayLike, *, rng: RNGLike = None
    ) -> Estimate:
        """Return I(X; Y | Z) in nats of discrete samples."""
        codes, n = self._codes([x, y, z])
        value = discrete_information(codes, miller_madow=self._corrected())
        return self._estimate(value, n_samples=n, quantity="conditional_mutual_information")
