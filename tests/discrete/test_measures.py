"""Exact information measures of known pmfs: spec vectors (measures.md §1.2) and invariants."""

import math
import re
from collections.abc import Callable

import numpy as np
import pytest

from infolens.discrete import (
    co_information,
    conditional_entropy,
    conditional_mutual_information,
    dual_total_correlation,
    entropy,
    interaction_information,
    joint_entropy,
    js_divergence,
    kl_divergence,
    mutual_information,
    pmf_from_samples,
    total_correlation,
)
from infolens.exceptions import InvalidInputError, InvalidParameterError
from tests.discrete._dists import AND, COPY, RDN, XOR

# Spec §1.2: 3-variable pmf over (X, Y, Z), outcomes 000..111 in lexicographic order.
PXYZ = np.array([0.1, 0.2, 0.05, 0.15, 0.2, 0.05, 0.15, 0.1]).reshape(2, 2, 2)
# The spec gives these to 12 decimals: atol 1e-10 covers the rounding.
ATOL = 1e-10


def test_entropy_of_dyadic_pmf() -> None:
    p = [1 / 2, 1 / 4, 1 / 8, 1 / 8]
    assert entropy(p, units="bits") == pytest.approx(1.75, rel=1e-12)
    assert entropy(p) == pytest.approx(1.2130075659799042, rel=1e-10)


def test_plug_in_entropy_and_mutual_information_from_samples() -> None:
    p = pmf_from_samples([0, 0, 0, 1, 3, 3, 3, 3])
    assert entropy(p) == pytest.approx(0.9743147528693494, rel=1e-10)
    assert entropy(p, units="bits") == pytest.approx(1.4056390622295665, rel=1e-10)
    pxy = pmf_from_samples([0, 0, 1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 1, 0, 0, 1])
    assert mutual_information(pxy, 0, 1) == pytest.approx(0.13081203594113688, rel=1e-10)


@pytest.mark.parametrize(
    ("func", "bits", "nats"),
    [
        (lambda p, u: entropy(p, units=u), 2.846439344671, 1.973001406394),
        (lambda p, u: joint_entropy(p, [0, 1, 2], units=u), 2.846439344671, 1.973001406394),
        (lambda p, u: conditional_entropy(p, 1, 0, units=u), 0.985475297227, 0.683079423785),
        (lambda p, u: mutual_information(p, 0, 1, units=u), 0.007299156760, 0.005059389929),
        (lambda p, u: mutual_information(p, 0, 2, units=u), 0.118709100769, 0.082282878505),
        (
            lambda p, u: conditional_mutual_information(p, 0, 1, 2, units=u),
            0.020326851787,
            0.014089500006,
        ),
        (
            lambda p, u: conditional_mutual_information(p, 0, 2, 1, units=u),
            0.131736795796,
            0.091312988582,
        ),
        (lambda p, u: total_correlation(p, units=u), 0.146335109317, 0.101431768440),
        (lambda p, u: co_information(p, units=u), -0.013027695027, -0.009030110077),
        (lambda p, u: interaction_information(p, units=u), 0.013027695027, 0.009030110077),
    ],
    ids=["H", "H_joint", "H(Y|X)", "I(X;Y)", "I(X;Z)", "I(X;Y|Z)", "I(X;Z|Y)", "TC", "coI", "II"],
)
def test_three_variable_spec_vector(
    func: Callable[[np.ndarray, str], float], bits: float, nats: float
) -> None:
    assert func(PXYZ, "bits") == pytest.approx(bits, rel=0.0, abs=ATOL)
    assert func(PXYZ, "nats") == pytest.approx(nats, rel=0.0, abs=ATOL)


# Logic gates (bits): H(Y), I(X1;Y), I(X1X2;Y), I(X1;Y|X2), TC(X1,X2,Y), coI.
GATES = [
    ("XOR", XOR, (1.0, 0.0, 1.0, 1.0, 1.0, -1.0)),
    (
        "AND",
        AND,
        (
            0.8112781244591328,
            0.3112781244591328,
            0.8112781244591328,
            0.5,
            0.8112781244591328,
            -0.1887218755408672,
        ),
    ),
    ("COPY", COPY, (2.0, 1.0, 2.0, 1.0, 2.0, 0.0)),
    ("RDN", RDN, (1.0, 1.0, 1.0, 0.0, 2.0, 1.0)),
]


