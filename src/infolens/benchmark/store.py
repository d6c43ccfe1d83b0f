"""The SQLite results store: one row per run, WAL journal, schema version in ``user_version``.

Each result is committed in its own transaction, so a killed sweep loses at most the run in
progress, and the ``UNIQUE`` key (task, method, parameters, preprocessing, n, seed) makes
re-running idempotent: finished rows are skipped, never duplicated.

Several processes may open, create and fill one database at once: the schema is created under a
write lock (``BEGIN IMMEDIATE``) with ``CREATE TABLE IF NOT EXISTS``, every connection waits up
to 30 s for another one's lock, and a lock still held after that is retried, so concurrent sweeps
lose and duplicate nothing. A file that is not an infolens results database (random bytes, a
pickle, another program's SQLite tables, a truncated copy) is refused with one line naming the
file, before anything is written to it. Nothing is ever unpickled: rows hold numbers, text and
JSON only.
"""

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, final

from infolens.exceptions import ResultStoreError, SchemaVersionError

__all__ = [
    "SCHEMA_VERSION",
    "ResultStore",
    "ResultStoreError",
    "RunResult",
    "SchemaVersionError",
    "params_key",
]

#: Version of the table layout, stored with ``PRAGMA user_version``.
SCHEMA_VERSION = 1

#: Seconds a connection waits for another connection's lock (SQLite busy timeout), and again for
#: each retry of a statement that still found the database locked.
BUSY_TIMEOUT_S = 30.0
_RETRIES = 3

