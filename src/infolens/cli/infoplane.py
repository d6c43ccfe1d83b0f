"""``infolens infoplane``: reproduce the classic information-plane experiments."""

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from infolens.cli._options import InfolensCommand, JobsOption, JsonOption, SeedsOption, parse_seeds
from infolens.cli._output import echo_json, report_problems

app = typer.Typer(help="Information-plane experiments (needs the torch and plot extras).")

#: The reproductions (kept here so that ``--help`` and the choices need no torch import).
NAMES = ("adaptive", "bin-placement", "kde", "saxe-relu", "tishby")
Reproduction = Literal[NAMES]  # type: ignore[valid-type]
Inputs = Literal["signed", "binary"]


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
    epochs: Annotated[int, typer.Option("--epochs", min=2, help="Training epochs.")] = 10_000,
    seeds: SeedsOption = "5",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output folder (default: infoplane-NAME).", show_default=False
        ),
    ] = None,  # fmt: skip
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Path of var_u.mat (default: ../shared/data/var_u.mat)."),
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
    json_output: JsonOption = False,
) -> None:
    """Train, estimate, check the pass criteria and write report.html and summary.json.

    --seeds is a count (5: seeds 0-4) or the seeds themselves (3-7, 0,3,7). Rerunning with the
    same --out resumes a killed run without recomputing finished work.
    """
    console = Console(highlight=False, stderr=json_output)
    with report_problems():
        from infolens.infoplane.reproduce import MAX_SEEDS
        from infolens.infoplane.reproduce import reproduce as run

        chosen = parse_seeds(seeds, limit=MAX_SEEDS)
        count = seeds.strip().isdigit()  # "5": a count, recorded as such in the summary
        summary = run(
            name,
            epochs=epochs,
            seeds=len(chosen) if count else chosen,
            out=out,
            data=data,
            inputs=inputs,
            n_jobs=None if jobs == -1 else jobs,
            progress=lambda message: console.print(f"[dim]{message}[/dim]"),
        )
    if json_output:
        echo_json(summary)
        return
    table = Table("criterion", "result", title=f"{summary['description']}")
    for criterion, check in summary["criteria"].items():
        table.add_row(criterion, "[green]pass[/green]" if check["pass"] else "[red]fail[/red]")
    console.print(table)
    folder = out if out is not None else Path(f"infoplane-{name}")
    console.print(f"Report: {folder / 'report.html'}")
