"""Neural estimators: bound direction on a known-MI task, determinism, training, honesty, errors.

Statistical tolerances are stated for seed 42 (``global_random_seed``) on a bivariate Gaussian
with rho = 0.8 (truth 0.5108 nats), N = 1000, small networks and a few hundred steps.
"""

import math
import re
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
import torch

from infolens.estimators.neural.critics import ConcatCritic, GaussianConditional, SeparableCritic
from infolens.estimators.neural.estimator import (
    BOUNDS,
    CLUBEstimator,
    DVEstimator,
    InfoNCEEstimator,
    JSEstimator,
    MINEEstimator,
    NeuralEstimator,
    NWJEstimator,
    SMILEEstimator,
    WDMEstimator,
)
from infolens.exceptions import (
    BoundSaturationWarning,
    InvalidInputError,
    InvalidParameterError,
    TrainingDivergedWarning,
)
from tests.helpers import HIDE_TORCH, correlated_gaussian

SMALL: dict[str, Any] = {
    "hidden": (32,),
    "embed_dim": 8,
    "batch_size": 100,
    "max_steps": 300,
    "eval_every": 50,
    "verbose": False,
}
LOWER = [InfoNCEEstimator, NWJEstimator, DVEstimator, MINEEstimator, SMILEEstimator, JSEstimator]


@pytest.fixture
def gaussian(global_random_seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], float]:
    return correlated_gaussian(1000, 1, 0.8, np.random.default_rng(global_random_seed))


@pytest.mark.parametrize("cls", LOWER)
def test_lower_bounds_are_close_to_and_not_far_above_the_truth(
    cls: type[InfoNCEEstimator], gaussian: tuple[Any, Any, float], global_random_seed: int
) -> None:
    # Each lower bound lands in [0.6, 1.1] x truth; 0.1 above allows for the held-out noise and
    # the selection of the best checkpoint (values seen: 0.49-0.53 for a truth of 0.511).
    x, y, truth = gaussian
    est = cls(**SMALL).mutual_information(x, y, rng=global_random_seed)
    assert 0.6 * truth < est.value < 1.1 * truth
    assert est.details["bound_kind"] == "lower"
    assert est.method == cls.name


def test_club_is_an_upper_bound(gaussian: tuple[Any, Any, float], global_random_seed: int) -> None:
    # For Gaussians CLUB - I = KL(p(x)p(y) || p(x,y)) = 1/(1-rho^2) - 1 + ln(1-rho^2)/2 = 1.267,
    # so the exact CLUB value is 1.778 nats; the fitted q lands near it, well above the truth.
    x, y, truth = gaussian
    est = CLUBEstimator(**SMALL).mutual_information(x, y, rng=global_random_seed)
    assert est.details["bound_kind"] == "upper"
    assert truth < est.value < 1.778 + 0.3
    assert isinstance(est.details["critic"], GaussianConditional)


def test_wdm_is_a_looser_lower_bound_with_a_lipschitz_critic(
    gaussian: tuple[Any, Any, float], global_random_seed: int
) -> None:
    x, y, truth = gaussian
    params = {**SMALL, "batch_size": 32, "max_steps": 200}
    est = WDMEstimator(**params).mutual_information(x, y, rng=global_random_seed)
    assert 0.0 < est.value < truth
    assert est.details["wasserstein_dependency"] > 0.0
    assert isinstance(est.details["critic"], ConcatCritic)