_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    task_id TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    preprocess TEXT NOT NULL,
    n INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    quantity TEXT NOT NULL,
    estimate REAL,
    truth REAL NOT NULL,
    wall_time REAL,
    peak_memory INTEGER,
    status TEXT NOT NULL CHECK (status IN ('success', 'failed')),
    error TEXT,
    infolens_version TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (task_id, method, params, preprocess, n, seed)
)
"""

_COLUMNS = (
    "task_id",
    "method",
    "params",
    "preprocess",
    "n",
    "seed",
    "quantity",
    "estimate",
    "truth",
    "wall_time",
    "peak_memory",
    "status",
    "error",
    "infolens_version",
)
_ALL_COLUMNS = frozenset(("id", *_COLUMNS, "created_at"))

_T = TypeVar("_T")


def params_key(params: dict[str, Any]) -> str:
    """Return the canonical JSON text of estimator parameters (sorted keys, no spaces).

    Examples
    --------
    >>> params_key({"k": 5, "bins": 10})
    '{"bins":10,"k":5}'
    """
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


@final
@dataclass(frozen=True, kw_only=True)
class RunResult:
    """One benchmark run: a task, a method with parameters, a sample size and a seed.

    Attributes
    ----------
    task_id, method : str
        The task and the estimator's registry name.
    params : dict
        Estimator hyper-parameters (the defaults when empty).
    preprocess : {"none", "standardize"}
        What was done to the samples before estimating.
    n, seed : int
        Sample size and the seed of both the sampler and the estimator.
    quantity : str
        ``"mutual_information"`` or ``"conditional_mutual_information"``.
    estimate : float or None
        The estimate in nats (``None`` for a failed run).
    truth : float
        The exact value, in nats.
    wall_time : float or None
        Seconds spent in the estimator.
    peak_memory : int or None
        Peak Python-heap bytes allocated by the estimator (tracemalloc), ``None`` for runs on a
        worker thread (a threaded scheduler) or while another run was being traced.
    success : bool
        Whether the estimator returned a value.
    error : str or None
        ``"ExceptionType: message"`` of a failed run.
    infolens_version : str
        The version that produced the row.
    """

    task_id: str
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    preprocess: str = "none"
    n: int
    seed: int
    quantity: str = "mutual_information"
    estimate: float | None = None
    truth: float
    wall_time: float | None = None
    peak_memory: int | None = None
    success: bool
    error: str | None = None
    infolens_version: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, int, int]:
        """The unique key of the run in the store."""
        return (
            self.task_id,
            self.method,
            params_key(self.params),
            self.preprocess,
            self.n,
            self.seed,
        )

    def _row(self) -> tuple[Any, ...]:
        return (
            *self.key[:4],
            self.n,
            self.seed,
            self.quantity,
            self.estimate,
            self.truth,
            self.wall_time,
            self.peak_memory,
            "success" if self.success else "failed",
            self.error,
            self.infolens_version,
        )


def _from_row(row: sqlite3.Row) -> RunResult:
    return RunResult(
        task_id=row["task_id"],
        method=row["method"],
        params=json.loads(row["params"]),
        preprocess=row["preprocess"],
        n=row["n"],
        seed=row["seed"],
        quantity=row["quantity"],
        estimate=row["estimate"],
        truth=row["truth"],
        wall_time=row["wall_time"],
        peak_memory=row["peak_memory"],
        success=row["status"] == "success",
        error=row["error"],
        infolens_version=row["infolens_version"],
    )


def _is_locked(err: sqlite3.Error) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _retry(action: Callable[[], _T]) -> _T:
    """Run ``action``, retrying it (after a short back-off) while the database stays locked."""
    for attempt in range(_RETRIES):
        try:
            return action()
        except sqlite3.OperationalError as err:
            if not _is_locked(err) or attempt == _RETRIES - 1:
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


class ResultStore:
    """An open results database.

    Parameters
    ----------
    path : str or Path
        Database file (created if missing), or ``":memory:"``.
    create : bool, default=True
        Whether a missing file may be created (``False`` for reading a report).

    Raises
    ------
    OSError
        :class:`~infolens.exceptions.ResultStoreError` if the file cannot be opened, is not an
        SQLite database, is corrupt or truncated, or belongs to another program.
    RuntimeError
        :class:`~infolens.exceptions.SchemaVersionError` if it was written with another schema
        version.

    Examples
    --------
    >>> with ResultStore(":memory:") as store:
    ...     store.add(RunResult(task_id="t", method="ksg", n=10, seed=0, truth=1.0,
    ...                         estimate=0.9, success=True))
    ...     len(store.results())
    1
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            self._check_file(Path(self.path), create=create)
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as err:
            raise ResultStoreError(
                f"Cannot open results database {self.path!r}: {err}. Check that its folder "
                "exists and is writable, or choose another --db."
            ) from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._open(create=create)
        except sqlite3.DatabaseError as err:
            self._conn.close()
            raise self._unreadable(err) from None
        except BaseException:
            self._conn.close()
            raise

    # -- opening -------------------------------------------------------------------------------

    def _check_file(self, file: Path, *, create: bool) -> None:
        if file.is_dir():
            raise ResultStoreError(
                f"Results database {self.path!r} is a folder; give the path of a file (e.g. "
                f"--db {Path(self.path) / 'results.db'})."
            )
        if not file.exists():
            if not create:
                raise ResultStoreError(f"Results database {self.path!r} does not exist.")
            return
        try:
            with file.open("rb") as stream:
                header = stream.read(len(_SQLITE_MAGIC))
        except OSError as err:
            raise ResultStoreError(
                f"Cannot read results database {self.path!r}: {err.strerror or err}."
            ) from None
        if header and header != _SQLITE_MAGIC:
            raise ResultStoreError(
                f"Results database {self.path!r} is not an SQLite database (it is corrupt or "
                "another kind of file). The file was not modified; move it away or choose "
                "another --db."
            )

    def _unreadable(self, err: sqlite3.DatabaseError) -> ResultStoreError:
        reason = str(err).rstrip(".")
        if "not a database" in reason:
            return ResultStoreError(
                f"Results database {self.path!r} is not an SQLite database (it is corrupt or "
                "another kind of file). The file was not modified; move it away or choose "
                "another --db."
            )
        if _is_locked(err):
            return ResultStoreError(
                f"Results database {self.path!r} stayed locked by another process for more "
                f"than {BUSY_TIMEOUT_S * _RETRIES:.0f} s ({reason}). Wait for it to finish, "
                "or choose another --db."
            )
        return ResultStoreError(
            f"Results database {self.path!r} is corrupt or truncated ({reason}). The file was "
            "not modified; restore it from a copy, or move it away and re-run the sweep into a "
            "new --db."
        )

    def _inspect(self) -> tuple[int, list[str]]:
        """Return ``(user_version, table names)``, read in one snapshot."""

        def read() -> tuple[int, list[str]]:
            self._conn.execute("BEGIN")
            try:
                version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
                tables = sorted(
                    row[0]
                    for row in self._conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                )
            finally:
                self._conn.rollback()
            return version, tables

        return _retry(read)

    def _open(self, *, create: bool) -> None:
        version, tables = self._inspect()
        if version == 0 and not tables:  # a new (or empty) file: create the schema
            if not create:
                raise ResultStoreError(
                    f"Results database {self.path!r} is empty: no run was ever stored in it."
                )
            self._set_wal()
            _retry(self._create_schema)
            version, tables = self._inspect()
        self._check_schema(version, tables)
        self._check_integrity()
        self._set_wal()

    def _create_schema(self) -> None:
        # The write lock first, then a second look: of several processes creating one file at
        # once, the first creates the table and the others find it.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                self._conn.execute(_SCHEMA)
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.commit()
        except BaseException:
            self._conn.rollback()
            raise

    def _set_wal(self) -> None:
        _retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL").fetchone())

    def _check_schema(self, version: int, tables: list[str]) -> None:
        if version == SCHEMA_VERSION and "runs" in tables:
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(runs)")}
            if columns == _ALL_COLUMNS:
                return
            raise ResultStoreError(
                f"Results database {self.path!r} has a 'runs' table with other columns than an "
                "infolens results database (it belongs to another program or was edited). The "
                "file was not modified; choose another --db."
            )
        if version == 0 and "runs" not in tables:
            names = ", ".join(repr(t) for t in tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise ResultStoreError(
                f"Results database {self.path!r} is an SQLite database of another program "
                f"(tables {names}), not an infolens results database. The file was not "
                "modified; choose another --db."
            )
        if version > SCHEMA_VERSION:
            advice = "upgrade infolens to read it"
        else:
            advice = (
                "no automatic migration exists from that version: keep the old file, and re-run "
                "the sweep into a new database (--db NEW.db), then delete the old one"
            )
        raise SchemaVersionError(
            f"Results database {self.path!r} has schema version {version}; this infolens uses "
            f"version {SCHEMA_VERSION}. The file was not modified; {advice}."
        )

    def _check_integrity(self) -> None:
        problems = [row[0] for row in self._conn.execute("PRAGMA quick_check(1)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"integrity check: {problems[0]}")

    # -- use -----------------------------------------------------------------------------------

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        batch = list(rows)

        def write() -> None:
            with self._conn:
                self._conn.executemany(sql, batch)

        try:
            _retry(write)
        except sqlite3.OperationalError as err:
            if _is_locked(err):
                raise self._unreadable(err) from None
            raise ResultStoreError(
                f"Cannot write to results database {self.path!r}: {err}. The run in progress "
                "was not stored; the results already stored are intact (each run is committed "
                "on its own). Free some space or choose a writable --db, then re-run to resume."
            ) from None
        except sqlite3.DatabaseError as err:
            raise self._unreadable(err) from None

    def _read(self, sql: str) -> list[sqlite3.Row]:
        try:
            return _retry(lambda: self._conn.execute(sql).fetchall())
        except sqlite3.DatabaseError as err:
            raise self._unreadable(err) from None

    def add(self, result: RunResult) -> None:
        """Store one result in its own transaction (ignored if its key is already stored)."""
        placeholders = ", ".join("?" * len(_COLUMNS))
        self._write(
            f"INSERT OR IGNORE INTO runs ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            [result._row()],
        )

    def delete_failed(self, keys: Iterable[tuple[str, str, str, str, int, int]]) -> None:
        """Delete the failed rows among ``keys`` (to retry them)."""
        self._write(
            "DELETE FROM runs WHERE status = 'failed' AND task_id = ? AND method = ? "
            "AND params = ? AND preprocess = ? AND n = ? AND seed = ?",
            keys,
        )

    def finished_keys(self) -> set[tuple[str, str, str, str, int, int]]:
        """Return the keys of every stored run."""
        rows = self._read("SELECT task_id, method, params, preprocess, n, seed FROM runs")
        return {tuple(row) for row in rows}

    def results(self) -> list[RunResult]:
        """Return every stored run, in insertion order."""
        rows = self._read("SELECT * FROM runs ORDER BY id")
        try:
            return [_from_row(row) for row in rows]
        except (ValueError, TypeError, KeyError) as err:  # e.g. params that are not JSON
            raise ResultStoreError(
                f"Results database {self.path!r} holds a row infolens cannot read ({err}); it "
                "was edited by another program. Move it away and re-run the sweep into a new --db."
            ) from None

    def iter_results(self) -> Iterator[RunResult]:
        """Iterate over the stored runs, in insertion order."""
        yield from self.results()
