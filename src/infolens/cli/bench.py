"""The ``infolens bench`` commands: ``list``, ``run`` and ``report`` over :mod:`infolens.benchmark`.

Register with ``app.add_typer(bench_app, name="bench")``.
"""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from infolens.benchmark import get_task, run, select_tasks
from infolens.benchmark.report import summarize_cells, summarize_methods, write_report
from infolens.benchmark.store import RunResult
from infolens.cli._output import echo_json, print_error, report_problems
from infolens.cli.estimate import parse_params

bench_app = typer.Typer(
    name="bench",
    help="Ground-truth benchmark: list tasks, run sweeps into SQLite, write reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@bench_app.command("list")
def list_command(
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="Task ids, globs or suites (bmi, infolens).")
    ] = "*",
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """List the tasks: id, dimensions and true value in nats."""
    with report_problems():
        rows: list[dict[str, Any]] = []
        for task_id in select_tasks(tasks):
            task = get_task(task_id)
            rows.append(
                {
                    "task_id": task_id,
                    "suite": task.suite,
                    "quantity": task.quantity,
                    "dim_x": task.dim_x,
                    "dim_y": task.dim_y,
                    "dim_z": task.dim_z,
                    "mutual_information": task.mutual_information,
                    "units": "nats",
                }
            )
    if json_output:
        echo_json(rows)
        return
    table = Table("task id", "suite", "dims", "true (nats)", title="infolens bench tasks")
    for row in rows:
        dims = f"{row['dim_x']}×{row['dim_y']}" + (f" | {row['dim_z']}" if row["dim_z"] else "")
        table.add_row(row["task_id"], row["suite"], dims, f"{row['mutual_information']:.4f}")
    Console(highlight=False, soft_wrap=True).print(table)


def _method_params(methods: str, items: list[str]) -> list[str | tuple[str, dict[str, Any]]]:
    names = [m.strip() for m in methods.split(",") if m.strip()]
    per_method: dict[str, list[str]] = {}
    for item in items:
        target, dot, rest = item.partition(".")
        if not dot or target not in names:
            raise ValueError(
                f"--param expects METHOD.NAME=VALUE with METHOD one of --methods "
                f"({', '.join(names)}); got {item!r}."
            )
        per_method.setdefault(target, []).append(rest)
    return [
        (name, parse_params(per_method[name])) if name in per_method else name for name in names
    ]


def _sizes(values: list[str]) -> list[int]:
    sizes: list[int] = []
    for value in values:
        for part in value.split(","):
            try:
                sizes.append(int(part))
            except ValueError:
                raise ValueError(
                    f"--n expects integers (e.g. 5000 or 1000,5000); got {part!r}."
                ) from None
    return sizes


@bench_app.command("run")
def run_command(
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="Comma-separated task ids, globs or suites.")
    ],
    methods: Annotated[str, typer.Option("--methods", "-m", help="Comma-separated methods.")],
    db: Annotated[Path, typer.Option("--db", help="SQLite results file (resumed if it exists).")],
    n: Annotated[
        list[str] | None, typer.Option("--n", help="Sample sizes (repeatable or 1000,5000).")
    ] = None,
    seeds: Annotated[str, typer.Option("--seeds", help="Seeds, e.g. 0-9 or 0,3,7.")] = "0",
    preprocess: Annotated[
        str, typer.Option("--preprocess", help="none, or standardize (each column, bmi protocol).")
    ] = "none",
    scheduler: Annotated[
        str, typer.Option("--scheduler", help="serial, threads, processes or tcp://host:port.")
    ] = "serial",
    workers: Annotated[
        int | None, typer.Option("--workers", help="Workers of a local dask cluster.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="METHOD.NAME=VALUE", help="Estimator parameter (repeatable)."
        ),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run failed cells again.")
    ] = False,
) -> None:
    """Run tasks × methods × sizes × seeds into an SQLite database (skipping finished runs)."""
    err_console = Console(stderr=True, highlight=False)
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
    )
    bar: list[Any] = []
    failed: list[RunResult] = []

    def on_plan(todo: int, skipped: int) -> None:
        if skipped:
            err_console.print(f"Skipping {skipped} finished run(s) found in {db}.")
        bar.append(progress.add_task("bench", total=todo))
        progress.start()  # only now: a bad option fails before any progress output

    def on_result(result: RunResult) -> None:
        if not result.success:
            failed.append(result)
        progress.update(bar[0], advance=1, description=f"{result.task_id[:30]} {result.method}")

    with report_problems():
        try:
            try:
                results = run(
                    tasks,
                    _method_params(methods, param or []),
                    n=_sizes(n or ["5000"]),
                    seeds=seeds,
                    db=db,
                    preprocess=preprocess,
                    scheduler=scheduler,
                    n_workers=workers,
                    retry_failed=retry_failed,
                    on_plan=on_plan,
                    on_result=on_result,
                )
            finally:
                if bar:
                    progress.stop()
        except ImportError as err:
            print_error(str(err))
            raise typer.Exit(code=1) from None
    table = Table("method", "solved (×1.5)", "within 10 %", "MAE (nats)", "failed runs")
    for s in summarize_methods(summarize_cells(results)):
        mae = "—" if s.mae is None else f"{s.mae:.3f}"
        table.add_row(
            s.method,
            f"{s.solved}/{s.n_tasks}",
            f"{s.within_10pct}/{s.n_tasks}",
            mae,
            str(s.failed_runs),
        )
    Console(highlight=False, soft_wrap=True).print(table)
    typer.echo(f"{len(results)} runs in {db} ({len(failed)} new failed).")


@bench_app.command("report")
def report_command(
    db: Annotated[Path, typer.Argument(help="SQLite results file.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output file (default: stdout).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="html or markdown.")] = "html",
) -> None:
    """Write a self-contained HTML report (or Markdown tables) of a results database."""
    with report_problems():
        try:
            text = write_report(db, output, fmt=fmt)
        except ImportError:
            raise ValueError(
                "The HTML report needs matplotlib: pip install 'infolens[plot]' "
                "(or use --format markdown)."
            ) from None
    if output is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"Wrote {output}.")


__all__ = ["bench_app"]
