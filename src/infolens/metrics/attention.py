r"""Attention entropy per head and layer, and a hook helper that collects attention maps.

===========================  ===============================================================
function / class             what
===========================  ===============================================================
``attention_row_entropy``    ``h_{b,h,i} = −Σ_j A_{bhij} log(A_{bhij} + 1e−9)`` (nats)
``attention_entropy``        head entropy: mean of ``h`` over batch and query positions
``AttentionEntropy``         streaming per-layer, per-head means (sum states)
``AttentionMaps``            forward hooks on ``nn.MultiheadAttention`` / HF-style blocks
===========================  ===============================================================

The ``1e−9`` inside the log follows the reference code of Jha & Reagen (2025), so masked (zero)
entries contribute exactly 0 and a one-hot row has entropy ``−1e−9``, not 0. The maximum
entropy of a row is ``log T`` with ``T`` the context length (last dimension).

:class:`AttentionMaps` registers hooks and records one map per attention call:

- ``nn.MultiheadAttention``: a forward pre-hook forces ``need_weights=True`` and
  ``average_attn_weights=False`` (per-head maps of shape ``(B, H, T, S)``); the module's output
  is unchanged. Modules such as ``nn.TransformerEncoderLayer`` call it with
  ``need_weights=False``, which the hook overrides. In training mode the recorded weights are
  those after attention dropout (what the module multiplies the values by); the eval-mode fast
  path of ``nn.TransformerEncoderLayer`` bypasses the module and records nothing.
- Any other module given in ``modules`` (e.g. a Hugging Face attention block called with
  ``output_attentions=True``): the first 4-D tensor in its output tuple is recorded.

References
----------
.. [1] N. K. Jha, B. Reagen, "Entropy-guided attention for private LLMs", 2025.

Examples
--------
>>> import torch
>>> a = torch.tensor([[[[1, 0, 0], [.5, .5, 0], [1 / 3, 1 / 3, 1 / 3]]]], dtype=torch.float64)
>>> round(float(attention_entropy(a)[0]), 10)
0.5972531544
"""

from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

import torch
from torch import nn

from infolens._validation import check_int
from infolens.exceptions import InvalidInputError
from infolens.streaming import Accumulator

__all__ = [
    "ATTENTION_LOG_EPS",
    "AttentionEntropy",
    "AttentionMaps",
    "attention_entropy",
    "attention_row_entropy",
]

#: The constant inside the log of the reference code (Jha & Reagen).
ATTENTION_LOG_EPS = 1e-9


def _check_maps(data: Any, owner: str) -> torch.Tensor:
    attention: torch.Tensor = (
        data if isinstance(data, torch.Tensor) else torch.as_tensor(data, dtype=torch.float64)
    )
    if attention.ndim == 3:
        attention = attention[None]
    if attention.ndim != 4:
        raise InvalidInputError(
            f"Input attention of {owner} must have shape (batch, heads, queries, keys) or "
            f"(heads, queries, keys); got shape {tuple(attention.shape)}."
        )
    if not attention.is_floating_point():
        attention = attention.to(torch.get_default_dtype())
    return attention


def attention_row_entropy(attention: torch.Tensor) -> torch.Tensor:
    """Entropy of every attention row, ``−Σ_j A log(A + 1e−9)`` (NaN entries count as 0).

    Parameters
    ----------
    attention : torch.Tensor of shape (batch, heads, queries, keys)
        Attention probabilities (rows sum to 1; masked entries 0).

    Returns
    -------
    torch.Tensor of shape (batch, heads, queries)
        Row entropies in nats, differentiable.
    """
    attention = _check_maps(attention, "attention_row_entropy")
    return -torch.nansum(attention * torch.log(attention + ATTENTION_LOG_EPS), dim=-1)


