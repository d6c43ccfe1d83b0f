"""``infolens bench``: tested in-process on a root app with the bench sub-app added."""

import json
import re
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from infolens.cli.bench import bench_app
from tests.cli.conftest import RunCLI

root = typer.Typer()
root.add_typer(bench_app, name="bench")


@root.callback()
def _root() -> None:
    """Test root."""


def invoke(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        root, ["bench", *map(str, args)], env={"NO_COLOR": "1", "COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


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
        "--methods",
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
    code, out, _ = invoke("report", db, "--format", "markdown")
    assert code == 0
    assert "| 1v1-normal-0.75 | 1×1 | 0.413 |" in out
    html = tmp_path / "r.html"
    code, out, _ = invoke("report", db, "-o", html)
    assert code == 0
    assert out == f"Wrote {html}.\n"
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_unknown_method_is_one_error_line(tmp_path: Path) -> None:
    code, out, err = invoke(
        "run", "--tasks", "1v1-normal-0.75", "--methods", "ksgg", "--db", tmp_path / "r.db"
    )
    assert code == 1
    assert out == ""
    assert err.startswith("Error: Unknown method 'ksgg'. Available: 'binning', ")
    assert len(err.strip().splitlines()) == 1


def test_bad_param_and_sizes(tmp_path: Path) -> None:
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", tmp_path / "r.db", "-p", "k=5"
    )
    assert code == 1
    assert (
        err.strip()
        == "Error: --param expects METHOD.NAME=VALUE with METHOD one of --methods (ksg); got 'k=5'."
    )
    code, _, err = invoke(
        "run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", tmp_path / "r.db", "--n", "x"
    )
    assert code == 1
    assert err.strip() == "Error: --n expects integers (e.g. 5000 or 1000,5000); got 'x'."


def test_schema_mismatch_and_missing_database_are_errors(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE runs (x)")
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    code, _, err = invoke("run", "-t", "1v1-normal-0.75", "-m", "ksg", "--db", db, "--n", "50")
    assert code == 1
    assert (
        f"Error: Results database '{db}' has schema version 9; this infolens uses version 1." in err
    )
    code, _, err = invoke("report", tmp_path / "none.db")
    assert code == 1
    assert err.strip() == f"Error: Results database '{tmp_path / 'none.db'}' does not exist."


def test_installed_script_lists_tasks(run_cli: RunCLI) -> None:
    done = run_cli("bench", "list", "--json")
    assert done.returncode == 0, done.stderr
    tasks = {t["task_id"]: t for t in json.loads(done.stdout)}
    assert len([t for t in tasks.values() if t["suite"] == "bmi"]) == 40
    assert round(tasks["1v1-normal-0.75"]["mutual_information"], 4) == 0.4133
