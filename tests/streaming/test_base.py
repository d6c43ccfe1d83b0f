import re

import pytest
import torch

from infolens.exceptions import InsufficientSamplesError, InvalidParameterError
from infolens.streaming import Accumulator, ComputeBeforeUpdateWarning


class RunningSum(Accumulator):
    """A minimal accumulator: a sum state and a buffer."""

    def __init__(self, max_rows: int = 5) -> None:
        super().__init__()
        self.add_state("total", torch.zeros(()), reduce="sum")
        self.add_state("rows", reduce="cat", max_rows=max_rows)

    def _update(self, x: torch.Tensor) -> None:
        self._add("total", x.sum())
        self._append("rows", x)
        self._count_rows(x.shape[0])

    def _compute(self) -> tuple[torch.Tensor, torch.Tensor]:
        self._require_samples()
        return self.total, self._cat("rows")


def test_sum_and_bounded_buffer() -> None:
    acc = RunningSum(max_rows=5)
    acc.update(torch.arange(3.0))
    acc.update(torch.arange(3.0, 7.0))
    total, rows = acc.compute()
    assert float(total) == 21.0
    assert rows.tolist() == [2.0, 3.0, 4.0, 5.0, 6.0]  # the last 5 rows
    assert (acc.n_seen, acc.n_updates) == (7, 2)
    acc.update(torch.arange(10.0, 20.0))  # a batch larger than the buffer
    assert acc.compute()[1].tolist() == [15.0, 16.0, 17.0, 18.0, 19.0]


def test_reset_restores_defaults_and_compute_before_update_warns() -> None:
    acc = RunningSum()
    acc.update(torch.ones(2))
    acc.reset()
    assert acc.n_updates == 0
    with (
        pytest.warns(
            ComputeBeforeUpdateWarning,
            match=re.escape("RunningSum.compute() was called before any update()"),
        ),
        pytest.raises(InsufficientSamplesError, match="at least 1 sample"),
    ):
        acc.compute()
    acc.update(torch.ones(2, dtype=torch.float64))
    total, _ = acc.compute()
    assert total.dtype == torch.float64  # promoted to the data's dtype
    assert float(total) == 2.0


def test_state_declaration_errors() -> None:
    acc = RunningSum()
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "'max_rows' parameter of RunningSum must be an int in the range [1, inf). Got 0"
        ),
    ):
        acc.add_state("bad", reduce="cat", max_rows=0)
    with pytest.raises(InvalidParameterError, match="'sum' or 'cat'"):
        acc.add_state("bad", torch.zeros(()), reduce="mean")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'validate_args' parameter"):
        Accumulator(validate_args="yes")  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = acc.missing
