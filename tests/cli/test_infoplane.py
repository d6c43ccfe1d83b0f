"""``infolens infoplane`` through the installed script."""

import json
import re
from pathlib import Path

import pytest

from infolens.cli._output import USER_ERROR
from infolens.cli.infoplane import CRITERION_FAILED
from tests.cli.conftest import RunCLI

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "var_u.mat"


def test_infoplane_reproduce_writes_the_report(run_cli: RunCLI, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = run_cli("infoplane", "reproduce", "tishby", "--epochs", "8", "--seeds", "1",
                   "-o", out, "--data", DATA, "--json")  # fmt: skip
    summary = json.loads(done.stdout)
    assert not summary["passed"]  # 8 epochs cannot compress: a failed criterion exits 1
    assert done.returncode == CRITERION_FAILED, done.stderr
    assert summary["epochs"] == 8
    assert summary["seeds"] == 1
    assert summary["inputs"] == "signed"
    page = (out / "report.html").read_text()
    assert "I(T;Y) over epochs" in page
    assert "I(X;T) over epochs" in page
    # a rerun resumes (and says so), --no-check exits 0, the summary is readable
    again = run_cli("infoplane", "reproduce", "tishby", "--epochs", "8", "--seeds", "1",
                    "-o", out, "--data", DATA, "--no-check")  # fmt: skip
    assert again.returncode == 0, again.stderr
    text = " ".join(again.stdout.split())
    assert "tanh-seed0: an earlier run reached epoch 8 of 8" in text
    assert "8 of 8 epoch(s) of fixed_binning/v1" in text
    assert "skipped" in text
    assert "training tanh-seed0: 8/8 (100%)" in text  # the progress, as lines when piped
    assert "rise " in text
    assert " bits; drop " in text
    assert not re.search(r"\d\.\d{6,}", again.stdout)  # no raw 16-digit floats
    assert "some criteria fail" in text
    # any records database makes a report
    report = run_cli("infoplane", "report", out / "records.db", "-o", tmp_path / "r.html")
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "r.html").read_text().count("<svg") == 1
    missing = run_cli("infoplane", "report", tmp_path / "none.db")
    assert missing.returncode == USER_ERROR
    assert missing.stderr.startswith(f"Error: No records database at {tmp_path / 'none.db'}")


