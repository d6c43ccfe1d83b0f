"""Two-source PID: spec vectors (measures.md §1.3 and Corrections 3, 7) and invariants.

Williams–Beer is closed form: atol 1e-10 bits. BROJA is a convex optimisation: atol 1e-4 bits
(spec §1.4), checked against the exact values, never against a live dit call.
"""

import re

import numpy as np
import pytest

from infolens._limits import physical_memory
from infolens.discrete import PIDResult, mutual_information, pid, pid_from_samples
from infolens.estimators.binning import BinningEstimator
from infolens.exceptions import InvalidInputError, InvalidParameterError
from tests.discrete._dists import AND, COPY, DIFF, RAND, RDN, REDUCED_OR, SUM, UNIQUE_2, XOR

A = 0.3112781244591328  # I(X1; Y) of AND, bits
WB = [
    ("XOR", XOR, (0, 0, 0, 1)),
    ("AND", AND, (A, 0, 0, 0.5)),
    ("COPY", COPY, (1, 0, 0, 1)),
    ("RDN", RDN, (1, 0, 0, 0)),
    ("UNIQUE_2", UNIQUE_2, (0, 0, 1, 0)),
    ("SUM", SUM, (0.5, 0, 0, 1)),
    ("REDUCED_OR", REDUCED_OR, (A, 0, 0, 1 - A)),
    (
        "DIFF",
        DIFF,
        (0.20751874963942185, 0.10375937481971098, 0.10375937481971098, 0.08496250072115619),
    ),
    ("RAND", RAND, (0.1887218755408672, 0, 0, A)),
]
BROJA = [
    ("XOR", XOR, (0, 0, 0, 1)),
    ("AND", AND, (A, 0, 0, 0.5)),
    ("COPY", COPY, (0, 1, 1, 0)),
    ("RDN", RDN, (1, 0, 0, 0)),
    ("UNIQUE_2", UNIQUE_2, (0, 0, 1, 0)),
    ("SUM", SUM, (0.5, 0, 0, 1)),
    ("REDUCED_OR", REDUCED_OR, (A, 0, 0, 1 - A)),
    ("DIFF", DIFF, (0.1225562489182658, 0.18872187554086714, 0.18872187554086714, 0.0)),
    ("RAND", RAND, (0.1887218755408672, 0, 0, A)),
]


def _atoms(result: PIDResult) -> tuple[float, float, float, float]:
    return (result.redundancy, result.unique_1, result.unique_2, result.synergy)


@pytest.mark.parametrize(("name", "p", "expected"), WB, ids=[w[0] for w in WB])
def test_williams_beer_spec_vector(name: str, p: np.ndarray, expected: tuple[float, ...]) -> None:
    result = pid(p, measure="williams_beer", units="bits")
    np.testing.assert_allclose(_atoms(result), expected, rtol=0, atol=1e-10)
    assert result.measure == "williams_beer"
    assert result.units == "bits"


@pytest.mark.parametrize(("name", "p", "expected"), BROJA, ids=[b[0] for b in BROJA])
def test_broja_spec_vector(name: str, p: np.ndarray, expected: tuple[float, ...]) -> None:
    result = pid(p, measure="broja", units="bits")
    np.testing.assert_allclose(_atoms(result), expected, rtol=0, atol=1e-4)


def test_broja_is_deterministic() -> None:
    assert pid(RAND, measure="broja") == pid(RAND, measure="broja")


def _random_tables(seed: int, count: int = 8) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    tables = []
    for _ in range(count):
        shape = tuple(rng.integers(2, 4, size=3))
        table = rng.random(shape) * (rng.random(shape) > 0.25)
        table.flat[0] += 0.05
        tables.append(table / table.sum())
    return tables


@pytest.mark.parametrize("measure", ["williams_beer", "broja"])
def test_atoms_sum_to_total_and_marginal_identities(global_random_seed: int, measure: str) -> None:
    for p in _random_tables(global_random_seed):
        r = pid(p, measure=measure, units="nats")
        total = mutual_information(p, [0, 1], 2)
        assert r.total == pytest.approx(total, abs=1e-12)
        assert sum(_atoms(r)) == pytest.approx(total, abs=1e-9)
        assert r.redundancy + r.unique_1 == pytest.approx(mutual_information(p, 0, 2), abs=1e-9)
        assert r.redundancy + r.unique_2 == pytest.approx(mutual_information(p, 1, 2), abs=1e-9)
        assert min(_atoms(r)) >= 0


def test_broja_unique_is_at_most_conditional_information(global_random_seed: int) -> None:
    # U1 = min over the polytope of I_q(X1; Y | X2), and p lies in the polytope.
    from infolens.discrete import conditional_mutual_information

    for p in _random_tables(global_random_seed):
        r = pid(p, measure="broja", units="nats")
        assert r.unique_1 <= conditional_mutual_information(p, 0, 2, 1) + 1e-9
        assert r.unique_2 <= conditional_mutual_information(p, 1, 2, 0) + 1e-9


def test_pid_result_converts_units() -> None:
    bits = pid(AND, units="bits")
    nats = bits.to("nats")
    assert nats.units == "nats"
    assert nats.synergy == pytest.approx(0.5 * np.log(2), rel=1e-12)
    assert nats.to("bits").redundancy == pytest.approx(bits.redundancy, rel=1e-12)


def test_pid_from_samples_matches_pid_of_table() -> None:
    x1 = [0, 0, 1, 1] * 3
    x2 = [0, 1, 0, 1] * 3
    y = ["no", "no", "no", "yes"] * 3
    result = pid_from_samples(x1, x2, y, measure="broja", units="bits")
    np.testing.assert_allclose(_atoms(result), (A, 0, 0, 0.5), rtol=0, atol=1e-4)


def test_pid_from_samples_after_binning_continuous_data(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x1, x2 = rng.random(400), rng.random(400)
    binning = BinningEstimator(bins=2)
    b1, b2 = binning.bin_indices(x1), binning.bin_indices(x2)
    result = pid_from_samples(b1, b2, b1 ^ b2)  # XOR of the binned sources
    assert result.synergy == pytest.approx(result.total, abs=0.05)


def test_pid_raises_on_unknown_measure() -> None:
    msg = "Unknown measure 'imin'. Available: 'broja', 'williams_beer'."
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        pid(XOR, measure="imin")


def test_pid_raises_when_table_does_not_have_three_axes() -> None:
    msg = "Input p must have 3 axes (X1, X2, Y) for a two-source PID; got 2 axes with shape (2, 2)."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        pid([[0.5, 0.0], [0.0, 0.5]])


def test_pid_from_samples_raises_on_inconsistent_lengths() -> None:
    msg = "Found input variables with inconsistent numbers of samples: [2, 2, 3]"
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        pid_from_samples([0, 1], [0, 1], [0, 1, 1])


def test_a_table_too_large_for_memory_is_refused_up_front() -> None:
    # 50,000 levels per source: the plug-in joint would need tens of GB; refused before allocating.
    levels = 50_000
    x1 = np.arange(levels)
    x2 = np.arange(levels)[::-1].copy()
    y = np.arange(levels) % 3
    assert levels * levels * 3 * 16 > physical_memory()  # the premise of the test
    with pytest.raises(InvalidParameterError, match=r"50000 x 50000 x 3 = 7,500,000,000 cells"):
        pid_from_samples(x1, x2, y)
