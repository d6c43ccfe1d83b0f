"""The bounds as pure functions: the spec's test vectors (measures.md §6 + Corrections) and gradients.

Every vector is checked to 1e-8 in float64 on the fixed 4x4 score matrix of §6; each test names
the function it checks.
"""

import math
import re

import pytest
import torch

from infolens.estimators.neural import bounds

# measures.md §6: S = [[2,0,0,-1],[0,2,1,0],[0,-1,2,0],[1,0,0,2]]; mean_{i!=j} e^{S_ij} = 1.18102...
SCORES = [[2.0, 0.0, 0.0, -1.0], [0.0, 2.0, 1.0, 0.0], [0.0, -1.0, 2.0, 0.0], [1.0, 0.0, 0.0, 2.0]]
TOL = 1e-8


@pytest.fixture
def scores() -> torch.Tensor:
    return torch.tensor(SCORES, dtype=torch.float64)


def test_infonce_matches_corrected_vector(scores: torch.Tensor) -> None:
    # Corrections 1: 1.0003993217959921 (float64 log n).
    assert float(bounds.infonce(scores)) == pytest.approx(1.0003993217959921, abs=TOL)


def test_infonce_of_a_confident_critic_stays_below_log_n() -> None:
    value = float(bounds.infonce(50.0 * torch.eye(4, dtype=torch.float64)))
    assert value == pytest.approx(1.3862943611198906, abs=TOL)
    assert value <= math.log(4)


def test_nwj_matches_vector(scores: torch.Tensor) -> None:
    assert float(bounds.nwj(scores)) == pytest.approx(1.5655244920129363, abs=TOL)


def test_tuba_matches_vector(scores: torch.Tensor) -> None:
    assert float(bounds.tuba(scores)) == pytest.approx(1.8189731217282519, abs=TOL)


def test_dv_matches_vector(scores: torch.Tensor) -> None:
    assert float(bounds.dv(scores)) == pytest.approx(1.8336157041345693, abs=TOL)


@pytest.mark.parametrize("denominator", [1.0, 0.5, 3.0])
def test_mine_value_is_dv(scores: torch.Tensor, denominator: float) -> None:
    assert float(bounds.mine(scores, denominator)) == pytest.approx(1.8336157041345693, abs=TOL)


def test_mine_gradient_uses_the_moving_average_denominator(scores: torch.Tensor) -> None:
    # grad = grad mean_i S_ii - grad B / denominator, B = mean_{i!=j} exp(S_ij).
    s = scores.clone().requires_grad_(True)
    bounds.mine(s, 2.0).backward()  # type: ignore[no-untyped-call]
    n = 4
    off = ~torch.eye(n, dtype=torch.bool)
    expected = torch.eye(n, dtype=torch.float64) / n
    expected[off] = -torch.exp(scores[off]) / (n * (n - 1)) / 2.0
    assert s.grad is not None
    torch.testing.assert_close(s.grad, expected, atol=1e-12, rtol=0)


def test_mine_with_the_batch_denominator_has_the_dv_gradient(scores: torch.Tensor) -> None:
    batch = float(torch.exp(scores[~torch.eye(4, dtype=torch.bool)]).mean())
    a, b = scores.clone().requires_grad_(True), scores.clone().requires_grad_(True)
    bounds.mine(a, batch).backward()  # type: ignore[no-untyped-call]
    bounds.dv(b).backward()  # type: ignore[no-untyped-call]
    assert a.grad is not None
    assert b.grad is not None
    torch.testing.assert_close(a.grad, b.grad, atol=1e-12, rtol=0)


@pytest.mark.parametrize(
    ("clip", "expected"),
    [(0.5, 1.958338049475537), (1.0, 1.8336157041345693), (math.inf, 1.8336157041345693)],
)
def test_smile_matches_vectors(scores: torch.Tensor, clip: float, expected: float) -> None:
    # tau = 1 and tau = inf equal DV here (no off-diagonal |S_ij| exceeds 1).
    assert float(bounds.smile(scores, clip)) == pytest.approx(expected, abs=TOL)


