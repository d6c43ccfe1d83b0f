"""Summaries of a results database: tables, a heat map and plots, as HTML or Markdown.

The criterion is bmi's: a task is *solved* by a method when the mean estimate over seeds (at the
largest sample size run) is within a factor 1.5 of the truth, |ln(mean / truth)| < ln 1.5. For a
task whose truth is 0 (conditional independence) it is solved, and within 10 %, when
|mean| < ``ZERO_TOLERANCE`` nats.

Runs made with ``ci`` (the estimator's own interval) get a table of their own, per task, method
and level at the largest N: the mean estimate over seeds, the mean of the interval ends, and the
coverage, in how many runs the truth lies inside that run's own interval (the calibration of the
interval: about ``level x runs`` for a calibrated one). The other tables count each seed once,
whether it was run with an interval, without, or both (the estimate is the same).
"""

import base64
import html
import io
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import final

import infolens
from infolens.benchmark.store import ResultStore, RunResult
from infolens.benchmark.suite import TASKS

#: Factor within which a mean estimate counts as solving the task (bmi's criterion).
SOLVED_FACTOR = 1.5
#: Absolute tolerance (nats) standing in for the relative criteria when the truth is 0.
ZERO_TOLERANCE = 0.05
_ZERO = 1e-12  # truths below this are zero (conditional independence)


@final
@dataclass(frozen=True, kw_only=True)
class CellSummary:
    """Runs of one method on one task at one sample size, aggregated over seeds (nats)."""

    task_id: str
    method: str
    n: int
    truth: float
    mean: float | None
    std: float | None
    n_success: int
    n_failed: int
    mean_time: float | None

    @property
    def ci_halfwidth(self) -> float | None:
        """Half-width of the 95 % Student-t interval of the mean over seeds (None below 2 seeds).

        It measures the seed-to-seed variability of the estimator at this N (the error bar of
        the mean shown in the report), not its bias.
        """
        if self.std is None or self.n_success < 2:
            return None
        from scipy.stats import t as student_t  # scipy.stats is slow to import: only when used

        quantile = float(student_t.ppf(0.975, self.n_success - 1))
        return quantile * self.std / math.sqrt(self.n_success)

    @property
    def solved(self) -> bool:
        """Whether |ln(mean / truth)| < ln 1.5 (|mean| < ZERO_TOLERANCE when truth is 0)."""
        if self.mean is None:
            return False
        if abs(self.truth) < _ZERO:
            return abs(self.mean) < ZERO_TOLERANCE
        return self.mean > 0 and abs(math.log(self.mean / self.truth)) < math.log(SOLVED_FACTOR)

    @property
    def within_10pct(self) -> bool:
        """Whether |mean − truth| < 0.1 · truth (|mean| < ZERO_TOLERANCE when truth is 0)."""
        if self.mean is None:
            return False
        if abs(self.truth) < _ZERO:
            return abs(self.mean) < ZERO_TOLERANCE
        return abs(self.mean - self.truth) < 0.1 * abs(self.truth)

    @property
    def log_ratio(self) -> float | None:
        """ln(mean / truth), clipped to [−1, 1] (``None`` when undefined)."""
        if self.mean is None or self.truth < _ZERO:
            return None
        if self.mean <= 0:
            return -1.0
        return max(-1.0, min(1.0, math.log(self.mean / self.truth)))


@final
@dataclass(frozen=True, kw_only=True)
class IntervalSummary:
    """Runs of one method at one interval level on one task and N, over seeds (nats)."""

    task_id: str
    method: str
    n: int
    level: float
    truth: float
    mean: float | None
    mean_low: float | None
    mean_high: float | None
    n_estimates: int
    n_intervals: int
    n_covered: int
    ci_methods: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def coverage(self) -> str:
        """``"k/n"``: the truth inside the run's own interval in k of the n runs with one."""
        return f"{self.n_covered}/{self.n_intervals}" if self.n_intervals else "—"


