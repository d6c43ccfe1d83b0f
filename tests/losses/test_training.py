"""Each loss decreases on a toy problem in a few optimiser steps."""

from collections.abc import Callable

import pytest
import torch
from torch import nn

from infolens.losses import (
    CLUB,
    AlignmentUniformityLoss,
    AttentionEntropyRegularizer,
    CMIDistillationLoss,
    CSIBLoss,
    GaussianEncoder,
    HSICBottleneckLoss,
    InfoNCELoss,
    MCR2Loss,
    MemoryBank,
    NTXentLoss,
    VIBLoss,
)


def _train(
    params: list[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    steps: int = 30,
    lr: float = 0.05,
) -> tuple[float, float]:
    optimiser = torch.optim.Adam(params, lr=lr)
    first = float(loss_fn().detach())
    for _ in range(steps):
        optimiser.zero_grad()
        loss = loss_fn()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
    return first, float(loss_fn().detach())


def _data(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 6, generator=gen)
    return x, x + 0.1 * torch.randn(64, 6, generator=gen)


@pytest.mark.parametrize(
    "loss",
    [
        InfoNCELoss(temperature=0.2),
        InfoNCELoss(temperature=0.2, symmetric=True),
        NTXentLoss(),
        AlignmentUniformityLoss(),
    ],
    ids=["infonce", "infonce_symmetric", "ntxent", "align_uniform"],
)
def test_contrastive_losses_decrease(loss: nn.Module) -> None:
    torch.manual_seed(0)
    x, y = _data()
    encoder = nn.Linear(6, 4)
    first, last = _train(list(encoder.parameters()), lambda: loss(encoder(x), encoder(y)))
    assert last < first - 0.05


def test_infonce_with_memory_bank_decreases() -> None:
    torch.manual_seed(0)
    x, y = _data()
    encoder = nn.Linear(6, 4)
    bank = MemoryBank(size=32, dim=4)
    bank.enqueue(encoder(torch.randn(32, 6)).detach())
    loss = InfoNCELoss(temperature=0.2)
    first, last = _train(
        list(encoder.parameters()), lambda: loss(encoder(x), encoder(y), bank.negatives())
    )
    assert last < first - 0.05


def test_vib_decreases() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 5)
    targets = (x[:, 0] > 0).long()
    encoder = GaussianEncoder(nn.Linear(5, 4), latent_dim=2)
    head = nn.Linear(2, 2)
    loss = VIBLoss(beta=1e-2)
    gen = torch.Generator().manual_seed(0)

    def step() -> torch.Tensor:
        z, mean, std = encoder(x, generator=gen)
        value: torch.Tensor = loss(head(z), targets, mean, std)
        return value

    first, last = _train([*encoder.parameters(), *head.parameters()], step)
    assert last < first - 0.05


def test_csib_decreases() -> None:
    torch.manual_seed(0)
    x = torch.randn(48, 3)
    y = x[:, :1] ** 2
    net = nn.Sequential(nn.Linear(3, 8), nn.Tanh())
    head = nn.Linear(8, 1)
    loss = CSIBLoss(beta=0.01)
    first, last = _train(
        [*net.parameters(), *head.parameters()], lambda: loss(x, net(x), y, head(net(x)))
    )
    assert last < first - 0.05


def test_hsic_bottleneck_decreases() -> None:
    torch.manual_seed(0)
    x = torch.randn(48, 4)
    y = nn.functional.one_hot((x[:, 0] > 0).long(), 2).float()
    layer = nn.Linear(4, 3)
    loss = HSICBottleneckLoss(lambda_y=5.0, sigma=1.0)
    first, last = _train(list(layer.parameters()), lambda: loss(layer(x), x, y))
    assert last < first - 0.05


def test_club_minimisation_reduces_dependence() -> None:
    torch.manual_seed(0)
    x = torch.randn(128, 2)
    encoder = nn.Linear(2, 2)
    club = CLUB(dim_x=2, dim_y=2, hidden=16)
    # first fit q(y|x) on the current representation, then minimise the bound w.r.t. the encoder
    _train(list(club.parameters()), lambda: club.learning_loss(x, encoder(x).detach()), steps=100)
    first, last = _train(list(encoder.parameters()), lambda: club(x, encoder(x)), steps=30, lr=0.02)
    assert last < first - 0.05


def test_mcr2_decreases() -> None:
    torch.manual_seed(0)
    x = torch.randn(60, 5)
    labels = torch.arange(60) % 3
    x = x + 2 * nn.functional.one_hot(labels, 5).float()
    layer = nn.Linear(5, 6)
    loss = MCR2Loss(eps_squared=0.5)
    first, last = _train(list(layer.parameters()), lambda: loss(layer(x), labels))
    assert last < first - 0.05


def test_attention_regularizer_decreases() -> None:
    torch.manual_seed(0)
    scores = torch.randn(2, 2, 5, 5).mul(3).requires_grad_(True)
    reg = AttentionEntropyRegularizer(n_layers=1, n_heads=2, coeff=1.0, margin_fraction=0.05)
    first, last = _train([scores, *reg.parameters()], lambda: reg([torch.softmax(scores, dim=-1)]))
    assert last < first - 0.05


def test_cmi_distillation_decreases() -> None:
    torch.manual_seed(0)
    x = torch.randn(60, 4)
    labels = torch.arange(60) % 3
    model = nn.Linear(4, 3)
    loss = CMIDistillationLoss(cmi_weight=0.5)
    first, last = _train(list(model.parameters()), lambda: loss(model(x), labels))
    assert last < first - 0.05
