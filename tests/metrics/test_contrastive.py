import math
import re

import pytest
import torch

from infolens.exceptions import InsufficientSamplesError, InvalidInputError, InvalidParameterError
from infolens.metrics import (
    Alignment,
    InfoNCEAccuracy,
    Uniformity,
    alignment,
    infonce_accuracy,
    uniformity,
)

X = torch.tensor([[1.0, 0], [0, 1], [-1, 0]], dtype=torch.float64)
Y = torch.tensor([[0.6, 0.8], [0, 1], [-0.8, 0.6]], dtype=torch.float64)


def test_spec_vectors() -> None:
    assert float(alignment(X, Y)) == pytest.approx(0.4, rel=1e-12)
    assert float(uniformity(X)) == pytest.approx(-4.396348967229015, rel=1e-12)
    assert float(uniformity(X)) == pytest.approx(
        math.log((2 * math.exp(-4) + math.exp(-8)) / 3), rel=1e-12
    )
    # SepCLR's uniform with τ = 0.5 is t = 1
    assert float(uniformity(X, t=1.0)) == pytest.approx(-2.3399886129885967, rel=1e-12)


def test_normalize_makes_scale_irrelevant() -> None:
    assert float(alignment(3 * X, 0.5 * Y)) == pytest.approx(0.4, rel=1e-12)
    assert float(alignment(3 * X, 0.5 * Y, normalize=False)) != pytest.approx(0.4)
    assert float(alignment(X, Y, alpha=1.0)) == pytest.approx(
        float((X - Y).norm(dim=1).mean()), rel=1e-12
    )


def test_infonce_accuracy_counts_strict_wins() -> None:
    scores = torch.tensor([[2.0, 0, 0, -1], [0, 2, 1, 0], [0, -1, 2, 0], [1, 0, 0, 2]])
    assert float(infonce_accuracy(scores)) == 1.0
    tie = torch.tensor([[1.0, 1.0], [0.0, 2.0]])
    assert float(infonce_accuracy(tie)) == 0.5
    # memory-bank columns
    bank = torch.tensor([[1.0, 0.0, 5.0], [0.0, 1.0, -5.0]])
    assert float(infonce_accuracy(bank)) == 0.5


def test_errors() -> None:
    with pytest.raises(
        InvalidInputError, match=re.escape("must have the same shape; got (3, 2) and (2, 2)")
    ):
        alignment(X, Y[:2])
    with pytest.raises(InsufficientSamplesError, match="at least 2 samples"):
        uniformity(X[:1])
    with pytest.raises(InvalidParameterError, match=re.escape("The 't' parameter of uniformity")):
        uniformity(X, t=0.0)
    with pytest.raises(InvalidInputError, match="contains infinity"):
        alignment(X, torch.full((3, 2), math.inf, dtype=torch.float64))
    with pytest.raises(InvalidInputError, match=re.escape("shape (n, n + n_negatives)")):
        infonce_accuracy(torch.zeros(3, 2))


def test_accumulators_equal_one_pass() -> None:
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(50, 5, generator=gen, dtype=torch.float64)
    y = x + 0.3 * torch.randn(50, 5, generator=gen, dtype=torch.float64)
    align, unif = Alignment(), Uniformity()
    for start in range(0, 50, 12):
        align.update(x[start : start + 12], y[start : start + 12])
        unif.update(x[start : start + 12])
    assert float(align.compute()) == pytest.approx(float(alignment(x, y)), rel=1e-12)
    assert float(unif.compute()) == pytest.approx(float(uniformity(x)), rel=1e-12)
    acc = InfoNCEAccuracy()
    scores = x @ y.T
    acc.update(scores[:20, :20])
    acc.update(scores[20:, 20:])
    expected = (
        infonce_accuracy(scores[:20, :20]) * 20 + infonce_accuracy(scores[20:, 20:]) * 30
    ) / 50
    assert float(acc.compute()) == pytest.approx(float(expected), rel=1e-12)


def test_uniformity_buffer_keeps_last_rows() -> None:
    x = torch.randn(30, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    unif = Uniformity(max_samples=10)
    for start in range(0, 30, 7):
        unif.update(x[start : start + 7])
    assert unif.n_seen == 30
    assert float(unif.compute()) == pytest.approx(float(uniformity(x[-10:])), rel=1e-12)


def test_alignment_accumulator_batch_of_one_and_validation() -> None:
    align = Alignment()
    align.update(X[:1], Y[:1])
    assert float(align.compute()) == pytest.approx(float(alignment(X[:1], Y[:1])), rel=1e-12)
    with pytest.raises(InvalidInputError, match="contains NaN"):
        align.update(torch.tensor([[math.nan, 1.0]]), torch.tensor([[0.0, 1.0]]))
