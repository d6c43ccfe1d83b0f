"""The SQLite store: schema version, WAL, idempotent inserts, concurrency and clean failures."""

import hashlib
import pickle
import random
import re
import sqlite3
import subprocess
import sys
import textwrap
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
        f"Results database '{path}' has schema version 7; this infolens uses version 2. "
        "The file was not modified; upgrade infolens to read it."
    )
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        ResultStore(path)
    assert path.read_bytes() == before


def test_old_schema_version_gives_a_migration_path(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE runs (x)")
    conn.commit()
    conn.close()
    msg = (
        f"Results database '{path}' has schema version 0; this infolens uses version 2. The "
        "file was not modified; no automatic migration exists from that version: keep the old "
        "file, and re-run the sweep into a new database (--db NEW.db), then delete the old one."
    )
    with pytest.raises(SchemaVersionError, match=re.escape(msg)):
        ResultStore(path)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _full_database(path: Path, rows: int = 2000) -> None:
    with ResultStore(path) as store:
        store.add(_result())
    conn = sqlite3.connect(path)  # the other rows in one transaction (one commit is faster)
    with conn:
        conn.executemany(
            "INSERT INTO runs (task_id, method, params, preprocess, n, seed, quantity, truth, "
            "status, error, infolens_version) SELECT task_id, method, params, preprocess, n, ?, "
            "quantity, truth, status, ?, infolens_version FROM runs WHERE id = 1",
            [(seed, "x" * 40) for seed in range(1, rows)],
        )
    conn.close()


NOT_SQLITE = (
    "is not an SQLite database (it is corrupt or another kind of file). The file was not "
    "modified; move it away or choose another --db."
)
CORRUPT = (
    "is corrupt or truncated (database disk image is malformed). The file was not modified; "
    "restore it from a copy, or move it away and re-run the sweep into a new --db."
)


@pytest.mark.parametrize(
    "content",
    [
        random.Random(0).randbytes(5000),
        pickle.dumps({"runs": [1, 2, 3]}),
        b"this is not sqlite" * 100,
        b"SQLite format 3\x00" + random.Random(1).randbytes(5000),
        b"SQLi",
    ],
    ids=["random-bytes", "pickle", "text", "sqlite-header-then-garbage", "four-bytes"],
)
def test_foreign_files_give_one_line_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(content)
    with pytest.raises(ResultStoreError) as info:
        ResultStore(path)
    assert str(info.value) == f"Results database '{path}' {NOT_SQLITE}"
    assert info.value.__cause__ is None  # no chained traceback either
    assert info.value.__context__ is None or info.value.__suppress_context__
    assert path.read_bytes() == content


@pytest.mark.parametrize("fraction", [0.9, 0.5, 0.1])
def test_truncated_database_is_refused_and_left_as_it_was(tmp_path: Path, fraction: float) -> None:
    full = tmp_path / "full.db"
    _full_database(full)
    truncated = full.read_bytes()[: int(full.stat().st_size * fraction)]
    path = tmp_path / "truncated.db"
    path.write_bytes(truncated)
    for create in (False, True):
        with pytest.raises(
            ResultStoreError, match=re.escape(f"Results database '{path}' {CORRUPT}")
        ):
            ResultStore(path, create=create)
    assert path.read_bytes() == truncated


def test_another_programs_sqlite_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.execute("CREATE TABLE orders (id INTEGER)")
    conn.commit()
    conn.close()
    before = _sha(path)
    msg = (
        f"Results database '{path}' is an SQLite database of another program (tables "
        "'orders', 'users'), not an infolens results database. The file was not modified; "
        "choose another --db."
    )
    with pytest.raises(ResultStoreError, match=re.escape(msg)):
        ResultStore(path)
    assert _sha(path) == before
    # a 'runs' table with the right version but other columns is foreign too
    other = tmp_path / "other_runs.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE runs (id INTEGER, payload BLOB)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()
    conn.close()
    with pytest.raises(ResultStoreError, match="has a 'runs' table with other columns"):
        ResultStore(other)


def test_edited_row_that_is_not_json_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with ResultStore(path) as store:
        store.add(_result())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE runs SET params = 'not json'")
    conn.commit()
    conn.close()
    with (
        ResultStore(path) as store,
        pytest.raises(ResultStoreError, match="holds a row infolens cannot read"),
    ):
        store.results()


def test_missing_file_folder_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(
        ResultStoreError,
        match=re.escape(f"Results database '{tmp_path / 'none.db'}' does not exist."),
    ):
        ResultStore(tmp_path / "none.db", create=False)
    with pytest.raises(ResultStoreError, match=re.escape(f"'{tmp_path}' is a folder")):
        ResultStore(tmp_path)
    with pytest.raises(OSError, match=re.escape("Cannot open results database")):
        ResultStore(tmp_path / "missing-folder" / "r.db")
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(ResultStoreError, match="is empty: no run was ever stored in it"):
        ResultStore(empty, create=False)
    with ResultStore(empty) as store:  # an empty file may become a results database
        store.add(_result())
        assert len(store.results()) == 1


def test_schema_creation_tolerates_another_process_creating_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of two openers, made deterministic: B creates the table after A looked."""
    path = tmp_path / "race.db"
    original = ResultStore._inspect
    calls: list[int] = []

    def inspect_then_lose_the_race(self: ResultStore) -> tuple[int, list[str]]:
        seen = original(self)
        if not calls:
            calls.append(1)
            with monkeypatch.context() as inner:
                inner.setattr(ResultStore, "_inspect", original)
                with ResultStore(path) as other:  # the other process wins
                    other.add(_result(seed=7))
        return seen

    monkeypatch.setattr(ResultStore, "_inspect", inspect_then_lose_the_race)
    with ResultStore(path) as store:
        assert calls == [1]
        store.add(_result(seed=8))
        assert sorted(r.seed for r in store.results()) == [7, 8]


_OPENER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from infolens.benchmark.store import ResultStore, RunResult
    folder, me, n_procs, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for r in range(rounds):
        (folder / f"ready-{r}-{me}").touch()
        deadline = time.monotonic() + 30
        while len(list(folder.glob(f"ready-{r}-*"))) < n_procs and time.monotonic() < deadline:
            time.sleep(0.001)
        with ResultStore(folder / f"fresh-{r}.db") as store:
            store.add(RunResult(task_id="t", method=me, n=1, seed=r, truth=0.0, success=True))
    """
)


def test_processes_creating_one_fresh_database_at_once_all_succeed(tmp_path: Path) -> None:
    n_procs, rounds = 3, 8
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPENER, str(tmp_path), f"p{i}", str(n_procs), str(rounds)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n_procs)
    ]
    errors = [proc.communicate(timeout=60)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * n_procs, errors
    for r in range(rounds):
        with ResultStore(tmp_path / f"fresh-{r}.db", create=False) as store:
            assert sorted(x.method for x in store.results()) == [f"p{i}" for i in range(n_procs)]


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
