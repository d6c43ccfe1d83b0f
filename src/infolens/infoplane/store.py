"""The SQLite store of information-plane records (stdlib sqlite3, WAL mode).

One row per (run, seed, estimator, epoch, layer); inserting a row that exists is a no-op, so a
resumed run never duplicates work. The schema version lives in ``PRAGMA user_version``. The
``estimator`` column holds the estimator's versioned identity (``fixed_binning/v1?edges=...``);
rows written before identities existed are adopted on first use (see
:mod:`infolens.infoplane._legacy`). Values are in the row's ``units`` (nats since identities;
bits before).

Schema 2 adds nullable interval columns (``i_xt_low``, ``i_xt_high``, ``i_xt_se``, ``i_ty_low``,
``i_ty_high``, ``i_ty_se``, ``ci_level``, ``ci_method``), NULL when the estimator gave no
interval. A schema-1 database is migrated in place when opened (the columns are added, every
old row keeps its values and gets NULL intervals); an infolens older than the migration then
refuses the file with a clear message.
"""

import json
import math
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infolens._estimate import ConfidenceInterval
from infolens._typing import Units
from infolens._units import check_units
from infolens.exceptions import InvalidInputError, MissingExtraError
from infolens.infoplane._base import LayerEstimator, identity_of
from infolens.infoplane._legacy import legacy_key

