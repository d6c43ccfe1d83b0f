"""Tests of the shared standardisation helper."""

import numpy as np
import pytest

from infolens._preprocess import log_std, prescale, standardize, standardize_nonconstant


def _data() -> np.ndarray:
    return np.random.default_rng(3).standard_normal((500, 3)) * [1.0, 7.0, 0.01] + [0.0, 2.0, -0.01]


def test_standardize_is_bit_identical_to_the_plain_formula_on_ordinary_data() -> None:
    data = _data()
    expected = (data - data.mean(axis=0)) / data.std(axis=0)
    assert np.array_equal(standardize(data), expected)


@pytest.mark.parametrize("scale", [1e160, 1e300, 1e-170, 1e-300, 2.0**600, 2.0**-900])
def test_standardize_gives_the_same_result_at_extreme_scales(scale: float) -> None:
    # x * scale is rounded, so the results agree to the rounding of the input (1e-15 relative).
    data = _data()
    np.testing.assert_allclose(standardize(data * scale), standardize(data), rtol=0, atol=1e-13)
    np.testing.assert_allclose(log_std(data * scale), log_std(data) + np.log(scale), atol=1e-12)


def test_prescale_is_exact_division_by_a_power_of_two() -> None:
    data = _data() * 2.0**700
    scaled, exponents = prescale(data)
    assert np.array_equal(np.ldexp(scaled, exponents), data)
    assert np.all(np.abs(scaled).max(axis=0) < 1)
    assert prescale(_data())[1].tolist() == [0, 0, 0]


def test_constant_columns_become_zero_or_are_dropped() -> None:
    data = np.column_stack([_data()[:, 0], np.full(500, 3e-200)])
    out = standardize(data)
    assert np.array_equal(out[:, 1], np.zeros(500))
    kept, dropped = standardize_nonconstant(data, ddof=1)
    assert dropped == 1
    assert kept.shape == (500, 1)
    assert np.isneginf(log_std(data)[1])
