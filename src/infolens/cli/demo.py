"""The ``infolens demo`` command: estimates on built-in synthetic data next to the exact values."""

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import infolens
from infolens.cli._kernels import notify_if_compiling
from infolens.cli._options import OutOption, UnitsOption
from infolens.cli._output import format_value, report_problems, to_jsonable
from infolens.demo import run_demo


def demo(
    n_samples: Annotated[
        int, typer.Option("--n", "-n", min=2, help="Samples per task (an int >= 2).")
    ] = 5000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the data and estimators (an int >= 0).")
    ] = 0,
    units: UnitsOption = "nats",
    out: OutOption = None,
) -> None:
    """Estimate synthetic problems with known answers with every applicable method.

    With --out, also write the records as a JSON report.
    """
    console = Console(highlight=False)
    with report_problems():
        notify_if_compiling(["ksg"])
        with Console(stderr=True).status("estimating nine synthetic problems..."):
            records = run_demo(n_samples=n_samples, seed=seed, units=units)
    table = Table(title=f"infolens {infolens.__version__} demo: N={n_samples}, seed={seed}")
    for column in ("task", "truth", "method", "estimate", "error", "time [s]"):
        left = column in ("task", "method")
        table.add_column(column, justify="left" if left else "right", no_wrap=column == "method")
    previous = None
    for r in records:
        first = r["task"] != previous
        previous = r["task"]
        if first and len(table.rows):
            table.add_section()
        method = r["method"] if r["method"] != "auto" else f"auto → {r['resolved_method']}"
        table.add_row(
            r["task"] if first else "",
            format_value(r["truth"], ".4f") if first else "",
            method,
            format_value(r["estimate"], ".4f"),
            format_value(r["error"], "+.4f"),
            f"{r['seconds']:.3f}",
        )
    console.print(table)
    console.print(f"All values in {units}; error = estimate - truth.")
    if out is not None:
        meta = {"infolens": infolens.__version__, "n_samples": n_samples, "seed": seed}
        report = {"meta": meta, "units": units, "records": records}
        with report_problems():
            out.write_text(json.dumps(to_jsonable(report), indent=2) + "\n")
        console.print(f"Report written to {out}")
