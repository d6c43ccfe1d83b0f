"""The shared vocabulary's parsers (:mod:`infolens.cli._options`) and output helpers."""

import math
import re

import numpy as np
import pytest

import infolens
from infolens.cli._options import parse_literal, parse_params, parse_seeds, seed_ranges
from infolens.cli._output import (
    estimate_line,
    format_value,
    import_hint,
    short_text,
    to_jsonable,
)
from infolens.exceptions import InvalidParameterError

# --- --param values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("False", False),
        ("false", False),
        ("TRUE", True),
        ("None", None),
        ("null", None),
        ("3", 3),
        ("-2.5", -2.5),
        ("1e-3", 1e-3),
        ("[10, 20]", (10, 20)),
        ("(1, [2, 3])", (1, (2, 3))),
        ('"quoted"', "quoted"),
        ("fd", "fd"),
        ("sturges", "sturges"),
        ("max", "max"),
        ("", ""),
    ],
)
def test_parse_literal(text: str, value: object) -> None:
    parsed = parse_literal(text)
    assert parsed == value
    assert type(parsed) is type(value)  # False stays a bool, 3 an int


def test_parse_params_rejects_malformed_items_naming_the_option() -> None:
    with pytest.raises(InvalidParameterError, match=re.escape("--param expects name=value")):
        parse_params(["standardize"])
    with pytest.raises(InvalidParameterError, match="given more than once"):
        parse_params(["k=1", "k=2"])


# --- --seeds ---------------------------------------------------------------------------------


def test_seeds_is_a_count_a_range_a_list_or_a_mix() -> None:
    assert parse_seeds("1") == [0]
    assert parse_seeds("5") == [0, 1, 2, 3, 4]
    assert parse_seeds("3-5") == [3, 4, 5]
    assert parse_seeds("7-7") == [7]
    assert parse_seeds("0,3,7") == [0, 3, 7]
    assert parse_seeds("0-2,10,1") == [0, 1, 2, 10]  # duplicates once, order kept


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "--seeds must give at least one seed"),
        ("-1", "--seeds expects a count or non-negative seeds"),
        ("a", "--seeds expects a count or non-negative seeds"),
        ("5-3", "--seeds: the range '5-3' is empty"),
        ("1,,2", "--seeds expects a count or seeds"),
        ("", "--seeds expects a count or seeds"),
    ],
)
def test_bad_seeds_are_refused_naming_the_option(text: str, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        parse_seeds(text)


def test_a_huge_seed_range_is_counted_not_expanded() -> None:
    assert sum(len(r) for r in seed_ranges("0-100000000000")) == 100_000_000_001
    with pytest.raises(InvalidParameterError, match=re.escape("gives 100,000,000,001 seeds")):
        parse_seeds("0-100000000000")


# --- values and records ----------------------------------------------------------------------


def test_format_value_prints_rounding_noise_as_zero() -> None:
    assert format_value(-4.440892098500626e-16) == "0"
    assert format_value(1e-12) == "1e-12"  # at the tolerance: a real value
    assert format_value(0.0) == "0"
    assert format_value(math.nan) == "nan"
    assert format_value(2.0, ".4f") == "2.0000"


def test_estimate_line_includes_the_confidence_interval() -> None:
    ci = infolens.ConfidenceInterval(low=0.25, high=0.5, level=0.95, method="bootstrap")
    est = infolens.Estimate(
        value=0.375, n_samples=1000, method="ksg", quantity="mutual_information", ci=ci
    )
    assert estimate_line(est) == (
        "I(X;Y) = 0.375 nats, 95% CI [0.25, 0.5] (bootstrap)  (method ksg, N = 1000)"
    )
    cmi = infolens.Estimate(
        value=1e-17, n_samples=9, method="plugin", quantity="conditional_mutual_information"
    )
    assert estimate_line(cmi) == "I(X;Y|Z) = 0 nats  (method plugin, N = 9)"


class _Critic:
    """Stands in for a trained torch module: its repr must never be shown."""

    def __repr__(self) -> str:
        return "MLPCritic(\n  (layers): Sequential(...)\n)"


def test_tables_and_json_never_show_object_reprs_or_long_curves() -> None:
    assert short_text(_Critic()) == "<_Critic>"
    assert short_text(list(np.linspace(0, 1, 200))) == "<200 values>"
    assert short_text(np.arange(3)) == "[0, 1, 2]"
    assert short_text({"a": 1}) == "<1 entries>"
    assert to_jsonable({"critic": _Critic(), "curve": np.arange(3.0)}) == {
        "critic": "<_Critic>",
        "curve": [0.0, 1.0, 2.0],
    }


def test_import_hints_for_each_extra() -> None:
    def hint(name: str) -> str:
        return import_hint(ModuleNotFoundError(f"No module named {name!r}", name=name))

    assert hint("matplotlib.pyplot").endswith('pip install "infolens[plot]".')
    assert hint("distributed").endswith('pip install "infolens[dask]".')
    assert hint("pyarrow").endswith("pip install pyarrow.")
    assert hint("somethingelse") == (
        "This needs the Python package 'somethingelse', which is not installed "
        "(No module named 'somethingelse')."
    )
