"""``infolens infoplane`` through the installed script."""

import json
from pathlib import Path

from tests.cli.conftest import RunCLI

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "var_u.mat"


def test_infoplane_reproduce_writes_the_report(run_cli: RunCLI, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = run_cli("infoplane", "reproduce", "tishby", "--epochs", "8", "--seeds", "1",
                   "--out", out, "--data", DATA, "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["epochs"] == 8
    assert (out / "report.html").exists()


def test_infoplane_missing_data_is_one_line(run_cli: RunCLI, tmp_path: Path) -> None:
    done = run_cli("infoplane", "reproduce", "tishby", "--epochs", "5", "--out", tmp_path,
                   "--data", tmp_path / "nope.mat")  # fmt: skip
    assert done.returncode == 2  # every user error exits with 2 (cli._output.USER_ERROR)
    assert done.stderr.startswith("Error: The 12-bit dataset was not found at")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_infoplane_list(run_cli: RunCLI) -> None:
    done = run_cli("infoplane", "list")
    assert "bin-placement" in done.stdout