def test_inputs_reach_the_run_and_seeds_take_a_range(run_cli: RunCLI, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = run_cli("infoplane", "reproduce", "tishby", "--epochs", "3", "--seeds", "2-3",
                   "--inputs", "binary", "--out", out, "--data", DATA, "--jobs", "1",
                   "--json", "--no-check")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["inputs"] == "binary"
    assert summary["seeds"] == [2, 3]
    assert sorted(p.name for p in out.glob("tanh-seed*")) == ["tanh-seed2", "tanh-seed3"]
    # the checkpoint was trained on 0/1 inputs: a signed rerun into it is refused, not mixed
    again = run_cli("infoplane", "reproduce", "tishby", "--epochs", "3", "--seeds", "2-3",
                    "--out", out, "--data", DATA, "--jobs", "1")  # fmt: skip
    assert again.returncode == USER_ERROR
    assert "belongs to a run with other settings" in again.stderr


def test_bad_options_list_the_choices_on_one_line(run_cli: RunCLI, tmp_path: Path) -> None:
    bogus = run_cli("infoplane", "reproduce", "tishby", "--inputs", "bogus", "--out", tmp_path)
    assert bogus.returncode == 2
    assert "'bogus' is not one of 'signed', 'binary'" in " ".join(bogus.stderr.split())
    name = run_cli("infoplane", "reproduce", "tisby", "--out", tmp_path)
    assert name.returncode == 2
    assert (
        "'tisby' is not one of 'adaptive', 'bin-placement', 'conditional', 'kde', 'lossy-mnist', "
        "'noisy', 'saxe-mnist', 'saxe-relu', 'tishby'"
    ) in " ".join(name.stderr.split())
    for seeds in ("0", "0-100000000000", "x"):
        done = run_cli("infoplane", "reproduce", "tishby", "--seeds", seeds, "--out", tmp_path,
                       "--data", DATA)  # fmt: skip
        assert done.returncode == USER_ERROR, done.stderr
        assert done.stderr.startswith("Error: --seeds"), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # refused before any work


def test_infoplane_missing_data_is_one_line(run_cli: RunCLI, tmp_path: Path) -> None:
    done = run_cli("infoplane", "reproduce", "tishby", "--epochs", "5", "--out", tmp_path,
                   "--data", tmp_path / "nope.mat")  # fmt: skip
    assert done.returncode == USER_ERROR
    assert done.stderr.startswith("Error: The 12-bit dataset was not found at")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_corrupt_records_database_is_one_line(run_cli: RunCLI, tmp_path: Path) -> None:
    (tmp_path / "records.db").write_bytes(b"not a database" * 100)
    done = run_cli("infoplane", "reproduce", "tishby", "--epochs", "3", "--seeds", "1",
                   "--out", tmp_path, "--data", DATA)  # fmt: skip
    assert done.returncode == USER_ERROR
    assert done.stderr.startswith(
        f"Error: {tmp_path / 'records.db'} is not an infolens records database"
    )
    assert len(done.stderr.strip().splitlines()) == 1


def test_infoplane_list_and_the_choices_match_the_reproductions(run_cli: RunCLI) -> None:
    from infolens.cli.infoplane import NAMES
    from infolens.infoplane.reproduce import REPRODUCTIONS

    assert sorted(REPRODUCTIONS) == list(NAMES)
    done = run_cli("infoplane", "list")
    assert "bin-placement" in done.stdout


def test_without_torch_reproduce_is_one_line_and_list_still_works(
    run_without_torch: RunCLI, tmp_path: Path
) -> None:
    done = run_without_torch("infoplane", "reproduce", "tishby", "--epochs", "3", "--seeds", "1",
                             "--out", tmp_path, "--data", DATA)  # fmt: skip
    assert done.returncode == USER_ERROR
    assert done.stderr.strip().splitlines() == [
        'Error: This needs PyTorch (torch), which is not installed: pip install "infolens[torch]".'
    ]
    listed = run_without_torch("infoplane", "list")
    assert listed.returncode == 0, listed.stderr
    assert "tishby" in listed.stdout


def test_reproductions_with_knn_layer_estimators_announce_the_compilation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from infolens.cli import _kernels, infoplane
    from infolens.infoplane import KNNEntropy
    from infolens.infoplane.reproduce import REPRODUCTIONS, Panel, Reproduction

    knn = Reproduction("knn-demo", "k-NN", (Panel("tanh", KNNEntropy(), "tanh, k-NN"),), dict)
    monkeypatch.setitem(REPRODUCTIONS, "knn-demo", knn)
    monkeypatch.setattr(_kernels, "kernels_cached", lambda *args: False)  # a fresh cache
    infoplane._notify_if_compiling("tishby")  # binning: nothing to compile
    assert capsys.readouterr().err == ""
    infoplane._notify_if_compiling("knn-demo")
    assert _kernels.NOTICE in capsys.readouterr().err


def test_progress_off_a_terminal_is_a_line_per_quarter_with_an_eta() -> None:
    import io

    from rich.console import Console

    from infolens.cli.infoplane import ProgressBars
    from infolens.infoplane.progress import Progress

    out = io.StringIO()
    console = Console(file=out, width=200, highlight=False)
    with ProgressBars(console) as bars:
        bars("training 1 run(s)")
        for done in range(1, 101):
            bars(Progress("training", "tanh-seed0", done, 100))
        bars(Progress("note", "resume", message="resuming: 3 epochs skipped"))
    lines = out.getvalue().splitlines()
    assert lines[0] == "training 1 run(s)"
    progress = [line for line in lines if line.startswith("training tanh-seed0: ")]
    assert [line.split(": ")[1].split(" ")[0] for line in progress] == [
        "1/100", "25/100", "50/100", "75/100", "100/100"
    ]  # fmt: skip
    assert all(", ETA " in line for line in progress[1:-1])
    assert lines[-1] == "resuming: 3 epochs skipped"


def test_the_size_hint_fits_the_reproduction(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from infolens.cli.infoplane import print_summary, size_hint

    tishby = {"reproduction": "tishby", "epochs": 300, "seeds": 5}
    assert size_hint(tishby) == "full size: --epochs 10000 --seeds 5"
    assert size_hint(tishby | {"epochs": 10_000, "seeds": [0, 1]}) == (
        "full size: --epochs 10000 --seeds 5"
    )
    assert size_hint(tishby | {"epochs": 10_000}) is None
    assert size_hint({"reproduction": "lossy-mnist", "epochs": 5, "seeds": 3}) == (
        "laptop size: omit --epochs (100)"
    )
    assert size_hint({"reproduction": "saxe-mnist", "epochs": 3000, "seeds": 1}) is None
    summary = {
        "description": "d",
        "criteria": {"c": {"pass": False, "x": 1.0}},
        "passed": False,
        "epochs": 5,
        "seeds": 1,
        "reproduction": "noisy",
    }
    buffer = io.StringIO()
    print_summary(Console(file=buffer, width=200), summary, tmp_path / "report.html")
    printed = " ".join(buffer.getvalue().split())
    assert "some criteria fail (laptop size: omit --epochs (1500))" in printed
    assert "Report:" not in printed  # no path to a report that does not exist
    (tmp_path / "report.html").write_text("<html></html>")
    buffer = io.StringIO()
    print_summary(
        Console(file=buffer, width=200), summary | {"passed": True}, tmp_path / "report.html"
    )
    assert f"Report: {tmp_path / 'report.html'}" in " ".join(buffer.getvalue().split())
