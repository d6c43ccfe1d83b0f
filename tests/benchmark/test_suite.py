"""The suite: bmi's 40 ids and ground truths, our tasks, selection, and every sampler's contract."""

import math
import re

import numpy as np
import pytest

from infolens.benchmark import BMI_TASKS, INFOLENS_TASKS, get_task, list_tasks, select_tasks
from infolens.benchmark.samplers import ConditionalSampler
from infolens.exceptions import UnsupportedQuantityError

# From /work/shared/specs/estimators.md §1.1 (printed by benchmark-mi 0.1.3), bmi's order.
BMI_TRUTH = {
    "1v1-normal-0.75": 0.4133,
    "normal_cdf-1v1-normal-0.75": 0.4133,
    "1v1-additive-0.1": 1.7094,
    "1v1-additive-0.75": 0.3333,
    "1v1-bimodal-0.75": 0.4133,
    "wiggly-1v1-normal-0.75": 0.4133,
    "half_cube-1v1-normal-0.75": 0.4133,
    "student-identity-1-1-1": 0.2242,
    "asinh-student-identity-1-1-1": 0.2242,
    "swissroll_x-normal_cdf-1v1-normal-0.75": 0.4133,
    "multinormal-dense-2-2-0.5": 0.2939,
    "multinormal-dense-3-3-0.5": 0.4133,
    "multinormal-dense-5-5-0.5": 0.5928,
    "multinormal-dense-25-25-0.5": 1.2922,
    "multinormal-dense-50-50-0.5": 1.6243,
    "multinormal-sparse-2-2-2-2.0": 1.0217,
    "multinormal-sparse-3-3-2-2.0": 1.0217,
    "multinormal-sparse-5-5-2-2.0": 1.0217,
    "multinormal-sparse-25-25-2-2.0": 1.0217,
    "student-identity-2-2-1": 0.4319,
    "student-identity-2-2-2": 0.1931,
    "student-identity-3-3-2": 0.2909,
    "student-identity-3-3-3": 0.1787,
    "student-identity-5-5-2": 0.4482,
    "student-identity-5-5-3": 0.2985,
    "normal_cdf-multinormal-sparse-3-3-2-2.0": 1.0217,
    "normal_cdf-multinormal-sparse-5-5-2-2.0": 1.0217,
    "normal_cdf-multinormal-sparse-25-25-2-2.0": 1.0217,
    "half_cube-multinormal-sparse-3-3-2-2.0": 1.0217,
    "half_cube-multinormal-sparse-5-5-2-2.0": 1.0217,
    "half_cube-multinormal-sparse-25-25-2-2.0": 1.0217,
    "spiral-multinormal-sparse-3-3-2-2.0": 1.0217,
    "spiral-multinormal-sparse-5-5-2-2.0": 1.0217,
    "spiral-multinormal-sparse-25-25-2-2.0": 1.0217,
    "spiral-normal_cdf-multinormal-sparse-3-3-2-2.0": 1.0217,
    "spiral-normal_cdf-multinormal-sparse-5-5-2-2.0": 1.0217,
    "spiral-normal_cdf-multinormal-sparse-25-25-2-2.0": 1.0217,
    "asinh-student-identity-2-2-1": 0.4319,
    "asinh-student-identity-3-3-2": 0.2909,
    "asinh-student-identity-5-5-2": 0.4482,
}
BMI_DIMS = {"swissroll_x-normal_cdf-1v1-normal-0.75": (2, 1)}


def test_bmi_suite_has_the_40_ids_in_order() -> None:
    assert list_tasks("bmi") == list(BMI_TRUTH)
    assert [t.task_id for t in BMI_TASKS] == list(BMI_TRUTH)


@pytest.mark.parametrize("task_id", list(BMI_TRUTH))
def test_bmi_ground_truth_matches_to_4_decimals(task_id: str) -> None:
    task = get_task(task_id)
    assert round(task.truth, 4) == BMI_TRUTH[task_id]
    numbers = [int(t) for t in re.findall(r"-(\d+)-\1-", task_id)]
    expected = BMI_DIMS.get(task_id, (numbers[0], numbers[0]) if numbers else (1, 1))
    assert (task.dim_x, task.dim_y) == expected


