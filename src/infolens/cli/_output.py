"""Output helpers shared by the commands: one-line errors and warnings, values, JSON.

Every command runs its work inside :func:`report_problems`, so an expected failure (bad input,
bad option, unreadable file, a missing optional dependency) is reported as one ``Error: ...``
line on stderr with exit status 2 (:data:`USER_ERROR`, as for a usage error), and each warning
the library emits becomes one ``Warning: ...`` line instead of a Python warning. The root
command (:class:`infolens.cli.InfolensGroup`) does the same for anything that escapes a command.
"""

import contextlib
import dataclasses
import enum
import json
import math
import sqlite3
import warnings
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

import infolens
from infolens.exceptions import InfolensError

#: Exit status of every error the user can fix (click uses it for usage errors too).
USER_ERROR = 2

#: Errors reported as one line (RuntimeError: the library's own "please report" failures).
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    InfolensError,
    ImportError,
    ValueError,
    TypeError,
    OSError,
    KeyError,
    RuntimeError,
    MemoryError,
    sqlite3.Error,
)

#: ``pip install`` hints for the optional dependencies, by top-level module name.
INSTALL_HINTS: dict[str, str] = {
    "torch": 'pip install "infolens[torch]"',
    "matplotlib": 'pip install "infolens[plot]"',
    "dask": 'pip install "infolens[dask]"',
    "distributed": 'pip install "infolens[dask]"',
    "pyarrow": "pip install pyarrow",
}

#: Values closer to 0 than this are printed as 0 (they are 0 up to rounding).
ZERO_TOLERANCE = 1e-12

# soft_wrap: never break a message over several lines, whatever the terminal width.
_stderr = Console(stderr=True, soft_wrap=True, highlight=False)


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def import_hint(err: ImportError) -> str:
    """Return a one-line message for a missing optional dependency, with its install command.

    Examples
    --------
    >>> import_hint(ModuleNotFoundError("No module named 'torch'", name="torch"))
    'This needs PyTorch (torch), which is not installed: pip install "infolens[torch]".'
    """
    text = _one_line(str(err))
    if "pip install" in text:  # the library's own message already says what to install
        return text
    module = (err.name or "").split(".")[0]
    if module in INSTALL_HINTS:
        label = "PyTorch (torch)" if module == "torch" else repr(module)
        return f"This needs {label}, which is not installed: {INSTALL_HINTS[module]}."
    if module:
        return f"This needs the Python package {module!r}, which is not installed ({text})."
    return text or type(err).__name__


def error_message(err: BaseException) -> str:
    """Return the one-line message printed for ``err``."""
    if isinstance(err, ImportError):
        return import_hint(err)
    if isinstance(err, MemoryError):
        return "Out of memory: " + (
            _one_line(str(err)) or "reduce the data or the sizes asked for."
        )
    # str(KeyError("a")) is "'a'", so use the argument itself.
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return _one_line(text) or type(err).__name__


def print_error(message: str) -> None:
    """Print ``Error: <message>`` on one line of stderr."""
    _stderr.print(Text("Error: ", style="bold red") + Text(_one_line(message)))


def print_warning(message: str) -> None:
    """Print ``Warning: <message>`` on one line of stderr."""
    _stderr.print(Text("Warning: ", style="yellow") + Text(_one_line(message)))


def print_notice(message: str) -> None:
    """Print ``<message>`` (progress information, not a problem) on one line of stderr."""
    _stderr.print(Text(_one_line(message), style="dim"))


