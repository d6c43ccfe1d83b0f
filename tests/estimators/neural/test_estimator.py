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

import infolens
from infolens.estimators.neural import estimator as estimator_module
from infolens.estimators.neural.critics import ConcatCritic, GaussianConditional, SeparableCritic
from infolens.estimators.neural.estimator import BOUNDS, NeuralEstimator
from infolens.estimators.registry import unregister_method
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
#: The bounds trained on score critics, each expected near the truth ("smile" is biased, not a bound).
NEAR_TRUTH = ["infonce", "nwj", "dv", "mine", "smile", "js"]


@pytest.fixture
def gaussian(global_random_seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], float]:
    return correlated_gaussian(1000, 1, 0.8, np.random.default_rng(global_random_seed))


@pytest.mark.parametrize("bound", NEAR_TRUTH)
def test_lower_bounds_are_close_to_and_not_far_above_the_truth(
    bound: str, gaussian: tuple[Any, Any, float], global_random_seed: int
) -> None:
    # Each lower bound lands in [0.6, 1.1] x truth; 0.1 above allows for the held-out noise and
    # the selection of the best checkpoint (values seen: 0.49-0.53 for a truth of 0.511).
    x, y, truth = gaussian
    est = NeuralEstimator(bound=bound, **SMALL).mutual_information(x, y, rng=global_random_seed)
    assert 0.6 * truth < est.value < 1.1 * truth
    assert est.details["bound_kind"] == ("other" if bound == "smile" else "lower")
    assert est.method == est.details["bound"] == est.params["bound"] == bound


def test_club_is_an_upper_bound(gaussian: tuple[Any, Any, float], global_random_seed: int) -> None:
    # For Gaussians CLUB - I = KL(p(x)p(y) || p(x,y)) = 1/(1-rho^2) - 1 + ln(1-rho^2)/2 = 1.267,
    # so the exact CLUB value is 1.778 nats; the fitted q lands near it, well above the truth.
    x, y, truth = gaussian
    est = NeuralEstimator(bound="club", **SMALL).mutual_information(x, y, rng=global_random_seed)
    assert est.details["bound_kind"] == "upper"
    assert truth < est.value < 1.778 + 0.3
    assert isinstance(est.details["critic"], GaussianConditional)


def test_wdm_is_a_looser_lower_bound_with_a_lipschitz_critic(
    gaussian: tuple[Any, Any, float], global_random_seed: int
) -> None:
    x, y, truth = gaussian
    params = {**SMALL, "batch_size": 32, "max_steps": 200}
    est = NeuralEstimator(bound="wdm", **params).mutual_information(x, y, rng=global_random_seed)
    assert 0.0 < est.value < truth
    assert est.details["wasserstein_dependency"] > 0.0
    assert isinstance(est.details["critic"], ConcatCritic)


