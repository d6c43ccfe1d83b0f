"""Kernel measures never return NaN: tiny widths and huge data get a clear error (issue 17)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from infolens import kernel
from infolens.exceptions import InvalidInputError, InvalidParameterError

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((60, 2))
Y = X + _RNG.standard_normal((60, 2))

PAIRED: list[Callable[..., Any]] = [
    kernel.matrix_renyi_mutual_information,
    kernel.matrix_renyi_joint_entropy,
    kernel.cauchy_schwarz_mutual_information,
    kernel.hsic,
    kernel.normalized_hsic,
]


@pytest.mark.parametrize("measure", PAIRED, ids=lambda f: f.__name__)
def test_a_width_too_small_to_square_is_refused_by_name(measure: Callable[..., Any]) -> None:
    with pytest.raises(InvalidParameterError, match=r"The 'sigma_x' parameter .* at least 1e-150"):
        measure(X, Y, sigma_x=1e-300, sigma_y=1.0)
    value = measure(X, Y, sigma_x=1e-100, sigma_y=1.0).value  # small but representable: finite
    assert np.isfinite(value)


@pytest.mark.parametrize("measure", PAIRED, ids=lambda f: f.__name__)
def test_data_whose_distances_overflow_are_refused(measure: Callable[..., Any]) -> None:
    with pytest.raises(InvalidInputError, match="squared distances overflow float64"):
        measure(X * 1e200, Y * 1e200)


@pytest.mark.parametrize("scale", [1e-120, 1e120])
@pytest.mark.parametrize("measure", PAIRED, ids=lambda f: f.__name__)
def test_median_heuristic_measures_do_not_depend_on_a_common_scale(
    measure: Callable[..., Any], scale: float
) -> None:
    base = measure(X, Y).value
    assert measure(X * scale, Y * scale).value == pytest.approx(base, rel=1e-9, abs=1e-12)


def test_single_sample_measures_check_too() -> None:
    with pytest.raises(InvalidParameterError, match="'sigma' parameter"):
        kernel.matrix_renyi_entropy(X, sigma=1e-200)
    with pytest.raises(InvalidParameterError, match="'sigma' parameter"):
        kernel.cauchy_schwarz_divergence(X, Y, sigma=1e-200)
    with pytest.raises(InvalidInputError, match="overflow"):
        kernel.cauchy_schwarz_divergence(X * 1e200, Y)
