"""The SQLite store of information-plane records (stdlib sqlite3, WAL mode).

One row per (run, seed, estimator, epoch, layer); inserting a row that exists is a no-op, so a
resumed run never duplicates work. The schema version lives in ``PRAGMA user_version``.
"""

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infolens.exceptions import InvalidInputError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS infoplane (
    run_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    estimator TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    layer TEXT NOT NULL,
    layer_index INTEGER NOT NULL,
    i_xt REAL,
    i_ty REAL,
    i_xt_given_y REAL,
    units TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (run_id, seed, estimator, epoch, layer)
)
"""


@dataclass(frozen=True)
class PlaneRecord:
    """One layer at one epoch, with the estimator configuration that produced it (bits)."""

    run_id: str
    seed: int
    estimator: str
    epoch: int
    layer: str
    layer_index: int
    i_xt: float | None
    i_ty: float | None
    i_xt_given_y: float | None
    config: dict[str, Any]
    status: str = "ok"
    units: str = "bits"


class PlaneStore:
    """Append-only SQLite store; use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, timeout=30)
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if tables and "infoplane" in tables and version != SCHEMA_VERSION:
            self._db.close()
            raise InvalidInputError(
                f"{self.path} holds information-plane records of schema version {version}, but "
                f"this infolens writes version {SCHEMA_VERSION}. Write to a new file (or export "
                "the old records with an older infolens and re-import them)."
            )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._db.commit()

    def __enter__(self) -> "PlaneStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (records are committed as they are added)."""
        self._db.close()

    def add(self, records: Iterable[PlaneRecord]) -> None:
        """Insert records in one transaction; rows that exist already are left untouched."""
        rows = [
            (
                r.run_id,
                r.seed,
                r.estimator,
                r.epoch,
                r.layer,
                r.layer_index,
                r.i_xt,
                r.i_ty,
                r.i_xt_given_y,
                r.units,
                json.dumps(r.config, sort_keys=True),
                r.status,
                time.time(),
            )
            for r in records
        ]
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO infoplane VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )

    def done(self, run_id: str, seed: int, estimator: str) -> set[int]:
        """Epochs already recorded for ``(run_id, seed, estimator)``."""
        rows = self._db.execute(
            "SELECT DISTINCT epoch FROM infoplane WHERE run_id=? AND seed=? AND estimator=?",
            (run_id, seed, estimator),
        )
        return {int(r[0]) for r in rows}

    def records(self, run_id: str | None = None) -> list[PlaneRecord]:
        """All records (of ``run_id`` if given), ordered by run, seed, estimator, epoch, layer."""
        query = "SELECT * FROM infoplane"
        args: tuple[str, ...] = ()
        if run_id is not None:
            query, args = query + " WHERE run_id=?", (run_id,)
        rows = self._db.execute(
            query + " ORDER BY run_id, seed, estimator, epoch, layer_index", args
        )
        return [
            PlaneRecord(
                run_id=r[0],
                seed=r[1],
                estimator=r[2],
                epoch=r[3],
                layer=r[4],
                layer_index=r[5],
                i_xt=r[6],
                i_ty=r[7],
                i_xt_given_y=r[8],
                units=r[9],
                config=json.loads(r[10]),
                status=r[11],
            )
            for r in rows
        ]
