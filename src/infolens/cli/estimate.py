"""The ``infolens estimate`` command, and the readers of its data sources.

A data source is one of

* ``file.npy``: a NumPy array (loaded with ``allow_pickle=False``);
* ``file.npz:key``: one array of a NumPy archive (the key may be left out when the archive
  holds exactly one array);
* ``file.csv`` or ``file.csv:col1,col2``: CSV text with a header row, all columns or those
  named. Columns of integers give an integer array, columns of numbers a float array (empty
  cells are missing values, i.e. NaN); if any selected column holds other text, the whole
  selection is kept as strings (category labels, for methods such as ``plugin``);
* ``-`` or ``-:col1,col2``: standard input, read as ``.npy`` bytes when it starts with the NumPy
  signature, as an ``.npz`` archive when it starts with the zip signature, else as CSV text.
"""

import csv
import io
import json
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand

import infolens
from infolens.cli._output import echo_json, estimate_to_dict, report_problems

STDIN = "-"
# A positional "-:col" would be parsed as options by click; EstimateCommand marks such tokens
# with a NUL byte (which no command-line argument can contain) and split_source unmarks them.
_STDIN_MARK = "\0"
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"


def split_source(spec: str) -> tuple[str, str | None]:
    """Split ``"path:selector"`` into the path and the selector (``None`` when there is none).

    A path that exists as written is never split, so file names may contain colons.

    Examples
    --------
    >>> split_source("data.npz:x")
    ('data.npz', 'x')
    >>> split_source("-")
    ('-', None)
    """
    if spec.startswith(_STDIN_MARK + STDIN + ":"):
        return STDIN, spec[len(_STDIN_MARK + STDIN + ":") :]
    if spec == STDIN or ":" not in spec or Path(spec).exists():
        return spec, None
    path, _, selector = spec.partition(":")
    return path, selector


def read_source(
    spec: str, *, name: str = "X", stdin: IO[bytes] | None = None
) -> np.ndarray[Any, Any]:
    """Read the samples named by the data source ``spec`` (see the module docstring).

    Parameters
    ----------
    spec : str
        ``path``, ``path:selector``, ``-`` or ``-:selector``.
    name : str, default="X"
        Role of the data in the command (``"X"``, ``"Y"`` or ``"Z"``), used in error messages.
    stdin : binary file or None, default=None
        Where ``-`` reads from; ``None`` means the process's standard input.

    Returns
    -------
    numpy.ndarray
        The samples, as stored (``.npy``/``.npz``) or of shape ``(n_samples, n_columns)`` (CSV).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the source cannot be parsed, or the key or columns it selects do not exist.
    """
    path, selector = split_source(spec)
    if path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        return _read_stream(io.BytesIO(stream.read()), selector, where=f"{name} (stdin)")
    where = f"{name} ({path!r})"
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"Cannot read {name}: no such file {path!r}.")
    if file.is_dir():
        raise IsADirectoryError(f"Cannot read {name}: {path!r} is a directory, not a file.")
    with file.open("rb") as handle:
        return _read_stream(handle, selector, where=where, suffix=file.suffix.lower())


def _read_stream(
    stream: IO[bytes], selector: str | None, *, where: str, suffix: str = ""
) -> np.ndarray[Any, Any]:
    magic = stream.read(len(NPY_MAGIC))
    stream.seek(0)
    if magic.startswith(NPY_MAGIC):
        if selector is not None:
            raise ValueError(
                f"{where} is a .npy file, which holds a single array; remove the "
                f"':{selector}' selector."
            )
        array: np.ndarray[Any, Any] = np.load(stream, allow_pickle=False)
        return array
    if magic.startswith(ZIP_MAGIC):
        return _read_npz(stream, selector, where=where)
    if suffix in (".npy", ".npz"):
        raise ValueError(f"{where} is not a valid {suffix} file (it lacks the NumPy signature).")
    if not magic:
        raise ValueError(f"{where} is empty: expected CSV text with a header row, or .npy data.")
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{where} is neither .npy/.npz data nor UTF-8 CSV text ({err.reason} at byte "
            f"{err.start})."
        ) from None
    return read_csv(text, selector, where=where)


