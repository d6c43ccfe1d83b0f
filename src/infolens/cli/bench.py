"""The ``infolens bench`` commands: ``list``, ``run`` and ``report`` over :mod:`infolens.benchmark`.

Register with ``app.add_typer(bench_app, name="bench")``.
"""

from pathlib import Path
from typing import Annotated, Any, Literal

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

from infolens._limits import physical_memory
from infolens.benchmark import get_task, run, select_tasks
from infolens.benchmark.report import summarize_cells, summarize_methods, write_report
from infolens.benchmark.store import RunResult
from infolens.cli._kernels import notify_if_compiling
from infolens.cli._options import (
    DbOption,
    InfolensCommand,
    JobsOption,
    JsonOption,
    SeedsOption,
    format_bytes,
    parse_params,
    parse_seeds,
    seed_ranges,
)
from infolens.cli._output import (
    echo_json,
    format_value,
    print_warning,
    report_problems,
)
from infolens.exceptions import InvalidParameterError

Preprocess = Literal["none", "standardize"]
Format = Literal["html", "markdown"]

bench_app = typer.Typer(
    name="bench",
    help="Ground-truth benchmark: list tasks, run sweeps into SQLite, write reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
)


@bench_app.command("list", cls=InfolensCommand)
def list_command(
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="Task ids, globs or suites (bmi, infolens).")
    ] = "*",
    json_output: JsonOption = False,
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
                    "mutual_information": task.truth,
                    "units": "nats",
                }
            )
    if json_output:
        echo_json(rows)
        return
    table = Table("task id", "suite", "dims", "true (nats)", title="infolens bench tasks")
    for row in rows:
        dims = f"{row['dim_x']}×{row['dim_y']}" + (f" | {row['dim_z']}" if row["dim_z"] else "")
        table.add_row(
            row["task_id"], row["suite"], dims, format_value(row["mutual_information"], ".4f")
        )
    Console(highlight=False, soft_wrap=True).print(table)


