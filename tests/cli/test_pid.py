"""``infolens pid``: PID of CSV columns through the installed script."""

import json
from pathlib import Path

import numpy as np
import pytest

import infolens
from tests.cli.conftest import RunCLI


def _gate_csv(tmp_path: Path) -> Path:
    rows = ["a,b,xor,and,noise"]
    rng = np.random.default_rng(0)
    for a, b in [(0, 0), (0, 1), (1, 0), (1, 1)] * 25:
        rows.append(f"{a},{b},{a ^ b},{a & b},{rng.random():.6f}")
    path = tmp_path / "gates.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_pid_of_xor_is_one_bit_of_synergy(run_cli: RunCLI, tmp_path: Path) -> None:
    csv = _gate_csv(tmp_path)
    done = run_cli("pid", f"{csv}:a", f"{csv}:b", f"{csv}:xor", "--units", "bits", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["synergy"] == pytest.approx(1.0, abs=1e-12)
    assert result["redundancy"] == pytest.approx(0.0, abs=1e-12)


def test_pid_matches_the_python_api_with_broja(run_cli: RunCLI, tmp_path: Path) -> None:
    csv = _gate_csv(tmp_path)
    done = run_cli("pid", f"{csv}:a", f"{csv}:b", f"{csv}:and", "--measure", "broja", "--json")
    a = np.array([0, 0, 1, 1] * 25)
    b = np.array([0, 1, 0, 1] * 25)
    expected = infolens.pid(a, b, a & b, measure="broja", units="nats")
    assert json.loads(done.stdout)["synergy"] == pytest.approx(expected.synergy, abs=1e-12)
    table = run_cli("pid", f"{csv}:a", f"{csv}:b", f"{csv}:and")
    assert "synergy" in table.stdout


def test_pid_bins_float_columns_and_reports_errors_in_one_line(
    run_cli: RunCLI, tmp_path: Path
) -> None:
    csv = _gate_csv(tmp_path)
    done = run_cli("pid", f"{csv}:a", f"{csv}:noise", f"{csv}:xor", "--bins", "2", "--json")
    assert done.returncode == 0, done.stderr
    bad = run_cli("pid", f"{csv}:a", f"{csv}:b", f"{csv}:xor", "--measure", "imin")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "Error: Invalid value for '--measure': 'imin' is not one of 'williams_beer', 'broja'. "
        "(see 'infolens pid --help')"
    )


def test_pid_refuses_float_columns_without_bins(run_cli: RunCLI, tmp_path: Path) -> None:
    csv = _gate_csv(tmp_path)
    done = run_cli("pid", f"{csv}:a", f"{csv}:noise", f"{csv}:xor")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "Error: X2 holds floating-point values; the PID needs discrete data. Pass --bins N to "
        "bin float columns into N equal-width bins (or give integer or text labels)."
    )