@contextlib.contextmanager
def report_problems() -> Iterator[None]:
    """Run the body, turning warnings into ``Warning:`` lines and expected errors into an exit.

    Raises
    ------
    typer.Exit
        With status 2 after printing ``Error: <message>``, when the body raises one of
        :data:`EXPECTED_ERRORS` (any :class:`~infolens.exceptions.InfolensError`, a missing
        optional dependency, bad values, unreadable files...).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except EXPECTED_ERRORS as err:
            _print_warnings(caught)
            print_error(error_message(err))
            raise typer.Exit(code=USER_ERROR) from None
    _print_warnings(caught)


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for warning in caught:
        text = _one_line(str(warning.message))
        if text not in seen:  # the same warning from every seed or task: once
            seen.add(text)
            print_warning(text)


# --- values ----------------------------------------------------------------------------------


def format_value(value: float | None, spec: str = ".6g") -> str:
    """Format ``value`` with ``spec``, printing values that are 0 up to rounding as ``0``.

    Examples
    --------
    >>> format_value(3.2e-17), format_value(-1e-13), format_value(0.123456789), format_value(None)
    ('0', '0', '0.123457', '—')
    """
    if value is None:
        return "—"
    if math.isfinite(value) and abs(value) < ZERO_TOLERANCE:
        return "0"
    return format(value, spec)


_SYMBOLS = {
    "entropy": "H(X)",
    "mutual_information": "I(X;Y)",
    "conditional_mutual_information": "I(X;Y|Z)",
}


def estimate_line(estimate: infolens.Estimate) -> str:
    """Return the one-line summary ``infolens estimate`` prints by default.

    The value and units, the confidence interval when the estimate carries one, the method and
    the sample size.

    Examples
    --------
    >>> est = infolens.Estimate(value=0.5, units="bits", n_samples=10, method="plugin",
    ...                         quantity="mutual_information")
    >>> estimate_line(est)
    'I(X;Y) = 0.5 bits  (method plugin, N = 10)'
    """
    symbol = _SYMBOLS.get(estimate.quantity, estimate.quantity)
    units = f" {estimate.units}" if estimate.units else ""
    line = f"{symbol} = {format_value(estimate.value)}{units}"
    ci = estimate.ci
    if ci is not None:
        line += (
            f", {ci.level:.0%} CI [{format_value(ci.low)}, {format_value(ci.high)}] ({ci.method})"
        )
    return f"{line}  (method {estimate.method}, N = {estimate.n_samples})"


def short_text(value: Any, *, max_items: int = 8) -> str:
    """Return a short, readable rendering of a record field for a table cell.

    Numbers go through :func:`format_value`; short lists of scalars are shown; long sequences,
    arrays and objects (a trained critic, a learning curve) are summarised, never printed.

    Examples
    --------
    >>> short_text(1e-15), short_text([1, 2]), short_text(list(range(500))), short_text(object())
    ('0', '[1, 2]', '<500 values>', '<object>')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_value(value)
    if isinstance(value, list | tuple | np.ndarray):
        items = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else value
        if len(items) <= max_items and all(_scalar(item) for item in items):
            return "[" + ", ".join(short_text(item) for item in items) + "]"
        return f"<{len(items)} values>"
    if isinstance(value, Mapping):
        return f"<{len(value)} entries>"
    if isinstance(value, enum.Enum | PurePath):
        return str(value)
    return f"<{type(value).__name__}>"


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str | np.generic)


def record_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    """Return a two-column rich table (field, value) of ``rows`` rendered by :func:`short_text`."""
    table = Table("field", "value", title=title, title_justify="left")
    for field, value in rows:
        table.add_row(Text(field), Text(short_text(value)))
    return table


# --- JSON ------------------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Return ``value`` with tuples, numpy arrays and numpy scalars made JSON-serialisable.

    Non-finite floats become ``None`` (JSON has no NaN or infinity); objects with a ``tolist``
    (arrays, tensors) become lists; other objects (a trained critic) become ``"<TypeName>"``,
    never their ``repr``.

    Examples
    --------
    >>> to_jsonable({"bins": (10, 20), "n": np.int64(3), "x": np.float64(0.5), "f": object()})
    {'bins': [10, 20], 'n': 3, 'x': 0.5, 'f': '<object>'}
    """
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum | PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return to_jsonable(tolist())
    return f"<{type(value).__name__}>"


def estimate_to_dict(estimate: infolens.Estimate) -> dict[str, Any]:
    """Return the JSON object that ``--json`` prints for ``estimate``.

    Keys: ``value``, ``units``, ``n_samples``, ``method``, ``quantity``, ``params`` and
    ``details``, plus ``ci`` (low, high, level, method, standard_error) when the estimate
    carries a confidence interval.
    """
    record: dict[str, Any] = {
        "value": estimate.value,
        "units": estimate.units,
        "n_samples": estimate.n_samples,
        "method": estimate.method,
        "quantity": estimate.quantity,
        "params": estimate.params,
        "details": estimate.details,
    }
    if estimate.ci is not None:
        record["ci"] = dataclasses.asdict(estimate.ci)
    result: dict[str, Any] = to_jsonable(record)
    return result


def echo_json(payload: Any) -> None:
    """Write ``payload`` as one line of JSON on stdout."""
    typer.echo(json.dumps(to_jsonable(payload)))
