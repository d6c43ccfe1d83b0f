"""The SQLite store of information-plane records."""

import pickle
import re
import sqlite3
from pathlib import Path

import numpy as np
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


@pytest.mark.parametrize("kind", ["random", "pickle", "foreign", "other_columns", "folder"])
def test_a_corrupt_or_foreign_records_file_is_one_clear_error(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    if kind == "random":
        path.write_bytes(np.random.default_rng(0).bytes(4096))
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"a": 1}))
    elif kind == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE customers (name TEXT)")
    elif kind == "other_columns":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE infoplane (run_id TEXT)")
            db.execute("PRAGMA user_version=1")
    else:
        path.mkdir()
    with pytest.raises(
        ValueError, match=re.escape(f"{path} is not an infolens records database (")
    ) as caught:
        PlaneStore(path)
    assert "\n" not in str(caught.value)
    assert "Pass another output folder" in str(caught.value)
    if kind == "foreign":  # nothing was added to the other program's database
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master")]
        assert tables == ["customers"]


def test_records_can_be_selected_by_estimator_object_or_identity(tmp_path: Path) -> None:
    from infolens.infoplane import FixedBinning, KDEBound

    fixed, kde = FixedBinning(), KDEBound()
    rows = [PlaneRecord("run", 0, e.identity(), 0, "1", 1, 1.0, 0.5, 0.5, {}) for e in (fixed, kde)]
    with PlaneStore(tmp_path / "r.db") as store:
        store.add(rows)
        assert [r.estimator for r in store.records(estimator=kde)] == [kde.identity()]
        assert store.records("run", estimator=fixed.identity()) == [rows[0]]
        assert store.estimators() == sorted([fixed.identity(), kde.identity()])
        assert store.records(estimator="kde_bound") == [rows[1]]  # by registry name
        with pytest.warns(DeprecationWarning, match="'kde' is deprecated; use 'kde_bound'"):
            assert store.records(estimator="kde") == [rows[1]]
        with pytest.raises(ValueError, match=re.escape("Unknown layer estimator 'kdee'")):
            store.records(estimator="kdee")


def test_to_dataframe_has_one_row_per_record_in_the_units_asked(tmp_path: Path) -> None:
    from infolens.infoplane import FixedBinning, KDEBound

    fixed, kde = FixedBinning(), KDEBound()
    with PlaneStore(tmp_path / "r.db") as store:
        store.add(
            [
                PlaneRecord("run", 0, fixed.identity(), 0, "L1", 0, np.log(4.0), 0.5, 0.1, {}),
                PlaneRecord("run", 1, kde.identity(), 0, "L1", 0, 1.0, 0.5, 0.5, {}),
                PlaneRecord("old", 0, "binning", 3, "L1", 0, 2.0, 1.0, 1.0, {}, units="bits"),
            ]
        )
        frame = store.to_dataframe(units="bits")
        assert len(frame) == 3
        assert list(frame.columns[:5]) == ["run_id", "seed", "estimator", "name", "epoch"]
        assert set(frame["units"]) == {"bits"}
        row = frame[frame["estimator"] == fixed.identity()].iloc[0]
        assert row["i_xt"] == pytest.approx(2.0, abs=1e-12)  # ln 4 nats = 2 bits
        assert frame[frame["run_id"] == "old"].iloc[0]["i_xt"] == 2.0  # stored in bits already
        by_object = store.to_dataframe("run", estimator=kde)
        by_name = store.to_dataframe(estimator="kde_bound")
        assert by_object["seed"].tolist() == by_name["seed"].tolist() == [1]
        assert by_object["i_xt"].tolist() == [1.0]  # nats by default
        assert store.runs() == [("old", 0), ("run", 0), ("run", 1)]


def test_to_dataframe_without_pandas_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from infolens.exceptions import MissingExtraError

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    message = "PlaneStore.to_dataframe needs pandas, which is not installed"
    with PlaneStore(tmp_path / "r.db") as store, pytest.raises(MissingExtraError, match=message):
        store.to_dataframe()
