"""The functional API: dispatch, the auto rule, units, reproducibility and bad input."""

import re
import warnings
from typing import Any

import numpy as np
import pytest

import infolens
from infolens.estimators.registry import TORCH_METHODS
from infolens.exceptions import InfolensError
from tests.helpers import HIDE_TORCH, ROUNDED_NORMAL_MI, correlated_gaussian, rounded_normal


@pytest.fixture
def xy() -> tuple[np.ndarray, np.ndarray]:
    x, y, _ = correlated_gaussian(500, 2, 0.5, np.random.default_rng(0))
    return x, y


CLASSICAL_MI = [
    m for m in infolens.available_methods("mutual_information") if m not in TORCH_METHODS
]


@pytest.mark.parametrize("method", CLASSICAL_MI)
def test_every_mi_method_returns_a_complete_estimate(
    method: str, xy: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = xy
    if method in ("plugin", "miller_madow"):
        x, y = np.round(x).astype(int), np.round(y).astype(int)
    est = infolens.mutual_information(x, y, method=method, units="bits", rng=0)
    assert est.method == method
    assert est.units == "bits"
    assert est.n_samples == 500
    assert est.quantity == "mutual_information"
    assert np.isfinite(est.value)
    assert est.to("nats").value == pytest.approx(est.value * np.log(2), abs=1e-12)


@pytest.mark.parametrize("method", infolens.available_methods("conditional_mutual_information"))
def test_every_cmi_method_runs_through_the_api(
    method: str, xy: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = xy
    z = np.random.default_rng(1).standard_normal(500)
    if method in ("plugin", "miller_madow"):
        x, y, z = (np.round(a).astype(int) for a in (x, y, z))
    est = infolens.conditional_mutual_information(x, y, z, method=method, rng=0)
    assert est.quantity == "conditional_mutual_information"
    assert np.isfinite(est.value)


@pytest.mark.parametrize("method", infolens.available_methods("entropy"))
def test_every_entropy_method_runs_through_the_api(
    method: str, xy: tuple[np.ndarray, np.ndarray]
) -> None:
    x = xy[0] if method not in ("plugin", "miller_madow") else np.round(xy[0]).astype(int)
    est = infolens.entropy(x, method=method, rng=0)
    assert est.quantity == "entropy"
    assert np.isfinite(est.value)


@pytest.mark.parametrize(
    ("quantity", "data", "method", "reason"),
    [
        ("entropy", [np.linspace(0, 1, 50)], "kl", "continuous data without repeated values"),
        ("entropy", [[0, 1, 1, 2]], "miller_madow", "all inputs are discrete"),
        (
            "mutual_information",
            [np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2],
            "copula_ensemble",  # issue 14: the tuned rule replaced plain KSG
            "continuous",
        ),
        (
            "mutual_information",
            [np.arange(50) % 3, np.linspace(0, 1, 50)],
            "mixed_knn",
            "integer/boolean",
        ),
        (
            "mutual_information",
            [np.arange(50.0) % 3, np.linspace(0, 1, 50)],
            "mixed_knn",
            "repeated values",
        ),
        ("mutual_information", [["a", "b"] * 25, [True, False] * 25], "miller_madow", "discrete"),
    ],
)
def test_auto_rule_is_recorded(quantity: str, data: list[object], method: str, reason: str) -> None:
    est = getattr(infolens, quantity)(*data)
    assert est.method == method
    assert reason in est.details["auto"]


def test_auto_picks_frenzel_pompe_for_continuous_cmi(xy: tuple[np.ndarray, np.ndarray]) -> None:
    z = np.random.default_rng(2).standard_normal(500)
    assert infolens.conditional_mutual_information(*xy, z).method == "frenzel_pompe"


def test_auto_on_the_rounded_gaussian_tie_case() -> None:
    # The acceptance case through the front door: finite, within 0.02 nats of the exact
    # MI of the rounded variables, and reproducible for a given rng.
    x, y = rounded_normal(10_000, np.random.default_rng(0))
    first = infolens.mutual_information(x, y, rng=3)
    assert first.method == "mixed_knn"
    assert first.value == pytest.approx(ROUNDED_NORMAL_MI, abs=0.02)
    assert infolens.mutual_information(x, y, rng=3).value == first.value


def test_auto_refuses_to_mix_labels_and_continuous_data() -> None:
    with pytest.raises(TypeError, match=re.escape("method='auto' cannot mix category labels")):
        infolens.mutual_information(["a", "b", "c"], [0.1, 0.2, 0.3])


def test_same_rng_gives_identical_output() -> None:
    x, y = rounded_normal(2000, np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", infolens.exceptions.DegenerateDataWarning)
        first = infolens.mutual_information(x, y, method="ksg", rng=11)
        second = infolens.mutual_information(x, y, method="ksg", rng=np.random.default_rng(11))
        other = infolens.mutual_information(x, y, method="ksg", rng=12)
    assert first.value == second.value
    assert other.value != first.value


def test_params_are_recorded_and_forwarded(xy: tuple[np.ndarray, np.ndarray]) -> None:
    est = infolens.mutual_information(*xy, method="ksg", k=5, variant=2)
    assert est.params == {
        "k": 5,
        "variant": 2,
        "standardize": True,
        "n_jobs": -1,
        "backend": "auto",
    }


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: infolens.mutual_information([1.0, np.nan, 3, 4, 5], [1.0, 2, 3, 4, 5]),
            ValueError,
            "Input x contains NaN",
        ),
        (
            lambda: infolens.mutual_information(np.ones(10), np.ones(9), method="ksg"),
            ValueError,
            "Found input variables with inconsistent numbers of samples: [10, 9]",
        ),
        (lambda: infolens.entropy([], method="kl"), ValueError, "Input x is empty"),
        (
            lambda: infolens.mutual_information([0.1, 0.2], [0.3, 0.5], method="ksg", k=3),
            ValueError,
            "needs at least 4 samples (k + 1); got 2.",
        ),
        (
            lambda: infolens.entropy(np.zeros((3, 3, 3)), method="kl"),
            ValueError,
            "got a 3-D array of shape (3, 3, 3)",
        ),
        (
            lambda: infolens.mutual_information(["a", "b", "c", "d"], [1.0, 2, 3, 4], method="ksg"),
            TypeError,
            "Input x must contain real numbers (int, float or bool); got string data",
        ),
        (
            lambda: infolens.entropy(np.array([1j, 2j, 3j, 4j, 5j]), method="kl"),
            TypeError,
            "got complex data (dtype complex128)",
        ),
        (
            lambda: infolens.entropy(np.array([None, 1, 2, 3], dtype=object), method="gaussian"),
            TypeError,
            "got object data",
        ),
        (
            lambda: infolens.mutual_information(np.arange(9.0), np.arange(9.0), method="ksg", k=0),
            ValueError,
            "The 'k' parameter of KSGEstimator must be an int in the range [1, inf). Got 0 instead.",
        ),
        (
            lambda: infolens.mutual_information(
                np.arange(9.0), np.arange(9.0), method="ksg", k="3"
            ),
            ValueError,
            "Got '3' instead.",
        ),
        (
            lambda: infolens.mutual_information([1.0], [2.0], method="ksgg"),
            ValueError,
            "Unknown method 'ksgg'. Available: 'binning', 'cauchy_schwarz', 'club', 'compression', 'copula_ensemble', 'dv', 'frenzel_pompe', 'gaussian', 'gaussian_copula', 'infonce', 'js', 'kl', 'ksg', 'lnc', 'matrix_renyi', 'miller_madow', 'mine', 'mixed_knn', 'nwj', 'plugin', 'smile', 'wdm'.",
        ),
        (
            lambda: infolens.mutual_information(
                [0.1, 0.2, 0.3],
                [1, 2, 3.5],
                method="gaussian",
                rng="abc",  # type: ignore[arg-type]
            ),
            ValueError,
            "rng must be an int seed, a numpy.random.Generator or None; got str ('abc').",
        ),
        (
            lambda: infolens.entropy([1.0], units="bytes"),  # type: ignore[arg-type]
            ValueError,
            "Unknown units 'bytes'. Available: 'bits', 'nats'.",
        ),
        (
            lambda: infolens.entropy([1.0, 2.0], method="ksg"),
            ValueError,
            "Method 'ksg' does not estimate entropy. Methods that do: 'binning', 'gaussian', 'kl', 'matrix_renyi', 'miller_madow', 'plugin'.",
        ),
        (
            lambda: infolens.entropy([1, 2], method="plugin", k=3),
            ValueError,
            "Unknown parameter(s) 'k' for method 'plugin'. Accepted: none.",
        ),
        (
            lambda: infolens.entropy([1.0, 2.0], method="binning", bins=0),
            ValueError,
            "The 'bins' parameter of BinningEstimator must be an int in the range [1, inf). Got 0 instead.",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(call: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, InfolensError)


@pytest.mark.parametrize("method", ["ksg", "mixed_knn", "gaussian", "gaussian_copula", "binning"])
def test_constant_column_gives_zero_information(method: str) -> None:
    # Documented: a constant variable carries no information; no crash, no NaN, no warning.
    y = np.random.default_rng(0).standard_normal(300)
    assert infolens.mutual_information(np.full(300, 2.0), y, method=method).value == pytest.approx(
        0.0, abs=1e-9
    )


@pytest.mark.parametrize("method", ["ksg", "mixed_knn", "gaussian", "frenzel_pompe"])
def test_mi_is_symmetric_through_the_api(method: str, xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    if method == "frenzel_pompe":
        z = np.random.default_rng(5).standard_normal(500)
        a = infolens.conditional_mutual_information(x, y, z, method=method).value
        b = infolens.conditional_mutual_information(y, x, z, method=method).value
    else:
        a = infolens.mutual_information(x, y, method=method).value
        b = infolens.mutual_information(y, x, method=method).value
    assert a == pytest.approx(b, abs=1e-12)


@pytest.mark.parametrize("method", sorted(TORCH_METHODS))
def test_neural_methods_run_through_the_front_door(method: str) -> None:
    # Small and fast: the accuracy of each bound is tested in tests/estimators/neural.
    x, y, _ = correlated_gaussian(600, 1, 0.8, np.random.default_rng(0))
    params: dict[str, Any] = {"verbose": False, "max_steps": 40, "batch_size": 64, "hidden": (16,)}
    first = infolens.mutual_information(x, y, method=method, rng=3, **params)
    assert first.method == method
    assert np.isfinite(first.value)
    assert infolens.mutual_information(x, y, method=method, rng=3, **params).value == first.value


def test_neural_methods_need_torch_and_say_so() -> None:
    import subprocess
    import sys

    code = (
        HIDE_TORCH + "import infolens\n"
        "assert 'infonce' in infolens.available_methods('mutual_information')\n"
        "try:\n"
        "    infolens.mutual_information([0.1, 0.2, 0.3], [1.0, 2.0, 0.5], method='infonce')\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'infolens[torch]'" in out.stdout
