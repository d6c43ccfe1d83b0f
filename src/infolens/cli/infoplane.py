"""``infolens infoplane``: reproduce the classic information-plane experiments, report runs."""

import threading
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from infolens.cli._options import InfolensCommand, JobsOption, JsonOption, SeedsOption, parse_seeds
from infolens.cli._output import echo_json, report_problems

app = typer.Typer(help="Information-plane experiments (needs the torch and plot extras).")

#: The reproductions (kept here so that ``--help`` and the choices need no torch import).
NAMES = (
    "adaptive", "bin-placement", "conditional", "kde", "lossy-mnist", "noisy", "saxe-mnist",
    "saxe-relu", "tishby",
)  # fmt: skip
Reproduction = Literal[NAMES]  # type: ignore[valid-type]
Inputs = Literal["signed", "binary"]
#: Exit status of ``reproduce`` when a pass criterion fails (without ``--no-check``).
CRITERION_FAILED = 1


@app.command("list", cls=InfolensCommand)
def list_reproductions() -> None:
    """List the reproductions and what they show."""
    with report_problems():
        from infolens.infoplane.reproduce import REPRODUCTIONS

    table = Table("name", "description", title="infolens infoplane reproductions")
    for name, spec in sorted(REPRODUCTIONS.items()):
        table.add_row(name, spec.description)
    Console(highlight=False).print(table)