def test_independent_variables_give_about_zero(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x, y = rng.standard_normal((1000, 2)), rng.standard_normal((1000, 2))
    est = NeuralEstimator(**SMALL).mutual_information(x, y, rng=global_random_seed)
    assert abs(est.value) < 0.05


def test_same_rng_gives_the_same_value_and_curve(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    state = torch.get_rng_state()
    first = NeuralEstimator(**SMALL).mutual_information(x, y, rng=7)
    second = NeuralEstimator(**SMALL).mutual_information(x, y, rng=np.random.default_rng(7))
    third = NeuralEstimator(**SMALL).mutual_information(x, y, rng=8)
    assert first.value == second.value
    assert first.details["learning_curve"] == second.details["learning_curve"]
    assert first.value != third.value
    assert torch.equal(torch.get_rng_state(), state)  # the global torch seed is never touched


def test_training_increases_the_held_out_bound(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    est = NeuralEstimator(bound="nwj", **SMALL).mutual_information(x, y, rng=0)
    curve = est.details["learning_curve"]
    assert curve["step"][0] == 0
    assert curve["train"][0] is None
    assert max(curve["test"]) > curve["test"][0] + 0.3
    assert est.value == max(curve["test"])  # the best checkpoint's held-out value is reported


def test_details_hold_the_trained_critic_for_reuse(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    est = NeuralEstimator(**SMALL).mutual_information(x, y, rng=0)
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


def test_the_bound_is_taken_by_name_or_as_a_record(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    by_name = NeuralEstimator(bound="dv", **SMALL).mutual_information(x, y, rng=3)
    by_record = NeuralEstimator(bound=BOUNDS["dv"], **SMALL).mutual_information(x, y, rng=3)
    assert by_name.value == by_record.value
    assert by_name.method == by_record.method == "dv"
    assert by_name.params == by_record.params
    assert by_name.params["bound"] == "dv"
    assert sorted(BOUNDS) == ["club", "dv", "infonce", "js", "mine", "nwj", "smile", "wdm"]


@pytest.mark.parametrize(
    ("name", "bound"),
    [
        ("CLUBEstimator", "club"),
        ("DVEstimator", "dv"),
        ("InfoNCEEstimator", "infonce"),
        ("JSEstimator", "js"),
        ("MINEEstimator", "mine"),
        ("NWJEstimator", "nwj"),
        ("SMILEEstimator", "smile"),
        ("WDMEstimator", "wdm"),
    ],
)
def test_the_old_class_names_warn_and_build_the_same_estimator(name: str, bound: str) -> None:
    msg = (
        f"{name} is deprecated; use NeuralEstimator(bound={bound!r}) or "
        f"infolens.mutual_information(..., method={bound!r})"
    )
    with pytest.warns(DeprecationWarning, match=re.escape(msg)):
        old = getattr(estimator_module, name)(max_steps=7)
    assert old == NeuralEstimator(bound=bound, max_steps=7)


def test_an_old_class_name_gives_the_same_value(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    params = {**SMALL, "max_steps": 60, "eval_every": 20}
    with pytest.warns(DeprecationWarning, match="MINEEstimator is deprecated"):
        old = estimator_module.MINEEstimator(**params, ema_decay=0.5)
    new = NeuralEstimator(bound="mine", **params, ema_decay=0.5)
    assert old.mutual_information(x, y, rng=2).value == new.mutual_information(x, y, rng=2).value


def test_params_hold_the_bound_and_only_the_options_it_reads() -> None:
    common = {"critic": "auto", "hidden": (64, 64), "embed_dim": 16, "max_steps": 3000}
    smile = NeuralEstimator(bound="smile")._params()
    assert {k: smile[k] for k in common} == common
    assert (smile["bound"], smile["batch_size"], smile["clip"]) == ("smile", 256, 5.0)
    assert "ema_decay" not in smile
    mine = NeuralEstimator(bound="mine", ema_decay=0.5)._params()
    assert (mine["ema_decay"], mine["ema_bias_correction"]) == (0.5, True)
    assert "clip" not in mine
    infonce = NeuralEstimator()._params()
    assert not {"clip", "ema_decay", "ema_bias_correction"} & set(infonce)


def test_wdm_defaults_to_a_batch_of_64() -> None:
    assert NeuralEstimator(bound="wdm")._params()["batch_size"] == 64
    assert NeuralEstimator(bound="wdm", batch_size=32)._params()["batch_size"] == 32
    assert NeuralEstimator(bound="nwj")._params()["batch_size"] == 256


@pytest.mark.parametrize("critic", ["bilinear", "concat"])
def test_other_critics_train(critic: str, gaussian: tuple[Any, Any, float]) -> None:
    x, y, truth = gaussian
    params = {**SMALL, "batch_size": 50, "max_steps": 150}
    est = NeuralEstimator(**params, critic=critic).mutual_information(x, y, rng=0)
    assert 0.5 * truth < est.value < 1.1 * truth


def test_infonce_near_its_ceiling_warns_and_says_so() -> None:
    # 5 pairs with rho = 0.99: truth 9.8 nats, far above log(8) = 2.08; the estimate reaches
    # 2.045-2.057 on seeds 0, 1, 42 (threshold 0.95 * 2.079 = 1.975).
    x, y, _ = correlated_gaussian(800, 5, 0.99, np.random.default_rng(0))
    params = {**SMALL, "hidden": (64,), "embed_dim": 16, "batch_size": 8, "max_steps": 600}
    with pytest.warns(BoundSaturationWarning, match="within 5% of its ceiling"):
        est = NeuralEstimator(**params, learning_rate=3e-3).mutual_information(x, y, rng=0)
    assert est.details["saturated"] is True
    assert est.value <= math.log(8)


def test_divergence_falls_back_to_the_best_checkpoint(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    params = {**SMALL, "learning_rate": 1e6, "eval_every": 1}
    with pytest.warns(
        TrainingDivergedWarning, match=re.escape("Training diverged (non-finite loss)")
    ):
        est = NeuralEstimator(bound="nwj", **params).mutual_information(x * 100, y * 100, rng=0)
    assert est.details["diverged_at_step"] is not None
    assert math.isfinite(est.value)


def test_verbose_shows_a_progress_bar(gaussian: tuple[Any, Any, float]) -> None:
    x, y, _ = gaussian
    params = {**SMALL, "max_steps": 20, "eval_every": 10, "verbose": True}
    assert math.isfinite(NeuralEstimator(**params).mutual_information(x, y, rng=0).value)


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
            "The 'batch_size' parameter of NeuralEstimator must be an int in the range [2, inf). "
            "Got 1 instead.",
        ),
        (
            {"max_steps": 0},
            "The 'max_steps' parameter of NeuralEstimator must be an int in the range [1, inf). "
            "Got 0 instead.",
        ),
        (
            {"learning_rate": -1e-3},
            "The 'learning_rate' parameter of NeuralEstimator must be a float in the range "
            "(0, inf). Got -0.001 instead.",
        ),
        (
            {"learning_rate": 0},
            "The 'learning_rate' parameter of NeuralEstimator must be a float in the range "
            "(0, inf). Got 0 instead.",
        ),
        (
            {"test_fraction": 1.0},
            "The 'test_fraction' parameter of NeuralEstimator must be a float in the range "
            "(0, 1). Got 1.0 instead.",
        ),
        (
            {"hidden": (16, 0)},
            "The 'hidden' parameter of NeuralEstimator must be a tuple of ints in the range "
            "[1, inf). Got (16, 0) instead.",
        ),
        (
            {"critic": "mlp"},
            "Unknown critic 'mlp'. Available: 'auto', 'bilinear', 'concat', 'separable'.",
        ),
        (
            {"critic": "gaussian"},
            "The 'critic' parameter of NeuralEstimator must be one of 'auto', 'bilinear', "
            "'concat', 'separable' for the 'infonce' bound. Got 'gaussian' instead.",
        ),
        (
            {"device": "tpu"},
            "The 'device' parameter of NeuralEstimator must be 'auto', 'cpu', 'cuda' or "
            "'cuda:<index>'. Got 'tpu' instead.",
        ),
    ],
)
def test_bad_parameters_raise_clear_errors(params: dict[str, Any], msg: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(**params)


def test_unknown_bound_is_listed() -> None:
    msg = (
        "Unknown bound 'infonc'. Available: 'club', 'dv', 'infonce', 'js', 'mine', 'nwj', "
        "'smile', 'wdm'."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(bound="infonc")


@pytest.mark.parametrize(
    ("params", "msg"),
    [
        (
            {"bound": "club", "critic": "separable"},
            "The 'critic' parameter of NeuralEstimator must be one of 'auto', 'gaussian' for the "
            "'club' bound. Got 'separable' instead.",
        ),
        (
            {"bound": "wdm", "critic": "separable"},
            "The 'critic' parameter of NeuralEstimator must be one of 'auto', 'concat' for the "
            "'wdm' bound. Got 'separable' instead.",
        ),
        (
            {"bound": "smile", "clip": 0.0},
            "The 'clip' parameter of NeuralEstimator must be a float in the range (0, inf). "
            "Got 0.0 instead.",
        ),
        (
            {"bound": "mine", "ema_decay": 1.0},
            "The 'ema_decay' parameter of NeuralEstimator must be a float in the range [0, 1). "
            "Got 1.0 instead.",
        ),
        (
            {"bound": "mine", "ema_bias_correction": 1},
            "The 'ema_bias_correction' parameter of NeuralEstimator must be a bool. Got 1 instead.",
        ),
        (
            {"bound": "infonce", "clip": 5.0},
            "The 'clip' parameter of NeuralEstimator is not used by the 'infonce' bound "
            "(its options: none). Got 5.0 instead.",
        ),
        (
            {"bound": "smile", "ema_decay": 0.5},
            "The 'ema_decay' parameter of NeuralEstimator is not used by the 'smile' bound "
            "(its options: 'clip'). Got 0.5 instead.",
        ),
    ],
)
def test_bound_specific_parameters_are_checked(params: dict[str, Any], msg: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(**params)


def test_batch_size_larger_than_the_training_split_is_rejected() -> None:
    x = np.arange(300.0)
    msg = (
        "The 'batch_size' parameter of NeuralEstimator must be at most the number of training "
        "samples (150 of 300 with test_fraction=0.5), and the test split needs at least 2 "
        "samples (150). Got 256 instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(verbose=False).mutual_information(x, x)


def test_data_validation_of_the_foundation_applies() -> None:
    est = NeuralEstimator(**SMALL)
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
    NeuralEstimator(n_threads=2, max_steps=5, batch_size=32, verbose=False).mutual_information(
        x, x, rng=0
    )
    assert torch.get_num_threads() == before
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'n_threads' parameter of NeuralEstimator must be an int in the range [1, inf). Got 0 instead."
        ),
    ):
        NeuralEstimator(n_threads=0)


def test_a_registry_preset_of_the_one_class_works(gaussian: tuple[Any, Any, float]) -> None:
    # The form of the registry's neural entries: target NeuralEstimator, preset {"bound": name}.
    x, y, _ = gaussian
    params = {**SMALL, "max_steps": 40, "eval_every": 20}
    record = infolens.Method(
        name="nwj_preset",
        target="infolens.estimators.neural.estimator:NeuralEstimator",
        quantities=("mutual_information",),
        summary="NWJ, as a preset.",
        params={"bound": "nwj"},
        extra="torch",
    )
    infolens.register_method(record)
    try:
        est = infolens.mutual_information(x, y, method="nwj_preset", rng=5, **params)
        with pytest.raises(InvalidParameterError, match="not used by the 'nwj' bound"):
            infolens.mutual_information(x, y, method="nwj_preset", clip=1.0, **params)
    finally:
        unregister_method("nwj_preset")
    direct = NeuralEstimator(bound="nwj", **params).mutual_information(x, y, rng=5)
    assert (est.method, est.value, est.params) == ("nwj", direct.value, direct.params)
