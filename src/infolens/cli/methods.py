"""The ``infolens methods`` command: which method estimates which quantity, and what it needs.

It reads the declarative registry's records only (:data:`infolens.estimators.registry.REGISTRY`):
no estimator is imported, so it works without the optional extras and marks the methods that
need one.
"""

import importlib.util
import re
import sys
from typing import Annotated, Literal, TypedDict

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from infolens._typing import Quantity
from infolens.cli._options import JsonOption
from infolens.cli._output import echo_json
from infolens.estimators.registry import REGISTRY, available_methods

#: The quantities, with the short headers of the table.
QUANTITIES: dict[Quantity, str] = {
    "entropy": "H(X)",
    "mutual_information": "I(X;Y)",
    "conditional_mutual_information": "I(X;Y|Z)",
}

#: The module whose presence means an extra is installed.
EXTRA_MODULES: dict[str, str] = {"torch": "torch", "plot": "matplotlib", "dask": "distributed"}
InformationQuantity = Literal["entropy", "mutual_information", "conditional_mutual_information"]


class MethodInfo(TypedDict):
    """What ``infolens methods --json`` reports for one method."""

    quantities: list[Quantity]
    description: str
    data: str
    extra: str | None
    installed: bool


def plain_text(text: str) -> str:
    """Return ``text`` without reStructuredText markup (roles, literals, emphasis).

    Examples
    --------
    >>> plain_text("Uses ``k`` neighbours; see :class:`~infolens.Estimate` and *this*.")
    'Uses k neighbours; see Estimate and this.'
    """
    text = re.sub(r":[a-z]+:`~?(?:[\w.]+\.)?([^`<]+?)(?:\s*<[^>]*>)?`", r"\1", text)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    text = re.sub(r"`([^`]+)`_?", r"\1", text)
    return re.sub(r"(?<![\w*])\*{1,2}([^*]+)\*{1,2}(?![\w*])", r"\1", text)


def extra_installed(extra: str | None) -> bool:
    """Return whether the optional extra ``extra`` is importable (``None``: nothing needed)."""
    if extra is None:
        return True
    module = EXTRA_MODULES.get(extra, extra)
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def method_table() -> dict[str, MethodInfo]:
    """Return, for every registered method, what it estimates, for which data, and its extra.

    Reads the registry records only; no estimator (nor torch) is imported.

    Examples
    --------
    >>> info = method_table()["ksg"]
    >>> info["quantities"], info["extra"]
    (['mutual_information'], None)
    """
    table: dict[str, MethodInfo] = {}
    for name in available_methods():
        record = REGISTRY[name]
        table[name] = {
            "quantities": [q for q in QUANTITIES if q in record.quantities],
            "description": plain_text(record.summary),
            "data": record.data,
            "extra": record.extra,
            "installed": extra_installed(record.extra),
        }
    return table


def methods(
    json_output: JsonOption = False,
    quantity: Annotated[
        InformationQuantity | None,
        typer.Option("--quantity", "-q", help="Only the methods estimating this quantity."),
    ] = None,
) -> None:
    """List the estimation methods, the quantities each one estimates and what it needs."""
    table = method_table()
    if quantity is not None:
        table = {name: info for name, info in table.items() if quantity in info["quantities"]}
    if json_output:
        echo_json(table)
        return
    out = Table(title="infolens methods")
    out.add_column("method", no_wrap=True)
    for header in (*QUANTITIES.values(), "needs"):
        out.add_column(header, no_wrap=True)
    out.add_column("description")
    for name, info in table.items():
        marks = [Text("yes" if q in info["quantities"] else "-") for q in QUANTITIES]
        needs = "-"
        if info["extra"] is not None:
            needs = f"[{info['extra']}]" + ("" if info["installed"] else " (not installed)")
        out.add_row(Text(name), *marks, Text(needs), Text(info["description"]))
    Console(highlight=False).print(out)
    if any(not info["installed"] for info in table.values()):
        extras = sorted({str(i["extra"]) for i in table.values() if not i["installed"]})
        hints = ", ".join(f'pip install "infolens[{extra}]"' for extra in extras)
        Console(highlight=False).print(Text(f"Methods marked 'not installed' need: {hints}."))