@app.command("reproduce", cls=InfolensCommand)
def reproduce(
    name: Annotated[Reproduction, typer.Argument(help="Which reproduction.", show_choices=True)],
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs", min=2, help="Training epochs [default: 10000; R5, R7-R9: laptop size]."
        ),
    ] = None,
    seeds: SeedsOption = "5",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output folder (default: infoplane-NAME).", show_default=False
        ),
    ] = None,  # fmt: skip
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="var_u.mat (default: ../shared/data/var_u.mat); lossy-mnist, saxe-mnist, "
            "conditional: a folder of the MNIST IDX files (default: 8x8 digits).",
        ),
    ] = None,
    inputs: Annotated[
        Inputs,
        typer.Option(
            "--inputs",
            help="Encoding of the 12 bits: signed (-1/+1) or binary (0/1).",
            show_choices=True,
        ),
    ] = "signed",  # fmt: skip
    jobs: JobsOption = None,
    no_check: Annotated[
        bool,
        typer.Option(
            "--no-check", help="Exit 0 even when a pass criterion fails (default: exit 1)."
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Train, estimate, check the pass criteria and write report.html and summary.json.

    --seeds is a count (5: seeds 0-4) or the seeds themselves (3-7, 0,3,7). Rerunning with the
    same --out resumes a killed run without recomputing finished work. The exit status is 1
    when a criterion fails (--no-check: 0).
    """
    console = Console(highlight=False, stderr=json_output, soft_wrap=True)
    bars = ProgressBars(console)
    with report_problems():
        from infolens.infoplane.reproduce import MAX_SEEDS
        from infolens.infoplane.reproduce import reproduce as run

        chosen = parse_seeds(seeds, limit=MAX_SEEDS)
        count = seeds.strip().isdigit()  # "5": a count, recorded as such in the summary
        _notify_if_compiling(name)
        with bars:
            summary = run(
                name,
                epochs=epochs,
                seeds=len(chosen) if count else chosen,
                out=out,
                data=data,
                inputs=inputs,
                n_jobs=None if jobs == -1 else jobs,
                progress=bars,
            )
    if json_output:
        echo_json(summary)
    else:
        folder = out if out is not None else Path(f"infoplane-{name}")
        print_summary(console, summary, folder / "report.html")
    if not summary["passed"] and not no_check:
        raise typer.Exit(code=CRITERION_FAILED)


@app.command("report", cls=InfolensCommand)
def report(
    records: Annotated[Path, typer.Argument(help="A records database (records.db) of any run.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The HTML file to write (default: report.html beside it)."
        ),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary",
            help="A summary.json with pass criteria (default: the one beside the database).",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The report's title.")] = None,
) -> None:
    """Write the HTML report (planes, I(X;T) and I(T;Y) over epochs) of a records database."""
    with report_problems():
        from infolens.infoplane.report import write_store_report

        written = write_store_report(
            records,
            output if output is not None else records.with_name("report.html"),
            title=title,
            summary=summary,
        )
    Console(highlight=False, soft_wrap=True).print(f"Report: {written}")


#: Layer estimators whose first call may compile the numba k-NN kernels (~20 s, cached after).
KNN_LAYER_ESTIMATORS = frozenset({"knn_entropy", "lossy_compression"})


def _notify_if_compiling(name: str) -> None:
    """Print the one-time compile notice when the reproduction uses a k-NN layer estimator."""
    from infolens.cli._kernels import notify_if_compiling
    from infolens.infoplane.reproduce import REPRODUCTIONS

    spec = REPRODUCTIONS.get(name)
    panels = getattr(spec, "panels", ())
    if any(getattr(p.estimator, "name", "") in KNN_LAYER_ESTIMATORS for p in panels):
        notify_if_compiling(["ksg"])


class ProgressBars:
    """A ``progress=`` callback: one rich bar (with ETA) per run and stage on a terminal.

    Elsewhere (a log file, a pipe) each run and stage gets a text line at every quarter done,
    with its ETA. Plain ``str`` events and notes are printed as they come. Thread-safe; use as a
    context manager.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self.tasks: dict[tuple[str, str], TaskID] = {}
        self.started: dict[tuple[str, str], tuple[float, int, int]] = {}  # time, done, quarter
        self.lock = threading.Lock()

    def __enter__(self) -> "ProgressBars":
        if self.live:
            self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.bars.stop()

    def __call__(self, event: Any) -> None:
        """Show ``event`` (a ``str`` note or an ``infolens.infoplane.progress.Progress``)."""
        with self.lock:
            if isinstance(event, str) or event.stage == "note":
                message = event if isinstance(event, str) else event.message
                self.bars.console.print(f"[dim]{message}[/dim]")
            elif self.live:
                key = (event.stage, event.task)
                if key not in self.tasks:
                    self.tasks[key] = self.bars.add_task(
                        f"{event.stage} {event.task}", total=event.total
                    )
                self.bars.update(self.tasks[key], completed=event.done, total=event.total)
            else:
                self._line(event)

    def _line(self, event: Any) -> None:
        key, now = (event.stage, event.task), time.monotonic()
        first_time, first_done, quarter = self.started.setdefault(key, (now, event.done, -1))
        if not event.total:
            return
        reached = min(4, 4 * event.done // event.total)
        if reached <= quarter:
            return
        self.started[key] = (first_time, first_done, reached)
        elapsed, progressed = now - first_time, event.done - first_done
        eta = (
            f", ETA {elapsed / progressed * (event.total - event.done):.0f} s"
            if progressed > 0 and event.done < event.total
            else ""
        )
        self.console.print(
            f"{event.stage} {event.task}: {event.done}/{event.total} "
            f"({event.done / event.total:.0%}), {elapsed:.0f} s{eta}"
        )


def print_summary(console: Console, summary: dict[str, Any], report_path: Path) -> None:
    """Print a reproduction's criteria with readable values, the accuracies and the report."""
    from infolens.infoplane.report import readable

    table = Table("criterion", "result", "values", title=summary["description"])
    for criterion, check in summary["criteria"].items():
        values = {k: v for k, v in check.items() if k not in ("pass", "threshold")}
        table.add_row(
            criterion,
            "[green]pass[/green]" if check["pass"] else "[red]fail[/red]",
            readable(values),
        )
    console.print(table)
    for run_name, result in summary.get("training", {}).items():
        console.print(
            f"{run_name}: train accuracy {result['train_accuracy']:.3f}, test accuracy "
            f"{result['test_accuracy']:.3f}, {result['seconds']:.0f} s"
        )
    hint = None if summary["passed"] else size_hint(summary)
    verdict = (
        "[green]all criteria pass[/green]"
        if summary["passed"]
        else "[red]some criteria fail[/red]" + (f" ({hint})" if hint else "")
    )
    console.print(f"{summary['epochs']} epochs, seeds {summary['seeds']}: {verdict}")
    if report_path.is_file():  # only a report that exists
        console.print(f"Report: {report_path}")


#: The size at which the 12-bit reproductions' criteria are stated (Shwartz-Ziv & Tishby).
FULL_EPOCHS, FULL_SEEDS = 10_000, 5


def size_hint(summary: dict[str, Any]) -> str | None:
    """Return how to rerun ``summary``'s reproduction at the size its criteria are stated for.

    The 12-bit reproductions: ``--epochs 10000 --seeds 5``; the real-network ones (R5, R7-R9):
    their laptop size (no ``--epochs``). None when the run was at least that size.
    """
    from infolens.infoplane.repro_real import REAL_REPRODUCTIONS

    seeds = summary["seeds"]
    n_seeds = seeds if isinstance(seeds, int) else len(seeds)
    real = REAL_REPRODUCTIONS.get(summary.get("reproduction", ""))
    if real is not None:
        laptop = real.sizes["laptop"].epochs
        return None if summary["epochs"] >= laptop else f"laptop size: omit --epochs ({laptop})"
    if summary["epochs"] >= FULL_EPOCHS and n_seeds >= FULL_SEEDS:
        return None
    return f"full size: --epochs {FULL_EPOCHS} --seeds {FULL_SEEDS}"
