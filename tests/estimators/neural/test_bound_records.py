"""Bound records: a new bound is one record, validated, trained and reported by NeuralEstimator."""

import math
import re
from typing import Any

import numpy as np
import pytest

from infolens.estimators.neural import bounds
from infolens.estimators.neural.estimator import BOUNDS, Bound, NeuralEstimator
from infolens.exceptions import InvalidParameterError
from tests.helpers import correlated_gaussian

SMALL: dict[str, Any] = {
    "hidden": (16,),
    "embed_dim": 8,
    "batch_size": 50,
    "max_steps": 60,
    "eval_every": 20,
    "verbose": False,
}

#: A new bound in a few lines: TUBA, the NWJ bound without the shift of the scores by 1.
TUBA = Bound(
    name="tuba",
    summary="TUBA lower bound (NWJ without the shift).",
    kind="lower",
    objective=lambda scores, state: bounds.tuba(scores),
    value=lambda scores, state: bounds.tuba(scores),
)


@pytest.fixture
def data() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], float]:
    return correlated_gaussian(600, 1, 0.8, np.random.default_rng(0))


def test_a_new_bound_is_trained_and_reported_under_its_name(
    data: tuple[Any, Any, float],
) -> None:
    x, y, truth = data  # rho = 0.8: truth 0.511 nats
    estimator = NeuralEstimator(bound=TUBA, **{**SMALL, "max_steps": 150})
    est = estimator.mutual_information(x, y, rng=0)
    assert est.method == est.details["bound"] == est.params["bound"] == "tuba"
    assert est.details["bound_kind"] == "lower"
    assert "ceiling" not in est.details  # TUBA is not capped
    curve = est.details["learning_curve"]["test"]
    assert max(curve) > curve[0] + 0.2  # it trained: the held-out bound rose
    # A lower bound: 0.37 nats at seed 0 after 150 small steps; 0.1 above the truth allows for
    # the held-out noise and the choice of the best checkpoint.
    assert 0.2 < est.value < truth + 0.1


def test_a_record_equal_to_a_shipped_one_gives_the_same_value(
    data: tuple[Any, Any, float],
) -> None:
    x, y, _ = data
    copy = Bound(
        name="nwj_again",
        summary="NWJ under another name.",
        kind="lower",
        objective=lambda scores, state: bounds.nwj(scores),
        value=lambda scores, state: bounds.nwj(scores),
    )
    ours = NeuralEstimator(bound=copy, **SMALL).mutual_information(x, y, rng=4)
    shipped = NeuralEstimator(bound="nwj", **SMALL).mutual_information(x, y, rng=4)
    assert ours.value == shipped.value
    assert ours.method == "nwj_again"


def test_a_ceiling_is_reported_and_a_critic_choice_is_honoured(
    data: tuple[Any, Any, float],
) -> None:
    x, y, _ = data
    capped = Bound(
        name="capped",
        summary="InfoNCE under another name.",
        kind="lower",
        objective=lambda scores, state: bounds.infonce(scores),
        value=lambda scores, state: bounds.infonce(scores),
        ceiling=math.log,
        diagnostics={"dv_of_the_critic": bounds.dv},
    )
    est = NeuralEstimator(bound=capped, critic="bilinear", **SMALL).mutual_information(x, y, rng=0)
    assert est.details["test_batch_sizes"] == [50] * 6
    assert est.details["ceiling"] == pytest.approx(math.log(50), abs=1e-12)
    assert est.details["saturated"] is False
    assert est.value <= math.log(50)
    assert math.isfinite(est.details["dv_of_the_critic"])
    assert type(est.details["critic"]).__name__ == "BilinearCritic"


