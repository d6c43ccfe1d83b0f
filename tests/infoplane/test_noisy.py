"""Noisy networks and the sample-propagation estimator: closed forms, H(X) bound, bad input."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from infolens.exceptions import InvalidDataTypeError, InvalidInputError, InvalidParameterError
from infolens.infoplane.noisy import (
    GaussianNoise,
    SamplePropagation,
    class_separation,
    mixture_information,
    sample_propagation,
)


def _gaussian_layer(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    w = np.array([[1.0, 0.3], [0.0, 2.0]])
    x = np.random.default_rng(seed).standard_normal((n, 2))
    return x @ w.T, w


def test_linear_gaussian_layer_matches_the_closed_form() -> None:
    # T = W x + N(0, beta^2 I), x ~ N(0, I): I(X;T) = 1/2 log det(I + W W^T / beta^2) = 2.2234.
    # n = 2000 samples of S and one MC draw each: sd of the estimate ~0.03 nats (measured over
    # seeds); tolerance 0.12 = 4 sd.
    s, w = _gaussian_layer(2000, seed=11)
    beta = 0.5
    truth = 0.5 * np.linalg.slogdet(np.eye(2) + w @ w.T / beta**2)[1]
    info = SamplePropagation(beta=beta).estimate(s, np.zeros(2000, dtype=int), rng=5)
    assert info.i_xt == pytest.approx(truth, abs=0.12)
    assert info.i_ty == pytest.approx(0.0, abs=1e-12)  # one class: nothing about Y


def test_estimate_is_finite_and_never_above_h_x() -> None:
    # Distinct inputs far apart relative to beta: I(X;T) -> H(X) = ln n, but never above it,
    # whatever the draws (each MC term is <= ln n by construction).
    s = np.arange(64.0)[:, None] * 10.0
    y = np.arange(64) % 2
    for seed in range(5):
        info = SamplePropagation(beta=0.1).estimate(s, y, rng=seed)
        assert math.isfinite(info.i_xt)
        assert info.i_xt <= math.log(64) + 1e-8  # float rounding of the distances
        assert info.i_xt == pytest.approx(math.log(64), abs=1e-6)
        assert info.i_ty == pytest.approx(math.log(2), abs=1e-6)
    # heavily overlapping samples: truth 3/2 log(1 + 1e-4) = 1.5e-4 nats; MC error ~1e-3
    close = np.random.default_rng(3).standard_normal((300, 3)) * 0.01
    info = SamplePropagation(beta=1.0).estimate(close, np.zeros(300, dtype=int), rng=0)
    assert abs(info.i_xt) < 0.01


def test_decomposition_is_exact_and_rng_reproducible() -> None:
    s, _ = _gaussian_layer(300, seed=2)
    y = (s[:, 0] > 0).astype(int)
    a = mixture_information(s, y, 0.3, rng=4)
    b = mixture_information(s, y, 0.3, rng=4)
    assert a == b
    assert a.i_xt == pytest.approx(a.i_ty + a.i_xt_given_y, abs=1e-12)
    assert mixture_information(s, y, 0.3, rng=5) != a


def _chain(beta: float) -> tuple[nn.Sequential, GaussianNoise]:
    first, second = nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        first.weight.copy_(torch.tensor([[1.0, 0.5], [0.0, 1.5]]))
        second.weight.copy_(torch.tensor([[0.8, 0.0], [0.4, 1.0]]))
    model = nn.Sequential(first, second)
    noise = GaussianNoise(model, ["0", "1"], beta, generator=torch.Generator().manual_seed(0))
    return model, noise


def test_full_sp_matches_a_two_layer_linear_gaussian_chain() -> None:
    # x ~ N(0, I); T1 = W1 x + Z1; T2 = W2 T1 + Z2 (both beta). Closed forms:
    # I(X;T1) = 1/2 logdet(I + W1 W1^T / b^2); I(X;T2) = 1/2 logdet(A A^T + b^2 (W2 W2^T + I))
    # - 1/2 logdet(b^2 (W2 W2^T + I)), A = W2 W1: 1.966 and 1.347 nats. n = 800 inputs, 16
    # samples of T1 | x each. Layer 1 has no upstream noise: exact up to MC (sd ~0.03),
    # tolerance 0.12. Layer 2: the 16-sample conditional mixtures bias the estimate down
    # (measured 1.20-1.33 over 4 seeds): tolerance [truth - 0.25, truth + 0.1].
    beta = 0.5
    model, noise = _chain(beta)
    x = torch.as_tensor(np.random.default_rng(7).standard_normal((800, 2)), dtype=torch.float32)
    info = sample_propagation(model, x, np.zeros(800), noise, n_conditional=16, rng=1)
    w1, w2 = (p.detach().double().numpy() for p in model.parameters())
    t1 = 0.5 * np.linalg.slogdet(np.eye(2) + w1 @ w1.T / beta**2)[1]
    noise_cov = beta**2 * (w2 @ w2.T + np.eye(2))
    a = w2 @ w1
    t2 = 0.5 * (np.linalg.slogdet(a @ a.T + noise_cov)[1] - np.linalg.slogdet(noise_cov)[1])
    assert info["0"].i_xt == pytest.approx(t1, abs=0.12)
    assert t2 - 0.25 <= info["1"].i_xt <= t2 + 0.1
    assert t2 < t1  # data processing in the noisy chain, and the estimates follow
    assert info["1"].i_xt < info["0"].i_xt
    noise.remove()


def test_noise_is_on_in_training_and_evaluation_and_removable() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    x = torch.zeros(5, 3)
    clean = model(x).detach()
    with GaussianNoise(model, ["1"], 0.2) as noise:
        for mode in (True, False):
            model.train(mode)
            assert not torch.allclose(model(x), clean)
            assert torch.equal(noise.clean["1"], clean)
    assert torch.equal(model(x), clean)  # hooks removed


def test_relative_noise_scales_with_the_signal() -> None:
    model = nn.Sequential(nn.Identity())
    x = torch.tensor([[0.0, 1.0, 100.0]]).repeat(2000, 1)
    with GaussianNoise(model, ["0"], 1e-3, relative=True):
        out = model(x)
    sd = (out - x).std(dim=0)
    assert sd[0] == 0
    assert sd[1].item() == pytest.approx(1e-3, rel=0.1)
    assert sd[2].item() == pytest.approx(0.1, rel=0.1)


class _Pair(nn.Module):
    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x, x


def test_bad_input_is_a_clear_error() -> None:
    model = nn.Sequential(nn.Linear(2, 2), _Pair())
    for beta in (0.0, -1.0, float("nan")):
        with pytest.raises(InvalidParameterError, match="'beta' parameter of GaussianNoise"):
            GaussianNoise(model, ["0"], beta)
    with pytest.raises(InvalidParameterError, match="'beta' parameter of SamplePropagation"):
        SamplePropagation(beta=0.0)
    with pytest.raises(InvalidParameterError, match="must name modules"):
        GaussianNoise(model, ["nope"], 0.1)
    with GaussianNoise(model, ["1"], 0.1), pytest.raises(InvalidDataTypeError, match="tuple"):
        model(torch.zeros(1, 2))
    _, noise = _chain(0.1)
    with pytest.raises(InvalidInputError, match="must be a torch.Tensor, got ndarray"):
        sample_propagation(nn.Linear(2, 2), np.zeros((3, 2)), [0, 1, 0], noise)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        SamplePropagation().estimate(np.array([[np.nan], [0.0]]), np.array([0, 1]))


def test_class_separation() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    tight = y[:, None] * 5.0 + 0.1 * rng.standard_normal((400, 2))
    loose = y[:, None] * 0.1 + rng.standard_normal((400, 2))
    assert class_separation(tight, y) > 0.99 > 0.1 > class_separation(loose, y)