@final
@dataclass(frozen=True, kw_only=True)
class MethodSummary:
    """One method over all its tasks (each at its largest sample size)."""

    method: str
    n_tasks: int
    solved: int
    within_10pct: int
    mae: float | None
    failed_runs: int


def method_label(result: RunResult) -> str:
    """Return the method name with its non-default parameters, e.g. ``"ksg(k=5)"``.

    Examples
    --------
    >>> method_label(RunResult(task_id="t", method="ksg", params={"k": 5}, n=1, seed=0,
    ...                        truth=1.0, success=True))
    'ksg(k=5)'
    """
    if not result.params:
        return result.method
    inner = ", ".join(f"{key}={value}" for key, value in sorted(result.params.items()))
    return f"{result.method}({inner})"


def _one_per_seed(results: Sequence[RunResult]) -> list[RunResult]:
    """Keep one run per key without the interval level (runs with and without ``ci`` share it)."""
    kept: dict[tuple[object, ...], RunResult] = {}
    for result in results:
        key = result.key[:6]
        if key not in kept or (result.success and not kept[key].success):
            kept[key] = result
    return list(kept.values())


def summarize_cells(results: Sequence[RunResult]) -> list[CellSummary]:
    """Aggregate runs over seeds into one :class:`CellSummary` per (task, method, n)."""
    groups: dict[tuple[str, str, int], list[RunResult]] = defaultdict(list)
    for result in _one_per_seed(results):
        groups[(result.task_id, method_label(result), result.n)].append(result)
    cells = []
    for (task_id, method, n), runs in groups.items():
        values = [r.estimate for r in runs if r.success and r.estimate is not None]
        times = [r.wall_time for r in runs if r.success and r.wall_time is not None]
        mean = sum(values) / len(values) if values else None
        std = (
            math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
            if mean is not None and len(values) > 1
            else None
        )
        cells.append(
            CellSummary(
                task_id=task_id,
                method=method,
                n=n,
                truth=runs[0].truth,
                mean=mean,
                std=std,
                n_success=len(values),
                n_failed=len(runs) - len(values),
                mean_time=sum(times) / len(times) if times else None,
            )
        )
    order = {tid: i for i, tid in enumerate(TASKS)}
    return sorted(cells, key=lambda c: (order.get(c.task_id, len(order)), c.task_id, c.method, c.n))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize_intervals(results: Sequence[RunResult]) -> list[IntervalSummary]:
    """One :class:`IntervalSummary` per (task, method, n, level) of the runs made with ``ci``."""
    groups: dict[tuple[str, str, int, float], list[RunResult]] = defaultdict(list)
    for r in results:
        if r.ci_level is not None:
            groups[(r.task_id, method_label(r), r.n, r.ci_level)].append(r)
    summaries = []
    for (task_id, method, n, level), runs in groups.items():
        ok = [r for r in runs if r.success and r.estimate is not None]
        with_ci = [r for r in ok if r.ci_low is not None and r.ci_high is not None]
        summaries.append(
            IntervalSummary(
                task_id=task_id,
                method=method,
                n=n,
                level=level,
                truth=runs[0].truth,
                mean=_mean([r.estimate for r in ok if r.estimate is not None]),
                mean_low=_mean([r.ci_low for r in with_ci if r.ci_low is not None]),
                mean_high=_mean([r.ci_high for r in with_ci if r.ci_high is not None]),
                n_estimates=len(ok),
                n_intervals=len(with_ci),
                n_covered=sum(bool(r.covered) for r in with_ci),
                ci_methods=tuple(sorted({r.ci_method for r in with_ci if r.ci_method})),
                reasons=tuple(dict.fromkeys(r.ci_error for r in ok if r.ci_error)),
            )
        )
    order = {tid: i for i, tid in enumerate(TASKS)}
    return sorted(
        summaries,
        key=lambda c: (order.get(c.task_id, len(order)), c.task_id, c.method, c.level, c.n),
    )


def final_intervals(
    summaries: Sequence[IntervalSummary],
) -> list[IntervalSummary]:
    """Keep, per (task, method, level), the summary at the largest sample size."""
    best: dict[tuple[str, str, float], IntervalSummary] = {}
    for s in summaries:
        key = (s.task_id, s.method, s.level)
        if key not in best or s.n > best[key].n:
            best[key] = s
    return list(best.values())


