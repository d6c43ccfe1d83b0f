"""The ``infolens estimate`` command: H(X), I(X; Y) or I(X; Y | Z) of data sources.

Data sources (files, columns, standard input) are read by :mod:`infolens.cli._sources`.
By default one line is printed (:func:`infolens.cli._output.estimate_line`); ``--verbose``
prints the whole record as a table and ``--json`` as one JSON object.
"""

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.console import Console

import infolens
from infolens.cli._kernels import notify_if_compiling
from infolens.cli._options import (
    STDIN,
    HeaderOption,
    JobsOption,
    JsonOption,
    MethodName,
    SeedOption,
    UnitsOption,
    parse_params,
)
from infolens.cli._output import (
    echo_json,
    estimate_line,
    estimate_to_dict,
    record_table,
    report_problems,
)
from infolens.cli._sources import read_source, split_source
from infolens.estimators.registry import REGISTRY
from infolens.exceptions import InvalidParameterError

#: Options of the command that must not also be given with ``--param``.
_OWN_OPTIONS = {
    "method": "--method",
    "units": "--units",
    "rng": "--seed",
    "n_jobs": "--jobs",
    "ci": "--ci",
}


@contextlib.contextmanager
def spinner(message: str, *, method: str = "auto") -> Iterator[None]:
    """Show a spinner with ``message`` on stderr while the body runs (terminals only).

    Methods that show their own progress bar (the neural ones train with one) get none.
    """
    record = REGISTRY.get(method)
    if record is not None and record.extra == "torch":
        yield
        return
    with Console(stderr=True).status(message):
        yield


def estimate(
    x: Annotated[str, typer.Argument(help="Samples of X: a data source.", show_default=False)],
    y: Annotated[
        str | None,
        typer.Argument(help="Samples of Y; with Y, estimate I(X; Y).", show_default=False),
    ] = None,
    given: Annotated[
        str | None,
        typer.Option(
            "--given",
            "-z",
            metavar="Z",
            help="Condition on Z: estimate I(X; Y | Z).",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        MethodName,
        typer.Option("--method", "-m", help="Estimator (see 'infolens methods') or auto."),
    ] = "auto",
    k: Annotated[
        int | None,
        typer.Option("-k", "--k", help="Number of neighbours (k-NN methods).", show_default=False),
    ] = None,
    units: UnitsOption = "nats",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            help="Estimator parameter; the value is read as a literal: 2, 0.5, false, "
            "[10, 20], else text (repeatable).",
            show_default=False,
        ),
    ] = None,
    seed: SeedOption = None,
    jobs: JobsOption = None,
    ci: Annotated[
        float | None,
        typer.Option(
            "--ci",
            metavar="LEVEL",
            help="Also compute a confidence interval at this level, e.g. 0.95 (method per "
            "estimator family: see docs/uncertainty.md).",
            show_default=False,
        ),
    ] = None,
    header: HeaderOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print the whole record as a table.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Estimate H(X), I(X; Y) or I(X; Y | Z) from data files or standard input.

    Data sources: file.npy, file.npz:KEY, file.csv or file.csv:COL1,COL2, file.parquet or
    file.parquet:COL1,COL2. Use - for standard input (.npy bytes or CSV text; -:COL1,COL2 selects
    CSV columns). Whether a CSV file has a header row is detected; without one, select columns
    by 0-based position (file.csv:0,2).
    """
    with report_problems():
        sources = [s for s in (x, y, given) if s is not None]
        if sum(split_source(s)[0] == STDIN for s in sources) > 1:
            raise InvalidParameterError("Only one of X, Y and Z may be '-' (standard input).")
        if given is not None and y is None:
            raise InvalidParameterError("--given Z needs Y as well: I(X; Y | Z) takes X, Y and Z.")
        options = _estimator_options(method, units, seed, jobs, k, param or [], ci=ci)
        data = [read_source(s, name=n, header=header) for s, n in zip(sources, "XYZ", strict=False)]
        notify_if_compiling([method])
        with spinner(f"estimating with {method}...", method=method):
            result = _call(data, options)
    if json_output:
        echo_json(estimate_to_dict(result))
    elif verbose:
        Console(highlight=False, soft_wrap=True).print(_record_table(result))
    else:
        typer.echo(estimate_line(result))


def _call(data: list[Any], options: dict[str, Any]) -> infolens.Estimate:
    try:
        if len(data) == 1:
            return infolens.entropy(data[0], **options)
        if len(data) == 2:
            return infolens.mutual_information(data[0], data[1], **options)
        return infolens.conditional_mutual_information(*data, **options)
    except InvalidParameterError as err:
        if "n_jobs" in options and "'n_jobs'" in str(err) and "Unknown parameter" in str(err):
            raise InvalidParameterError(
                f"--jobs does not apply to method {options['method']!r} (it has no parallel "
                "workers); leave --jobs out."
            ) from None
        raise


def _estimator_options(
    method: str,
    units: str,
    seed: int | None,
    jobs: int | None,
    k: int | None,
    items: list[str],
    *,
    ci: float | None = None,
) -> dict[str, Any]:
    """Return the keyword arguments of the estimate call."""
    params = parse_params(items, reserved=_OWN_OPTIONS)
    if k is not None:
        if "k" in params:
            raise InvalidParameterError("k is given twice (-k and --param k=...); give it once.")
        params["k"] = k
    if jobs is not None:
        params["n_jobs"] = jobs
    if ci is not None:
        params["ci"] = ci
    return {"method": method, "units": units, "rng": seed, **params}


def _record_table(result: infolens.Estimate) -> Any:
    rows: list[tuple[str, Any]] = [
        ("quantity", result.quantity),
        ("method", result.method),
        ("value", result.value),
        ("units", result.units),
        ("n_samples", result.n_samples),
    ]
    if result.ci is not None:
        ci = result.ci
        rows += [("ci.low", ci.low), ("ci.high", ci.high), ("ci.level", ci.level)]
        rows += [("ci.method", ci.method), ("ci.standard_error", ci.standard_error)]
    rows += [(f"params.{key}", value) for key, value in result.params.items()]
    rows += [(f"details.{key}", value) for key, value in result.details.items()]
    return record_table("infolens estimate", rows)
