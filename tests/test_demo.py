"""The estimation demo: every task's automatic estimate is close to its exact value."""

import math

from infolens.demo import TASKS, run_demo


def test_auto_estimates_are_close_to_the_truth_on_every_demo_task() -> None:
    # N = 3000: the largest |error| of the auto method over the tasks is the 3x3 Gaussian (KSG's
    # known small-sample bias, ~0.03 nats); 0.08 nats leaves room for sampling noise.
    records = run_demo(n_samples=3000, seed=0)
    auto = [r for r in records if r["method"] == "auto"]
    assert len(auto) == len(TASKS)
    for r in auto:
        assert abs(r["error"]) < 0.08, r


def test_demo_reports_in_bits() -> None:
    records = run_demo(n_samples=200, seed=0, units="bits")
    dyadic = next(r for r in records if r["task"].startswith("entropy of p"))
    assert math.isclose(dyadic["truth"], 1.75, abs_tol=1e-12)
    assert all(r["units"] == "bits" for r in records)
