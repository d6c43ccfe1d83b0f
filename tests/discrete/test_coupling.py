"""Minimum-entropy coupling: spec vectors (measures.md §2, Corrections 4) and invariants."""

import re

import numpy as np
import pytest

from infolens.discrete import (
    coupling_lower_bound,
    entropy,
    greedy_coupling,
    majorization_meet,
)
from infolens.exceptions import InvalidInputError

# (p, q, greedy M or None when the spec says not to test the matrix, H(M) bits, H(p∧q) bits)
VECTORS = [
    ([0.5, 0.5], [0.5, 0.5], [[0.5, 0], [0, 0.5]], 1.0, 1.0),
    ([0.75, 0.25], [0.6, 0.3, 0.1], [[0.6, 0.05, 0.1], [0, 0.25, 0]], 1.4904685707, 1.2954618442),
    ([0.5, 0.3, 0.2], [0.6, 0.4], [[0.5, 0], [0, 0.3], [0.1, 0.1]], 1.6854752972, 1.4854752972),
    ([0.7, 0.2, 0.1], [0.5, 0.3, 0.2], None, 1.7609640474436812, 1.4854752972273344),
    (
        [0.4, 0.3, 0.2, 0.1],
        [0.4, 0.3, 0.2, 0.1],
        np.diag([0.4, 0.3, 0.2, 0.1]),
        1.8464393447,
        1.8464393447,
    ),
    (
        [1 / 3, 1 / 3, 1 / 3],
        [0.5, 0.5],
        [[1 / 3, 0], [0, 1 / 3], [1 / 6, 1 / 6]],
        1.9182958341,
        1.5849625007,
    ),
    (
        [0.6, 0.2, 0.2],
        [0.5, 0.5],
        [[0.5, 0.1], [0, 0.2], [0, 0.2]],
        1.7609640474436812,
        1.4854752972273344,
    ),
]


@pytest.mark.parametrize(("p", "q", "matrix", "h_m", "bound"), VECTORS)
def test_greedy_coupling_spec_vector(
    p: list[float],
    q: list[float],
    matrix: list[list[float]] | np.ndarray | None,
    h_m: float,
    bound: float,
) -> None:
    m = greedy_coupling(p, q)
    np.testing.assert_allclose(m.sum(axis=1), p, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.sum(axis=0), q, rtol=0, atol=1e-12)
    if matrix is not None:
        np.testing.assert_allclose(m, matrix, rtol=0, atol=1e-12)
    # 10-decimal spec values: atol 1e-10; full-precision ones: rtol 1e-10.
    assert entropy(m, units="bits") == pytest.approx(h_m, rel=1e-10, abs=1e-10)
    assert coupling_lower_bound(p, q, units="bits") == pytest.approx(bound, rel=1e-10, abs=1e-10)
    assert coupling_lower_bound(p, q) <= entropy(m) + 1e-12


def test_tie_is_broken_by_lowest_index() -> None:
    # Corrections 4: step 2 of [.7,.2,.1] x [.5,.3,.2] is an exact tie; lowest index wins.
    m = greedy_coupling([0.7, 0.2, 0.1], [0.5, 0.3, 0.2])
    np.testing.assert_allclose(m, [[0.5, 0.2, 0], [0, 0, 0.2], [0, 0.1, 0]], rtol=0, atol=1e-12)


def test_bound_separates_from_largest_marginal_entropy() -> None:
    p, q = [0.6, 0.2, 0.2], [0.5, 0.5]
    largest = max(entropy(p, units="bits"), entropy(q, units="bits"))
    assert largest == pytest.approx(1.3709505944546687, rel=1e-10)
    assert coupling_lower_bound(p, q, units="bits") > largest + 0.1
    np.testing.assert_allclose(majorization_meet(p, q), [0.5, 0.3, 0.2], rtol=0, atol=1e-15)


def test_invariants_on_random_marginals(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    for _ in range(50):
        marginals = [rng.dirichlet(np.ones(rng.integers(1, 7))) for _ in range(rng.integers(2, 4))]
        m = greedy_coupling(*marginals)
        for axis, marg in enumerate(marginals):
            others = tuple(a for a in range(m.ndim) if a != axis)
            np.testing.assert_allclose(m.sum(axis=others), marg, rtol=0, atol=1e-12)
        h_m = entropy(m)
        bound = coupling_lower_bound(*marginals)
        assert h_m >= bound - 1e-12
        assert bound >= max(entropy(marg) for marg in marginals) - 1e-12
        # Compton 2022: greedy is within log2(e) bits of the majorisation bound.
        assert h_m - bound <= np.log2(np.e) * np.log(2) + 1e-12


def test_identical_marginals_give_diagonal_coupling() -> None:
    p = np.array([0.1, 0.4, 0.2, 0.3])
    m = greedy_coupling(p, p)
    np.testing.assert_allclose(m, np.diag(p), rtol=0, atol=1e-15)
    assert entropy(m) == pytest.approx(entropy(p), rel=1e-12)


def test_greedy_coupling_raises_when_marginal_does_not_sum_to_one() -> None:
    msg = "Input marginals[1] must sum to 1 (within 1e-09); got a sum of 0.9."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        greedy_coupling([0.5, 0.5], [0.5, 0.4])


def test_greedy_coupling_raises_with_a_single_marginal() -> None:
    msg = "greedy_coupling needs at least 2 marginals; got 1."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        greedy_coupling([0.5, 0.5])


def test_coupling_lower_bound_raises_on_two_dimensional_marginal() -> None:
    msg = "Input marginals[0] must be a 1-D vector of probabilities; got 2 axes with shape (2, 1)."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        coupling_lower_bound([[0.5], [0.5]], [1.0])
