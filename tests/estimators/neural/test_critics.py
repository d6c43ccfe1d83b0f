"""Critics: shapes, reproducible initialisation without global seeding, Lipschitz layers."""

import pytest
import torch

from infolens.estimators.neural.critics import (
    BilinearCritic,
    ConcatCritic,
    GaussianConditional,
    LipschitzLinear,
    SeparableCritic,
    mlp,
)


def _critics(seed: int) -> list[torch.nn.Module]:
    def gen() -> torch.Generator:
        return torch.Generator().manual_seed(seed)

    return [
        SeparableCritic(2, 3, (8, 8), 4, generator=gen()),
        BilinearCritic(2, 3, (8,), 4, generator=gen()),
        ConcatCritic(2, 3, (8,), generator=gen()),
        ConcatCritic(2, 3, (8,), lipschitz=True, generator=gen()),
        GaussianConditional(2, 3, (8,), generator=gen()),
    ]


def test_every_critic_returns_an_n_by_m_score_matrix() -> None:
    x, y = torch.randn(5, 2, generator=torch.Generator().manual_seed(1)), torch.ones(7, 3)
    for critic in _critics(0):
        assert critic(x, y).shape == (5, 7)


def test_initialisation_follows_the_generator_and_leaves_global_state_alone() -> None:
    state = torch.get_rng_state()
    first = [torch.cat([p.flatten() for p in c.parameters()]) for c in _critics(3)]
    second = [torch.cat([p.flatten() for p in c.parameters()]) for c in _critics(3)]
    other = [torch.cat([p.flatten() for p in c.parameters()]) for c in _critics(4)]
    assert torch.equal(torch.get_rng_state(), state)
    for a, b, c in zip(first, second, other, strict=True):
        assert torch.equal(a, b)
        assert not torch.equal(a, c)


def test_separable_critic_is_an_inner_product_of_embeddings() -> None:
    critic = SeparableCritic(2, 2, (4,), 3, generator=torch.Generator().manual_seed(0))
    x, y = torch.randn(4, 2), torch.randn(6, 2)
    torch.testing.assert_close(critic(x, y), critic.g(x) @ critic.h(y).T)


def test_lipschitz_mlp_is_1_lipschitz() -> None:
    generator = torch.Generator().manual_seed(0)
    net = mlp(4, (16, 16), 1, generator=generator, lipschitz=True)
    assert all(isinstance(m, LipschitzLinear) for m in net if not isinstance(m, torch.nn.ReLU))
    with torch.no_grad():
        first = net[0]
        assert isinstance(first, LipschitzLinear)
        first.layer.weight.mul_(10.0)  # a rescaled weight is normalised back: still 1-Lipschitz
        a, b = torch.randn(200, 4, generator=generator), torch.randn(200, 4, generator=generator)
        ratio = (net(a) - net(b)).norm(dim=1) / (a - b).norm(dim=1)
    assert float(ratio.max()) <= 1.0 + 1e-5


def test_gaussian_conditional_scores_are_normalised_log_densities() -> None:
    critic = GaussianConditional(1, 1, (4,), generator=torch.Generator().manual_seed(0))
    x = torch.zeros(1, 1)
    grid = torch.linspace(-30, 30, 20001)[:, None]
    with torch.no_grad():
        density = critic(x, grid).exp().squeeze(0)
    assert float(torch.trapezoid(density, grid.squeeze(1))) == pytest.approx(1.0, abs=1e-4)
    torch.testing.assert_close(critic.log_likelihood(x, grid[:1]), critic(x, grid[:1])[0, 0])
