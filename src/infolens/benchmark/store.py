"""The SQLite results store: one row per run, WAL journal, schema version in ``user_version``.

Each result is committed in its own transaction, so a killed sweep loses at most the run in
progress, and the unique key (task, method, parameters, preprocessing, n, seed, interval level)
makes re-running idempotent: finished rows are skipped, never duplicated. The level is part of
the key (``NULL``, no interval, counts as one value) so that a run with ``ci=0.95`` is a run of
its own beside the same cell without an interval, and a sweep resumed with ``--ci`` computes the
intervals instead of finding the cell done.

Schema 2 added the estimator's own interval (``ci_low``, ``ci_high``, ``ci_level``,
``ci_method``, and ``ci_error``: why a run asked for an interval and got none). A schema-1 file
is migrated in place when opened for writing: one transaction rebuilds the table with the new
key (rows, ids and times kept; their interval columns ``NULL``); opened only for reading (a
report), it is read as it is and not modified.

Several processes may open, create and fill one database at once: the schema is created under a
write lock (``BEGIN IMMEDIATE``) with ``CREATE TABLE IF NOT EXISTS``, every connection waits up
to 30 s for another one's lock, and a lock still held after that is retried, so concurrent sweeps
lose and duplicate nothing. A file that is not an infolens results database (random bytes, a
pickle, another program's SQLite tables, a truncated copy) is refused with one line naming the
file, before anything is written to it. Nothing is ever unpickled: rows hold numbers, text and
JSON only.
"""

import contextlib
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
SCHEMA_VERSION = 2

#: Seconds a connection waits for another connection's lock (SQLite busy timeout), and again for
#: each retry of a statement that still found the database locked.
BUSY_TIMEOUT_S = 30.0
_RETRIES = 3

_SQLITE_MAGIC = b"SQLite format 3\x00"

_TABLE = """
CREATE TABLE IF NOT EXISTS {table} (
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
    ci_low REAL,
    ci_high REAL,
    ci_level REAL,
    ci_method TEXT,
    ci_error TEXT
)
"""
# A NULL level (no interval asked for) is one value of the key: ifnull(ci_level, 0), since a
# level is never 0. (A plain UNIQUE constraint treats every NULL as distinct.)
_KEY_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS runs_key ON runs "
    "(task_id, method, params, preprocess, n, seed, ifnull(ci_level, 0))"
)

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
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
    "ci_error",
)
_CI_COLUMNS = ("ci_low", "ci_high", "ci_level", "ci_method", "ci_error")
_ALL_COLUMNS = frozenset(("id", *_COLUMNS, "created_at"))
#: The columns of a schema-1 table (no interval columns).
_V1_COLUMNS = _ALL_COLUMNS - frozenset(_CI_COLUMNS)

#: The key of a run: task, method, parameters (JSON), preprocessing, n, seed, interval level.
RunKey = tuple[str, str, str, str, int, int, float | None]

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
    ci_low, ci_high : float or None
        The estimator's own confidence interval, in nats (``None`` without one).
    ci_level : float or None
        The confidence level asked for (``None``: no interval asked for); part of the key.
    ci_method : str or None
        The interval's procedure (``"subsampling"``, ``"asymptotic"``, ``"bca_bootstrap"``...).
    ci_error : str or None
        ``"ExceptionType: message"`` when an interval was asked for and the method could not
        give one (the estimate is kept).
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
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    ci_method: str | None = None
    ci_error: str | None = None

    @property
    def key(self) -> RunKey:
        """The unique key of the run in the store."""
        return (
            self.task_id,
            self.method,
            params_key(self.params),
            self.preprocess,
            self.n,
            self.seed,
            self.ci_level,
        )

    @property
    def covered(self) -> bool | None:
        """Whether the truth lies inside the run's own interval (``None`` without one)."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_low <= self.truth <= self.ci_high

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
            self.ci_low,
            self.ci_high,
            self.ci_level,
            self.ci_method,
            self.ci_error,
        )


def _from_row(row: sqlite3.Row) -> RunResult:
    names = row.keys()
    interval = {name: row[name] if name in names else None for name in _CI_COLUMNS}
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
        **interval,
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
        if version == 1 and create and self._columns(tables) == _V1_COLUMNS:
            self._check_integrity()
            self._migrate_from_1()
            version, tables = self._inspect()
        self._check_schema(version, tables)
        self._check_integrity()
        self._set_wal()

    def _columns(self, tables: list[str]) -> frozenset[str]:
        if "runs" not in tables:
            return frozenset()
        return frozenset(row[1] for row in self._conn.execute("PRAGMA table_info(runs)"))

    def _migrate_from_1(self) -> None:
        """Rebuild a schema-1 table as schema 2, in one transaction (rows, ids, times kept)."""

        def migrate() -> None:
            with self._write_lock():
                # A second look under the write lock: another process may have migrated it.
                if int(self._conn.execute("PRAGMA user_version").fetchone()[0]) == 1:
                    old = ", ".join(sorted(_V1_COLUMNS))
                    self._conn.execute(_TABLE.format(table="runs_v2"))
                    self._conn.execute(f"INSERT INTO runs_v2 ({old}) SELECT {old} FROM runs")
                    self._conn.execute("DROP TABLE runs")
                    self._conn.execute("ALTER TABLE runs_v2 RENAME TO runs")
                    self._conn.execute(_KEY_INDEX)
                    self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

        try:
            _retry(migrate)
        except sqlite3.OperationalError as err:
            if _is_locked(err):
                raise
            raise ResultStoreError(
                f"Results database {self.path!r} has schema version 1, which this infolens "
                f"migrates in place to version {SCHEMA_VERSION} (adding the interval columns), "
                f"and the migration failed ({err}). The file was not modified; make it "
                "writable, or copy it and give the copy as --db."
            ) from None

    def _create_schema(self) -> None:
        # The write lock first, then a second look: of several processes creating one file at
        # once, the first creates the table and the others find it.
        with self._write_lock():
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                self._conn.execute(_TABLE.format(table="runs"))
                self._conn.execute(_KEY_INDEX)
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Run the block as one transaction holding the write lock; roll back on any error."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.commit()
        except BaseException:
            self._conn.rollback()
            raise

    def _set_wal(self) -> None:
        _retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL").fetchone())

    def _check_schema(self, version: int, tables: list[str]) -> None:
        if version in (1, SCHEMA_VERSION):  # a schema-1 file here is only being read
            if "runs" in tables and self._columns(tables) == (
                _ALL_COLUMNS if version == SCHEMA_VERSION else _V1_COLUMNS
            ):
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

    def delete_failed(self, keys: Iterable[RunKey]) -> None:
        """Delete the failed rows among ``keys`` (to retry them)."""
        self._write(
            "DELETE FROM runs WHERE status = 'failed' AND task_id = ? AND method = ? "
            "AND params = ? AND preprocess = ? AND n = ? AND seed = ? AND ci_level IS ?",
            keys,
        )

    def finished_keys(self) -> set[RunKey]:
        """Return the keys of every stored run."""
        rows = self._read("SELECT task_id, method, params, preprocess, n, seed, ci_level FROM runs")
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
