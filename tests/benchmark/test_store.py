"""The SQLite store: schema version, WAL, idempotent inserts and clean failures."""

import re
import sqlite3
from pathlib import Path

import pytest

from infolens.benchmark.store import (
    SCHEMA_VERSION,
    ResultStore,
    ResultStoreError,
    RunResult,
    SchemaVersionError,
)


def _result(seed: int = 0, **changes: object) -> RunResult:
    fields: dict[str, object] = {
        "task_id": "1v1-normal-0.75",
        "method": "ksg",
        "params": {"k": 5},
        "n": 100,
        "seed": seed,
        "estimate": 0.4,
        "truth": 0.4133,
        "wall_time": 0.01,
        "success": True,
        "infolens_version": "0.1.0",
    }
    fields.update(changes)
    return RunResult(**fields)  # type: ignore[arg-type]


def test_new_database_has_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with ResultStore(path) as store:
        store.add(_result())
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_round_trip_and_duplicates_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with ResultStore(path) as store:
        store.add(_result())
        store.add(_result(estimate=99.0))  # same key: ignored
        store.add(_result(seed=1, success=False, estimate=None, error="ValueError: bad"))
    with ResultStore(path, create=False) as store:
        results = store.results()
        assert len(store.finished_keys()) == 2
    assert results[0] == _result()
    assert results[1].success is False
    assert results[1].error == "ValueError: bad"


def test_delete_failed_only_removes_failed_rows(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.db") as store:
        store.add(_result())
        failed = _result(seed=1, success=False, estimate=None)
        store.add(failed)
        store.delete_failed([_result().key, failed.key])
        assert [r.seed for r in store.results()] == [0]


def test_other_schema_version_gives_a_clear_error_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE runs (x)")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    msg = (
        f"Results database '{path}' has schema version 7; this infolens uses version 1. "
        "The file was not modified; upgrade infolens to read it."
    )
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        ResultStore(path)
    assert path.read_bytes() == before


def test_foreign_database_gives_a_migration_path(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE other (x)")
    conn.commit()
    conn.close()
    msg = (
        f"Results database '{path}' has schema version 0 and is not an infolens results "
        "database; this infolens uses version 1. The file was not modified; no automatic "
        "migration exists from that version: keep the old file, and re-run the sweep into a "
        "new database (--db NEW.db), then delete the old one."
    )
    with pytest.raises(SchemaVersionError, match=re.escape(msg)):
        ResultStore(path)


def test_not_a_database_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(
        OSError,
        match=re.escape(f"Cannot use '{path}' as a results database: file is not a database."),
    ):
        ResultStore(path)
    with pytest.raises(
        ResultStoreError,
        match=re.escape(f"Results database '{tmp_path / 'none.db'}' does not exist."),
    ):
        ResultStore(tmp_path / "none.db", create=False)


@pytest.mark.parametrize(
    ("pragma", "reason"),
    [
        ("PRAGMA query_only = 1", "attempt to write a readonly database"),
        (None, "database or disk is full"),
    ],
)
def test_unwritable_or_full_database_stops_cleanly(
    tmp_path: Path, pragma: str | None, reason: str
) -> None:
    path = tmp_path / "r.db"
    store = ResultStore(path)
    store.add(_result())
    if pragma is None:  # simulate a full disk: no page may be added any more
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        big = _result(seed=1, error="x" * 100_000, success=False, estimate=None)
    else:
        store._conn.execute(pragma)
        big = _result(seed=1)
    msg = (
        f"Cannot write to results database '{path}': {reason}. The run in progress was not stored;"
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        store.add(big)
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