def test_per_run_state_is_fresh_for_every_fit(data: tuple[Any, Any, float]) -> None:
    x, y, _ = data
    seen: list[dict[str, int]] = []

    def counting(options: dict[str, Any]) -> dict[str, int]:
        state = {"steps": 0}
        seen.append(state)
        return state

    def objective(scores: Any, state: dict[str, int]) -> Any:
        state["steps"] += 1
        return bounds.dv(scores)

    counted = Bound(
        name="counted",
        summary="DV, counting its training steps.",
        kind="lower",
        objective=objective,
        value=lambda scores, state: bounds.dv(scores),
        state=counting,
    )
    estimator = NeuralEstimator(bound=counted, **{**SMALL, "patience": 100})
    first = estimator.mutual_information(x, y, rng=1)
    second = estimator.mutual_information(x, y, rng=1)
    assert [s["steps"] for s in seen] == [60, 60]
    assert first.value == second.value


def test_a_new_bound_rejects_a_critic_it_does_not_take() -> None:
    msg = (
        "The 'critic' parameter of NeuralEstimator must be one of 'auto', 'bilinear', 'concat', "
        "'separable' for the 'tuba' bound. Got 'gaussian' instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(bound=TUBA, critic="gaussian")
    with pytest.raises(InvalidParameterError, match=re.escape("Unknown critic 'mlp'")):
        NeuralEstimator(bound=TUBA, critic="mlp")


def test_a_new_bound_rejects_options_it_does_not_read() -> None:
    msg = (
        "The 'clip' parameter of NeuralEstimator is not used by the 'tuba' bound "
        "(its options: none). Got 1.0 instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(bound=TUBA, clip=1.0)


def test_a_bound_reading_an_unknown_option_is_rejected() -> None:
    odd = Bound(
        name="odd",
        summary="Reads an option the estimator does not have.",
        kind="other",
        objective=lambda scores, state: bounds.dv(scores),
        value=lambda scores, state: bounds.dv(scores),
        options={"temperature": 1.0},
    )
    msg = "Bound 'odd' reads the option 'temperature', which NeuralEstimator does not have"
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        NeuralEstimator(bound=odd)


@pytest.mark.parametrize(
    ("changes", "msg"),
    [
        (
            {"kind": "tight"},
            "The 'kind' of Bound 'tuba' must be one of 'lower', 'upper', 'other'. "
            "Got 'tight' instead.",
        ),
        (
            {"default_critic": "gaussian"},
            "The 'default_critic' of Bound 'tuba' must be one of its critics ('bilinear', "
            "'concat', 'separable'). Got 'gaussian' instead.",
        ),
        (
            {"batch_size": 1},
            "The 'batch_size' of Bound 'tuba' must be an int in the range [2, inf). Got 1 instead.",
        ),
        (
            {"name": "two words"},
            "The 'name' of a Bound must be an identifier-like str. Got 'two words' instead.",
        ),
    ],
)
def test_a_malformed_record_is_rejected(changes: dict[str, Any], msg: str) -> None:
    fields = {
        "name": "tuba",
        "summary": "TUBA.",
        "kind": "lower",
        "objective": TUBA.objective,
        "value": TUBA.value,
        **changes,
    }
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        Bound(**fields)


def test_an_unknown_bound_name_or_type_lists_the_available_ones() -> None:
    available = "Available: 'club', 'dv', 'infonce', 'js', 'mine', 'nwj', 'smile', 'wdm'."
    with pytest.raises(
        InvalidParameterError, match=re.escape(f"Unknown bound 'tuba'. {available}")
    ):
        NeuralEstimator(bound="tuba")
    with pytest.raises(InvalidParameterError, match=re.escape(f"Unknown bound 3. {available}")):
        NeuralEstimator(bound=3)  # type: ignore[arg-type]


def test_the_shipped_records_are_described() -> None:
    assert all(record.name == name for name, record in BOUNDS.items())
    assert all(record.summary.endswith(".") for record in BOUNDS.values())
    kinds = {name: record.kind for name, record in BOUNDS.items()}
    assert kinds == {
        "club": "upper",
        "dv": "lower",
        "infonce": "lower",
        "js": "lower",
        "mine": "lower",
        "nwj": "lower",
        "smile": "other",
        "wdm": "lower",
    }
    assert {n for n, r in BOUNDS.items() if r.ceiling is not None} == {"infonce", "wdm"}
    assert dict(BOUNDS["club"].critics).keys() == {"gaussian"}
    assert dict(BOUNDS["wdm"].critics).keys() == {"concat"}
