"""The ``infolens methods`` command: which estimator estimates which quantity."""

from typing import Annotated, TypedDict

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

import infolens
from infolens._typing import Quantity
from infolens.cli._output import echo_json

#: The quantities, with the short headers of the table.
QUANTITIES: dict[Quantity, str] = {
    "entropy": "H(X)",
    "mutual_information": "I(X;Y)",
    "conditional_mutual_information": "I(X;Y|Z)",
}


class MethodInfo(TypedDict):
    """What ``infolens methods --json`` reports for one method."""

    quantities: list[Quantity]
    description: str


def method_table() -> dict[str, MethodInfo]:
    """Return, for every registered method, the quantities it estimates and a one-line summary.

    Examples
    --------
    >>> method_table()["ksg"]["quantities"]
    ['mutual_information']
    """
    supported = {quantity: set(infolens.available_methods(quantity)) for quantity in QUANTITIES}
    table: dict[str, MethodInfo] = {}
    for name in infolens.available_methods():
        doc = (infolens.get_estimator_class(name).__doc__ or "").strip()
        table[name] = {
            "quantities": [q for q in QUANTITIES if name in supported[q]],
            "description": doc.splitlines()[0] if doc else "",
        }
    return table


def methods(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the estimation methods and the quantities each one estimates."""
    table = method_table()
    if json_output:
        echo_json(table)
        return
    out = Table("method", *QUANTITIES.values(), "description", title="infolens methods")
    for name, info in table.items():
        marks = [Text("yes" if q in info["quantities"] else "-") for q in QUANTITIES]
        out.add_row(Text(name), *marks, Text(info["description"]))
    Console(highlight=False).print(out)
