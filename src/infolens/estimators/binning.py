"""Fixed-width (or given-edge) binning estimator of entropy, MI and CMI."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import final

import numpy as np

from infolens._typing import ArrayLike, FloatArray, IntArray, Quantity, RNGLike
from infolens._validation import (
    check_array,
    check_consistent_length,
    check_int,
    check_positive_real,
)
from infolens.estimators._base import Estimate, Estimator
from infolens.estimators._discrete import discrete_information, encode
from infolens.exceptions import InvalidInputError, InvalidParameterError

_OWNER = "BinningEstimator"
_MAX_INDEX = 2.0**53  # bin indices are exact integers up to here


def _per_column(value: object, n_columns: int, name: str) -> list[object]:
    """Broadcast a scalar setting to every column, or check a per-column tuple's length."""
    if isinstance(value, tuple | list):
        if len(value) != n_columns:
            raise InvalidParameterError(
                f"The '{name}' parameter of {_OWNER} has {len(value)} entries, but the input has "
                f"{n_columns} column(s): give one per column or a single value."
            )
        return list(value)
    return [value] * n_columns


def _check_edges(edges: object) -> FloatArray:
    array = np.asarray(edges, dtype=np.float64)
    if array.ndim != 1 or array.size < 2 or not np.all(np.diff(array) > 0):
        raise InvalidParameterError(
            f"The 'edges' parameter of {_OWNER} must be a strictly increasing sequence of at "
            f"least 2 finite numbers (or one such sequence per column). Got {edges!r} instead."
        )
    if not np.isfinite(array).all():
        raise InvalidParameterError(f"The 'edges' parameter of {_OWNER} must be finite.")
    return array


def _check_inside(column: FloatArray, low: float, high: float, what: str) -> None:
    outside = (column < low) | (column > high)
    if outside.any():
        raise InvalidInputError(
            f"{int(outside.sum())} value(s) fall outside the {what} [{low:g}, {high:g}] "
            f"(data range [{column.min():g}, {column.max():g}]); widen the edges or range."
        )


