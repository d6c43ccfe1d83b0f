"""The SQLite results store: one row per run, WAL journal, schema version in ``user_version``.

Each result is committed in its own transaction, so a killed sweep loses at most the run in
progress, and the ``UNIQUE`` key (task, method, parameters, preprocessing, n, seed) makes
re-running idempotent: finished rows are skipped, never duplicated.
"""

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, final

from infolens.exceptions import InfolensError

#: Version of the table layout, stored with ``PRAGMA user_version``.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE runs (
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


class ResultStoreError(InfolensError, OSError):
    """The results database cannot be opened, read or written."""


class SchemaVersionError(InfolensError, RuntimeError):
    """The results database was written with another schema version."""


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
        Peak Python-heap bytes allocated by the estimator (tracemalloc), ``None`` when another
        run in the same process was being traced at the same time.
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
        :class:`ResultStoreError` if the file cannot be opened or is not an SQLite database.
    RuntimeError
        :class:`SchemaVersionError` if it was written with another schema version.

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
        if not create and self.path != ":memory:" and not Path(self.path).is_file():
            raise ResultStoreError(f"Results database {self.path!r} does not exist.")
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0)
            self._conn.row_factory = sqlite3.Row
            self._check_schema()
        except sqlite3.DatabaseError as err:
            raise ResultStoreError(
                f"Cannot use {self.path!r} as a results database: {err}."
            ) from None

    def _check_schema(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0]
            for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if version == SCHEMA_VERSION and "runs" in tables:
            self._conn.execute("PRAGMA journal_mode=WAL")
            return
        if version == 0 and not tables:
            with self._conn:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(_SCHEMA)
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        self._conn.close()
        if version > SCHEMA_VERSION:
            advice = "upgrade infolens to read it"
        else:
            advice = (
                "no automatic migration exists from that version: keep the old file, and re-run "
                "the sweep into a new database (--db NEW.db), then delete the old one"
            )
        raise SchemaVersionError(
            f"Results database {self.path!r} has schema version {version}"
            f"{'' if 'runs' in tables or version else ' and is not an infolens results database'}"
            f"; this infolens uses version {SCHEMA_VERSION}. The file was not modified; "
            f"{advice}."
        )

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        try:
            with self._conn:
                self._conn.executemany(sql, rows)
        except sqlite3.OperationalError as err:
            raise ResultStoreError(
                f"Cannot write to results database {self.path!r}: {err}. The run in progress "
                "was not stored; the results already stored are intact (each run is committed "
                "on its own). Free some space or choose a writable --db, then re-run to resume."
            ) from None

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
        rows = self._conn.execute("SELECT task_id, method, params, preprocess, n, seed FROM runs")
        return {tuple(row) for row in rows}

    def results(self) -> list[RunResult]:
        """Return every stored run, in insertion order."""
        return list(self.iter_results())

    def iter_results(self) -> Iterator[RunResult]:
        """Iterate over the stored runs, in insertion order."""
        try:
            for row in self._conn.execute("SELECT * FROM runs ORDER BY id"):
                yield _from_row(row)
        except sqlite3.DatabaseError as err:
            raise ResultStoreError(f"Cannot read results database {self.path!r}: {err}.") from None
