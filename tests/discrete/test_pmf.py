"""Joint pmf validation, marginals and the samples -> table path."""

import re

import numpy as np
import pytest

from infolens.discrete import check_pmf, marginal, pmf_from_samples
from infolens.exceptions import InvalidDataTypeError, InvalidInputError


def test_check_pmf_returns_float64_table() -> None:
    p = check_pmf([[1, 0], [0, 0]])
    assert p.dtype == np.float64
    assert p.shape == (2, 2)


def test_check_pmf_raises_on_negative_entries() -> None:
    msg = "Input p must have non-negative entries; found 1 negative entries, the smallest -0.5."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        check_pmf([1.5, -0.5])


def test_check_pmf_raises_when_sum_is_not_one() -> None:
    msg = "Input p must sum to 1 (within 1e-09); got a sum of 0.9."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        check_pmf([0.5, 0.4])


def test_check_pmf_accepts_sum_within_tolerance() -> None:
    check_pmf([0.5, 0.5 + 5e-10])


def test_check_pmf_raises_on_nan() -> None:
    msg = "Input q contains NaN: expected finite probabilities; found 1 non-finite entries."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        check_pmf([np.nan, 1.0], name="q")


def test_check_pmf_raises_on_infinity() -> None:
    msg = "Input p contains infinity: expected finite probabilities; found 1 non-finite entries."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        check_pmf([np.inf, 1.0])


def test_check_pmf_raises_on_empty_table() -> None:
    msg = "Input p is empty: expected at least one outcome; got shape (0,)."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        check_pmf([])


def test_check_pmf_raises_on_scalar() -> None:
    msg = "Input p must have one axis per variable; got a scalar (array(1.))."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        check_pmf(1.0)


def test_check_pmf_raises_on_strings() -> None:
    msg = "Input p must contain real numbers (probabilities); got dtype <U1."
    with pytest.raises(InvalidDataTypeError, match=re.escape(msg)):
        check_pmf(["a", "b"])


def test_marginal_sums_out_other_axes() -> None:
    p = np.arange(8, dtype=float).reshape(2, 2, 2) / 28
    np.testing.assert_allclose(marginal(p, [0, 2]), p.sum(axis=1), rtol=0, atol=1e-15)
    np.testing.assert_allclose(marginal(p, -1), p.sum(axis=(0, 1)), rtol=0, atol=1e-15)


def test_marginal_raises_when_axis_out_of_range() -> None:
    msg = "The 'axes' must be ints in the range [-2, 2) for a pmf with 2 axes. Got 2 instead."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        marginal([[0.5, 0.0], [0.0, 0.5]], 2)


def test_pmf_from_samples_counts_joint_frequencies() -> None:
    p = pmf_from_samples([0, 0, 0, 1, 3, 3, 3, 3])
    np.testing.assert_array_equal(p, [3 / 8, 1 / 8, 4 / 8])
    joint = pmf_from_samples(["a", "b", "a", "a"], [1, 1, 2, 2], np.array([[0, 1]] * 4))
    assert joint.shape == (2, 2, 1)
    np.testing.assert_array_equal(joint[:, :, 0], [[0.25, 0.5], [0.25, 0.0]])


def test_pmf_from_samples_raises_on_inconsistent_lengths() -> None:
    msg = "Found input variables with inconsistent numbers of samples: [3, 2]"
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        pmf_from_samples([0, 1, 1], [0, 1])


def test_pmf_from_samples_raises_without_variables() -> None:
    msg = "pmf_from_samples needs at least one variable; got none."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        pmf_from_samples()
