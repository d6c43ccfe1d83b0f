"""The :class:`Accumulator` base class: torchmetrics-style ``update / compute / reset``.

A subclass declares its states with :meth:`Accumulator.add_state` and implements ``_update`` (add a
batch to the states, on the batch's device, without reading values back to the host) and
``_compute`` (turn the states into the result). Two kinds of state exist:

=========  ===============================================  ===================================
reduce     what it holds                                    across processes
=========  ===============================================  ===================================
``"sum"``  a tensor of fixed shape (counts, sums, Grams)    ``all_reduce(SUM)``
``"cat"``  a bounded buffer of rows (the last ``max_rows``)  ``all_gather`` (unequal sizes padded)
=========  ===============================================  ===================================

Sum states are exact sufficient statistics, so batched and one-pass results agree to rounding.
Buffers keep at most ``max_rows`` rows (the most recent ones); the number of rows seen is kept in
``n_seen`` so a truncated buffer is never mistaken for the whole stream.
"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Literal

import torch
import torch.distributed as dist

from infolens.exceptions import (
    ComputeBeforeUpdateWarning,
    InsufficientSamplesError,
    InvalidInputError,
    InvalidParameterError,
)

__all__ = ["Accumulator", "ComputeBeforeUpdateWarning"]

Reduce = Literal["sum", "cat"]


class Accumulator:
    """Base class of the streaming metrics: ``update`` per batch, ``compute`` at the end.

    Parameters
    ----------
    validate_args : bool, default=True
        Check every batch for non-finite values and out-of-range labels. The checks read one
        value back from the device per batch; turn them off for the copy-free update path.
    sync_on_compute : bool, default=True
        When ``torch.distributed`` is initialised, reduce the states of every process in
        :meth:`compute` (sum states by ``all_reduce``, buffers by ``all_gather``). The local states
        are left untouched, so updating can continue after a compute.

    Attributes
    ----------
    is_differentiable : bool
        Whether ``compute()`` keeps the autograd graph of the inputs (class attribute).
    needs_all_samples : bool
        Whether the metric keeps a buffer of samples instead of bounded sufficient statistics.
    n_updates : int
        Number of ``update`` calls since the last reset.
    """

    is_differentiable: ClassVar[bool] = False
    needs_all_samples: ClassVar[bool] = False

    def __init__(self, *, validate_args: bool = True, sync_on_compute: bool = True) -> None:
        for flag, value in (("validate_args", validate_args), ("sync_on_compute", sync_on_compute)):
            if not isinstance(value, bool):
                raise InvalidParameterError(
                    f"The '{flag}' parameter of {type(self).__name__} must be a bool. "
                    f"Got {value!r} instead."
                )
        self.validate_args = validate_args
        self.sync_on_compute = sync_on_compute
        self._defaults: dict[str, torch.Tensor] = {}
        self._reductions: dict[str, Reduce] = {}
        self._max_rows: dict[str, int] = {}
        self._states: dict[str, Any] = {}
        self.n_updates = 0
        self.n_seen = 0

    # -- declaring and holding states -----------------------------------------------------------

    def add_state(
        self, name: str, default: torch.Tensor | None = None, *, reduce: Reduce, max_rows: int = 0
    ) -> None:
        """Declare a state.

        Parameters
        ----------
        name : str
            Name of the state (readable as an attribute afterwards).
        default : torch.Tensor or None
            Initial value of a ``"sum"`` state (copied at every reset); unused for ``"cat"``.
        reduce : {"sum", "cat"}
            How batches and processes are combined.
        max_rows : int, default=0
            Capacity of a ``"cat"`` buffer (rows along dim 0); must be ``>= 1`` for buffers.
        """
        if reduce == "sum":
            if default is None:
                raise InvalidParameterError(f"The sum state '{name}' needs a default tensor.")
            self._defaults[name] = default.detach().clone()
            self._states[name] = default.detach().clone()
        elif reduce == "cat":
            if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
                raise InvalidParameterError(
                    f"The 'max_rows' parameter of {type(self).__name__} must be an int in the "
                    f"range [1, inf). Got {max_rows!r} instead."
                )
            self._max_rows[name] = max_rows
            self._states[name] = []
        else:
            raise InvalidParameterError(
                f"The 'reduce' parameter of add_state must be 'sum' or 'cat'. Got {reduce!r}."
            )
        self._reductions[name] = reduce

    def __getattr__(self, name: str) -> Any:
        states = self.__dict__.get("_states")
        if states is not None and name in states:
            return states[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _add(self, name: str, value: torch.Tensor) -> None:
        """Add ``value`` to the sum state ``name`` (moved, once, to the value's device)."""
        state = self._states[name]
        dtype = torch.promote_types(state.dtype, value.dtype)
        if state.device != value.device or state.dtype != dtype:
            state = state.to(device=value.device, dtype=dtype)
        self._states[name] = state + value

    def _add_scalar(self, name: str, value: float, device: torch.device) -> None:
        """Add a Python number to the sum state ``name`` (no host-device copy)."""
        state = self._states[name]
        if state.device != device:
            state = state.to(device=device)
        self._states[name] = state + value

    def _append(self, name: str, rows: torch.Tensor) -> None:
        """Append ``rows`` to the buffer ``name``, keeping only the last ``max_rows`` rows."""
        buffer: list[torch.Tensor] = self._states[name]
        buffer.append(rows.detach())
        capacity = self._max_rows[name]
        total = sum(int(b.shape[0]) for b in buffer)
        while total > capacity:
            excess = total - capacity
            first = buffer[0]
            if int(first.shape[0]) <= excess:
                buffer.pop(0)
                total -= int(first.shape[0])
            else:
                buffer[0] = first[excess:]
                total -= excess

    def _cat(self, name: str) -> torch.Tensor:
        buffer: list[torch.Tensor] = self._states[name]
        return torch.cat(buffer, dim=0)

    # -- the public protocol --------------------------------------------------------------------

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Add a batch to the states (see the subclass for the arguments)."""
        self._update(*args, **kwargs)
        self.n_updates += 1

    def compute(self) -> Any:
        """Return the metric over every batch since the last reset (all processes if synced).

        Warns
        -----
        ComputeBeforeUpdateWarning
            If no batch has been added since the last reset.
        """
        if self.n_updates == 0:
            warnings.warn(
                f"{type(self).__name__}.compute() was called before any update(); the value is "
                "that of the empty state.",
                ComputeBeforeUpdateWarning,
                stacklevel=2,
            )
        with self._synced():
            return self._compute()

    def reset(self) -> None:
        """Forget every batch: states back to their defaults, buffers emptied."""
        for name, reduce in self._reductions.items():
            self._states[name] = self._defaults[name].clone() if reduce == "sum" else []
        self.n_updates = 0
        self.n_seen = 0

    def _device(self) -> torch.device:
        """Device of the states (that of the first non-empty one; CPU before any update)."""
        for value in self._states.values():
            if isinstance(value, torch.Tensor):
                return value.device
            if value:
                return torch.device(value[0].device)
        return torch.device("cpu")

    def _update(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _compute(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers for subclasses -----------------------------------------------------------------

    def _count_rows(self, n: int) -> None:
        self.n_seen += n

    def _require_samples(self, minimum: int = 1) -> None:
        """Raise :class:`InsufficientSamplesError` if fewer rows were seen (no device read)."""
        if self.n_seen < minimum:
            raise InsufficientSamplesError(
                f"{type(self).__name__}.compute() needs at least {minimum} sample(s) since the "
                f"last reset; got {self.n_seen}."
            )

    # -- distributed reduction ------------------------------------------------------------------

    @contextmanager
    def _synced(self) -> Iterator[None]:
        if not (
            self.sync_on_compute
            and dist.is_available()
            and dist.is_initialized()
            and dist.get_world_size() > 1
        ):
            yield
            return
        local = {
            k: (v.clone() if isinstance(v, torch.Tensor) else list(v))
            for k, v in self._states.items()
        }
        local_seen = self.n_seen
        local_updates = self.n_updates
        try:
            for name, reduce in self._reductions.items():
                if reduce == "sum":
                    value = self._states[name].clone()
                    dist.all_reduce(value, op=dist.ReduceOp.SUM)
                    self._states[name] = value
                else:
                    self._states[name] = [_gather_rows(self._states[name])]
            counters = torch.tensor(
                [float(self.n_seen), float(self.n_updates)], device=self._device()
            )
            dist.all_reduce(counters, op=dist.ReduceOp.SUM)
            self.n_seen = int(counters[0])
            self.n_updates = int(counters[1])
            yield
        finally:
            self._states = local
            self.n_seen = local_seen
            self.n_updates = local_updates


def _gather_rows(buffer: list[torch.Tensor]) -> torch.Tensor:
    """All-gather the rows of a buffer from every process (padding unequal lengths)."""
    if not buffer:
        raise InvalidInputError(
            "Cannot synchronise an empty buffer: every process must update at least once."
        )
    rows = torch.cat(buffer, dim=0)
    size = torch.tensor([rows.shape[0]], device=rows.device)
    sizes = [torch.zeros_like(size) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, size)
    longest = int(max(int(s) for s in sizes))
    padded = torch.zeros((longest, *rows.shape[1:]), dtype=rows.dtype, device=rows.device)
    padded[: rows.shape[0]] = rows
    gathered = [torch.zeros_like(padded) for _ in sizes]
    dist.all_gather(gathered, padded)
    return torch.cat([g[: int(s)] for g, s in zip(gathered, sizes, strict=True)], dim=0)
