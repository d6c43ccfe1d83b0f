import math
import re

import pytest
import torch
from torch import nn

from infolens.exceptions import InvalidInputError
from infolens.metrics import (
    AttentionEntropy,
    AttentionMaps,
    attention_entropy,
    attention_row_entropy,
)

CAUSAL = torch.tensor([[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], dtype=torch.float64)
MAPS = torch.stack([CAUSAL, torch.eye(3, dtype=torch.float64)])[None]  # (1, 2, 3, 3)


def test_spec_vectors() -> None:
    rows = attention_row_entropy(MAPS)[0, 0]
    expected = [-1.0e-9, 0.6931471785599453, 1.0986122856681098]
    for got, want in zip(rows.tolist(), expected, strict=True):
        assert got == pytest.approx(want, abs=1e-12)
    heads = attention_entropy(MAPS)
    assert float(heads[0]) == pytest.approx(0.5972531544093517, abs=1e-12)
    assert float(heads[1]) == pytest.approx(-1.0e-9, abs=1e-12)
    # the exact value differs by the 1e-9 inside the log only
    assert float(heads[0]) == pytest.approx((math.log(2) + math.log(3)) / 3, abs=1e-8)


def test_layers_stack_and_errors() -> None:
    both = attention_entropy([MAPS, MAPS.flip(1)])
    assert both.shape == (2, 2)
    assert torch.allclose(both[1], both[0].flip(0))
    with pytest.raises(InvalidInputError, match="same number of heads"):
        attention_entropy([MAPS, MAPS[:, :1]])
    with pytest.raises(InvalidInputError, match=re.escape("(batch, heads, queries, keys)")):
        attention_entropy(torch.zeros(3, 3))


def test_accumulator_equals_one_pass() -> None:
    gen = torch.Generator().manual_seed(0)
    maps = torch.softmax(torch.randn(2, 6, 3, 4, 4, generator=gen, dtype=torch.float64), dim=-1)
    metric = AttentionEntropy(n_layers=2, n_heads=3)
    metric.update(maps[:, :2])
    metric.update(maps[:, 2:])
    assert torch.allclose(metric.compute(), attention_entropy(list(maps)), rtol=1e-12)


class HFStyleAttention(nn.Module):
    """A tiny Hugging-Face-style self-attention block: returns (hidden, weights) if asked."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)

    def forward(
        self, hidden: torch.Tensor, output_attentions: bool = False
    ) -> tuple[torch.Tensor, ...]:
        b, t, d = hidden.shape
        q, k, v = self.qkv(hidden).view(b, t, 3, self.heads, d // self.heads).unbind(2)
        q, k, v = (a.transpose(1, 2) for a in (q, k, v))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        out = (weights @ v).transpose(1, 2).reshape(b, t, d)
        return (out, weights) if output_attentions else (out,)


class HFStyleModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList([HFStyleAttention(8, 2), HFStyleAttention(8, 2)])

    def forward(
        self, x: torch.Tensor, output_attentions: bool = False
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        attentions = []
        for layer in self.layers:
            outputs = layer(x, output_attentions=output_attentions)
            x = outputs[0]
            if output_attentions:
                attentions.append(outputs[1])
        return x, tuple(attentions)


def test_hook_collects_hf_style_block_maps() -> None:
    torch.manual_seed(0)
    model = HFStyleModel()
    x = torch.randn(3, 5, 8)
    with AttentionMaps(model, modules=list(model.layers)) as collector:
        _, attentions = model(x, output_attentions=True)
    assert len(collector.maps) == 2
    for got, want in zip(collector.maps, attentions, strict=True):
        assert torch.equal(got, want.detach())
    assert collector.entropy().shape == (2, 2)
    # hooks are removed on exit
    with AttentionMaps(model, modules=list(model.layers)) as again:
        pass
    model(x, output_attentions=True)
    assert again.maps == []


def test_hook_hf_block_without_output_attentions_raises() -> None:
    model = HFStyleModel()
    with (
        AttentionMaps(model, modules=list(model.layers)),
        pytest.raises(InvalidInputError, match="output_attentions=True"),
    ):
        model(torch.randn(1, 2, 8))


def test_hook_forces_per_head_weights_in_transformer_layer() -> None:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(
        d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True
    )
    layer.train()  # the fast path (eval, no grad) bypasses the module's forward
    x = torch.randn(4, 6, 8)
    with AttentionMaps(layer) as collector:
        out = layer(x)
    assert len(collector.maps) == 1
    weights = collector.maps[0]
    assert weights.shape == (4, 2, 6, 6)
    # the recorded maps are the per-head softmax of the module's own projections
    attn = layer.self_attn
    q, k, _ = torch.nn.functional.linear(x, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
    q = q.view(4, 6, 2, 4).transpose(1, 2)
    k = k.view(4, 6, 2, 4).transpose(1, 2)
    expected = torch.softmax(q @ k.transpose(-1, -2) / 2.0, dim=-1)
    assert torch.allclose(weights, expected, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(4, 2, 6))
    assert out.shape == x.shape


def test_hook_requires_attention_modules() -> None:
    with pytest.raises(InvalidInputError, match="found no nn.MultiheadAttention"):
        AttentionMaps(nn.Linear(2, 2))


def test_hook_keeps_graph_when_asked() -> None:
    attn = nn.MultiheadAttention(4, 1, batch_first=True)
    x = torch.randn(2, 3, 4, requires_grad=True)
    with AttentionMaps(attn, detach=False) as collector:
        attn(x, x, x)
    collector.entropy().sum().backward()  # type: ignore[no-untyped-call]
    assert x.grad is not None
    assert torch.isfinite(x.grad).all()


def test_hook_keeps_positional_attention_mask() -> None:
    torch.manual_seed(0)
    attn = nn.MultiheadAttention(4, 2, batch_first=True)
    x = torch.randn(1, 3, 4)
    causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
    with AttentionMaps(attn) as collector:
        attn(x, x, x, None, False, causal)  # need_weights=False and attn_mask positionally
    weights = collector.maps[0]
    assert weights.shape == (1, 2, 3, 3)
    assert torch.all(weights[0, :, 0, 1:] == 0)  # the mask was applied
