"""The ``infolens test`` command: a permutation test of I(X; Y) = 0 or I(X; Y | Z) = 0.

A thin layer over :func:`infolens.independence.independence_test`; data sources are read by
:mod:`infolens.cli._sources` as for ``infolens estimate``. By default one line is printed;
``--json`` prints the whole result (statistic record, p-value, null distribution).
"""

import math
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

from infolens.cli._kernels import notify_if_compiling
from infolens.cli._options import (
    METHOD_CHOICES,
    STDIN,
    HeaderOption,
    JobsOption,
    JsonOption,
    SeedOption,
    UnitsOption,
    parse_params,
)
from infolens.cli._output import (
    echo_json,
    estimate_line,
    estimate_to_dict,
    format_value,
    report_problems,
)
from infolens.cli._sources import read_source, split_source
from infolens.exceptions import InvalidParameterError
from infolens.independence import IndependenceTestResult, independence_test

#: ``--method`` choices: the registry's MI/CMI methods, ``auto`` and ``hsic``.
TEST_METHODS: tuple[str, ...] = (*METHOD_CHOICES, "hsic")
TestMethod = Literal[TEST_METHODS]  # type: ignore[valid-type]

_OWN_OPTIONS = {
    "method": "--method",
    "rng": "--seed",
    "n_permutations": "--permutations",
    "k_perm": "--k-perm",
    "n_jobs": "--jobs",
}


def independence(
    x: Annotated[str, typer.Argument(help="Samples of X: a data source.", show_default=False)],
    y: Annotated[str, typer.Argument(help="Samples of Y: a data source.", show_default=False)],
    given: Annotated[
        str | None,
        typer.Option(
            "--given",
            "-z",
            metavar="Z",
            help="Test I(X; Y | Z) = 0 with a local permutation of X within Z-neighbourhoods.",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        TestMethod,
        typer.Option(
            "--method", "-m", help="Statistic: an MI/CMI method (see 'infolens methods'), hsic."
        ),
    ] = "auto",
    permutations: Annotated[
        int, typer.Option("--permutations", "-n", min=1, help="Number of permutations.")
    ] = 1000,
    k_perm: Annotated[
        int | None,
        typer.Option(
            "--k-perm",
            min=1,
            help="Z-neighbours of the local permutation (only with --given; default 5).",
            show_default=False,
        ),
    ] = None,
    units: UnitsOption = "nats",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            help="Statistic parameter, the value read as a literal (repeatable).",
            show_default=False,
        ),
    ] = None,
    seed: SeedOption = None,
    jobs: JobsOption = None,
    header: HeaderOption = None,
    json_output: JsonOption = False,
) -> None:
    """Test whether X and Y are independent (given Z) with a permutation test.

    The p-value is (1 + #{null >= statistic}) / (1 + permutations). Data sources as for
    'infolens estimate': file.npy, file.npz:KEY, file.csv[:COLS], file.parquet[:COLS] or -.
    """
    with report_problems():
        sources = [s for s in (x, y, given) if s is not None]
        if sum(split_source(s)[0] == STDIN for s in sources) > 1:
            raise InvalidParameterError("Only one of X, Y and Z may be '-' (standard input).")
        params = parse_params(param or [], reserved=_OWN_OPTIONS)
        if jobs is not None:
            params["n_jobs"] = jobs
        data = [read_source(s, name=n, header=header) for s, n in zip(sources, "XYZ", strict=False)]
        notify_if_compiling([method])
        with Console(stderr=True).status(f"{permutations} permutations with {method}..."):
            result = independence_test(
                data[0],
                data[1],
                data[2] if given is not None else None,
                method=method,
                n_permutations=permutations,
                rng=seed,
                k_perm=k_perm,
                **params,
            )
        record = result_to_dict(result, units)
    if json_output:
        echo_json(record)
    else:
        typer.echo(result_line(result, units))


def result_to_dict(result: IndependenceTestResult, units: str) -> dict[str, Any]:
    """Return the JSON object of ``--json``: the statistic record, p-value and null (in units)."""
    statistic = result.statistic if result.statistic.units is None else result.statistic.to(units)
    factor = 1.0 if result.statistic.units in (None, units) else 1.0 / math.log(2.0)
    return {
        "p_value": result.p_value,
        "statistic": estimate_to_dict(statistic),
        "method": result.method,
        "n_permutations": result.n_permutations,
        "permutation": result.permutation,
        "k_perm": result.k_perm,
        "null_distribution": (result.null_distribution * factor).tolist(),
    }


def result_line(result: IndependenceTestResult, units: str) -> str:
    """Return the one line printed by default: p-value, permutations and the statistic."""
    statistic = result.statistic if result.statistic.units is None else result.statistic.to(units)
    kind = "local permutations" if result.permutation == "local" else "permutations"
    return (
        f"p = {format_value(result.p_value, '.4g')}  ({result.n_permutations} {kind}); "
        f"{estimate_line(statistic)}"
    )