_INTERVAL_HEADER = [
    "task",
    "true",
    "method",
    "N",
    "level",
    "estimate [interval]",
    "truth inside",
    "interval",
]


def _interval_rows(summaries: Sequence[IntervalSummary]) -> list[list[str]]:
    rows = []
    for s in final_intervals(summaries):
        if s.mean is None:
            shown = "failed"
        elif s.mean_low is None or s.mean_high is None:
            shown = f"{s.mean:.3f} (no interval)"
        else:
            shown = f"{s.mean:.3f} [{s.mean_low:.3f}, {s.mean_high:.3f}]"
        missing = s.n_estimates - s.n_intervals
        coverage = s.coverage + (f" ({missing} without)" if missing and s.n_intervals else "")
        reasons = "; ".join(dict.fromkeys(r.split(". ")[0].rstrip(".") + "." for r in s.reasons))
        kind = ", ".join(s.ci_methods) or reasons or "—"
        rows.append(
            [s.task_id, f"{s.truth:.3f}", s.method, str(s.n), f"{s.level:g}", shown, coverage, kind]
        )
    return rows


_INTERVAL_TITLE = (
    "The estimator's own interval (largest N; mean estimate over seeds [mean of the interval "
    "ends]; truth inside: in k of the n runs with an interval, the truth lies inside that run's "
    "interval)"
)


def final_cells(cells: Sequence[CellSummary]) -> dict[tuple[str, str], CellSummary]:
    """Return, per (task, method), the cell at the largest sample size."""
    best: dict[tuple[str, str], CellSummary] = {}
    for cell in cells:
        key = (cell.task_id, cell.method)
        if key not in best or cell.n > best[key].n:
            best[key] = cell
    return best


def summarize_methods(cells: Sequence[CellSummary]) -> list[MethodSummary]:
    """Return the per-method summary (solved, within 10 %, MAE in nats, failed runs)."""
    finals = final_cells(cells)
    failed: dict[str, int] = defaultdict(int)
    for cell in cells:
        failed[cell.method] += cell.n_failed
    summaries = []
    for method in sorted({m for _, m in finals}):
        mine = [c for (_, m), c in finals.items() if m == method]
        errors = [abs(c.mean - c.truth) for c in mine if c.mean is not None]
        summaries.append(
            MethodSummary(
                method=method,
                n_tasks=len(mine),
                solved=sum(c.solved for c in mine),
                within_10pct=sum(c.within_10pct for c in mine),
                mae=sum(errors) / len(errors) if errors else None,
                failed_runs=failed[method],
            )
        )
    return summaries


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _dims(task_id: str) -> str:
    task = TASKS.get(task_id)
    if task is None:
        return "?"
    return f"{task.dim_x}×{task.dim_y}" + (f"|{task.dim_z}" if task.dim_z else "")


def _summary_rows(summaries: Sequence[MethodSummary]) -> list[list[str]]:
    return [
        [
            s.method,
            f"{s.solved}/{s.n_tasks}",
            f"{s.within_10pct}/{s.n_tasks}",
            _fmt(s.mae),
            str(s.failed_runs),
        ]
        for s in summaries
    ]


_SUMMARY_HEADER = ["method", "solved (×1.5)", "within 10 %", "MAE (nats)", "failed runs"]