def attention_entropy(attention: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
    """Mean attention entropy of every head (over batch and query positions), in nats.

    Parameters
    ----------
    attention : torch.Tensor of shape (batch, heads, queries, keys), or a sequence of them
        One layer's maps, or one map per layer (e.g. :attr:`AttentionMaps.maps`).

    Returns
    -------
    torch.Tensor
        Shape ``(heads,)`` for one layer, ``(layers, heads)`` for a sequence (all layers must
        have the same number of heads). Differentiable.
    """
    if isinstance(attention, torch.Tensor):
        return attention_row_entropy(attention).mean(dim=(0, 2))
    layers = [attention_entropy(a) for a in attention]
    if not layers:
        raise InvalidInputError("attention_entropy needs at least one attention map; got none.")
    heads = {int(layer.shape[0]) for layer in layers}
    if len(heads) > 1:
        raise InvalidInputError(
            "attention_entropy of several layers needs the same number of heads per layer; "
            f"got {sorted(heads)}. Call it per layer instead."
        )
    return torch.stack(layers)


class AttentionEntropy(Accumulator):
    """Streaming :func:`attention_entropy` per layer and head (sums of row entropies).

    Parameters
    ----------
    n_layers, n_heads : int
        Shape of the result.
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.

    Notes
    -----
    ``update(maps)`` takes one map per layer (a sequence of ``(B, H, T, S)`` tensors, or a
    tensor of shape ``(L, B, H, T, S)``); :meth:`compute` returns the ``(n_layers, n_heads)``
    means over every row seen, which equals the one-pass value for any batching.
    """

    def __init__(
        self,
        *,
        n_layers: int,
        n_heads: int,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.n_layers = check_int(n_layers, name="n_layers", owner=owner)
        self.n_heads = check_int(n_heads, name="n_heads", owner=owner)
        self.add_state(
            "total", torch.zeros(self.n_layers, self.n_heads, dtype=torch.float64), reduce="sum"
        )
        self.add_state("rows", torch.zeros((), dtype=torch.float64), reduce="sum")

    def _update(self, maps: torch.Tensor | Sequence[torch.Tensor]) -> None:
        owner = type(self).__name__
        layers = list(maps)
        if len(layers) != self.n_layers:
            raise InvalidInputError(
                f"{owner} was built for n_layers={self.n_layers}; got {len(layers)} map(s)."
            )
        sums = []
        rows = 0
        for layer in layers:
            a = _check_maps(layer, owner)
            if a.shape[1] != self.n_heads:
                raise InvalidInputError(
                    f"{owner} was built for n_heads={self.n_heads}; got a map of shape "
                    f"{tuple(a.shape)}."
                )
            if self.validate_args and not bool(torch.isfinite(a).all()):
                raise InvalidInputError(f"Input maps of {owner} contain NaN or infinity.")
            sums.append(attention_row_entropy(a.detach()).sum(dim=(0, 2)))
            rows = int(a.shape[0] * a.shape[2])
        self._add("total", torch.stack(sums).double())
        self._add_scalar("rows", rows, sums[0].device)
        self._count_rows(rows)

    def _compute(self) -> torch.Tensor:
        self._require_samples()
        value: torch.Tensor = self.total / self.rows
        return value


class AttentionMaps:
    """Context manager that records the attention maps of a model's attention modules.

    Parameters
    ----------
    model : torch.nn.Module
        The model; every ``nn.MultiheadAttention`` inside it is hooked.
    modules : iterable of torch.nn.Module, default=()
        Extra modules whose output tuple holds the attention map as its first 4-D tensor
        (e.g. Hugging Face attention blocks run with ``output_attentions=True``).
    detach : bool, default=True
        Record detached maps (for metrics). ``False`` keeps the graph (for
        :class:`infolens.losses.AttentionEntropyRegularizer`).

    Attributes
    ----------
    maps : list of torch.Tensor
        One ``(batch, heads, queries, keys)`` map per attention call, in call order.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> attn = nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = torch.randn(3, 5, 8, generator=torch.Generator().manual_seed(0))
    >>> with AttentionMaps(attn) as collector:
    ...     _ = attn(x, x, x, need_weights=False)
    >>> tuple(collector.maps[0].shape)
    (3, 2, 5, 5)
    """

    def __init__(
        self, model: nn.Module, *, modules: Iterable[nn.Module] = (), detach: bool = True
    ) -> None:
        self.model = model
        self.extra = list(modules)
        self.detach = detach
        self.maps: list[torch.Tensor] = []
        self._handles: list[torch.utils.hooks.RemovableHandle] = []
        self._mha = [m for m in model.modules() if isinstance(m, nn.MultiheadAttention)]
        if not self._mha and not self.extra:
            raise InvalidInputError(
                f"AttentionMaps found no nn.MultiheadAttention in {type(model).__name__} and no "
                "extra 'modules' were given; pass the attention blocks to hook."
            )

    @staticmethod
    def _force_weights(
        module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        kwargs = dict(kwargs)
        # arguments after (query, key, value, key_padding_mask) become keywords, so that the
        # forced need_weights / average_attn_weights cannot clash with positional ones
        names = ("need_weights", "attn_mask", "average_attn_weights", "is_causal")
        for name, value in zip(names, args[4:], strict=False):
            kwargs[name] = value
        kwargs["need_weights"] = True
        kwargs["average_attn_weights"] = False
        return args[:4], kwargs

    def _record(self, module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        if module in self._mha:
            weights = output[1]
            if weights.ndim == 3:  # unbatched input: (heads, queries, keys)
                weights = weights[None]
            self.maps.append(weights.detach() if self.detach else weights)
            return
        items = output if isinstance(output, tuple | list) else (output,)
        for item in items:
            if isinstance(item, torch.Tensor) and item.ndim == 4:
                self.maps.append(item.detach() if self.detach else item)
                return
        raise InvalidInputError(
            f"AttentionMaps: the output of the hooked {type(module).__name__} holds no 4-D "
            "attention map (call the model with output_attentions=True)."
        )

    def __enter__(self) -> "AttentionMaps":
        self.maps = []
        for module in self._mha:
            self._handles.append(
                module.register_forward_pre_hook(self._force_weights, with_kwargs=True)
            )
            self._handles.append(module.register_forward_hook(self._record))
        for extra in self.extra:
            self._handles.append(extra.register_forward_hook(self._record))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def entropy(self) -> torch.Tensor:
        """Return :func:`attention_entropy` of the recorded maps, shape ``(layers, heads)``."""
        return attention_entropy(self.maps)
