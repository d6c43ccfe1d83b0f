"""``infolens bench``: tested in-process on a root app with the bench sub-app added."""

import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infolens.cli import app
from infolens.cli.bench import check_feasible
from infolens.exceptions import InvalidParameterError
from tests.cli.conftest import RunCLI, problems


def invoke(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["bench", *map(str, args)], env={"NO_COLOR": "1", "COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, "\n".join(problems(result.stderr))


def test_list_json_has_every_task_with_truth() -> None:
    code, out, _ = invoke("list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 60
    assert rows[0] == {
        "task_id": "1v1-normal-0.75",
        "suite": "bmi",
        "quantity": "mutual_information",
        "dim_x": 1,
        "dim_y": 1,
        "dim_z": 0,
        "mutual_information": pytest.approx(0.41333928),
        "units": "nats",
    }


def test_list_table_and_selection() -> None:
    code, out, _ = invoke("list", "--tasks", "multinormal-dense-5*")
    assert code == 0
    assert re.search(r"multinormal-dense-5-5-0\.5\s*│\s*bmi\s*│\s*5×5\s*│\s*0\.5928", out)


def test_run_then_resume_then_report(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    args = (
        "run",
        "--tasks",
        "1v1-normal-0.75,1v1-additive-0.75",
        "--method",
        "ksg,gaussian",
        "--n",
        "200",
        "--seeds",
        "0-1",
        "--db",
        db,
        "--param",
        "ksg.k=5",
    )
    code, out, err = invoke(*args)
    assert code == 0, err
    assert "8 runs in" in out
    assert "ksg(k=5)" in out
    code, out, err = invoke(*args)
    assert code == 0
    assert "Skipping 8 finished run(s)" in err
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 8
    code, out, _ = invoke("report", "--db", db, "--format", "markdown")
    assert code == 0
    assert "| 1v1-normal-0.75 | 1×1 | 0.413 |" in out
    html = tmp_path / "r.html"
    code, out, _ = invoke("report", "--db", db, "-o", html)
    assert code == 0
    assert out == f"Wrote {html}.\n"
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_unknown_method_is_one_error_line(tmp_path: Path) -> None:
    code, out, err = invoke(
        "run", "--tasks", "1v1-normal-0.75", "--method", "ksgg", "--db", tmp_path / "r.db"
    )
    assert code == 2
    assert out == ""
    assert err.startswith("Error: Unknown method 'ksgg'. Available: 'binning', ")
    assert len(err.strip().splitlines()) == 1


def test_bad_param_and_sizes(tmp_path: Path) -> None:
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", tmp_path / "r.db", "-p", "k=5"
    )
    assert code == 2
    assert (
        err.strip()
        == "Error: --param expects METHOD.NAME=VALUE with METHOD one of --method (ksg); got 'k=5'."
    )
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", tmp_path / "r.db", "--n", "x"
    )
    assert code == 2
    assert err.strip() == "Error: --n expects integers (e.g. 5000 or 1000,5000); got 'x'."


def test_schema_mismatch_and_missing_database_are_errors(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE runs (x)")
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    code, _, err = invoke("run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", db, "--n", "50")
    assert code == 2
    assert (
        f"Error: Results database '{db}' has schema version 9; this infolens uses version 2." in err
    )
    code, _, err = invoke("report", "--db", tmp_path / "none.db")
    assert code == 2
    assert err.strip() == f"Error: Results database '{tmp_path / 'none.db'}' does not exist."


def test_installed_script_lists_tasks(run_cli: RunCLI) -> None:
    done = run_cli("bench", "list", "--json")
    assert done.returncode == 0, done.stderr
    tasks = {t["task_id"]: t for t in json.loads(done.stdout)}
    assert len([t for t in tasks.values() if t["suite"] == "bmi"]) == 40
    assert round(tasks["1v1-normal-0.75"]["mutual_information"], 4) == 0.4133


def test_absurd_sample_size_is_refused_up_front_with_the_memory_it_needs(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    code, out, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", db, "--n", str(10**14)
    )
    assert code == 2
    assert out == ""
    assert err.startswith(
        "Error: --n 100000000000000 is too large: the samples of task '1v1-normal-0.75' alone "
        "would need 1.42 PiB (100,000,000,000,000 x 2 columns x 8 bytes), more than this "
        "machine's "
    )
    assert not db.exists()  # refused before the database was created


def test_absurd_seed_range_is_refused_without_expanding_it(tmp_path: Path) -> None:
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", tmp_path / "r.db",
        "--seeds", "0-100000000000",
    )  # fmt: skip
    assert code == 2
    assert err.startswith(
        "Error: --seeds '0-100000000000' gives 100,000,000,001 seeds: 100,000,000,001 runs "
        "(tasks x methods x sizes x seeds), whose plan alone would need about 93.1 TiB of memory"
    )


def test_check_feasible_counts_seeds_and_states_the_memory() -> None:
    tasks = ["1v1-normal-0.75", "multinormal-dense-5-5-0.5"]
    assert check_feasible(tasks, 2, [100], "3", memory=10**9) == [0, 1, 2]
    assert check_feasible(tasks, 2, [100], "4-5,9", memory=None) == [4, 5, 9]
    # 10 columns x 8 bytes x 10**6 samples = 80 MB > 50 MB: the widest task is named.
    with pytest.raises(InvalidParameterError, match=re.escape("task 'multinormal-dense-5-5-0.5'")):
        check_feasible(tasks, 1, [10**6], "1", memory=50 * 10**6)
    # 2 tasks x 2 methods x 1 size x 1000 seeds x 1 KiB = 4 MiB > 1 MB
    with pytest.raises(InvalidParameterError, match=re.escape("4,000 runs")):
        check_feasible(tasks, 2, [100], "1000", memory=10**6)


def test_seeds_count_means_seeds_zero_to_count_minus_one(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    code, out, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "gaussian", "--db", db, "--n", "50", "--seeds", "3"
    )
    assert code == 0, err
    seeds = sorted(row[0] for row in sqlite3.connect(db).execute("SELECT seed FROM runs"))
    assert seeds == [0, 1, 2]


def test_deprecated_spellings_still_work_with_a_warning(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "--methods", "gaussian", "--db", db, "--n", "50"
    )
    assert code == 0, err
    assert "Warning: --methods is deprecated; use --method." in err
    code, out, err = invoke("report", db, "--format", "markdown")
    assert code == 0
    assert "Warning: Giving the database as an argument is deprecated; use --db." in err
    assert "1v1-normal-0.75" in out


def test_jobs_without_a_local_cluster_is_refused_not_ignored(tmp_path: Path) -> None:
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "gaussian", "--db", tmp_path / "r.db", "--jobs", "2"
    )
    assert code == 2
    assert err == (
        "Error: --jobs sets the workers of a local dask cluster: it needs --scheduler threads "
        "or processes, not 'serial'."
    )
