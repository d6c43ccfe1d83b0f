"""``infolens bench run --ci``: the option reaches the runs, the store and the report."""

import sqlite3
from pathlib import Path

from tests.cli.test_bench import invoke


def test_ci_option_reaches_the_runs_and_the_report(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    args = ("run", "-t", "1v1-normal-0.75", "-m", "gaussian,lnc", "--n", "200", "--seeds", "0-1")
    code, out, err = invoke(*args, "--db", db, "--ci", "0.9")
    assert code == 0, err
    rows = sqlite3.connect(db).execute(
        "SELECT method, ci_level, ci_low IS NOT NULL, ci_method, ci_error IS NOT NULL FROM runs "
        "ORDER BY id"
    )
    assert list(rows) == [
        ("gaussian", 0.9, 1, "asymptotic", 0),
        ("gaussian", 0.9, 1, "asymptotic", 0),
        ("lnc", 0.9, 0, None, 1),
        ("lnc", 0.9, 0, None, 1),
    ]
    inside = (
        sqlite3.connect(db)
        .execute(
            "SELECT SUM(ci_low <= truth AND truth <= ci_high) FROM runs WHERE ci_low IS NOT NULL"
        )
        .fetchone()[0]
    )
    assert (
        f"Intervals at level 0.9: the truth inside {inside} of 2 (2 runs without an interval)."
        in out
    )
    code, out, err = invoke(*args, "--db", db)  # without --ci: runs of their own
    assert code == 0, err
    assert "Skipping" not in err
    assert "Intervals at level" not in out
    code, out, err = invoke(*args, "--db", db, "--ci", "0.9")
    assert "Skipping 4 finished run(s)" in err
    code, out, _ = invoke("report", "--db", db, "--format", "markdown")
    assert code == 0
    assert "| 1v1-normal-0.75 | 0.413 | gaussian | 200 | 0.9 |" in out
    assert f"| {inside}/2 | asymptotic |" in out
    assert "| lnc | 200 | 0.9 |" in out
    assert "(no interval) | — | UnsupportedQuantityError: Method 'lnc' cannot provide" in out


def test_ci_option_refuses_a_level_outside_zero_one(tmp_path: Path) -> None:
    code, out, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "gaussian", "--db", tmp_path / "r.db", "--ci", "95"
    )
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "Error: The 'ci' parameter must be a confidence level, a float in the open interval "
        "(0, 1) (e.g. 0.95). Got 95.0 instead."
    )
    assert not (tmp_path / "r.db").exists()
