"""High-MI samplers: the uniform-noise cube's closed form, its inverse, and the task grid."""

import numpy as np
import pytest

from infolens.benchmark.samplers.high_mi import UniformNoiseCube, additive_epsilon, additive_mi
from infolens.benchmark.suite_accuracy import HIGH_MI_GRID, HIGH_MI_TASKS, truth


def test_additive_mi_matches_bmi_and_its_inverse() -> None:
    assert additive_mi(0.1) == pytest.approx(1.7094, abs=1e-4)  # bmi's 1v1-additive-0.1
    for mi in (0.5, 2.0, 5.0, 10.0):
        assert additive_mi(additive_epsilon(mi)) == pytest.approx(mi, abs=1e-9)


@pytest.mark.parametrize("mi", [1.0, 5.0])
def test_closed_form_agrees_with_a_monte_carlo_of_the_log_density_ratio(mi: float) -> None:
    # I = E[ln p(y|x) - ln p(y)] with p(y|x) = 1/(2 eps) and p(y) = |[y-eps, y+eps] & [0, 1]|
    # / (2 eps) (the overlap of the noise window with the signal's support): an independent
    # route to the value. N = 200k, the sd of the mean is < 0.003 nats.
    s = UniformNoiseCube(dim=1, mi=mi)
    x, y = s.sample(200_000, rng=0)
    eps = s.epsilon
    overlap = np.minimum(y + eps, 1.0) - np.maximum(y - eps, 0.0)
    log_ratio = -np.log(2 * eps) - np.log(overlap / (2 * eps))  # ln p(y|x) - ln p(y)
    estimate = float(np.mean(log_ratio))
    assert estimate == pytest.approx(mi, abs=0.01)


def test_noise_is_bounded_and_coordinates_share_the_mi() -> None:
    s = UniformNoiseCube(dim=5, mi=10.0)
    x, y = s.sample(1000, rng=1)
    assert np.abs(y - x).max() <= s.epsilon
    assert additive_mi(s.epsilon) == pytest.approx(2.0, abs=1e-9)
    assert x.min() >= 0.0
    assert x.max() < 1.0


def test_high_mi_tasks_span_five_to_ten_nats_in_at_most_ten_dimensions() -> None:
    assert {truth(t) for t in HIGH_MI_TASKS} == set(HIGH_MI_GRID)
    assert max(t.dim_x + t.dim_y for t in HIGH_MI_TASKS) <= 10
    families = {t.task_id.split("-")[1] for t in HIGH_MI_TASKS}
    assert families == {"pairs", "uniform", "student"}
    for t in HIGH_MI_TASKS:
        x, y = t.sample(20, rng=0)
        assert x.shape == (20, t.dim_x)
        assert y.shape == (20, t.dim_y)


def test_too_little_mi_per_coordinate_is_refused() -> None:
    with pytest.raises(ValueError, match=r"must be >= 0.5 \* dim"):
        UniformNoiseCube(dim=4, mi=1.0)
