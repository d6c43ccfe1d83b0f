"""``infolens infoplane``: reproduce the classic information-plane experiments."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from infolens.cli._output import echo_json, report_problems

app = typer.Typer(help="Information-plane experiments (needs the torch and plot extras).")


@app.command("list")
def list_reproductions() -> None:
    """List the reproductions and what they show."""
    from infolens.infoplane.reproduce import REPRODUCTIONS

    table = Table("name", "description", title="infolens infoplane reproductions")
    for name, spec in sorted(REPRODUCTIONS.items()):
        table.add_row(name, spec.description)
    Console(highlight=False).print(table)


@app.command("reproduce")
def reproduce(
    name: Annotated[str, typer.Argument(help="tishby, saxe-relu, bin-placement, kde or adaptive.")],
    epochs: Annotated[int, typer.Option("--epochs", help="Training epochs.")] = 10_000,
    seeds: Annotated[int, typer.Option("--seeds", help="Independent runs to average.")] = 5,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: infoplane-NAME).")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Path of var_u.mat (default: ../shared/data/var_u.mat)."),
    ] = None,
    inputs: Annotated[
        str, typer.Option("--inputs", help="Encoding of the 12 bits: signed (-1/+1) or binary.")
    ] = "signed",
    jobs: Annotated[int | None, typer.Option("--jobs", help="Parallel processes.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Train, estimate, check the pass criteria and write report.html and summary.json.

    Rerunning with the same --out resumes a killed run without recomputing finished work.
    """
    console = Console(highlight=False, stderr=json_output)
    with report_problems():
        from infolens.infoplane.reproduce import reproduce as run

        summary = run(
            name,
            epochs=epochs,
            seeds=seeds,
            out=out,
            data=data,
            n_jobs=jobs,
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
