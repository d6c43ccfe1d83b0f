r"""Attention-entropy regulariser (Jha & Reagen 2025, "Entropy-guided attention for private LLMs").

For layer ``l``, head ``h`` and context length ``T`` (the last dimension of the map):

.. code-block:: text

    threshold_{l,h} = w_{l,h} · log T          (w learnable, initialised to init_fraction)
    dev_{b,h,i}     = H(A_{b,h,i,:}) − threshold_{l,h}
    penalty         = dev² if |dev| > margin_fraction · log T else 0   (the full deviation)
    loss            = coeff · mean_l mean_h Σ_{b,i} penalty

Row entropies use the reference's ``log(A + 1e−9)``
(:func:`infolens.metrics.attention_row_entropy`).
Collect the maps with ``infolens.metrics.AttentionMaps(model, detach=False)``.

Examples
--------
>>> import torch
>>> causal = torch.tensor([[1, 0, 0], [.5, .5, 0], [1 / 3, 1 / 3, 1 / 3]], dtype=torch.float64)
>>> maps = torch.stack([causal, torch.eye(3, dtype=torch.float64)])[None]
>>> reg = AttentionEntropyRegularizer(n_layers=1, n_heads=2, coeff=1.0).double()
>>> round(float(reg([maps]).detach()), 10)
0.7543431011
"""

import math
from collections.abc import Sequence

import torch
from torch import nn

from infolens._validation import check_int
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import check_finite, check_real
from infolens.metrics.attention import attention_row_entropy

__all__ = ["AttentionEntropyRegularizer"]


class AttentionEntropyRegularizer(nn.Module):
    """Penalise attention heads whose row entropy strays from a learnable target.

    Parameters
    ----------
    n_layers, n_heads : int
        Shape of the learnable thresholds ``w``.
    coeff : float, default=1e-5
        ``loss_coeff`` of the reference.
    margin_fraction : float, default=0.2
        Tolerance band, as a fraction of ``log T``.
    init_fraction : float, default=0.5
        Initial ``w`` (threshold as a fraction of the maximum entropy ``log T``).
    validate_args : bool, default=True
        Check the maps for NaN/inf.
    """

    def __init__(
        self,
        *,
        n_layers: int,
        n_heads: int,
        coeff: float = 1e-5,
        margin_fraction: float = 0.2,
        init_fraction: float = 0.5,
        validate_args: bool = True,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.n_layers = check_int(n_layers, name="n_layers", owner=owner)
        self.n_heads = check_int(n_heads, name="n_heads", owner=owner)
        self.coeff = check_real(coeff, name="coeff", owner=owner, low=0.0)
        self.margin_fraction = check_real(
            margin_fraction, name="margin_fraction", owner=owner, low=0.0
        )
        init = check_real(init_fraction, name="init_fraction", owner=owner)
        self.threshold_fraction = nn.Parameter(torch.full((self.n_layers, self.n_heads), init))
        self.validate_args = validate_args

    def forward(self, maps: Sequence[torch.Tensor]) -> torch.Tensor:
        """Return the penalty for one map ``(batch, heads, T, T)`` per layer (0-d tensor)."""
        owner = type(self).__name__
        maps = list(maps)
        if len(maps) != self.n_layers:
            raise InvalidInputError(
                f"{owner} was built for n_layers={self.n_layers}; got {len(maps)} map(s)."
            )
        per_layer = []
        for layer, attention in enumerate(maps):
            if attention.ndim != 4 or attention.shape[1] != self.n_heads:
                raise InvalidInputError(
                    f"{owner} needs maps of shape (batch, {self.n_heads}, queries, keys); got "
                    f"{tuple(attention.shape)} for layer {layer}."
                )
            if self.validate_args:
                check_finite(attention, name=f"maps[{layer}]", owner=owner)
            log_t = math.log(attention.shape[-1])
            entropy = attention_row_entropy(attention)  # (B, H, T)
            threshold = self.threshold_fraction[layer].to(entropy.dtype)[None, :, None] * log_t
            deviation = entropy - threshold
            penalty = torch.where(
                deviation.abs() > self.margin_fraction * log_t,
                deviation**2,
                torch.zeros_like(deviation),
            )
            per_layer.append(penalty.sum(dim=(0, 2)).mean())
        return self.coeff * torch.stack(per_layer).mean()