def test_js_fgan_matches_corrected_vector(scores: torch.Tensor) -> None:
    # Corrections 2: the raw f-GAN objective J.
    assert float(bounds.js_fgan(scores)) == pytest.approx(-0.8601133605890102, abs=TOL)


def test_jensen_shannon_matches_corrected_vector(scores: torch.Tensor) -> None:
    # Corrections 2: the JSD estimate (J + ln 4) / 2.
    assert float(bounds.jensen_shannon(scores)) == pytest.approx(0.2630905002654402, abs=TOL)


def test_js_reports_the_nwj_value(scores: torch.Tensor) -> None:
    # Corrections 2: a JS-trained estimator that reports the NWJ value gives 1.5655244920129363.
    assert float(bounds.js(scores)) == pytest.approx(1.5655244920129363, abs=TOL)


@pytest.mark.parametrize("function", [bounds.js, bounds.smile])
def test_js_and_smile_take_the_gradient_of_js_fgan(scores: torch.Tensor, function: object) -> None:
    a, b = scores.clone().requires_grad_(True), scores.clone().requires_grad_(True)
    function(a).backward()  # type: ignore[operator]
    bounds.js_fgan(b).backward()  # type: ignore[no-untyped-call]
    assert a.grad is not None
    assert b.grad is not None
    torch.testing.assert_close(a.grad, b.grad, atol=1e-12, rtol=0)


def test_club_matches_vector_through_gaussian_log_likelihood_matrix() -> None:
    # measures.md §6 CLUB vector (CLUB.forward with the network bypassed): 0.5542486985821568.
    mean = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    log_variance = torch.tensor([[0.0, 0.0], [0.0, 0.5], [-0.5, 0.0]], dtype=torch.float64)
    y = torch.tensor([[0.0, 0.5], [1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    matrix = bounds.gaussian_log_likelihood_matrix(mean, log_variance, y)
    assert float(bounds.club(matrix)) == pytest.approx(0.5542486985821568, abs=TOL)
    # CLUB's `loglikeli` (-0.41666...) is twice the mean log-likelihood without the 1/2 log 2 pi.
    loglikeli = 2 * (float(matrix.diagonal().mean()) + math.log(2 * math.pi))
    assert loglikeli == pytest.approx(-0.4166666666666667, abs=TOL)


def test_wdm_is_the_mean_positive_minus_the_mean_negative(scores: torch.Tensor) -> None:
    # Hand value: mean diagonal 2, mean off-diagonal (0 + 0 - 1 + 0 + 1 + 0 + 0 - 1 + 0 + 1 + 0
    # + 0) / 12 = 0.
    assert float(bounds.wdm(scores)) == pytest.approx(2.0, abs=TOL)


@pytest.mark.parametrize(
    "function",
    [bounds.infonce, bounds.nwj, bounds.tuba, bounds.dv, bounds.js_fgan, bounds.club, bounds.wdm],
)
def test_bounds_reject_a_non_square_score_matrix(function: object) -> None:
    msg = (
        "The critic scores must be a square matrix of shape (n, n) with n >= 2 "
        "(scores[i, j] = f(x_i, y_j)). Got shape (3, 4) instead."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        function(torch.zeros(3, 4))  # type: ignore[operator]


def test_bounds_on_an_uninformative_critic_are_zero() -> None:
    constant = torch.zeros(5, 5, dtype=torch.float64)
    assert float(bounds.dv(constant)) == pytest.approx(0.0, abs=1e-12)
    assert float(bounds.infonce(constant)) == pytest.approx(0.0, abs=1e-12)
    assert float(bounds.nwj(constant + 1.0)) == pytest.approx(0.0, abs=1e-12)
    assert float(bounds.club(constant)) == pytest.approx(0.0, abs=1e-12)
