"""Local/global disparity decomposition (Hamman & Dutta, ICLR 2024; measures.md §1.3).

Target Z (sensitive), sources client S and prediction Ŷ. The identities global = Uni + Red and
local = Uni + Syn are checked against I(Z; Ŷ) and I(Z; Ŷ | S) of the plug-in pmf computed
independently (atol 1e-6 bits for BROJA); XOR / UNQ / RDN data give pure masked / unique /
redundant disparity.
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from infolens.discrete import (
    FairnessDecomposition,
    conditional_mutual_information,
    fairness_decomposition,
    mutual_information,
    pid,
    pmf_from_samples,
)
from infolens.exceptions import InvalidInputError, InvalidParameterError

ATOL = 1e-6
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "federated_fairness_pid.py"

Records = tuple[list[int], list[int], list[int]]


def balanced(rule: dict[tuple[int, int], int], repeat: int = 3) -> Records:
    """Records (S, Z, Ŷ) with S, Z uniform and independent, and Ŷ = rule[(s, z)]."""
    client, sensitive, prediction = [], [], []
    for (s, z), y in rule.items():
        client += [s] * repeat
        sensitive += [z] * repeat
        prediction += [y] * repeat
    return client, sensitive, prediction


XOR_DATA = balanced({(s, z): s ^ z for s in (0, 1) for z in (0, 1)})  # Ŷ = Z xor S
UNQ_DATA = balanced({(s, z): z for s in (0, 1) for z in (0, 1)})  # Ŷ = Z, S independent
RDN_DATA = ([0, 1] * 4, [0, 1] * 4, [0, 1] * 4)  # S = Z = Ŷ


def random_records(seed: int, n: int = 400) -> Records:
    rng = np.random.default_rng(seed)
    client = rng.integers(0, 4, n)
    sensitive = (rng.random(n) < 0.2 + 0.15 * client).astype(int)
    prediction = (rng.random(n) < 0.3 + 0.3 * sensitive * (client % 2)).astype(int)
    return client.tolist(), sensitive.tolist(), prediction.tolist()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (XOR_DATA, (0.0, 0.0, 1.0, 0.0, 1.0)),  # pure masked: globally fair, locally unfair
        (UNQ_DATA, (1.0, 0.0, 0.0, 1.0, 1.0)),  # pure unique
        (RDN_DATA, (0.0, 1.0, 0.0, 1.0, 0.0)),  # pure redundant: locally fair
    ],
    ids=["xor-masked", "unq-unique", "rdn-redundant"],
)
@pytest.mark.parametrize("measure", ["broja", "williams_beer"])
def test_pure_disparities(data: Records, expected: tuple[float, ...], measure: str) -> None:
    d = fairness_decomposition(*data, measure=measure, units="bits")
    got = (d.unique, d.redundant, d.masked, d.global_disparity, d.local_disparity)
    np.testing.assert_allclose(got, expected, atol=ATOL)
    assert d.units == "bits"
    assert d.measure == measure


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("units", ["bits", "nats"])
def test_identities_against_independent_mi(seed: int, units: str) -> None:
    client, sensitive, prediction = random_records(seed)
    d = fairness_decomposition(client, sensitive, prediction, units=units)
    p = pmf_from_samples(client, sensitive, prediction)  # axes (S, Z, Ŷ)
    global_mi = mutual_information(p, 1, 2, units=units)
    local_mi = conditional_mutual_information(p, 1, 2, 0, units=units)
    assert d.global_disparity == pytest.approx(global_mi, abs=ATOL)
    assert d.local_disparity == pytest.approx(local_mi, abs=ATOL)
    assert d.unique + d.redundant == pytest.approx(global_mi, abs=ATOL)
    assert d.unique + d.masked == pytest.approx(local_mi, abs=ATOL)
    assert min(d.unique, d.redundant, d.masked) >= 0.0


def test_matches_pid_with_target_sensitive() -> None:
    client, sensitive, prediction = random_records(5)
    table = pmf_from_samples(client, prediction, sensitive)  # sources (S, Ŷ), target Z
    atoms = pid(table, measure="broja", units="bits")
    d = fairness_decomposition(client, sensitive, prediction, units="bits")
    assert d.unique == atoms.unique_2
    assert d.redundant == atoms.redundancy
    assert d.masked == atoms.synergy


def test_units_conversion() -> None:
    d = fairness_decomposition(*XOR_DATA, units="bits")
    n = d.to("nats")
    assert isinstance(n, FairnessDecomposition)
    assert n.units == "nats"
    assert n.masked == pytest.approx(np.log(2.0), abs=ATOL)
    assert n.to("bits").masked == pytest.approx(d.masked, abs=1e-12)
    direct = fairness_decomposition(*XOR_DATA, units="nats")
    assert direct.local_disparity == pytest.approx(n.local_disparity, abs=ATOL)


def test_constant_prediction_is_fair() -> None:
    d = fairness_decomposition([0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1], units="bits")
    assert (d.global_disparity, d.local_disparity) == (0.0, 0.0)


def test_frozen() -> None:
    d = fairness_decomposition(*RDN_DATA, units="bits")
    with pytest.raises(AttributeError):
        d.unique = 1.0  # type: ignore[misc]


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="length|samples"):
        fairness_decomposition([0, 1, 0], [0, 1], [0, 1])
    with pytest.raises(InvalidParameterError, match="Unknown measure"):
        fairness_decomposition(*XOR_DATA, measure="mmi")
    with pytest.raises(InvalidParameterError, match="Unknown units"):
        fairness_decomposition(*XOR_DATA, units="dits")
    with pytest.raises(ValueError, match="NaN"):
        fairness_decomposition([0.0, 1.0], [0, 1], [float("nan"), 1.0])


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("federated_fairness_pid", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_example_main(capsys: pytest.CaptureFixture[str]) -> None:
    results = _load_example().main()
    out = capsys.readouterr().out
    assert "opposite-bias" in out
    assert "masked" in out
    globally_fair = results["opposite-bias"]
    assert globally_fair.global_disparity == pytest.approx(0.0, abs=ATOL)
    assert globally_fair.local_disparity > 0.05
    assert globally_fair.masked == pytest.approx(globally_fair.local_disparity, abs=ATOL)
    locally_fair = results["client-rate"]
    assert locally_fair.local_disparity == pytest.approx(0.0, abs=ATOL)
    assert locally_fair.global_disparity > 0.05
    assert locally_fair.redundant == pytest.approx(locally_fair.global_disparity, abs=ATOL)
    both = results["same-bias"]
    assert both.global_disparity > 0.05
    assert both.local_disparity > 0.05
    assert both.unique > max(both.redundant, both.masked)
