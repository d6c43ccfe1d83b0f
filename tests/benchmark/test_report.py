"""The report: summary arithmetic, Markdown, self-contained HTML, and a headless-browser view."""

import math
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from infolens.benchmark import run
from infolens.benchmark.report import (
    CellSummary,
    markdown_report,
    summarize_cells,
    summarize_methods,
    write_report,
)
from infolens.benchmark.store import RunResult

CHROMIUM = "/usr/bin/chromium"


def _r(
    task: str, method: str, estimate: float | None, truth: float, seed: int = 0, n: int = 100
) -> RunResult:
    return RunResult(
        task_id=task,
        method=method,
        n=n,
        seed=seed,
        estimate=estimate,
        truth=truth,
        success=estimate is not None,
    )


def test_summary_uses_the_mean_over_seeds_at_the_largest_n() -> None:
    results = [
        _r("a", "m", 1.0, 1.0, seed=0),
        _r("a", "m", 1.8, 1.0, seed=1),  # mean 1.4: solved, not 10 %
        _r("b", "m", 0.5, 1.0),  # ln 2 > ln 1.5: not solved
        _r("c", "m", 0.5, 1.0, n=100),
        _r("c", "m", 1.05, 1.0, n=1000),  # largest n wins: within 10 %
        _r("z", "m", 0.01, 0.0),
        _r("d", "m", None, 1.0),  # truth 0 solved by |mean| < 0.05; failed run
    ]
    (summary,) = summarize_methods(summarize_cells(results))
    assert (summary.n_tasks, summary.solved, summary.within_10pct, summary.failed_runs) == (
        5,
        3,
        2,
        1,
    )
    assert summary.mae == pytest.approx((0.4 + 0.5 + 0.05 + 0.01) / 4)


def test_cell_log_ratio_is_clipped() -> None:
    cell = CellSummary(
        task_id="t",
        method="m",
        n=1,
        truth=1.0,
        mean=10.0,
        std=None,
        n_success=1,
        n_failed=0,
        mean_time=None,
    )
    assert cell.log_ratio == 1.0
    assert CellSummary(
        task_id="t",
        method="m",
        n=1,
        truth=1.0,
        mean=math.e**-0.5,
        std=None,
        n_success=1,
        n_failed=0,
        mean_time=None,
    ).log_ratio == pytest.approx(-0.5)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


@pytest.fixture(scope="module")
def report_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("report") / "r.db"
    run(
        "1v1-normal-0.75,student-identity-1-1-1,cmi-normal-chain-1-1-1",
        "ksg,gaussian",
        n=[100, 400],
        seeds="0-1",
        db=db,
    )
    return db


def test_html_report_is_self_contained(report_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    text = write_report(report_db, out)
    assert out.read_text(encoding="utf-8") == text
    parser = _Collector()
    parser.feed(text)
    assert parser.tags.count("table") == 2
    assert "svg" in parser.tags
    assert "img" in parser.tags
    assert parser.urls
    assert all(url.startswith("data:image/png;base64,") for url in parser.urls)
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text
    assert "<script" not in text


def test_markdown_report_prints_the_same_tables(report_db: Path) -> None:
    text = write_report(report_db, fmt="markdown")
    assert "| method | solved (×1.5) | within 10 % | MAE (nats) | failed runs |" in text
    assert "| task | dims | true | gaussian | ksg |" in text
    assert "| cmi-normal-chain-1-1-1 | 1×1\\|1 | 0.000 |" in text
    assert text == markdown_report(summarize_cells_input(report_db))


def summarize_cells_input(db: Path) -> list[RunResult]:
    from infolens.benchmark.store import ResultStore

    with ResultStore(db) as store:
        return store.results()


def test_unknown_format_and_missing_database(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Unknown format 'pdf'. Available: 'html', 'markdown'."):
        write_report(tmp_path / "x.db", fmt="pdf")
    with pytest.raises(OSError, match="does not exist"):
        write_report(tmp_path / "x.db")


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian's chromium at /usr/bin/chromium"
)
def test_report_renders_in_headless_chromium(report_db: Path, tmp_path: Path) -> None:
    import matplotlib.image

    page = tmp_path / "report.html"
    write_report(report_db, page)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (900, 1200)
    flat = pixels.reshape(-1, pixels.shape[-1])
    assert (flat != flat[0]).any(axis=1).mean() > 0.01  # not blank: >1 % of pixels differ


def test_per_task_cells_carry_the_interval_of_the_mean_over_seeds() -> None:
    from scipy.stats import t as student_t

    from infolens.benchmark.report import markdown_report, summarize_cells
    from infolens.benchmark.store import RunResult

    values = [0.40, 0.42, 0.44]
    runs = [
        RunResult(task_id="1v1-normal-0.75", method="ksg", n=100, seed=s, truth=0.4133,
                  estimate=v, success=True)
        for s, v in enumerate(values)
    ]  # fmt: skip
    (cell,) = summarize_cells(runs)
    expected = float(student_t.ppf(0.975, 2)) * 0.02 / 3**0.5  # sd of the three values is 0.02
    assert cell.ci_halfwidth == pytest.approx(expected, rel=1e-12)
    assert f"0.420 ± {expected:.3f}" in markdown_report(runs)
    assert summarize_cells(runs[:1])[0].ci_halfwidth is None  # one seed: no interval
