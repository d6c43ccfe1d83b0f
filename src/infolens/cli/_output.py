"""Output helpers shared by the commands: JSON conversion, one-line errors and warnings.

Every command runs its work inside :func:`report_problems`, so an expected failure (bad input,
bad option, unreadable file) is reported as one ``Error: ...`` line on stderr with exit status 1,
and each warning the library emits becomes one ``Warning: ...`` line instead of a Python warning.
"""

import contextlib
import dataclasses
import json
import math
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.text import Text

import infolens

#: Errors reported as one line (RuntimeError: the library's own "please report" failures).
EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    OSError,
    KeyError,
    RuntimeError,
)

# soft_wrap: never break a message over several lines, whatever the terminal width.
_stderr = Console(stderr=True, soft_wrap=True, highlight=False)


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def _error_message(err: BaseException) -> str:
    # str(KeyError("a")) is "'a'", so use the argument itself.
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return _one_line(text) or type(err).__name__


def print_error(message: str) -> None:
    """Print ``Error: <message>`` on one line of stderr."""
    _stderr.print(Text("Error: ", style="bold red") + Text(_one_line(message)))


def print_warning(message: str) -> None:
    """Print ``Warning: <message>`` on one line of stderr."""
    _stderr.print(Text("Warning: ", style="yellow") + Text(_one_line(message)))


@contextlib.contextmanager
def report_problems() -> Iterator[None]:
    """Run the body, turning warnings into ``Warning:`` lines and expected errors into an exit.

    Raises
    ------
    typer.Exit
        With status 1 after printing ``Error: <message>``, when the body raises a
        ``ValueError``, ``TypeError``, ``OSError`` or ``KeyError``.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except EXPECTED_ERRORS as err:
            for warning in caught:
                print_warning(str(warning.message))
            print_error(_error_message(err))
            raise typer.Exit(code=1) from None
    for warning in caught:
        print_warning(str(warning.message))


def to_jsonable(value: Any) -> Any:
    """Return ``value`` with tuples, numpy arrays and numpy scalars made JSON-serialisable.

    Non-finite floats become ``None`` (JSON has no NaN or infinity); unknown objects become their
    ``str``.

    Examples
    --------
    >>> to_jsonable({"bins": (10, 20), "n": np.int64(3), "x": np.float64(0.5)})
    {'bins': [10, 20], 'n': 3, 'x': 0.5}
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
    return str(value)


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
