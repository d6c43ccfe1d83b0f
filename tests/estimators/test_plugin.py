"""Plug-in estimator: exact discrete test vectors (../shared/specs/measures.md §1) to 1e-10."""

import numpy as np
import pandas as pd
import pytest

import infolens
from infolens.estimators.plugin import PluginEstimator
from infolens.exceptions import DegenerateDataWarning

LN2 = np.log(2)
# Samples whose empirical pmf is exactly the spec's 3-variable pmf over (X, Y, Z):
# [0.1, 0.2, 0.05, 0.15, 0.2, 0.05, 0.15, 0.1] on 000..111, i.e. counts x 20.
_COUNTS = [2, 4, 1, 3, 4, 1, 3, 2]
_XYZ = np.repeat(
    np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)]), _COUNTS, axis=0
)


def test_plugin_entropy_of_dyadic_pmf_is_175_bits() -> None:
    est = infolens.entropy([0, 0, 0, 0, 1, 1, 2, 3], method="plugin", units="bits")
    assert est.value == pytest.approx(1.75, abs=1e-12)
    assert est.to("nats").value == pytest.approx(1.2130075659799042, abs=1e-12)


def test_plugin_entropy_spec_vector() -> None:
    est = PluginEstimator().entropy([0, 0, 0, 1, 3, 3, 3, 3])
    assert est.value == pytest.approx(0.9743147528693494, abs=1e-10)
    assert est.to("bits").value == pytest.approx(1.4056390622295665, abs=1e-10)


def test_plugin_mutual_information_spec_vector() -> None:
    x, y = [0, 0, 1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 1, 0, 0, 1]
    assert PluginEstimator().mutual_information(x, y).value == pytest.approx(
        0.13081203594113688, abs=1e-10
    )


@pytest.mark.parametrize(
    ("quantity", "columns", "nats"),
    [
        ("entropy", ([0, 1, 2],), 1.973001406394),
        ("mutual_information", ([0], [1]), 0.005059389929),
        ("mutual_information", ([0], [2]), 0.082282878505),
        ("conditional_mutual_information", ([0], [1], [2]), 0.014089500006),
        ("conditional_mutual_information", ([0], [2], [1]), 0.091312988582),
    ],
)
def test_plugin_three_variable_pmf_vectors(
    quantity: str, columns: tuple[list[int], ...], nats: float
) -> None:
    # The spec gives 12 decimals, hence atol 1e-10 (Corrections item 7).
    data = [_XYZ[:, c] for c in columns]
    value = getattr(PluginEstimator(), quantity)(*data).value
    assert value == pytest.approx(nats, abs=1e-10)


@pytest.mark.parametrize(
    ("gate", "i_x1_y", "i_x1_y_given_x2"),
    [("xor", 0.0, 1.0), ("and", 0.3112781244591328, 0.5), ("copy", 1.0, 1.0), ("rdn", 1.0, 0.0)],
)
def test_plugin_logic_gates_in_bits(gate: str, i_x1_y: float, i_x1_y_given_x2: float) -> None:
    x1, x2 = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    if gate == "rdn":
        x2 = x1
    y = {"xor": x1 ^ x2, "and": x1 & x2, "copy": np.column_stack([x1, x2]), "rdn": x1}[gate]
    mi = infolens.mutual_information(x1, y, method="plugin", units="bits").value
    cmi = infolens.conditional_mutual_information(x1, y, x2, method="plugin", units="bits").value
    assert mi == pytest.approx(i_x1_y, abs=1e-12)
    assert cmi == pytest.approx(i_x1_y_given_x2, abs=1e-12)


def test_plugin_accepts_strings_and_pandas_categoricals() -> None:
    labels = ["a", "b", "a", "c"]
    numeric = PluginEstimator().entropy([0, 1, 0, 2]).value
    assert PluginEstimator().entropy(labels).value == pytest.approx(numeric, abs=1e-15)
    series = pd.Series(labels, dtype="category")
    assert PluginEstimator().entropy(series).value == pytest.approx(numeric, abs=1e-15)
    frame = pd.DataFrame({"u": labels, "v": [1, 1, 1, 2]})
    assert PluginEstimator().entropy(frame).value == pytest.approx(numeric, abs=1e-15)


def test_plugin_rejects_object_arrays_of_non_labels() -> None:
    with pytest.raises(TypeError, match="got an object array holding dict"):
        PluginEstimator().entropy(np.array([{}, {}], dtype=object))


@pytest.mark.parametrize("method", ["plugin", "miller_madow"])
def test_plugin_warns_on_continuous_data(method: str) -> None:
    # Issue 17: every distinct float is its own symbol, so the value is ~ln N, silently.
    x = np.random.default_rng(0).standard_normal(200)
    with pytest.warns(DegenerateDataWarning, match="every sample is its own symbol"):
        est = infolens.entropy(x, method=method)
    correction = 199 / 400 if method == "miller_madow" else 0.0  # (K - 1) / (2 N)
    assert est.value == pytest.approx(np.log(200) + correction, abs=1e-12)
    with pytest.warns(DegenerateDataWarning, match="input y looks continuous"):
        infolens.mutual_information(np.arange(200) % 3, x, method=method)


def test_plugin_does_not_warn_on_integer_valued_or_repeating_floats() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 4, 300).astype(float)
    halves = rng.integers(0, 4, 300) + 0.5  # repeated non-integer floats: a symbol table
    assert np.isfinite(infolens.mutual_information(labels, halves, method="plugin").value)
    assert infolens.entropy(np.arange(50.0), method="plugin").value == pytest.approx(np.log(50))
