"""The estimator's own interval in the benchmark: runner, store (schema 2 and migration), report."""

import re
import sqlite3
from pathlib import Path

import pytest

from infolens.benchmark import run
from infolens.benchmark.report import (
    html_report,
    markdown_report,
    summarize_cells,
    summarize_intervals,
    write_report,
)
from infolens.benchmark.runner import RunSpec, execute, plan
from infolens.benchmark.store import SCHEMA_VERSION, ResultStore, RunResult
from infolens.exceptions import InvalidParameterError

TASK = "1v1-normal-0.75"
TRUTH = 0.41333928659223396

# The table of schema 1, as infolens 0.1 wrote it (no interval columns, the key without a level).
SCHEMA_1 = """
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


def _schema_1_database(path: Path, estimate: float = 0.123) -> None:
    conn = sqlite3.connect(path)
    conn.execute(SCHEMA_1)
    conn.execute(
        "INSERT INTO runs (task_id, method, params, preprocess, n, seed, quantity, estimate, "
        "truth, wall_time, status, infolens_version, created_at) VALUES "
        "(?, 'gaussian', '{}', 'none', 100, 0, 'mutual_information', ?, ?, 0.01, 'success', "
        "'0.1.0', '2026-01-01T00:00:00.000Z')",
        (TASK, estimate, TRUTH),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


# -- runner ------------------------------------------------------------------------------------


def test_ksg_interval_is_centred_on_the_estimate_and_leaves_the_estimate_as_it_was() -> None:
    for seed in (0, 1):
        with_ci = execute(RunSpec(task_id=TASK, method="ksg", n=150, seed=seed, ci=0.9))
        plain = execute(RunSpec(task_id=TASK, method="ksg", n=150, seed=seed))
        assert with_ci.success
        assert with_ci.ci_error is None
        assert with_ci.ci_low is not None
        assert with_ci.ci_high is not None
        assert with_ci.estimate is not None
        assert with_ci.ci_low < with_ci.estimate < with_ci.ci_high
        # subsampling intervals are estimate ± t·SE
        assert (with_ci.ci_low + with_ci.ci_high) / 2 == pytest.approx(with_ci.estimate, abs=1e-12)
        assert with_ci.ci_level == 0.9
        assert with_ci.ci_method == "subsampling"
        assert with_ci.estimate == plain.estimate  # same estimator, same generator
        assert plain.ci_level is None
        assert plain.ci_low is None
        assert with_ci.key == (*plain.key[:6], 0.9)


def test_a_method_without_an_interval_keeps_its_estimate_and_says_why() -> None:
    results = run(TASK, "lnc,gaussian", n=[40, 100], seeds=0, ci=0.95)
    lnc = [r for r in results if r.method == "lnc"]
    assert all(r.success and r.estimate is not None for r in lnc)
    assert all(r.ci_low is None and r.ci_high is None and r.ci_method is None for r in lnc)
    assert all(r.ci_level == 0.95 for r in lnc)
    assert all(
        (r.ci_error or "").startswith(
            "UnsupportedQuantityError: Method 'lnc' cannot provide a confidence interval"
        )
        for r in lnc
    )
    gaussian = [r for r in results if r.method == "gaussian"]
    assert all(r.ci_method == "asymptotic" and r.ci_error is None for r in gaussian)


def test_too_few_samples_for_an_interval_and_a_failed_estimate() -> None:
    small = execute(RunSpec(task_id=TASK, method="ksg", n=50, seed=0, ci=0.95))
    assert small.success
    assert small.estimate is not None
    assert small.ci_low is None
    assert (small.ci_error or "").startswith(
        "InsufficientSamplesError: A subsampling interval for method 'ksg' needs at least 60"
    )
    failed = execute(RunSpec(task_id=TASK, method="ksg", n=3, seed=0, ci=0.95))
    assert not failed.success
    assert failed.estimate is None
    assert failed.ci_error is None
    assert failed.ci_level == 0.95
    assert (failed.error or "").startswith("InsufficientSamplesError: KSGEstimator")


@pytest.mark.parametrize("level", [1.5, 0, True, "0.9"])
def test_a_level_outside_the_open_unit_interval_fails_before_the_sweep(level: object) -> None:
    msg = "The 'ci' parameter must be a confidence level, a float in the open interval (0, 1)"
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        plan(TASK, "ksg", n=100, ci=level)  # type: ignore[arg-type]


# -- store -------------------------------------------------------------------------------------


def _result(**changes: object) -> RunResult:
    fields: dict[str, object] = {
        "task_id": TASK,
        "method": "ksg",
        "n": 100,
        "seed": 0,
        "estimate": 0.4,
        "truth": TRUTH,
        "success": True,
    }
    fields.update(changes)
    return RunResult(**fields)  # type: ignore[arg-type]


def test_store_round_trip_and_the_level_is_part_of_the_key(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with_ci = _result(ci_low=0.3, ci_high=0.5, ci_level=0.95, ci_method="subsampling")
    other_level = _result(ci_low=0.32, ci_high=0.48, ci_level=0.9, ci_method="subsampling")
    no_interval = _result(method="lnc", ci_level=0.95, ci_error="UnsupportedQuantityError: no")
    with ResultStore(path) as store:
        for result in (_result(), with_ci, other_level, no_interval):
            store.add(result)
        store.add(_result(estimate=9.0))  # same keys: ignored
        store.add(_result(estimate=9.0, ci_level=0.95))
    with ResultStore(path, create=False) as store:
        assert store.results() == [_result(), with_ci, other_level, no_interval]
        assert store.finished_keys() == {
            r.key for r in (_result(), with_ci, other_level, no_interval)
        }
    assert with_ci.covered is True
    assert _result(ci_low=0.1, ci_high=0.2, ci_level=0.9).covered is False
    assert _result().covered is None


def test_delete_failed_matches_the_level(tmp_path: Path) -> None:
    failed = _result(success=False, estimate=None, error="E: x")
    with ResultStore(tmp_path / "r.db") as store:
        store.add(failed)
        store.add(_result(success=False, estimate=None, error="E: x", ci_level=0.95))
        store.delete_failed([failed.key])
        assert [r.ci_level for r in store.results()] == [0.95]


def test_resume_keeps_runs_and_a_level_makes_runs_of_its_own(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    plans: list[tuple[int, int]] = []

    def sweep(ci: float | None) -> list[RunResult]:
        return run(
            TASK, "gaussian", n=100, seeds="0-1", db=db, ci=ci, on_plan=lambda *p: plans.append(p)
        )

    plain = sweep(None)
    with_ci = sweep(0.95)
    again = sweep(0.95)
    assert plans == [(2, 0), (2, 0), (0, 2)]
    assert again == with_ci
    assert [r.estimate for r in with_ci] == [r.estimate for r in plain]
    assert len(ResultStore(db).results()) == 4


def test_a_schema_1_database_is_migrated_in_place_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _schema_1_database(db)
    plans: list[tuple[int, int]] = []
    results = run(TASK, "gaussian", n=100, seeds="0-1", db=db, on_plan=lambda *p: plans.append(p))
    assert plans == [(1, 1)]  # the stored seed is kept, not re-run
    assert results[0].estimate == 0.123
    assert results[0].ci_level is None
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert conn.execute("SELECT id, created_at FROM runs WHERE seed = 0").fetchone() == (
        1,
        "2026-01-01T00:00:00.000Z",
    )
    conn.close()
    with_ci = run(TASK, "gaussian", n=100, seeds="0-1", db=db, ci=0.9)
    assert all(r.ci_method == "asymptotic" for r in with_ci)
    assert len(ResultStore(db).results()) == 4


def test_a_schema_1_database_is_reported_without_being_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _schema_1_database(db)
    text = write_report(db, fmt="markdown")
    assert "| 1v1-normal-0.75 | 1×1 | 0.413 | 0.123 ✗ |" in text
    assert "estimator's own interval" not in text
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "ci_low" not in {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    conn.close()


# -- report ------------------------------------------------------------------------------------


def _interval_runs() -> list[RunResult]:
    ends = [(0.30, 0.50), (0.35, 0.55), (0.42, 0.62)]  # the truth 0.413 is in the first two
    runs = [
        _result(
            seed=s,
            estimate=(lo + hi) / 2,
            ci_low=lo,
            ci_high=hi,
            ci_level=0.9,
            ci_method="subsampling",
        )
        for s, (lo, hi) in enumerate(ends)
    ]
    runs += [_result(seed=s, estimate=(lo + hi) / 2) for s, (lo, hi) in enumerate(ends)]
    runs += [
        _result(
            method="lnc",
            seed=s,
            estimate=0.41,
            ci_level=0.9,
            ci_error="UnsupportedQuantityError: Method 'lnc' cannot provide a confidence "
            "interval: no valid procedure is known for it. Methods with intervals: ...",
        )
        for s in range(2)
    ]
    return runs


def test_report_shows_the_mean_interval_and_the_coverage() -> None:
    runs = _interval_runs()
    (ksg, lnc) = sorted(summarize_intervals(runs), key=lambda s: s.method)
    assert (ksg.n_covered, ksg.n_intervals, ksg.coverage) == (2, 3, "2/3")
    assert ksg.mean == pytest.approx((0.40 + 0.45 + 0.52) / 3)
    assert ksg.mean_low == pytest.approx((0.30 + 0.35 + 0.42) / 3)
    assert ksg.mean_high == pytest.approx((0.50 + 0.55 + 0.62) / 3)
    assert (lnc.n_intervals, lnc.n_estimates, lnc.coverage) == (0, 2, "—")
    text = markdown_report(runs)
    assert (
        "| task | true | method | N | level | estimate [interval] | truth inside | interval |"
        in text
    )
    assert (
        "| 1v1-normal-0.75 | 0.413 | ksg | 100 | 0.9 | 0.457 [0.357, 0.557] | 2/3 | subsampling |"
        in text
    )
    assert (
        "| 1v1-normal-0.75 | 0.413 | lnc | 100 | 0.9 | 0.410 (no interval) | — | "
        "UnsupportedQuantityError: Method 'lnc' cannot provide a confidence interval: no valid "
        "procedure is known for it. |"
    ) in text
    # a seed run with and without an interval counts once in the other tables
    cells = {c.method: c for c in summarize_cells(runs)}
    assert cells["ksg"].n_success == 3
    page = html_report(runs)
    assert "truth inside" in page
    assert "0.457 [0.357, 0.557]" in page


def test_report_without_interval_runs_has_no_interval_table() -> None:
    runs = [r for r in _interval_runs() if r.ci_level is None]
    assert "truth inside" not in markdown_report(runs)


def test_migration_tolerates_another_process_migrating_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two openers of a schema-1 file, made deterministic: B migrates after A looked."""
    db = tmp_path / "old.db"
    _schema_1_database(db)
    original = ResultStore._migrate_from_1
    calls: list[int] = []
    # a second rebuild would copy only the schema-1 columns and lose this interval
    interval: dict[str, object] = {"ci_low": 0.1, "ci_high": 0.3, "ci_level": 0.9}

    def lose_the_race(self: ResultStore) -> None:
        if not calls:
            calls.append(1)
            with monkeypatch.context() as inner:
                inner.setattr(ResultStore, "_migrate_from_1", original)
                with ResultStore(db) as other:  # the other process migrates first
                    other.add(_result(method="gaussian", seed=1, estimate=0.2, **interval))
        original(self)  # finds version 2 under the lock and does nothing

    monkeypatch.setattr(ResultStore, "_migrate_from_1", lose_the_race)
    with ResultStore(db) as store:
        assert calls == [1]
        store.add(_result(method="gaussian", n=100, seed=0, estimate=9.0))  # the v1 key: ignored
        assert [(r.seed, r.estimate) for r in store.results()] == [(0, 0.123), (1, 0.2)]
        assert store.results()[1].ci_low == 0.1
