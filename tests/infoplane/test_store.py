"""The SQLite store of information-plane records."""

import re
import sqlite3
from pathlib import Path

import pytest

from infolens.infoplane.store import PlaneRecord, PlaneStore


def _record(epoch: int, layer: str = "1", value: float = 1.0) -> PlaneRecord:
    return PlaneRecord("run", 0, "binning", epoch, layer, int(layer), value, 0.5, 0.5, {"bins": 30})


def test_store_ignores_duplicates_and_reports_done_epochs(tmp_path: Path) -> None:
    with PlaneStore(tmp_path / "r.db") as store:
        store.add([_record(0), _record(1)])
        store.add([_record(1, value=9.0), _record(2)])  # epoch 1 exists: left untouched
        assert store.done("run", 0, "binning") == {0, 1, 2}
        records = store.records("run")
    assert [r.epoch for r in records] == [0, 1, 2]
    assert records[1].i_xt == 1.0
    assert records[0].config == {"bins": 30}


def test_store_refuses_another_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    PlaneStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(
        ValueError, match=re.escape("holds information-plane records of schema version 99")
    ):
        PlaneStore(path)