def test_independent_variables_give_about_zero(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x, y = rng.standard_normal((1000, 2)), rng.standard_normal((1000, 2))
    est = InfoNCEEstimator(**SMALL).mutual_information(x, y, rng=global_random_seed)
    assert abs(est.value) < 0.05


def test_same_rng_gives_the_same_value_and_curve(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    state = torch.get_rng_state()
    first = InfoNCEEstimator(**SMALL).mutual_information(x, y, rng=7)
    second = InfoNCEEstimator(**SMALL).mutual_information(x, y, rng=np.random.default_rng(7))
    third = InfoNCEEstimator(**SMALL).mutual_information(x, y, rng=8)
    assert first.value == second.value
    assert first.details["learning_curve"] == second.details["learning_curve"]
    assert first.value != third.value
    assert torch.equal(torch.get_rng_state(), state)  # the global torch seed is never touched


def test_training_increases_the_held_out_bound(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    est = NWJEstimator(**SMALL).mutual_information(x, y, rng=0)
    curve = est.details["learning_curve"]
    assert curve["step"][0] == 0
    assert curve["train"][0] is None
    assert max(curve["test"]) > curve["test"][0] + 0.3
    assert est.value == max(curve["test"])  # the best checkpoint's held-out value is reported


def test_details_hold_the_trained_critic_for_reuse(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    est = InfoNCEEstimator(**SMALL).mutual_information(x, y, rng=0)
    critic = est.details["critic"]
    assert isinstance(critic, SeparableCritic)
    assert not critic.training
    with torch.no_grad():
        scores = critic(torch.zeros(3, 1), torch.zeros(4, 1))
    assert scores.shape == (3, 4)
    d = est.details
    assert (d["n_train"], d["n_test"], d["test_batch_sizes"]) == (500, 500, [100] * 5)
    assert d["ceiling"] == pytest.approx(math.log(100))
    assert d["saturated"] is False
    assert est.params["batch_size"] == 100
    assert est.n_samples == 1000


def test_neural_estimator_takes_the_bound_by_name(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    generic = NeuralEstimator(bound="dv", **SMALL).mutual_information(x, y, rng=3)
    fixed = DVEstimator(**SMALL).mutual_information(x, y, rng=3)
    assert generic.value == fixed.value
    assert generic.method == "dv"
    assert generic.params["bound"] == "dv"
    assert sorted(BOUNDS) == ["club", "dv", "infonce", "js", "mine", "nwj", "smile", "wdm"]


@pytest.mark.parametrize("critic", ["bilinear", "concat"])
def test_other_critics_train(critic: str, gaussian: tuple[Any, Any, float]) -> None:
    x, y, truth = gaussian
    params = {**SMALL, "batch_size": 50, "max_steps": 150}
    est = InfoNCEEstimator(**params, critic=critic).mutual_information(x, y, rng=0)
    assert 0.5 * truth < est.value < 1.1 * truth


def test_infonce_near_its_ceiling_warns_and_says_so() -> None:
    # 5 pairs with rho = 0.99: truth 9.8 nats, far above log(8) = 2.08; the estimate reaches
    # 2.045-2.057 on seeds 0, 1, 42 (threshold 0.95 * 2.079 = 1.975).
    x, y, _ = correlated_gaussian(800, 5, 0.99, np.random.default_rng(0))
    params = {**SMALL, "hidden": (64,), "embed_dim": 16, "batch_size": 8, "max_steps": 600}
    with pytest.warns(BoundSaturationWarning, match="within 5% of its ceiling"):
        est = InfoNCEEstimator(**params, learning_rate=3e-3).mutual_information(x, y, rng=0)
    assert est.details["saturated"] is True
    assert est.value <= math.log(8)


def test_divergence_falls_back_to_the_best_checkpoint(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    params = {**SMALL, "learning_rate": 1e6, "eval_every": 1}
    with pytest.warns(
        TrainingDivergedWarning, match=re.escape("Training diverged (non-finite loss)")
    ):
        est = NWJEstimator(**params).mutual_information(x * 100, y * 100, rng=0)
    assert est.details["diverged_at_step"] is not None
    assert math.isfinite(est.value)


def test_verbose_shows_a_progress_bar(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    params = {**SMALL, "max_steps": 20, "eval_every": 10, "verbose": True}
    assert math.isfinite(InfoNCEEstimator(**params).mutual_information(x, y, rng=0).value)


def test_import_infolens_without_torch_works_and_neural_import_names_the_extra() -> None:
    code = (
        HIDE_TORCH + "import infolens\n"
        "try:\n"
        "    import infolens.estimators.neural.estimator\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install 'infolens[torch]'" in result.stdout


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "msg"),
    [
        (
            {"batch_size": 1},
            "The 'batch_size' parameter of InfoNCEEstimator must be an int in the range [2, inf). "
            "Got 1 instead.",
        ),
        (
            {"max_steps": 0},
            "The 'max_steps' parameter of InfoNCEEstimator must be an int in the range [1, inf). "
            "Got 0 instead.",
        ),
        (
            {"learning_rate": -1e-3},
            "The 'learning_rate' parameter of InfoNCEEstimator must be a float in the range "
            "(0, inf). Got -0.001 instead.",
        ),
        (
            {"learning_rate": 0},
            "The 'learning_rate' parameter of InfoNCEEstimator must be a float in the range "
            "(0, inf). Got 0 instead.",
        ),
        (
            {"test_fraction": 1.0},
            "The 'test_fraction' parameter of InfoNCEEstimator must be a float in the range "
            "(0, 1). Got 1.0 instead.",
        ),
        (
            {"hidden": (16, 0)},
            "The 'hidden' parameter of InfoNCEEstimator must be a tuple of ints in the range "
            "[1, inf). Got (16, 0) instead.",
        ),
        (
            {"critic": "mlp"},
            "Unknown critic 'mlp'. Available: 'auto', 'bilinear', 'concat', 'separable'.",
        ),
        (
            {"critic": "gaussian"},
            "The 'critic' parameter of InfoNCEEstimator must be one of 'auto', 'bilinear', "
            "'concat', 'separable' for the 'infonce' bound. Got 'gaussian' instead.",
        ),
        (
            {"device": "tpu"},
            "The 'device' parameter of InfoNCEEstimator must be 'auto', 'cpu', 'cuda' or "
            "'cuda:<index>'. Got 'tpu' instead.",
        ),
    ],
)
def test_bad_parameters_raise_clear_errors(params: dict[str, Any], msg: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        InfoNCEEstimator(**params)


def test_unknown_bound_is_listed() -> None:
    msg = (
        "Unknown bound 'infonc'. Available: 'club', 'dv', 'infonce', 'js', 'mine', 'nwj', "
        "'smile', 'wdm'."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(bound="infonc")


@pytest.mark.parametrize(
    ("cls", "params", "msg"),
    [
        (
            CLUBEstimator,
            {"critic": "separable"},
            "The 'critic' parameter of CLUBEstimator must be one of 'auto', 'gaussian' for the "
            "'club' bound. Got 'separable' instead.",
        ),
        (
            WDMEstimator,
            {"critic": "separable"},
            "The 'critic' parameter of WDMEstimator must be one of 'auto', 'concat' for the "
            "'wdm' bound. Got 'separable' instead.",
        ),
        (
            SMILEEstimator,
            {"clip": 0.0},
            "The 'clip' parameter of SMILEEstimator must be a float in the range (0, inf). "
            "Got 0.0 instead.",
        ),
        (
            MINEEstimator,
            {"ema_decay": 1.0},
            "The 'ema_decay' parameter of MINEEstimator must be a float in the range [0, 1). "
            "Got 1.0 instead.",
        ),
    ],
)
def test_bound_specific_parameters_are_checked(
    cls: type[InfoNCEEstimator], params: dict[str, Any], msg: str
) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        cls(**params)


def test_batch_size_larger_than_the_training_split_is_rejected() -> None:
    x = np.arange(300.0)
    msg = (
        "The 'batch_size' parameter of InfoNCEEstimator must be at most the number of training "
        "samples (150 of 300 with test_fraction=0.5), and the test split needs at least 2 "
        "samples (150). Got 256 instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        InfoNCEEstimator(verbose=False).mutual_information(x, x)


def test_data_validation_of_the_foundation_applies() -> None:
    est = InfoNCEEstimator(**SMALL)
    with pytest.raises(InvalidInputError, match=re.escape("Input x contains NaN")):
        est.mutual_information([1.0, float("nan")] * 300, np.zeros(600))
    msg = "Found input variables with inconsistent numbers of samples: [600, 599]"
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        est.mutual_information(np.zeros(600), np.zeros(599))
    with pytest.raises(TypeError, match="Input y must contain real numbers"):
        est.mutual_information(np.zeros(4), np.array(["a", "b", "c", "d"]))


def test_training_thread_count_is_restored_and_validated() -> None:
    x = np.random.default_rng(0).standard_normal((300, 1))
    before = torch.get_num_threads()
    InfoNCEEstimator(n_threads=2, max_steps=5, batch_size=32, verbose=False).mutual_information(
        x, x, rng=0
    )
    assert torch.get_num_threads() == before
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'n_threads' parameter of InfoNCEEstimator must be an int in the range [1, inf). Got 0 instead."
        ),
    ):
        InfoNCEEstimator(n_threads=0)
