"""I(X;Z|Y) with sigma chosen by held-out likelihood under monotonicity: closed form, choice."""

import math

import numpy as np
import pytest

from infolens.exceptions import InvalidParameterError
from infolens.infoplane.conditional import (
    ConditionalInformation,
    held_out_log_likelihood,
    select_sigmas,
)


def test_gaussian_toy_matches_the_closed_form() -> None:
    # Within each class X ~ N(mu_y, s^2 I_2), Z = X + N(0, sigma^2 I):
    # I(X;Z|Y) = 2 * 1/2 log(1 + s^2 / sigma^2) = log(5) for s = 1, sigma = 0.5 (1.609 nats).
    # 3 x 800 samples; MC and mixture sd ~0.04 (measured); tolerance 0.15.
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 800)
    t = rng.standard_normal((2400, 2)) + 6.0 * y[:, None]
    info = ConditionalInformation(sigma=0.5).estimate(t, y, rng=9)
    assert info.i_xt_given_y == pytest.approx(math.log(5.0), abs=0.15)
    # classes 6 sd apart: I(T;Y) ~ H(Y) = ln 3
    assert info.i_ty == pytest.approx(math.log(3.0), abs=0.05)


def test_held_out_likelihood_prefers_the_right_scale() -> None:
    rng = np.random.default_rng(0)
    t = rng.standard_normal((1000, 1))
    grid = (0.01, 0.1, 0.3, 1.0, 3.0, 10.0)
    scores = [held_out_log_likelihood(t, s) for s in grid]
    assert int(np.argmax(scores)) in (2, 3)  # KDE bandwidth ~ 1.06 n^-1/5 = 0.27 for N(0,1)
    chosen = select_sigmas({"a": t}, np.zeros(1000, int), grid, monotone=False)["a"]
    assert chosen["sigma"] == grid[int(np.argmax(scores))]
    assert chosen["constrained"] == 0.0


def test_selection_is_monotone_in_depth() -> None:
    # Layer "b" is a wide, sharply clustered layer whose best-likelihood sigma would give it MORE
    # information than layer "a": the constraint must pick a larger sigma for it.
    rng = np.random.default_rng(2)
    n = 600
    base = rng.standard_normal((n, 1))
    a = base + 0.0 * rng.standard_normal((n, 1))
    b = np.hstack([base * 10.0, rng.standard_normal((n, 3)) * 10.0])
    y = np.zeros(n, int)
    grid = tuple(np.geomspace(0.01, 21.0, 12))
    free = select_sigmas({"a": a, "b": b}, y, grid, monotone=False)
    assert free["b"]["i_xz"] > free["a"]["i_xz"]  # the unconstrained choice breaks monotonicity
    kept = select_sigmas({"a": a, "b": b}, y, grid)
    assert kept["b"]["i_xz"] <= kept["a"]["i_xz"]
    assert kept["b"]["constrained"] == 1.0
    assert kept["b"]["sigma"] > free["b"]["sigma"]
    # fit() applies the same rule to the last saved epoch, in layer order
    fitted = ConditionalInformation().fit([{"a": a * 0, "b": b * 0 + 1}, {"a": a, "b": b}])
    assert {k: v.sigma for k, v in fitted.items()} == {  # type: ignore[attr-defined]
        k: v["sigma"] for k, v in kept.items()
    }


def test_bad_sigma_is_a_clear_error() -> None:
    for bad in (0.0, -0.5, float("inf")):
        with pytest.raises(InvalidParameterError, match="'sigma' parameter"):
            ConditionalInformation(sigma=bad)
    with pytest.raises(InvalidParameterError, match="'grid' parameter"):
        ConditionalInformation(grid=(0.1, 0.0))
    with pytest.raises(InvalidParameterError, match="'grid' parameter"):
        ConditionalInformation(grid=())
