"""torch.autograd.gradcheck in float64 for every loss (and the functional terms they use)."""

from collections.abc import Callable

import pytest
import torch

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
    NTXentLoss,
    VIBLoss,
    club_upper_bound,
)

GEN = torch.Generator().manual_seed(0)


def _rand(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=GEN, dtype=torch.float64).requires_grad_(True)


def _vib(x: torch.Tensor) -> torch.Tensor:
    encoder = GaussianEncoder(torch.nn.Identity(), latent_dim=2).double()
    z, mean, std = encoder(x, generator=torch.Generator().manual_seed(1), sample=True)
    logits = z @ torch.tensor([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]], dtype=torch.float64)
    value: torch.Tensor = VIBLoss(beta=0.1)(logits, torch.tensor([0, 2, 1, 0]), mean, std)
    return value


def _attention(scores: torch.Tensor) -> torch.Tensor:
    regularizer = AttentionEntropyRegularizer(
        n_layers=1, n_heads=2, coeff=1.0, margin_fraction=0.0
    ).double()
    value: torch.Tensor = regularizer([torch.softmax(scores, dim=-1)])
    return value


def _club(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    torch.manual_seed(0)
    value: torch.Tensor = CLUB(dim_x=3, dim_y=2, hidden=4).double()(x, y)
    return value


CASES: dict[str, tuple[Callable[..., torch.Tensor], tuple[torch.Tensor, ...]]] = {
    "infonce": (InfoNCELoss(temperature=0.5), (_rand(5, 3), _rand(5, 3))),
    "infonce_symmetric_bank": (
        lambda x, y, b: InfoNCELoss(temperature=0.5, symmetric=True)(x, y, b),
        (_rand(4, 3), _rand(4, 3), _rand(6, 3).detach()),
    ),
    "ntxent": (NTXentLoss(temperature=0.7), (_rand(4, 3), _rand(4, 3))),
    "align_uniform": (AlignmentUniformityLoss(), (_rand(5, 3), _rand(5, 3))),
    "vib": (_vib, (_rand(4, 4),)),
    "csib": (
        lambda x, z, y, yh: CSIBLoss(beta=0.5)(x, z, y, yh),
        (_rand(6, 2), _rand(6, 3), _rand(6, 1), _rand(6, 1)),
    ),
    "csib_code_denominator": (
        lambda x, z, y, yh: CSIBLoss(beta=0.5, denominator="code")(x, z, y, yh),
        (_rand(6, 2), _rand(6, 3), _rand(6, 1), _rand(6, 1)),
    ),
    "hsic_bottleneck": (
        lambda z, x: HSICBottleneckLoss(sigma=1.0, eps=1e-2)(
            z, x, torch.eye(3, dtype=torch.float64)[[0, 1, 2, 0, 1, 2]]
        ),
        (_rand(6, 2), _rand(6, 3)),
    ),
    "club": (_club, (_rand(5, 3), _rand(5, 2))),
    "club_upper_bound": (club_upper_bound, (_rand(4, 2), _rand(4, 2), _rand(4, 2))),
    "mcr2": (lambda z: MCR2Loss(eps_squared=0.5)(z, torch.tensor([0, 0, 1, 1, 2])), (_rand(5, 3),)),
    "attention_entropy": (_attention, (_rand(2, 2, 3, 3),)),
    "cmi_distillation": (
        lambda logits: CMIDistillationLoss(cmi_weight=0.5)(
            logits, torch.tensor([0, 0, 1, 1, 2, 2])
        ),
        (_rand(6, 3),),
    ),
    "cmi_distillation_fixed_centroids": (
        lambda logits: CMIDistillationLoss(cmi_weight=0.5)(
            logits,
            torch.tensor([0, 1, 1, 0]),
            torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]], dtype=torch.float64),
        ),
        (_rand(4, 3),),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name: str) -> None:
    function, inputs = CASES[name]
    assert torch.autograd.gradcheck(function, inputs, eps=1e-6, atol=1e-5)
