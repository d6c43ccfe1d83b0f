"""The ``infolens demo`` command: estimates on built-in synthetic data next to the exact values."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import infolens
from infolens.cli._output import report_problems, to_jsonable
from infolens.demo import run_demo


def demo(
    n_samples: Annotated[int, typer.Option("--n", "-n", help="Samples per task.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the data and estimators.")] = 0,
    units: Annotated[str, typer.Option("--units", help="nats or bits.")] = "nats",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the records as a JSON report.")
    ] = None,
) -> None:
    """Estimate synthetic problems with known answers with every applicable method."""
    console = Console(highlight=False)
    with report_problems(), console.status("estimating..."):
        records = run_demo(n_samples=n_samples, seed=seed, units=units)
    table = Table(title=f"infolens {infolens.__version__} demo: N={n_samples}, seed={seed}")
    for column in ("task", "truth", "method", "estimate", "error", "time [s]"):
        table.add_column(column, justify="left" if column in ("task", "method") else "right")
    previous = None
    for r in records:
        first = r["task"] != previous
        previous = r["task"]
        if first and len(table.rows):
            table.add_section()
        method = r["method"] if r["method"] != "auto" else f"auto → {r['resolved_method']}"
        table.add_row(
            r["task"] if first else "",
            f"{r['truth']:.4f}" if first else "",
            method,
            f"{r['estimate']:.4f}",
            f"{r['error']:+.4f}",
            f"{r['seconds']:.3f}",
        )
    console.print(table)
    console.print(f"All values in {units}; error = estimate - truth.")
    if output is not None:
        meta = {"infolens": infolens.__version__, "n_samples": n_samples, "seed": seed}
        report = {"meta": meta, "units": units, "records": records}
        with report_problems():
            output.write_text(json.dumps(to_jsonable(report), indent=2) + "\n")
        console.print(f"Report written to {output}")