@pytest.mark.parametrize(("name", "p", "expected"), GATES, ids=[g[0] for g in GATES])
def test_logic_gate_spec_vector(name: str, p: np.ndarray, expected: tuple[float, ...]) -> None:
    got = (
        joint_entropy(p, 2, units="bits"),
        mutual_information(p, 0, 2, units="bits"),
        mutual_information(p, [0, 1], 2, units="bits"),
        conditional_mutual_information(p, 0, 2, 1, units="bits"),
        total_correlation(p, units="bits"),
        co_information(p, units="bits"),
    )
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_co_information_and_interaction_information_have_opposite_signs_for_three() -> None:
    assert co_information(XOR, units="bits") == pytest.approx(-1.0, abs=1e-12)
    assert interaction_information(XOR, units="bits") == pytest.approx(1.0, abs=1e-12)
    two = XOR.sum(axis=1)  # (X1, Y): independent, and n = 2 keeps the sign
    assert interaction_information(two) == pytest.approx(co_information(two), abs=1e-15)


def test_dual_total_correlation_of_xor_is_two_bits() -> None:
    assert dual_total_correlation(XOR, units="bits") == pytest.approx(2.0, abs=1e-12)
    # H(X) - sum H(Xi | rest) on the 3-variable pmf, written out.
    h = entropy(PXYZ)
    rest = sum(conditional_entropy(PXYZ, i, [j for j in range(3) if j != i]) for i in range(3))
    assert dual_total_correlation(PXYZ) == pytest.approx(h - rest, abs=1e-12)


def test_kl_divergence_values() -> None:
    expected = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected, rel=1e-12)
    assert kl_divergence([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-12)


def test_kl_divergence_is_infinite_only_where_p_has_mass_and_q_not() -> None:
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert math.isfinite(kl_divergence([1.0, 0.0], [0.5, 0.5]))


def test_js_divergence_is_symmetric_and_bounded() -> None:
    p, q = [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), abs=1e-15)
    assert js_divergence([1, 0], [0, 1], units="bits") == pytest.approx(1.0, abs=1e-12)
    m = (np.array(p) + np.array(q)) / 2
    expected = 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)
    assert js_divergence(p, q) == pytest.approx(expected, rel=1e-12)


def _random_pmfs(seed: int, count: int = 20) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    tables = []
    for _ in range(count):
        shape = tuple(rng.integers(1, 5, size=3))
        table = rng.random(shape) * (rng.random(shape) > 0.3)  # some zero cells
        table.flat[0] += 0.1
        tables.append(table / table.sum())
    return tables


def test_invariants_on_random_pmfs(global_random_seed: int) -> None:
    for p in _random_pmfs(global_random_seed):
        h_x, h_y = joint_entropy(p, 0), joint_entropy(p, 1)
        assert entropy(p) >= 0
        assert mutual_information(p, 0, 1) == pytest.approx(mutual_information(p, 1, 0), abs=1e-14)
        # chain rule H(X, Y) = H(X) + H(Y | X)
        assert joint_entropy(p, [0, 1]) == pytest.approx(
            h_x + conditional_entropy(p, 1, 0), abs=1e-12
        )
        assert mutual_information(p, 0, 1) <= min(h_x, h_y) + 1e-12
        assert mutual_information(p, 0, 0) == pytest.approx(h_x, abs=1e-12)
        # co-information = I(X;Y) - I(X;Y|Z)
        assert co_information(p) == pytest.approx(
            mutual_information(p, 0, 1) - conditional_mutual_information(p, 0, 1, 2), abs=1e-12
        )
        assert total_correlation(p) >= 0
        assert dual_total_correlation(p) >= 0


def test_kl_divergence_raises_on_shape_mismatch() -> None:
    msg = "Inputs p and q must have the same shape; got (3,) and (2,)."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        kl_divergence([0.2, 0.3, 0.5], [0.5, 0.5])


def test_mutual_information_raises_when_axis_out_of_range() -> None:
    msg = "The 'axes_b' must be ints in the range [-3, 3) for a pmf with 3 axes. Got 3 instead."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        mutual_information(PXYZ, 0, 3)


def test_entropy_raises_on_unknown_units() -> None:
    msg = "Unknown units 'bytes'. Available: 'bits', 'nats'."
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        entropy([0.5, 0.5], units="bytes")


def test_entropy_raises_when_sum_is_not_one() -> None:
    msg = "Input p must sum to 1 (within 1e-09); got a sum of 1.5."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        entropy([1.0, 0.5])
