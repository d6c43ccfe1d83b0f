"""CUDA only: the accumulators' update path makes no host-device copy or sync per batch."""

import pytest
import torch

from infolens.metrics import (
    Alignment,
    AttentionEntropy,
    CodingRate,
    DistillationCMI,
    EmbeddingEntropy,
    InfoNCEAccuracy,
    RateReduction,
    TotalCorrelation,
    Uniformity,
    rate_reduction,
)

pytestmark = pytest.mark.gpu


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_updates_do_not_synchronise() -> None:
    device = torch.device("cuda")
    gen = torch.Generator(device=device).manual_seed(0)
    z = torch.randn(64, 8, device=device, generator=gen)
    labels = torch.randint(0, 3, (64,), device=device, generator=gen)
    maps = torch.softmax(torch.randn(2, 4, 2, 5, 5, device=device, generator=gen), dim=-1)
    cases = [
        (CodingRate(dim=8, eps_squared=0.5, validate_args=False), (z,)),
        (RateReduction(dim=8, n_classes=3, eps_squared=0.5, validate_args=False), (z, labels)),
        (Alignment(validate_args=False), (z, z + 0.1)),
        (Uniformity(validate_args=False), (z,)),
        (InfoNCEAccuracy(validate_args=False), (z @ z.T,)),
        (AttentionEntropy(n_layers=2, n_heads=2, validate_args=False), (maps,)),
        (DistillationCMI(n_classes=3, n_outputs=8, validate_args=False), (z, labels)),
        (EmbeddingEntropy(dim=8, validate_args=False), (z,)),
        (TotalCorrelation(dim=8, validate_args=False), (z,)),
    ]
    for metric, args in cases:
        metric.update(*args)  # first batch: states move to the device once
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for metric, args in cases:
            for _ in range(3):
                metric.update(*args)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    value = cases[1][0].compute()
    assert value.device.type == "cuda"
    expected = rate_reduction(
        z.repeat(4, 1).double().cpu(), labels.repeat(4).cpu(), eps_squared=0.5, n_classes=3
    )
    assert float(value) == pytest.approx(float(expected), rel=1e-4)
