"""The one option vocabulary of every ``infolens`` command, and the parsers behind it.

Every command takes its options from here, so an option means the same thing everywhere
(``docs/cli.md`` has the table):

========================  ========================================================================
``--method/-m``           a registry name (``infolens methods``) or ``auto``, checked by typer
``--units/-u``            ``nats`` or ``bits`` (a choice)
``--seed``                an int >= 0, the seed of the data and of randomised estimators
``--seeds``               how many seeds or which: ``5`` (seeds 0-4), ``3-7``, ``0,3,7`` or a mix
``--jobs/-j``             parallel workers: ``-1`` (all cores) or an int >= 1
``--out/-o``              the file or folder written
``--db``                  an SQLite results database
``--param/-p``            ``NAME=VALUE``, the value read as a literal (``2``, ``false``, ``[1, 2]``)
``--json``                one JSON document on stdout instead of a table
``--header/--no-header``  whether CSV sources start with a header row (default: detected)
========================  ========================================================================

Older spellings (``--rng``, ``--output``, ``--workers``, ``--methods``) still work through
:class:`InfolensCommand`, with a one-line deprecation warning.
"""

import ast
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperCommand

from infolens.estimators.registry import available_methods
from infolens.exceptions import InvalidParameterError

STDIN = "-"
# A positional "-:col" would be parsed as an option by click; InfolensCommand marks such tokens
# with a NUL byte (which no command-line argument can contain) and split_source unmarks them.
STDIN_MARK = "\0"

#: Deprecated option spellings and the vocabulary's name for each.
DEPRECATED_OPTIONS: dict[str, str] = {
    "--rng": "--seed",
    "--output": "--out",
    "--workers": "--jobs",
    "--methods": "--method",
}

UNITS = ("nats", "bits")
#: Upper bound on the number of seeds a ``--seeds`` range may expand to.
MAX_SEEDS = 1_000_000


class InfolensCommand(TyperCommand):
    """A command that accepts ``-:COL`` data sources and the deprecated option spellings."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Rewrite deprecated option names and mark ``-:selector`` tokens, then parse."""
        names = {name for param in self.params for name in param.opts}
        rewritten: list[str] = []
        for arg in args:
            option, eq, value = arg.partition("=")
            new = DEPRECATED_OPTIONS.get(option)
            if new is not None and new in names and option not in names:
                _warn_deprecated(option, new)
                arg = new + eq + value
            elif arg.startswith(STDIN + ":"):
                arg = STDIN_MARK + arg
            rewritten.append(arg)
        return super().parse_args(ctx, rewritten)


def _warn_deprecated(old: str, new: str) -> None:
    from infolens.cli._output import print_warning

    print_warning(f"{old} is deprecated; use {new}.")


# --- parsers ---------------------------------------------------------------------------------