def _task_rows(cells: Sequence[CellSummary]) -> tuple[list[str], list[list[str]]]:
    finals = final_cells(cells)
    methods = sorted({m for _, m in finals})
    tasks = list(dict.fromkeys(c.task_id for c in cells))
    rows = []
    for tid in tasks:
        truth = next(c.truth for c in cells if c.task_id == tid)
        row = [tid, _dims(tid), f"{truth:.3f}"]
        for method in methods:
            cell = finals.get((tid, method))
            if cell is None:
                row.append("")
            elif cell.mean is None:
                row.append("failed")
            else:
                hw = cell.ci_halfwidth
                spread = "" if hw is None else f" ± {hw:.3f}"
                row.append(f"{cell.mean:.3f}{spread}" + ("" if cell.solved else " ✗"))
        rows.append(row)
    return ["task", "dims", "true", *methods], rows


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown_report(results: Sequence[RunResult]) -> str:
    """Return the summary and the per-task table as Markdown.

    Examples
    --------
    >>> runs = [RunResult(task_id="1v1-normal-0.75", method="ksg", n=100, seed=s,
    ...                   truth=0.4133, estimate=0.40, success=True) for s in (0, 1)]
    >>> print(markdown_report(runs).splitlines()[4])
    | ksg | 1/1 | 1/1 | 0.013 | 0 |
    """
    cells = summarize_cells(results)
    header, rows = _task_rows(cells)
    intervals = summarize_intervals(results)
    interval_part = (
        f"\n## {_INTERVAL_TITLE}\n\n"
        + _markdown_table(_INTERVAL_HEADER, _interval_rows(intervals))
        + "\n"
        if intervals
        else ""
    )
    return (
        "## Summary per method (largest N per task; ✗ = not within ×1.5)\n\n"
        + _markdown_table(_SUMMARY_HEADER, _summary_rows(summarize_methods(cells)))
        + "\n\n## Mean estimate per task (nats; ± the 95 % interval of the mean over seeds)\n\n"
        + _markdown_table(header, rows)
        + "\n"
        + interval_part
    )


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _colour(log_ratio: float | None) -> str:
    if log_ratio is None:
        return "#dddddd"
    t = abs(log_ratio)
    low = (255, 255, 255)
    high = (178, 24, 43) if log_ratio > 0 else (33, 102, 172)
    r, g, b = (round(a + (c - a) * t) for a, c in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_svg(cells: Sequence[CellSummary]) -> str:
    """Return an inline SVG heat map: task rows × method columns, colour ln(mean/true) in ±1."""
    finals = final_cells(cells)
    methods = sorted({m for _, m in finals})
    tasks = list(dict.fromkeys(c.task_id for c in cells))
    label_w, cell_w, cell_h, top = 360, 110, 20, 40
    width, height = label_w + cell_w * len(methods) + 10, top + cell_h * len(tasks) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11" role="img" '
        'aria-label="heat map of ln(mean estimate / truth)">'
    ]
    for j, method in enumerate(methods):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x}" y="{top - 10}" text-anchor="middle">{html.escape(method)}</text>'
        )
    for i, tid in enumerate(tasks):
        y = top + i * cell_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{html.escape(tid)}</text>'
        )
        for j, method in enumerate(methods):
            cell = finals.get((tid, method))
            x = label_w + j * cell_w
            colour = _colour(cell.log_ratio if cell else None)
            text = "" if cell is None else ("failed" if cell.mean is None else f"{cell.mean:.3f}")
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{colour}">'
                f"<title>{html.escape(tid)} / {html.escape(method)}: {text}</title></rect>"
                f'<text x="{x + cell_w / 2}" y="{y + 14}" text-anchor="middle">{text}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _plots_png(
    cells: Sequence[CellSummary],
    intervals: Sequence[IntervalSummary] = (),
    columns: int = 4,
) -> str:
    """Estimate vs N per task (mean ± sd over seeds, truth dashed), as a base64 PNG.

    Where runs have the estimator's own interval, its mean ends are a shaded band (the highest
    level run, per task and method).
    """
    import matplotlib  # noqa: PLC0415 - the plot extra is imported only here

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    tasks = list(dict.fromkeys(c.task_id for c in cells))
    methods = sorted({c.method for c in cells})
    rows = math.ceil(len(tasks) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.6 * rows), squeeze=False)
    for ax, tid in zip(axes.flat, tasks, strict=False):
        mine = [c for c in cells if c.task_id == tid]
        ax.axhline(mine[0].truth, color="black", linestyle="--", linewidth=1, label="truth")
        for method in methods:
            points = sorted(
                (c.n, c.mean, c.std or 0.0)
                for c in mine
                if c.method == method and c.mean is not None
            )
            if points:
                ns, means, sds = zip(*points, strict=True)
                line = ax.errorbar(
                    ns, means, yerr=sds, marker="o", markersize=3, capsize=2, label=method
                )
                band = _band(intervals, tid, method)
                if band:
                    xs, lows, highs = zip(*band, strict=True)
                    colour = line.lines[0].get_color()
                    ax.fill_between(xs, lows, highs, color=colour, alpha=0.2, linewidth=0)
        ax.set_title(tid, fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("N", fontsize=7)
        ax.set_ylabel("estimate (nats)", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / (2.6 * rows)))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _band(
    intervals: Sequence[IntervalSummary], task_id: str, method: str
) -> list[tuple[int, float, float]]:
    """Return (n, mean low, mean high) of the highest-level interval runs of a task and method."""
    mine = [s for s in intervals if s.task_id == task_id and s.method == method]
    if not mine:
        return []
    level = max(s.level for s in mine)
    return sorted(
        (s.n, s.mean_low, s.mean_high)
        for s in mine
        if s.level == level and s.mean_low is not None and s.mean_high is not None
    )


_CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead { background: #eee; }
img { max-width: 100%; }
"""


def html_report(results: Sequence[RunResult], *, title: str = "infolens benchmark") -> str:
    """Return a self-contained HTML report (inline CSS, inline SVG, base64 PNG; no URLs).

    Needs matplotlib (the ``plot`` extra) for the estimate-vs-N plots.
    """
    cells = summarize_cells(results)
    header, rows = _task_rows(cells)
    versions = sorted({r.infolens_version for r in results})
    preprocess = sorted({r.preprocess for r in results})
    intervals = summarize_intervals(results)
    plots = _plots_png(cells, intervals) if cells else ""
    image = f'<img alt="estimate versus N per task" src="data:image/png;base64,{plots}">'
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{len(results)} runs; estimates and MAE in nats; preprocessing: "
        f"{html.escape(', '.join(preprocess) or '—')}; infolens "
        f"{html.escape(', '.join(versions) or infolens.__version__)}. Solved: mean over seeds "
        f"at the largest N within a factor {SOLVED_FACTOR} of the truth "
        f"(|ln(mean/true)| &lt; ln {SOLVED_FACTOR}); truth 0: |mean| &lt; {ZERO_TOLERANCE}.</p>"
        "<h2>Summary per method</h2>"
        + _html_table(_SUMMARY_HEADER, _summary_rows(summarize_methods(cells)))
        + "<h2>Heat map: ln(mean estimate / truth), clipped to ±1 (blue under, red over)</h2>"
        + heatmap_svg(cells)
        + "<h2>Mean estimate per task (± the 95 % interval of the mean over seeds; ✗: not "
        "within ×1.5)</h2>"
        + _html_table(header, rows)
        + (
            f"<h2>{html.escape(_INTERVAL_TITLE)}</h2>"
            + _html_table(_INTERVAL_HEADER, _interval_rows(intervals))
            if intervals
            else ""
        )
        + "<h2>Estimate versus N (mean ± sd over seeds; dashed: truth"
        + ("; shaded: the mean of the estimator's own interval" if intervals else "")
        + ")</h2>"
        + (image if cells else "<p>No runs.</p>")
        + "</body></html>\n"
    )


def write_report(db: str | Path, output: str | Path | None = None, *, fmt: str = "html") -> str:
    """Read ``db`` and return its report; write it to ``output`` when given.

    ``fmt`` is ``"html"`` (self-contained page) or ``"markdown"`` (the tables only).

    Raises
    ------
    OSError
        If the database does not exist or cannot be read, or ``output`` cannot be written.
    ValueError
        If ``fmt`` is unknown.
    """
    if fmt not in ("html", "markdown"):
        raise ValueError(f"Unknown format {fmt!r}. Available: 'html', 'markdown'.")
    with ResultStore(db, create=False) as store:
        results = store.results()
    text = html_report(results) if fmt == "html" else markdown_report(results)
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
    return text
