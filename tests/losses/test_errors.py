"""Edge cases give clear infolens errors: batch of 1, mismatched views, NaN, bad parameters."""

import math
import re

import pytest
import torch

from infolens.exceptions import (
    InfolensError,
    InsufficientSamplesError,
    InvalidInputError,
    InvalidParameterError,
)
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

TWO = torch.randn(4, 3)


@pytest.mark.parametrize("cls", [InfoNCELoss, NTXentLoss])
@pytest.mark.parametrize("temperature", [0.0, -1.0, math.inf])
def test_temperature_must_be_positive(cls: type, temperature: float) -> None:
    msg = f"The 'temperature' parameter of {cls.__name__} must be a float in the range (0, inf). Got {temperature!r} instead."
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        cls(temperature=temperature)


@pytest.mark.parametrize("loss", [InfoNCELoss(), NTXentLoss(), AlignmentUniformityLoss()])
def test_contrastive_batch_of_one_mismatch_and_nan(loss: torch.nn.Module) -> None:
    name = type(loss).__name__
    with pytest.raises(
        InsufficientSamplesError, match=re.escape(f"{name} needs a batch of at least 2 pairs")
    ):
        loss(TWO[:1], TWO[:1])
    with pytest.raises(
        InvalidInputError,
        match=re.escape(
            f"Inputs x and y of {name} must have the same shape; got (4, 3) and (3, 3)."
        ),
    ):
        loss(TWO, TWO[:3])
    bad = TWO.clone()
    bad[1, 2] = math.nan
    with pytest.raises(InvalidInputError, match=re.escape(f"Input y of {name} contains NaN")):
        loss(TWO, bad)


def test_infonce_batch_of_one_is_fine_with_negatives() -> None:
    value = InfoNCELoss()(TWO[:1], TWO[:1], torch.randn(5, 3))
    assert torch.isfinite(value)
    with pytest.raises(InvalidInputError, match=re.escape("(n_negatives, 3)")):
        InfoNCELoss()(TWO, TWO, torch.randn(5, 2))


def test_validate_args_false_skips_the_nan_check() -> None:
    bad = TWO.clone()
    bad[0, 0] = math.nan
    assert torch.isnan(InfoNCELoss(validate_args=False)(bad, TWO))


def test_mcr2_eps_and_labels() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'eps' parameter of MCR2Loss must be a float in the range (0, inf). Got 0.0 instead."
        ),
    ):
        MCR2Loss(eps=0.0)
    with pytest.raises(InvalidParameterError, match="exactly one of 'eps'"):
        MCR2Loss()
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        MCR2Loss(eps=1.0)(TWO, torch.tensor([0, 1]))
    with pytest.raises(InvalidInputError, match=re.escape("in [0, 2)")):
        MCR2Loss(eps=1.0, n_classes=2)(TWO, torch.tensor([0, 1, 2, 0]))


def test_bottleneck_errors() -> None:
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        CSIBLoss()(TWO, TWO, TWO[:, :1], TWO[:3, :1])
    with pytest.raises(InsufficientSamplesError, match="at least 2 samples"):
        HSICBottleneckLoss()(TWO[:1], TWO[:1], TWO[:1])
    with pytest.raises(InvalidParameterError, match="'sigma' parameter of CSIBLoss"):
        CSIBLoss(sigma=0.0)
    with pytest.raises(InvalidParameterError, match="'beta' parameter of VIBLoss"):
        VIBLoss(beta=-1.0)
    with pytest.raises(InvalidInputError, match="must be positive"):
        VIBLoss()(TWO, torch.tensor([0, 1, 2, 0]), TWO, -TWO.abs())
    with pytest.raises(InvalidInputError, match="2 \\* latent_dim = 4"):
        GaussianEncoder(torch.nn.Identity(), latent_dim=2)(TWO)


def test_club_attention_distillation_errors() -> None:
    with pytest.raises(InsufficientSamplesError, match="at least 2 pairs"):
        CLUB(dim_x=3, dim_y=3)(TWO[:1], TWO[:1])
    with pytest.raises(InvalidInputError, match="same batch size"):
        CLUB(dim_x=3, dim_y=3)(TWO, TWO[:2])
    reg = AttentionEntropyRegularizer(n_layers=2, n_heads=1)
    with pytest.raises(InvalidInputError, match="n_layers=2"):
        reg([torch.ones(1, 1, 2, 2) / 2])
    with pytest.raises(InvalidInputError, match="contains NaN"):
        CMIDistillationLoss()(torch.full((2, 3), math.nan), torch.tensor([0, 1]))
    with pytest.raises(InvalidInputError, match=re.escape("(n_classes, 3)")):
        CMIDistillationLoss()(TWO, torch.tensor([0, 1, 0, 1]), torch.ones(2, 2) / 2)


def test_memory_bank_wraps_around() -> None:
    bank = MemoryBank(size=3, dim=1)
    bank.enqueue(torch.tensor([[1.0], [2.0]]))
    bank.enqueue(torch.tensor([[3.0], [4.0]]))
    assert sorted(bank.negatives()[:, 0].tolist()) == [2.0, 3.0, 4.0]
    with pytest.raises(InvalidInputError, match="dim=1"):
        bank.enqueue(torch.zeros(2, 2))


def test_every_error_is_an_infolens_error() -> None:
    with pytest.raises(InfolensError):
        InfoNCELoss(temperature=0)
    with pytest.raises(ValueError, match="temperature"):
        NTXentLoss(temperature=-2)
