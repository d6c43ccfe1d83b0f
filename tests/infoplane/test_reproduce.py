"""Reproductions at a tiny size: every artefact is written, criteria evaluated, reruns resume."""

import json
import math
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from infolens.infoplane import FixedBinning, PlaneStore
from infolens.infoplane.reproduce import REPRODUCTIONS, reproduce
from infolens.infoplane.schedule import idnns_epochs

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "var_u.mat"


@pytest.fixture(scope="module")
def tishby_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("tishby")
    summary = reproduce("tishby", epochs=25, seeds=2, out=out, data=DATA, n_jobs=1)
    return out, summary


def test_reproduction_writes_records_summary_and_report(
    tishby_run: tuple[Path, dict[str, Any]],
) -> None:
    out, summary = tishby_run
    assert {p.name for p in out.iterdir()} >= {
        "records.db",
        "summary.json",
        "report.html",
        "plane.png",
    }
    assert json.loads((out / "summary.json").read_text())["criteria"] == json.loads(
        json.dumps(summary["criteria"])
    )
    assert summary["seeds"] == 2
    assert len(summary["criteria"]) == 3
    # criteria name the layers by their human labels (records keep the module names)
    assert list(summary["criteria"])[:2] == [
        "T5 (Tanh, 3) rises then falls by >= 4.0 bits",
        "T6 (Softmax, 2) rises then falls by >= 2.0 bits",
    ]
    assert list(summary["criteria"]["final I(T;Y) >= 0.95 bits in every layer"]["final_i_ty"]) == [
        f"T{i} (Tanh, {w})" for i, w in zip(range(1, 6), (10, 7, 5, 4, 3), strict=True)
    ] + ["T6 (Softmax, 2)"]
    assert isinstance(summary["passed"], bool)
    with PlaneStore(out / "records.db") as store:
        records = store.records()
    assert len(records) == 2 * len(idnns_epochs(25)) * 6  # seeds x captured epochs x layers
    first = [r for r in records if r.seed == 0 and r.epoch == 0]
    # 10 tanh units resolve all 4096 inputs: H(T) = 12 bits, stored in nats
    assert first[0].i_xt == pytest.approx(math.log(4096), abs=0.01 * math.log(2))
    assert all(r.estimator == FixedBinning().identity() and r.units == "nats" for r in records)


def test_rerun_resumes_without_recomputing(tishby_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = tishby_run
    before = (out / "records.db").stat().st_size
    again = reproduce("tishby", epochs=25, seeds=2, out=out, data=DATA, n_jobs=1)
    assert again["criteria"] == summary["criteria"]
    with PlaneStore(out / "records.db") as store:
        assert len(store.records()) == 2 * len(idnns_epochs(25)) * 6
    assert (out / "records.db").stat().st_size >= before


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.titles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href")]
        self.titles += tag == "title"


def test_report_is_self_contained_with_hover_points(
    tishby_run: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = tishby_run
    parser = _Collector()
    parser.feed((out / "report.html").read_text())
    assert "svg" in parser.tags
    assert "table" in parser.tags
    n_points = len(idnns_epochs(25)) * 6
    assert parser.tags.count("circle") == n_points  # one hoverable point per epoch and layer
    assert parser.titles > n_points
    assert all(u.startswith("data:image/png;base64,") for u in parser.urls)


def test_report_renders_in_headless_chromium(
    tishby_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:  # .ci/run installs Debian's chromium, so CI always runs this
        pytest.skip("chromium is not installed (apt-get install chromium)")
    out, _ = tishby_run
    shot = tmp_path / "shot.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,900",
         (out / "report.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] == 900
    assert np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0).shape[0] > 50  # not blank


def test_unknown_reproduction_and_missing_data_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Unknown reproduction 'tisby'. Available: 'adaptive', 'bin-placement', 'conditional', "
            "'kde', 'lossy-mnist', 'noisy', 'saxe-mnist', 'saxe-relu', 'tishby'."
        ),
    ):
        reproduce("tisby", out=tmp_path)
    with pytest.raises(ValueError, match=re.escape("The 12-bit dataset was not found at")):
        reproduce("tishby", epochs=5, seeds=1, out=tmp_path, data=tmp_path / "missing.mat")


@pytest.mark.parametrize("name", ["saxe-relu", "bin-placement", "kde", "adaptive"])
def test_every_other_reproduction_runs_at_a_tiny_size(name: str, tmp_path: Path) -> None:
    epochs = 2 if name == "kde" else 5  # KDE costs O(4096^2) per layer and epoch
    summary = reproduce(name, epochs=epochs, seeds=1, out=tmp_path, data=DATA, n_jobs=1)
    assert set(summary["estimators"]) == {p.label for p in REPRODUCTIONS[name].panels}  # type: ignore[union-attr]
    assert all("pass" in check for check in summary["criteria"].values())
    assert (tmp_path / "report.html").exists()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's reaping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_of_reproduce_takes_its_workers_down_and_frees_the_folder(tmp_path: Path) -> None:
    from infolens.infoplane.reproduce import _locked

    out = tmp_path / "run"
    script = Path(sys.executable).parent / "infolens"
    parent = subprocess.Popen(
        [script, "infoplane", "reproduce", "tishby", "--epochs", "1000000", "--seeds", "2",
         "--jobs", "2", "--out", out, "--data", DATA],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        # each worker writes its pid into its run's lock file as it starts
        while not all((out / f"tanh-seed{s}" / ".lock").stat().st_size if
                      (out / f"tanh-seed{s}" / ".lock").exists() else 0 for s in (0, 1)):  # fmt: skip
            assert parent.poll() is None, "reproduce exited early"
            assert time.monotonic() < deadline, "the workers never started training"
            time.sleep(0.2)
        workers = [p for p in _children(parent.pid) if "spawn_main" in _cmdline(p)]
        assert len(workers) == 2
    finally:
        parent.kill()  # SIGKILL: no handler, no cleanup in the parent
        parent.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "workers outlived their parent"
    # nothing holds the folder or a run any more: a rerun can take them (and would wait for
    # a worker still writing, or refuse while another reproduce runs)
    for lock in (out / ".lock", out / "tanh-seed0" / ".lock", out / "tanh-seed1" / ".lock"):
        with _locked(lock, wait=False):
            pass


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_a_second_reproduce_into_a_busy_folder_is_refused(tmp_path: Path) -> None:
    from infolens.infoplane.reproduce import _locked

    with (
        _locked(tmp_path / ".lock", wait=False),
        pytest.raises(
            ValueError,
            match=re.escape(f"Another infolens process is writing into {tmp_path} (it holds"),
        ),
    ):
        reproduce("tishby", epochs=3, seeds=1, out=tmp_path, data=DATA, n_jobs=1)


def test_seeds_are_a_count_or_a_list_and_absurd_counts_are_refused(tmp_path: Path) -> None:
    summary = reproduce("tishby", epochs=3, seeds=[3], out=tmp_path, data=DATA, n_jobs=1)
    assert summary["seeds"] == [3]
    assert (tmp_path / "tanh-seed3").is_dir()
    for bad in (0, 10**11, [1, 1], [-1], "2"):
        with pytest.raises(ValueError, match=re.escape("The 'seeds' parameter of reproduce")):
            reproduce("tishby", epochs=3, seeds=bad, out=tmp_path, data=DATA)  # type: ignore[arg-type]
