"""Capture schedules of the original papers."""

import re

import pytest

from infolens.infoplane.schedule import ibsgd_epochs, idnns_epochs, resolve_schedule


def test_idnns_schedule_matches_the_spec_counts() -> None:
    # ../shared/specs/infoplane.md §1.5: 274 unique epochs for 8000, 279 for 10 000, dense early.
    assert len(idnns_epochs(8000)) == 274
    assert len(idnns_epochs(10_000)) == 279
    assert idnns_epochs(10_000)[:30] == list(range(30))
    assert idnns_epochs(10_000)[-1] == 9998  # IDNNs truncates 2**log2(E) to E - 1, then subtracts 1


def test_ibsgd_schedule_has_211_snapshots_in_10000_epochs() -> None:
    epochs = ibsgd_epochs(10_000)
    assert len(epochs) == 211
    assert epochs[:21] == [*range(20), 20]


def test_resolve_schedule() -> None:
    assert resolve_schedule("every", 3) == [0, 1, 2]
    assert resolve_schedule([5, 1, 1], 10) == [1, 5]
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Scheduled epochs must lie in [0, 10) (the training has 10 epochs); got [10]."
        ),
    ):
        resolve_schedule([10], 10)
    with pytest.raises(ValueError, match=re.escape("Unknown schedule 'daily'.")):
        resolve_schedule("daily", 10)