def _method_params(methods: str, items: list[str]) -> list[str | tuple[str, dict[str, Any]]]:
    names = [m.strip() for m in methods.split(",") if m.strip()]
    per_method: dict[str, list[str]] = {}
    for item in items:
        target, dot, rest = item.partition(".")
        if not dot or target not in names:
            raise InvalidParameterError(
                f"--param expects METHOD.NAME=VALUE with METHOD one of --method "
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
                size = int(part.replace("_", ""))
            except ValueError:
                raise InvalidParameterError(
                    f"--n expects integers (e.g. 5000 or 1000,5000); got {part!r}."
                ) from None
            if size < 2:
                raise InvalidParameterError(f"--n must be at least 2 samples; got {size}.")
            sizes.append(size)
    return sizes


#: Bytes of memory one planned run takes (its spec, its result record), a generous estimate.
BYTES_PER_RUN = 1024


def check_feasible(
    task_ids: list[str], n_methods: int, sizes: list[int], seeds: str, *, memory: int | None
) -> list[int]:
    """Refuse, before anything runs, a sweep whose samples or plan cannot fit in ``memory``.

    Returns
    -------
    list of int
        The seeds of ``seeds`` (a count or ranges, see :func:`infolens.cli._options.seed_ranges`).

    Raises
    ------
    InvalidParameterError
        If one task's samples at the largest ``--n`` (n x columns x 8 bytes) or the plan of
        runs (tasks x methods x sizes x seeds, ~1 KiB each) needs more than ``memory`` bytes,
        saying how much it would need.
    """
    n_seeds = sum(len(r) for r in seed_ranges(seeds))
    n_runs = len(task_ids) * n_methods * len(sizes) * n_seeds
    if memory is not None:
        widest = max(task_ids, key=lambda t: _columns(get_task(t)))
        columns = _columns(get_task(widest))
        largest = max(sizes)
        need = largest * columns * 8
        if need > memory:
            raise InvalidParameterError(
                f"--n {largest} is too large: the samples of task {widest!r} alone would need "
                f"{format_bytes(need)} ({largest:,} x {columns} columns x 8 bytes), more than "
                f"this machine's {format_bytes(memory)} of memory."
            )
        plan_bytes = n_runs * BYTES_PER_RUN
        if plan_bytes > memory:
            raise InvalidParameterError(
                f"--seeds {seeds!r} gives {n_seeds:,} seeds: {n_runs:,} runs (tasks x methods "
                f"x sizes x seeds), whose plan alone would need about {format_bytes(plan_bytes)} "
                f"of memory, more than this machine's {format_bytes(memory)}."
            )
    return parse_seeds(seeds)


def _columns(task: Any) -> int:
    return int(task.dim_x + task.dim_y + task.dim_z)


@bench_app.command("run", cls=InfolensCommand)
def run_command(
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="Comma-separated task ids, globs or suites.")
    ],
    methods: Annotated[
        str, typer.Option("--method", "-m", help="Methods, comma-separated (e.g. ksg,gaussian).")
    ],
    db: DbOption,
    n: Annotated[
        list[str] | None,
        typer.Option("--n", help="Sample sizes (repeatable or 1000,5000).  [default: 5000]"),
    ] = None,
    seeds: SeedsOption = "1",
    preprocess: Annotated[
        Preprocess,
        typer.Option("--preprocess", help="standardize: each column (bmi protocol)."),
    ] = "none",
    scheduler: Annotated[
        str, typer.Option("--scheduler", help="serial, threads, processes or tcp://host:port.")
    ] = "serial",
    jobs: JobsOption = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="METHOD.NAME=VALUE",
            help="Estimator parameter, e.g. ksg.k=5 (repeatable).",
            show_default=False,
        ),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run failed cells again.")
    ] = False,
    ci: Annotated[
        float | None,
        typer.Option(
            "--ci",
            metavar="LEVEL",
            help="Also compute each run's confidence interval at this level, e.g. 0.95 (as "
            "`infolens estimate --ci`; method per estimator family: see docs/uncertainty.md).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run tasks x methods x sizes x seeds into an SQLite database (skipping finished runs).

    --jobs sets the workers of a local dask cluster (--scheduler threads or processes).
    --ci LEVEL records the estimator's own interval with each run (a method without one
    keeps its estimate); runs with and without --ci, or at two levels, are separate runs.
    """
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
        if jobs is not None and scheduler not in ("threads", "processes"):
            raise InvalidParameterError(
                f"--jobs sets the workers of a local dask cluster: it needs --scheduler threads "
                f"or processes, not {scheduler!r}."
            )
        specs = _method_params(methods, param or [])
        sizes = _sizes(n or ["5000"])
        task_ids = select_tasks(tasks)
        seed_list = check_feasible(task_ids, len(specs), sizes, seeds, memory=physical_memory())
        notify_if_compiling([s if isinstance(s, str) else s[0] for s in specs])
        try:
            results = run(
                task_ids,
                specs,
                n=sizes,
                seeds=seed_list,
                db=db,
                preprocess=preprocess,
                ci=ci,
                scheduler=scheduler,
                n_workers=None if jobs == -1 else jobs,
                retry_failed=retry_failed,
                on_plan=on_plan,
                on_result=on_result,
            )
        finally:
            if bar:
                progress.stop()
    table = Table("method", "solved (x1.5)", "within 10 %", "MAE (nats)", "failed runs")
    for s in summarize_methods(summarize_cells(results)):
        table.add_row(
            s.method,
            f"{s.solved}/{s.n_tasks}",
            f"{s.within_10pct}/{s.n_tasks}",
            format_value(s.mae, ".3f"),
            str(s.failed_runs),
        )
    Console(highlight=False, soft_wrap=True).print(table)
    if ci is not None:
        with_ci = [r for r in results if r.covered is not None]
        inside = sum(bool(r.covered) for r in with_ci)
        typer.echo(
            f"Intervals at level {ci:g}: the truth inside {inside} of {len(with_ci)} "
            f"({len(results) - len(with_ci)} runs without an interval)."
        )
    typer.echo(f"{len(results)} runs in {db} ({len(failed)} new failed).")


@bench_app.command("report", cls=InfolensCommand)
def report_command(
    database: Annotated[
        Path | None,
        typer.Argument(help="Deprecated: give the database with --db.", hidden=True),
    ] = None,
    db: Annotated[
        Path | None, typer.Option("--db", help="SQLite results database.", show_default=False)
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: stdout).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = "html",
) -> None:
    """Write a self-contained HTML report (or Markdown tables) of a results database."""
    with report_problems():
        if database is not None:
            if db is not None:
                raise InvalidParameterError("Give the database once, with --db.")
            print_warning("Giving the database as an argument is deprecated; use --db.")
            db = database
        if db is None:
            raise InvalidParameterError("Missing option '--db': the results database to report.")
        try:
            text = write_report(db, out, fmt=fmt)
        except ImportError as err:
            if (err.name or "").split(".")[0] != "matplotlib":
                raise
            raise ImportError(
                'The HTML report needs matplotlib: pip install "infolens[plot]" '
                "(or use --format markdown).",
                name="matplotlib",
            ) from None
    if out is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"Wrote {out}.")


__all__ = ["bench_app"]
