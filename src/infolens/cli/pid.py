"""The ``infolens pid`` command: partial information decomposition of discrete samples."""

import dataclasses
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from infolens.cli._output import echo_json, report_problems
from infolens.cli.estimate import read_source
from infolens.discrete import pid_from_samples
from infolens.estimators.binning import BinningEstimator


def _discretise(data: np.ndarray[Any, Any], bins: int | None) -> np.ndarray[Any, Any]:
    if bins is None or data.dtype.kind != "f":
        return data
    return BinningEstimator(bins=bins).bin_indices(data)


def pid(
    x1: Annotated[str, typer.Argument(help="Samples of the first source: a data source.")],
    x2: Annotated[str, typer.Argument(help="Samples of the second source.")],
    y: Annotated[str, typer.Argument(help="Samples of the target.")],
    measure: Annotated[
        str, typer.Option("--measure", help="williams_beer or broja.")
    ] = "williams_beer",
    units: Annotated[str, typer.Option("--units", "-u", help="nats or bits.")] = "nats",
    bins: Annotated[
        int | None,
        typer.Option("--bins", help="Bin float columns into this many equal-width bins first."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Decompose I(X1, X2; Y) into redundant, unique and synergistic parts.

    Data sources as for 'infolens estimate' (e.g. data.csv:client). Discrete columns are used as
    they are; float columns need --bins.
    """
    with report_problems():
        data = [
            _discretise(read_source(s, name=n), bins)
            for s, n in zip((x1, x2, y), ("X1", "X2", "Y"), strict=True)
        ]
        result = pid_from_samples(*data, measure=measure, units=units)
    record = dataclasses.asdict(result)
    if json_output:
        echo_json(record)
        return
    table = Table("atom", "value", title=f"PID ({result.measure}), {result.units}")
    for atom in ("redundancy", "unique_1", "unique_2", "synergy", "total"):
        table.add_row(atom, f"{record[atom]:.6g}")
    Console(highlight=False).print(table)