@final
@dataclass(frozen=True, kw_only=True)
class BinningEstimator(Estimator):
    """Histogram estimator: bin every column, then count joint bins (per-dimension joint binning).

    Parameters
    ----------
    bins : int or tuple of int, default=10
        Number of equal-width bins per column (one for all, or one per column), spanning
        ``bin_range`` or else each column's own [min, max].
    edges : sequence of float, or tuple of such sequences, default=None
        Explicit bin edges (for all columns, or one sequence per column). Overrides ``bins``.
    width : float or tuple of float, default=None
        Bin width; bins are anchored at ``bin_range[0]`` (default 0), so the grid does not move
        with the data. Overrides ``bins``.
    bin_range : tuple of float, default=None
        Common ``(low, high)`` range of every column. Values outside it raise ``ValueError``.
    miller_madow : bool, default=False
        Add the Miller–Madow correction to every entropy term.

    Notes
    -----
    ``entropy`` returns the entropy of the *binned* variable (a discrete entropy, the quantity
    the information-plane literature uses), not a differential entropy; MI and CMI are the
    discrete MI/CMI of the binned variables. Samples are never dropped: values outside given
    edges or ranges are an error.

    Examples
    --------
    >>> est = BinningEstimator(edges=(0.0, 0.5, 1.0)).entropy([0.1, 0.2, 0.7, 0.9])
    >>> round(est.to("bits").value, 12)
    1.0
    """

    name = "binning"
    bins: int | tuple[int, ...] = 10
    edges: tuple[float, ...] | tuple[tuple[float, ...], ...] | None = None
    width: float | tuple[float, ...] | None = None
    bin_range: tuple[float, float] | None = None
    miller_madow: bool = False

    def __post_init__(self) -> None:
        if self.edges is not None and self.width is not None:
            raise InvalidParameterError(
                f"{_OWNER} takes either 'edges' or 'width', not both. Got edges={self.edges!r} "
                f"and width={self.width!r}."
            )
        for b in self.bins if isinstance(self.bins, tuple | list) else [self.bins]:
            check_int(b, name="bins", owner=_OWNER)
        if self.width is not None:
            for w in self.width if isinstance(self.width, tuple | list) else [self.width]:
                check_positive_real(w, name="width", owner=_OWNER)
        if self.edges is not None:
            nested = len(self.edges) > 0 and isinstance(self.edges[0], tuple | list | np.ndarray)
            for e in self.edges if nested else [self.edges]:
                _check_edges(e)
        if self.bin_range is not None:
            low, high = (float(v) for v in self.bin_range)
            if not (np.isfinite(low) and np.isfinite(high) and low < high):
                raise InvalidParameterError(
                    f"The 'bin_range' parameter of {_OWNER} must be (low, high) with finite "
                    f"low < high. Got {self.bin_range!r} instead."
                )

    def bin_indices(self, x: ArrayLike) -> IntArray:
        """Return the bin index of every value of ``x``, shape ``(n_samples, dim)``."""
        xa = check_array(x, name="x")
        return np.column_stack(
            [self._bin_column(col, j, xa.shape[1]) for j, col in enumerate(xa.T)]
        )

    def _bin_column(self, column: FloatArray, j: int, n_columns: int) -> IntArray:
        if self.edges is not None:
            nested = isinstance(self.edges[0], tuple | list | np.ndarray)
            edges = _check_edges(
                _per_column(self.edges, n_columns, "edges")[j] if nested else self.edges
            )
            _check_inside(column, edges[0], edges[-1], "bin edges")
            index = np.searchsorted(edges, column, side="right") - 1
            return np.minimum(index, edges.size - 2).astype(np.intp)
        if self.bin_range is not None:
            low, high = float(self.bin_range[0]), float(self.bin_range[1])
            _check_inside(column, low, high, "bin range")
        else:
            low, high = float(column.min()), float(column.max())
        if self.width is not None:
            width = float(_per_column(self.width, n_columns, "width")[j])  # type: ignore[arg-type]
            anchor = low if self.bin_range is not None else 0.0
            with np.errstate(over="ignore"):
                index = np.floor((column - anchor) / width)
            if not np.all(np.abs(index) <= _MAX_INDEX):
                raise InvalidParameterError(
                    f"The 'width' parameter of {_OWNER} is too small for the data: width={width:g} "
                    f"on data in [{column.min():g}, {column.max():g}] gives bin indices beyond "
                    f"2**53. Use a larger width."
                )
            return index.astype(np.intp)
        n_bins = int(_per_column(self.bins, n_columns, "bins")[j])  # type: ignore[call-overload]
        if high == low:
            return np.zeros(column.size, dtype=np.intp)
        span = high - low
        if np.isfinite(span):
            index = np.floor((column - low) / span * n_bins)
        else:  # the range overflows float64 (data near +-1.8e308): halve everything first
            index = np.floor((column / 2 - low / 2) / (high / 2 - low / 2) * n_bins)
        return np.asarray(np.clip(index, 0, n_bins - 1), dtype=np.intp)

    def entropy(self, x: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return the entropy in nats of the binned ``x`` (a discrete entropy)."""
        return self._run([x], "entropy")

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return I(X; Y) in nats of the binned variables."""
        return self._run([x, y], "mutual_information")

    def conditional_mutual_information(
        self, x: ArrayLike, y: ArrayLike, z: ArrayLike, *, rng: RNGLike = None
    ) -> Estimate:
        """Return I(X; Y | Z) in nats of the binned variables."""
        return self._run([x, y, z], "conditional_mutual_information")

    def _run(self, data: Sequence[ArrayLike], quantity: Quantity) -> Estimate:
        arrays = [check_array(a, name=name) for a, name in zip(data, "xyz", strict=False)]
        n = check_consistent_length(arrays)
        # Bin indices may be negative (width bins anchored at 0) or sparse: code them densely.
        codes = [encode(self.bin_indices(a)) for a in arrays]
        value = discrete_information(codes, miller_madow=self.miller_madow)
        occupied = [int(np.unique(c).size) for c in codes]
        return self._estimate(value, n_samples=n, quantity=quantity, occupied_bins=occupied)