def _read_npz(stream: IO[bytes], key: str | None, *, where: str) -> np.ndarray[Any, Any]:
    try:
        archive = np.load(stream, allow_pickle=False)
    except Exception as err:  # zipfile.BadZipFile and friends are not OSError/ValueError
        raise ValueError(f"{where} is not a valid .npz archive ({err}).") from None
    with archive:
        keys = list(archive.files)
        available = ", ".join(repr(k) for k in keys) or "none"
        if key is None:
            if len(keys) != 1:
                raise ValueError(
                    f"{where} holds {len(keys)} arrays; choose one with ':KEY'. "
                    f"Available keys: {available}."
                )
            key = keys[0]
        if key not in keys:
            raise ValueError(f"Key {key!r} not found in {where}. Available keys: {available}.")
        array: np.ndarray[Any, Any] = archive[key]
        return array


def read_csv(text: str, selector: str | None = None, *, where: str = "X") -> np.ndarray[Any, Any]:
    r"""Parse CSV ``text`` with a header row into a 2-D array of the selected columns.

    Parameters
    ----------
    text : str
        CSV text; the first non-blank row names the columns.
    selector : str or None, default=None
        Comma-separated column names; ``None`` selects every column.
    where : str, default="X"
        Name of the source, used in error messages.

    Returns
    -------
    numpy.ndarray of shape (n_samples, n_columns)
        ``int64`` if every cell is an integer, ``float64`` if every cell is a number (empty cells
        become NaN), else the cells as strings.

    Raises
    ------
    ValueError
        If the text is not valid CSV, has no data rows, has ragged rows or lacks a column.

    Examples
    --------
    >>> read_csv("a,b\n1,0.5\n2,1.5\n", "b")
    array([[0.5],
           [1.5]])
    >>> read_csv("a,b\n1,x\n2,y\n").dtype.kind
    'U'
    """
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
            elif len(row) != len(header):
                raise ValueError(
                    f"{where}: CSV line {reader.line_num} has {len(row)} fields; the header "
                    f"has {len(header)}."
                )
            else:
                rows.append([cell.strip() for cell in row])
    except csv.Error as err:
        raise ValueError(f"{where} is not valid CSV (line {reader.line_num}: {err}).") from None
    if header is None:
        raise ValueError(f"{where} is empty: expected CSV text with a header row.")
    if not rows:
        raise ValueError(f"{where} has a CSV header but no data rows.")
    indices = list(range(len(header)))
    if selector is not None:
        names = [part.strip() for part in selector.split(",")]
        available = ", ".join(repr(h) for h in header)
        missing = [n for n in names if n not in header]
        if missing:
            raise ValueError(
                f"Column(s) {', '.join(repr(n) for n in missing)} not found in {where}. "
                f"Available columns: {available}."
            )
        indices = [header.index(n) for n in names]
    cells = [[row[i] for i in indices] for row in rows]
    for parse in (_parse_int, _parse_float):
        try:
            return np.array([[parse(cell) for cell in row] for row in cells])
        except (ValueError, OverflowError):
            pass
    return np.array(cells, dtype=str)


def _parse_int(cell: str) -> int:
    value = int(cell)
    if not -(2**63) <= value < 2**63:
        raise OverflowError(cell)
    return value


def _parse_float(cell: str) -> float:
    return float(cell) if cell else float("nan")


