"""Property tests (hypothesis) over the public entry points beyond the classical estimators.

``tests/estimators/test_properties.py`` covers every registry estimator; this file covers the kernel
measures, the discrete-distribution measures, PID, the per-feature MI, the independence test and
the Estimate record: determinism, row-order invariance, symmetry where the measure is symmetric,
and hostile input giving a finite number or a clear InfolensError (never NaN or another
exception). Deterministic properties only; derandomised. Tolerance 1e-10: sums of Gram entries and
log-probabilities are reordered by a permutation of the rows.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import infolens
from infolens import discrete, kernel
from infolens.exceptions import InfolensError

FAST = settings(max_examples=10, deadline=None, derandomize=True)
TOL = 1e-10
SEEDS = st.integers(0, 2**32 - 1)


def _pair(seed: int, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)) * scale
    return x, x + rng.standard_normal((n, 2)) * scale


_SYMMETRIC_KERNEL: list[Callable[..., Any]] = [
    kernel.matrix_renyi_mutual_information,
    kernel.cauchy_schwarz_mutual_information,
    kernel.hsic,
    kernel.normalized_hsic,
]


@pytest.mark.parametrize("measure", _SYMMETRIC_KERNEL, ids=lambda f: f.__name__)
@FAST
@given(seed=SEEDS, n=st.integers(8, 60))
def test_kernel_measures_are_deterministic_symmetric_and_row_order_free(
    measure: Callable[..., Any], seed: int, n: int
) -> None:
    x, y = _pair(seed, n, 1.0)
    value = measure(x, y).value
    assert math.isfinite(value)
    assert measure(x, y).value == value
    assert measure(y, x).value == pytest.approx(value, abs=TOL, rel=TOL)
    order = np.random.default_rng(seed + 1).permutation(n)
    assert measure(x[order], y[order]).value == pytest.approx(value, abs=TOL, rel=TOL)


@pytest.mark.parametrize("measure", _SYMMETRIC_KERNEL, ids=lambda f: f.__name__)
@FAST
@given(
    seed=SEEDS,
    n=st.integers(2, 30),
    scale=st.sampled_from([1e-300, 1e-160, 1e-5, 1.0, 1e5, 1e160, 1e300]),
    duplicate=st.booleans(),
)
def test_kernel_measures_on_hostile_data_give_a_number_or_a_clear_error(
    measure: Callable[..., Any], seed: int, n: int, scale: float, duplicate: bool
) -> None:
    x, y = _pair(seed, n, scale)
    if duplicate:
        x[:] = x[0]
    try:
        value = measure(x, y).value
    except InfolensError:
        return
    assert math.isfinite(value)


def _table(seed: int, shape: tuple[int, ...], zeros: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.random(shape)
    if zeros:
        p[p < 0.3] = 0.0
        p.flat[0] = 1.0  # never all zero
    return np.asarray(p / p.sum(), dtype=np.float64)


@FAST
@given(seed=SEEDS, a=st.integers(1, 4), b=st.integers(1, 4), zeros=st.booleans())
def test_discrete_mi_is_symmetric_nonnegative_and_bounded(
    seed: int, a: int, b: int, zeros: bool
) -> None:
    p = _table(seed, (a, b), zeros)
    mi = discrete.mutual_information(p, [0], [1])
    assert mi == pytest.approx(discrete.mutual_information(p.T, [0], [1]), abs=1e-12)
    assert -1e-12 <= mi <= min(discrete.entropy(p.sum(1)), discrete.entropy(p.sum(0))) + 1e-12


@pytest.mark.parametrize("measure", ["williams_beer", "broja"])
@FAST
@given(seed=SEEDS, n=st.integers(4, 80), levels=st.integers(1, 3))
def test_pid_atoms_add_up_are_nonnegative_and_swap_with_the_sources(
    measure: str, seed: int, n: int, levels: int
) -> None:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.integers(0, levels + 1, n), rng.integers(0, levels + 1, n)
    y = (x1 + x2 + (rng.random(n) < 0.2)) % (levels + 1)
    r = infolens.pid(x1, x2, y, measure=measure)
    atoms = (r.redundancy, r.unique_1, r.unique_2, r.synergy)
    assert all(a >= 0 for a in atoms)
    assert sum(atoms) == pytest.approx(r.total, abs=1e-8)
    swapped = infolens.pid(x2, x1, y, measure=measure)
    assert swapped.unique_1 == pytest.approx(r.unique_2, abs=1e-8)
    assert swapped.redundancy == pytest.approx(r.redundancy, abs=1e-8)


@FAST
@given(seed=SEEDS, n=st.integers(20, 120))
def test_feature_mi_is_per_column_and_row_order_free(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = (x[:, 0] > 0).astype(int)
    scores = np.asarray(infolens.feature_mutual_information(x, y, rng=0, n_jobs=1))
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()
    order = rng.permutation(n)
    again = np.asarray(infolens.feature_mutual_information(x[order], y[order], rng=0, n_jobs=1))
    np.testing.assert_allclose(again, scores, atol=1e-12)


@FAST
@given(seed=SEEDS, n=st.integers(10, 60))
def test_independence_test_is_reproducible_and_its_p_value_is_valid(seed: int, n: int) -> None:
    x, y = _pair(seed, n, 1.0)
    first = infolens.independence_test(x, y, method="gaussian", n_permutations=20, rng=seed)
    again = infolens.independence_test(x, y, method="gaussian", n_permutations=20, rng=seed)
    assert first.p_value == again.p_value
    assert 1 / 21 <= first.p_value <= 1.0


@FAST
@given(value=st.floats(-1e300, 1e300), units=st.sampled_from(["nats", "bits"]))
def test_estimate_round_trips_units_and_behaves_as_its_value(value: float, units: str) -> None:
    est = infolens.Estimate(value=value, units=units, n_samples=3, method="m", quantity="entropy")
    other = "bits" if units == "nats" else "nats"
    assert est.to(other).to(units).value == pytest.approx(value, rel=1e-15, abs=1e-300)
    assert float(est) == value
    assert est + 0.0 == value
    assert f"{est:.6e}" == f"{value:.6e}"
