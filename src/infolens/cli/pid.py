"""The ``infolens pid`` command: partial information decomposition of discrete samples."""

import dataclasses
from typing import Annotated, Any, Literal

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from infolens.cli._options import HeaderOption, JsonOption, UnitsOption
from infolens.cli._output import echo_json, format_value, report_problems
from infolens.cli._sources import read_source
from infolens.discrete import pid_from_samples
from infolens.estimators.binning import BinningEstimator
from infolens.exceptions import InvalidInputError

Measure = Literal["williams_beer", "broja"]


def _discretise(data: np.ndarray[Any, Any], bins: int | None, *, name: str) -> np.ndarray[Any, Any]:
    if data.dtype.kind != "f":
        return data
    if bins is None:
        raise InvalidInputError(
            f"{name} holds floating-point values; the PID needs discrete data. Pass --bins N to "
            "bin float columns into N equal-width bins (or give integer or text labels)."
        )
    return BinningEstimator(bins=bins).bin_indices(data)


def pid(
    x1: Annotated[str, typer.Argument(help="Samples of the first source: a data source.")],
    x2: Annotated[str, typer.Argument(help="Samples of the second source.")],
    y: Annotated[str, typer.Argument(help="Samples of the target.")],
    measure: Annotated[
        Measure, typer.Option("--measure", help="Redundancy measure.")
    ] = "williams_beer",
    units: UnitsOption = "nats",
    bins: Annotated[
        int | None,
        typer.Option(
            "--bins",
            min=1,
            help="Bin float columns into this many equal-width bins first (required for them).",
            show_default=False,
        ),
    ] = None,
    header: HeaderOption = None,
    json_output: JsonOption = False,
) -> None:
    """Decompose I(X1, X2; Y) into redundant, unique and synergistic parts.

    Data sources as for 'infolens estimate' (e.g. data.csv:client). Discrete columns (integers,
    text labels) are used as they are; float columns need --bins.
    """
    with report_problems():
        data = [
            _discretise(read_source(s, name=n, header=header), bins, name=n)
            for s, n in zip((x1, x2, y), ("X1", "X2", "Y"), strict=True)
        ]
        with Console(stderr=True).status(f"decomposing ({measure})..."):
            result = pid_from_samples(*data, measure=measure, units=units)
    record = dataclasses.asdict(result)
    if json_output:
        echo_json(record)
        return
    table = Table("atom", "value", title=f"PID ({result.measure}), {result.units}")
    for atom in ("redundancy", "unique_1", "unique_2", "synergy", "total"):
        table.add_row(atom, format_value(record[atom]))
    Console(highlight=False).print(table)