def parse_literal(text: str) -> Any:
    """Read one ``--param`` value: JSON or a Python literal if it is one, else the string itself.

    ``true``/``True``, ``false``/``False`` and ``null``/``None`` are booleans and None in any
    case; lists become tuples. The estimator then checks the type.

    Examples
    --------
    >>> parse_literal("False"), parse_literal("2"), parse_literal("1e-3"), parse_literal("fd")
    (False, 2, 0.001, 'fd')
    >>> parse_literal("[10, 20]"), parse_literal("(1, 2)"), parse_literal("none")
    ((10, 20), (1, 2), None)
    """
    word = text.strip()
    keywords = {"true": True, "false": False, "null": None, "none": None}
    if word.lower() in keywords:
        return keywords[word.lower()]
    try:
        return _tuples(json.loads(word))
    except json.JSONDecodeError:
        pass
    try:
        return _tuples(ast.literal_eval(word))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _tuples(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def parse_params(
    items: list[str], *, option: str = "--param", reserved: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse repeated ``--param name=value`` options into keyword arguments.

    Each value is read by :func:`parse_literal`. ``reserved`` maps the names a command sets
    with its own options to those options (``{"rng": "--seed"}``): they are refused here.

    Raises
    ------
    InvalidParameterError
        If an item is not ``name=value``, a name is given twice or a name is reserved.

    Examples
    --------
    >>> parse_params(["variant=2", "standardize=False", "bins=[10,20]", "rule=fd"])
    {'variant': 2, 'standardize': False, 'bins': (10, 20), 'rule': 'fd'}
    """
    params: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise InvalidParameterError(
                f"{option} expects name=value (e.g. variant=2); got {item!r}."
            )
        if name in params:
            raise InvalidParameterError(f"Parameter {name!r} is given more than once.")
        params[name] = parse_literal(text)
    for name, own in (reserved or {}).items():
        if name in params:
            raise InvalidParameterError(f"Give {name} with {own}, not with {option}.")
    return params


def seed_ranges(text: str, *, option: str = "--seeds") -> list[range]:
    """Parse ``--seeds`` into ranges without expanding them: a count, ranges, lists or a mix.

    ``5`` means five seeds, 0 to 4; ``3-7`` seeds 3 to 7; ``0,3,7`` those three; ``0-2,10``
    a mix. (A single seed ``s`` is ``s-s``.)

    Raises
    ------
    InvalidParameterError
        If the text is not of that form, a count is < 1 or a range is empty.

    Examples
    --------
    >>> seed_ranges("5"), seed_ranges("0-2,10")
    ([range(0, 5)], [range(0, 3), range(10, 11)])
    """
    parts = [p.strip() for p in text.split(",")]
    example = "e.g. 5 (seeds 0-4), 3-7 or 0,3,7"
    if not text.strip() or not all(parts):
        raise InvalidParameterError(f"{option} expects a count or seeds ({example}); got {text!r}.")
    ranges: list[range] = []
    for part in parts:
        low, sep, high = part.partition("-")
        if not low.strip().isdigit() or (sep and not high.strip().isdigit()):
            raise InvalidParameterError(
                f"{option} expects a count or non-negative seeds ({example}); got {text!r}."
            )
        if sep:
            if int(high) < int(low):
                raise InvalidParameterError(
                    f"{option}: the range {part!r} is empty (its end is below its start)."
                )
            ranges.append(range(int(low), int(high) + 1))
        elif len(parts) == 1:  # a lone number is a count
            if int(low) < 1:
                raise InvalidParameterError(
                    f"{option} must give at least one seed ({example}); got {text!r}."
                )
            ranges.append(range(int(low)))
        else:
            ranges.append(range(int(low), int(low) + 1))
    return ranges


def parse_seeds(text: str, *, option: str = "--seeds", limit: int = MAX_SEEDS) -> list[int]:
    """Return the seeds of ``--seeds`` (see :func:`seed_ranges`), refusing more than ``limit``.

    Raises
    ------
    InvalidParameterError
        For malformed text, or more than ``limit`` seeds (before any list is built).

    Examples
    --------
    >>> parse_seeds("3"), parse_seeds("5-6,0")
    ([0, 1, 2], [5, 6, 0])
    """
    ranges = seed_ranges(text, option=option)
    count = sum(len(r) for r in ranges)
    if count > limit:
        raise InvalidParameterError(
            f"{option} {text!r} gives {count:,} seeds; at most {limit:,} are allowed "
            f"(their list alone would need about {format_bytes(count * 36)} of memory)."
        )
    return list(dict.fromkeys(seed for r in ranges for seed in r))


def format_bytes(n_bytes: float) -> str:
    """Return ``n_bytes`` in binary units, e.g. ``'1.5 GiB'``.

    Examples
    --------
    >>> format_bytes(1536), format_bytes(8 * 10**14)
    ('1.5 KiB', '728 TiB')
    """
    value = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _check_jobs(value: int | None) -> int | None:
    if value is not None and value != -1 and value < 1:
        raise typer.BadParameter(f"must be -1 (all cores) or an int >= 1; got {value}.")
    return value


# --- the shared options ----------------------------------------------------------------------

#: ``--method`` choices: ``auto`` and every registered method (listing them imports nothing).
METHOD_CHOICES: tuple[str, ...] = ("auto", *available_methods())
MethodName = Literal[METHOD_CHOICES]  # type: ignore[valid-type]

Units = Literal["nats", "bits"]
UnitsOption = Annotated[
    Units, typer.Option("--units", "-u", help="Units of the result.", show_choices=True)
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed", min=0, help="Seed of randomised estimators (an int >= 0).", show_default=False
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        callback=_check_jobs,
        help="Parallel workers: -1 for all cores, or an int >= 1.",
        show_default=False,
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write the result here.", show_default=False)
]
DbOption = Annotated[Path, typer.Option("--db", help="SQLite results database.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
HeaderOption = Annotated[
    bool | None,
    typer.Option(
        "--header/--no-header",
        help="CSV sources start with a header row (default: detected).",
        show_default=False,
    ),
]
SeedsOption = Annotated[
    str,
    typer.Option("--seeds", help="How many seeds or which: 5 (seeds 0-4), 3-7, 0,3,7 or a mix."),
]


__all__ = [
    "DEPRECATED_OPTIONS",
    "METHOD_CHOICES",
    "InfolensCommand",
    "format_bytes",
    "parse_literal",
    "parse_params",
    "parse_seeds",
    "seed_ranges",
]