def test_infolens_suite_has_at_least_20_tasks_of_each_kind() -> None:
    ids = list_tasks("infolens")
    assert len(ids) >= 20
    assert len(set(list_tasks())) == len(list_tasks()) == 40 + len(ids)
    for mi in ("2.0", "5.0", "10.0", "20.0"):
        assert {f"highmi-normal-{d}-{d}-{mi}" for d in (1, 3, 10)} <= set(ids)
    assert any(t.startswith("highmi-student") for t in ids)
    assert sum(get_task(t).quantity == "conditional_mutual_information" for t in ids) >= 4
    assert sum(t.startswith("discrete-") for t in ids) >= 3
    assert sum(t.startswith("ties-") for t in ids) >= 3
    assert all(t.suite == "infolens" for t in INFOLENS_TASKS)


def test_get_task_unknown_lists_the_valid_ids() -> None:
    with pytest.raises(
        ValueError, match=re.escape("Unknown task 'nope'. Available: '1v1-normal-0.75', ")
    ):
        get_task("nope")


def test_select_tasks_globs_lists_and_suites() -> None:
    assert select_tasks("multinormal-dense-2-2-0.5, 1v1-normal-0.75") == [
        "1v1-normal-0.75",
        "multinormal-dense-2-2-0.5",
    ]
    assert select_tasks(["infolens"]) == list_tasks("infolens")
    assert select_tasks("student-identity-*-*-1") == [
        "student-identity-1-1-1",
        "student-identity-2-2-1",
    ]
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Unknown task 'zzz*' (no task id matches it). Suites: 'bmi', 'infolens'. Available: '1v1-normal-0.75'"
        ),
    ):
        select_tasks("zzz*")
    with pytest.raises(
        ValueError, match=re.escape("No tasks selected: give task ids, globs or a suite name.")
    ):
        select_tasks(" , ")
    with pytest.raises(
        ValueError, match=re.escape("Unknown suite 'x'. Available: 'bmi', 'infolens'.")
    ):
        list_tasks("x")


@pytest.mark.parametrize("task_id", list_tasks())
def test_every_task_samples_shape_dtype_and_reproducibly(task_id: str) -> None:
    task = get_task(task_id)
    first = task.sample(40, rng=7)
    dims = [task.dim_x, task.dim_y] + ([task.dim_z] if task.dim_z else [])
    assert [a.shape for a in first] == [(40, d) for d in dims]
    assert all(a.dtype == np.float64 and np.isfinite(a).all() for a in first)
    again = task.sample(40, rng=np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    other = task.sample(40, rng=8)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert np.isfinite(task.truth)
    assert task.truth >= 0


def test_task_truth_is_the_exact_value_of_its_quantity() -> None:
    mi_task = get_task("1v1-normal-0.75")
    assert mi_task.quantity == "mutual_information"
    assert mi_task.truth == mi_task.ground_truth() == -0.5 * math.log(1 - 0.75**2)
    cmi_task = get_task("cmi-normal-direct-1-1-1")
    assert cmi_task.quantity == "conditional_mutual_information"
    assert isinstance(cmi_task.sampler, ConditionalSampler)
    assert cmi_task.truth == cmi_task.sampler.conditional_mutual_information()


def test_old_mutual_information_attribute_warns_on_mi_tasks_and_refuses_cmi_tasks() -> None:
    task = get_task("1v1-normal-0.75")
    with pytest.warns(DeprecationWarning, match=re.escape("use Task.truth")):
        assert task.mutual_information == task.truth
    msg = (
        "Task 'cmi-normal-direct-1-1-1' is a conditional mutual information task: its ground "
        "truth is I(X; Y | Z), and its I(X; Y) is not known. Use task.truth (the exact value of "
        "task.quantity) instead of task.mutual_information."
    )
    with pytest.raises(UnsupportedQuantityError, match=re.escape(msg)):
        _ = get_task("cmi-normal-direct-1-1-1").mutual_information