SCHEMA_VERSION = 2
_LN2 = math.log(2.0)
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
    i_xt_low REAL,
    i_xt_high REAL,
    i_xt_se REAL,
    i_ty_low REAL,
    i_ty_high REAL,
    i_ty_se REAL,
    ci_level REAL,
    ci_method TEXT,
    PRIMARY KEY (run_id, seed, estimator, epoch, layer)
)
"""
_COLUMNS_V1 = [
    "run_id", "seed", "estimator", "epoch", "layer", "layer_index", "i_xt", "i_ty",
    "i_xt_given_y", "units", "config", "status", "created",
]  # fmt: skip
#: The interval columns of schema 2 (nullable; NULL when there is no interval).
INTERVAL_COLUMNS = {
    "i_xt_low": "REAL", "i_xt_high": "REAL", "i_xt_se": "REAL", "i_ty_low": "REAL",
    "i_ty_high": "REAL", "i_ty_se": "REAL", "ci_level": "REAL", "ci_method": "TEXT",
}  # fmt: skip
_COLUMNS = _COLUMNS_V1 + list(INTERVAL_COLUMNS)


@dataclass(frozen=True)
class PlaneRecord:
    """One layer at one epoch, keyed by the estimator's identity, in ``units`` (nats).

    ``i_xt_ci`` and ``i_ty_ci`` are the estimator's confidence intervals of I(X;T) and I(T;Y)
    in the same units, or None; the two of one record share their level and method.
    """

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
    units: str = "nats"
    i_xt_ci: ConfidenceInterval | None = None
    i_ty_ci: ConfidenceInterval | None = None


def _interval_row(record: PlaneRecord) -> tuple[float | str | None, ...]:
    """Return the interval columns of ``record`` (NULLs without intervals)."""
    xt, ty = record.i_xt_ci, record.i_ty_ci
    if xt is not None and ty is not None and (xt.level, xt.method) != (ty.level, ty.method):
        raise InvalidInputError(
            f"The intervals of the record of layer {record.layer!r} at epoch {record.epoch} "
            f"must share their level and method to be stored; got {xt.level} {xt.method!r} "
            f"and {ty.level} {ty.method!r}."
        )
    row: list[float | str | None] = []
    for ci in (xt, ty):
        row += [None, None, None] if ci is None else [ci.low, ci.high, ci.standard_error]
    shared = xt or ty
    return (
        *row,
        None if shared is None else shared.level,
        None if shared is None else shared.method,
    )


def _interval(low: Any, high: Any, se: Any, level: Any, method: Any) -> ConfidenceInterval | None:
    if low is None or high is None:
        return None
    return ConfidenceInterval(
        low=float(low),
        high=float(high),
        level=float(level),
        method=str(method),
        standard_error=None if se is None else float(se),
    )


class PlaneStore:
    """Append-only SQLite store; use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._adopted: set[str] = set()
        try:
            self._db = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as err:
            raise self._unusable(f"SQLite cannot open it: {err}") from None
        try:
            self._open()
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise self._unusable(f"SQLite cannot read it: {err}") from None
        except InvalidInputError:
            self._db.close()
            raise

    def _unusable(self, why: str) -> InvalidInputError:
        return InvalidInputError(
            f"{self.path} is not an infolens records database ({why}). Pass another output "
            "folder, or move the file away to start afresh."
        )

    def _open(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if tables and "infoplane" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise self._unusable(
                f"it holds other tables ({shown}) and no information-plane records"
            )
        if "infoplane" in tables:
            if version not in (1, SCHEMA_VERSION):
                raise InvalidInputError(
                    f"{self.path} holds information-plane records of schema version {version}, "
                    f"but this infolens writes version {SCHEMA_VERSION}. Write to a new file (or "
                    "export the old records with an older infolens and re-import them)."
                )
            columns = [r[1] for r in self._db.execute("PRAGMA table_info(infoplane)")]
            if version == 1 and columns == _COLUMNS_V1:
                self._migrate_from_1()
                version, columns = SCHEMA_VERSION, _COLUMNS
            if columns != _COLUMNS:
                raise self._unusable(f"its table 'infoplane' has other columns ({columns})")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._db.commit()

    def _migrate_from_1(self) -> None:
        """Add the nullable interval columns of schema 2 (one transaction; rows unchanged)."""
        try:
            with self._db:
                for name, kind in INTERVAL_COLUMNS.items():
                    self._db.execute(f"ALTER TABLE infoplane ADD COLUMN {name} {kind}")
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.OperationalError as err:
            raise InvalidInputError(
                f"{self.path} holds information-plane records of schema version 1, which this "
                f"infolens migrates to version {SCHEMA_VERSION} by adding interval columns, and "
                f"the migration failed ({err}). Make the file writable, or copy it first."
            ) from None

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
                *_interval_row(r),
            )
            for r in records
        ]
        marks = ",".join("?" * len(_COLUMNS))
        with self._db:
            self._db.executemany(f"INSERT OR IGNORE INTO infoplane VALUES ({marks})", rows)

    def adopt_legacy(self, estimator: LayerEstimator) -> int:
        """Re-key the records stored for ``estimator`` before identities existed; return how many.

        Rows under the pre-identity key of ``estimator`` (see :mod:`infolens.infoplane._legacy`)
        get its identity; their values and ``units="bits"`` are kept. Called by :meth:`done` and
        :meth:`records` whenever they are given an estimator object, so old runs resume.
        """
        old = legacy_key(estimator)
        if old is None:
            return 0
        with self._db:
            cursor = self._db.execute(
                "UPDATE OR IGNORE infoplane SET estimator=? WHERE estimator=?",
                (estimator.identity(), old),
            )
        return cursor.rowcount

    def _key(self, estimator: LayerEstimator | str) -> str:
        identity = identity_of(estimator)
        if not isinstance(estimator, str) and identity not in self._adopted:
            self.adopt_legacy(estimator)
            self._adopted.add(identity)
        return identity

    def done(self, run_id: str, seed: int, estimator: LayerEstimator | str) -> set[int]:
        """Epochs already recorded for ``(run_id, seed, estimator)`` (an estimator or identity)."""
        rows = self._db.execute(
            "SELECT DISTINCT epoch FROM infoplane WHERE run_id=? AND seed=? AND estimator=?",
            (run_id, seed, self._key(estimator)),
        )
        return {int(r[0]) for r in rows}

    def estimators(self, run_id: str | None = None) -> list[str]:
        """Return the estimator identities (or pre-identity keys) that have records, sorted."""
        where, args = ("WHERE run_id=?", (run_id,)) if run_id is not None else ("", ())
        rows = self._db.execute(f"SELECT DISTINCT estimator FROM infoplane {where}", args)
        return sorted(r[0] for r in rows)

    def runs(self) -> list[tuple[str, int]]:
        """Return the ``(run_id, seed)`` pairs that have records, sorted."""
        rows = self._db.execute("SELECT DISTINCT run_id, seed FROM infoplane ORDER BY run_id, seed")
        return [(str(r[0]), int(r[1])) for r in rows]

    def to_dataframe(
        self,
        run_id: str | None = None,
        *,
        estimator: LayerEstimator | str | None = None,
        units: Units = "nats",
    ) -> Any:
        """Return the records (selected as in :meth:`records`) as a pandas DataFrame.

        One row per record with the columns ``run_id, seed, estimator, name, epoch, layer,
        layer_index, i_xt, i_ty, i_xt_given_y, units, status`` and the intervals ``i_xt_low,
        i_xt_high, i_xt_se, i_ty_low, i_ty_high, i_ty_se, ci_level, ci_method`` (NaN / None
        without one); the values are converted to ``units`` (records of runs stored in bits are
        converted per row). Needs pandas.

        Raises
        ------
        MissingExtraError
            If pandas is not installed.
        """
        target = check_units(units)
        try:
            import pandas as pd
        except ImportError as err:
            raise MissingExtraError(
                "PlaneStore.to_dataframe needs pandas, which is not installed: pip install pandas "
                "(or use PlaneStore.records(), which needs nothing)."
            ) from err

        def convert(value: float | None, source: str) -> float | None:
            if value is None or source == target:
                return value
            return value / _LN2 if target == "bits" else value * _LN2

        rows = [
            {
                "run_id": r.run_id,
                "seed": r.seed,
                "estimator": r.estimator,
                "name": r.estimator.split("/", 1)[0],
                "epoch": r.epoch,
                "layer": r.layer,
                "layer_index": r.layer_index,
                "i_xt": convert(r.i_xt, r.units),
                "i_ty": convert(r.i_ty, r.units),
                "i_xt_given_y": convert(r.i_xt_given_y, r.units),
                "units": target,
                "status": r.status,
                **self._interval_columns(r, convert),
            }
            for r in self.records(run_id, estimator=estimator)
        ]
        columns = ["run_id", "seed", "estimator", "name", "epoch", "layer", "layer_index",
                   "i_xt", "i_ty", "i_xt_given_y", "units", "status",
                   *INTERVAL_COLUMNS]  # fmt: skip
        frame = pd.DataFrame(rows, columns=columns)
        numeric = [c for c, kind in INTERVAL_COLUMNS.items() if kind == "REAL"]
        frame[numeric] = frame[numeric].astype(float)  # None -> NaN, also when all are None
        return frame

    @staticmethod
    def _interval_columns(record: PlaneRecord, convert: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for quantity, ci in (("i_xt", record.i_xt_ci), ("i_ty", record.i_ty_ci)):
            values[f"{quantity}_low"] = None if ci is None else convert(ci.low, record.units)
            values[f"{quantity}_high"] = None if ci is None else convert(ci.high, record.units)
            se = None if ci is None else ci.standard_error
            values[f"{quantity}_se"] = None if se is None else convert(se, record.units)
        given = record.i_xt_ci or record.i_ty_ci
        values["ci_level"] = None if given is None else given.level
        values["ci_method"] = None if given is None else given.method
        return values

    def records(
        self, run_id: str | None = None, *, estimator: LayerEstimator | str | None = None
    ) -> list[PlaneRecord]:
        """Return the records of ``run_id`` and ``estimator`` (all if None), in key order.

        ``estimator`` is an estimator object (its legacy records are adopted first), an identity
        string, or a registry name such as ``"kde_bound"`` (every identity of that estimator).
        """
        conditions: list[str] = []
        args: list[str | int] = []
        if run_id is not None:
            conditions.append("run_id=?")
            args.append(run_id)
        if isinstance(estimator, str) and "/" not in estimator:
            from infolens.infoplane.registry import resolve_layer_estimator_name

            conditions.append("substr(estimator, 1, ?) = ?")
            prefix = resolve_layer_estimator_name(estimator) + "/"
            args += [len(prefix), prefix]
        elif estimator is not None:
            conditions.append("estimator=?")
            args.append(self._key(estimator))
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        rows = self._db.execute(
            "SELECT * FROM infoplane" + where + " ORDER BY run_id, seed, estimator, epoch, "
            "layer_index",
            args,
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
                i_xt_ci=_interval(r[13], r[14], r[15], r[19], r[20]),
                i_ty_ci=_interval(r[16], r[17], r[18], r[19], r[20]),
            )
            for r in rows
        ]