def parse_params(items: list[str]) -> dict[str, Any]:
    """Parse repeated ``--param name=value`` options into keyword arguments.

    Values are read as JSON when possible (``2`` → int, ``false`` → bool, ``[10, 20]`` → tuple),
    else kept as strings.

    Raises
    ------
    ValueError
        If an item is not ``name=value`` or a name is given twice.

    Examples
    --------
    >>> parse_params(["variant=2", "standardize=false", "bins=[10,20]", "rule=fd"])
    {'variant': 2, 'standardize': False, 'bins': (10, 20), 'rule': 'fd'}
    """
    params: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ValueError(f"--param expects name=value (e.g. variant=2); got {item!r}.")
        if name in params:
            raise ValueError(f"Parameter {name!r} is given more than once.")
        try:
            params[name] = _tuples(json.loads(text))
        except json.JSONDecodeError:
            params[name] = text
    return params


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


class EstimateCommand(TyperCommand):
    """The ``estimate`` command, also accepting ``-:col1,col2`` (stdin with a selector)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Mark ``-:selector`` tokens so that they are not parsed as options, then parse."""
        marked = [_STDIN_MARK + arg if arg.startswith(STDIN + ":") else arg for arg in args]
        return super().parse_args(ctx, marked)


def estimate(
    x: Annotated[str, typer.Argument(help="Samples of X: a data source.")],
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
        str, typer.Option("--method", "-m", help="Estimator name (see 'infolens methods') or auto.")
    ] = "auto",
    k: Annotated[
        int | None,
        typer.Option("-k", "--k", help="Number of neighbours (kNN methods).", show_default=False),
    ] = None,
    units: Annotated[str, typer.Option("--units", "-u", help="nats or bits.")] = "nats",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            help="Extra estimator parameter, value read as JSON if possible (repeatable).",
            show_default=False,
        ),
    ] = None,
    rng: Annotated[
        int | None,
        typer.Option("--rng", help="Seed for randomised estimators.", show_default=False),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Estimate H(X), I(X; Y) or I(X; Y | Z) from data files or standard input.

    Data sources: file.npy, file.npz:KEY, file.csv or file.csv:COL1,COL2 (CSV with a header).
    Use - for standard input (.npy bytes or CSV text; -:COL1,COL2 selects CSV columns).
    """
    with report_problems():
        sources = [s for s in (x, y, given) if s is not None]
        if sum(split_source(s)[0] == STDIN for s in sources) > 1:
            raise ValueError("Only one of X, Y and Z may be '-' (standard input).")
        if given is not None and y is None:
            raise ValueError("--given Z needs Y as well: I(X; Y | Z) takes X, Y and Z.")
        params = parse_params(param or [])
        if k is not None:
            if "k" in params:
                raise ValueError("k is given twice (-k and --param k=...); give it once.")
            params["k"] = k
        for option in ("method", "units", "rng"):
            if option in params:
                raise ValueError(f"Give {option} with --{option}, not with --param.")
        data = [read_source(s, name=n) for s, n in zip(sources, "XYZ", strict=False)]
        options: dict[str, Any] = {"method": method, "units": units, "rng": rng, **params}
        if len(data) == 1:
            result = infolens.entropy(data[0], **options)
        elif len(data) == 2:
            result = infolens.mutual_information(data[0], data[1], **options)
        else:
            result = infolens.conditional_mutual_information(data[0], data[1], data[2], **options)
    if json_output:
        echo_json(estimate_to_dict(result))
    else:
        _print_table(result)


def _print_table(result: infolens.Estimate) -> None:
    table = Table("field", "value", title="infolens estimate", title_justify="left")
    rows: list[tuple[str, object]] = [
        ("quantity", result.quantity),
        ("method", result.method),
        ("value", f"{result.value:.6g}"),
        ("units", result.units),
        ("n_samples", result.n_samples),
    ]
    if result.ci is not None:
        ci = result.ci
        rows.append(("ci", f"[{ci.low:.6g}, {ci.high:.6g}] ({ci.level:.0%} {ci.method})"))
    rows += [(f"params.{key}", value) for key, value in result.params.items()]
    rows += [(f"details.{key}", value) for key, value in result.details.items()]
    for field, value in rows:
        table.add_row(Text(field), Text(str(value)))
    Console(highlight=False).print(table)
