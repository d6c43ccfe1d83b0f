"""Critics: neural networks that score pairs, ``scores[i, j] = f(x_i, y_j)``.

Every critic is a :class:`torch.nn.Module` whose ``forward(x, y)`` takes ``x`` of shape
``(n, dim_x)`` and ``y`` of shape ``(m, dim_y)`` and returns the ``(n, m)`` score matrix that the
functions of :mod:`~infolens.estimators.neural.bounds` consume.

- :class:`SeparableCritic`: ``g(x)^T h(y)``, two MLP bodies; ``O(n + m)`` network evaluations.
- :class:`BilinearCritic`: ``g(x)^T W h(y)`` with a learned matrix ``W``.
- :class:`ConcatCritic`: ``f([x, y])`` on every pair; ``O(n m)`` evaluations, the most flexible.
  With ``lipschitz=True`` it is 1-Lipschitz in ``(x, y)`` (exact spectral normalisation).
- :class:`GaussianConditional`: the variational ``q(y | x)`` of CLUB; its scores are
  ``log q(y_j | x_i)``.

Parameters are created without touching PyTorch's global random state: pass a
:class:`torch.Generator` to get reproducible initial weights.

Examples
--------
>>> import torch
>>> critic = SeparableCritic(dim_x=2, dim_y=3, hidden=(8,), embed_dim=4,
...                          generator=torch.Generator().manual_seed(0))
>>> critic(torch.zeros(5, 2), torch.zeros(7, 3)).shape
torch.Size([5, 7])
"""

import math
from collections.abc import Sequence

import torch
from torch import nn

from infolens.estimators.neural.bounds import gaussian_log_likelihood_matrix

__all__ = [
    "BilinearCritic",
    "ConcatCritic",
    "GaussianConditional",
    "LipschitzLinear",
    "SeparableCritic",
    "mlp",
]


def _linear(
    dim_in: int, dim_out: int, generator: torch.Generator | None, *, lipschitz: bool = False
) -> nn.Module:
    """Return a linear layer initialised like PyTorch's default, from ``generator``."""
    layer = nn.utils.skip_init(nn.Linear, dim_in, dim_out)  # type: ignore[no-untyped-call]
    bound = 1.0 / math.sqrt(dim_in)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return LipschitzLinear(layer) if lipschitz else layer


class LipschitzLinear(nn.Module):
    """A linear layer whose weight is divided by its exact spectral norm (1-Lipschitz).

    The largest singular value is computed exactly with :func:`torch.linalg.matrix_norm` at each
    call (cheap for the small matrices of a critic), instead of PyTorch's power iteration whose
    random start would draw from the global random state.

    Parameters
    ----------
    layer : torch.nn.Linear
        The layer to normalise (its parameters are trained).
    """

    def __init__(self, layer: nn.Linear) -> None:
        super().__init__()
        self.layer = layer

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Apply ``inputs @ (W / ||W||_2)^T + b``."""
        weight = self.layer.weight
        norm = torch.linalg.matrix_norm(weight, ord=2).clamp_min(1e-12)
        return nn.functional.linear(inputs, weight / norm, self.layer.bias)


def mlp(
    dim_in: int,
    hidden: Sequence[int],
    dim_out: int,
    *,
    generator: torch.Generator | None = None,
    lipschitz: bool = False,
) -> nn.Sequential:
    """Return a ReLU multi-layer perceptron ``dim_in -> hidden... -> dim_out``.

    Parameters
    ----------
    dim_in, dim_out : int
        Input and output sizes.
    hidden : sequence of int
        Widths of the hidden layers (may be empty: a linear map).
    generator : torch.Generator or None, default=None
        Source of the initial weights.
    lipschitz : bool, default=False
        Normalise every layer to spectral norm 1, making the network 1-Lipschitz.

    Returns
    -------
    torch.nn.Sequential
    """
    sizes = [dim_in, *hidden, dim_out]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(_linear(a, b, generator, lipschitz=lipschitz))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class SeparableCritic(nn.Module):
    """Separable critic ``f(x, y) = g(x)^T h(y)`` with MLP embeddings ``g`` and ``h``.

    Parameters
    ----------
    dim_x, dim_y : int
        Dimensions of ``x`` and ``y``.
    hidden : sequence of int, default=(64, 64)
        Hidden widths of both bodies.
    embed_dim : int, default=16
        Dimension of the embeddings.
    generator : torch.Generator or None, default=None
        Source of the initial weights.
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        hidden: Sequence[int] = (64, 64),
        embed_dim: int = 16,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.g = mlp(dim_x, hidden, embed_dim, generator=generator)
        self.h = mlp(dim_y, hidden, embed_dim, generator=generator)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return the ``(n, m)`` score matrix."""
        scores: torch.Tensor = self.g(x) @ self.h(y).T
        return scores


class BilinearCritic(nn.Module):
    """Bilinear critic ``f(x, y) = g(x)^T W h(y)`` with MLP embeddings and a learned ``W``.

    Parameters
    ----------
    dim_x, dim_y : int
        Dimensions of ``x`` and ``y``.
    hidden : sequence of int, default=(64, 64)
        Hidden widths of both bodies.
    embed_dim : int, default=16
        Dimension of the embeddings (``W`` is ``embed_dim x embed_dim``, initialised to I).
    generator : torch.Generator or None, default=None
        Source of the initial weights.
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        hidden: Sequence[int] = (64, 64),
        embed_dim: int = 16,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.g = mlp(dim_x, hidden, embed_dim, generator=generator)
        self.h = mlp(dim_y, hidden, embed_dim, generator=generator)
        self.weight = nn.Parameter(torch.eye(embed_dim))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return the ``(n, m)`` score matrix."""
        scores: torch.Tensor = self.g(x) @ self.weight @ self.h(y).T
        return scores


class ConcatCritic(nn.Module):
    """Concatenated critic ``f(x, y) = MLP([x, y])``, evaluated on all ``n x m`` pairs.

    Parameters
    ----------
    dim_x, dim_y : int
        Dimensions of ``x`` and ``y``.
    hidden : sequence of int, default=(64, 64)
        Hidden widths.
    lipschitz : bool, default=False
        Make the critic 1-Lipschitz in ``(x, y)`` (Euclidean norm) by spectral normalisation of
        every layer, as the Wasserstein dependency measure needs.
    generator : torch.Generator or None, default=None
        Source of the initial weights.
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        hidden: Sequence[int] = (64, 64),
        *,
        lipschitz: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.f = mlp(dim_x + dim_y, hidden, 1, generator=generator, lipschitz=lipschitz)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return the ``(n, m)`` score matrix."""
        n, m = x.shape[0], y.shape[0]
        pairs = torch.cat(
            [x[:, None, :].expand(n, m, x.shape[1]), y[None, :, :].expand(n, m, y.shape[1])],
            dim=-1,
        )
        scores: torch.Tensor = self.f(pairs).squeeze(-1)
        return scores


class GaussianConditional(nn.Module):
    """Variational Gaussian ``q(y | x) = N(mean(x), diag(exp(log_variance(x))))`` for CLUB.

    Parameters
    ----------
    dim_x, dim_y : int
        Dimensions of ``x`` and ``y``.
    hidden : sequence of int, default=(64, 64)
        Hidden widths of the mean and log-variance networks.
    generator : torch.Generator or None, default=None
        Source of the initial weights.
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        hidden: Sequence[int] = (64, 64),
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.mean = mlp(dim_x, hidden, dim_y, generator=generator)
        self.log_variance = mlp(dim_x, hidden, dim_y, generator=generator)

    def log_likelihood(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return ``mean_i log q(y_i | x_i)`` in nats (0-d), the training objective."""
        mean: torch.Tensor = self.mean(x)
        log_variance: torch.Tensor = self.log_variance(x)
        per_dim = -0.5 * (
            (y - mean) ** 2 * torch.exp(-log_variance) + log_variance + math.log(2 * math.pi)
        )
        return per_dim.sum(dim=1).mean()

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return ``S[i, j] = log q(y_j | x_i)`` of shape ``(n, m)``, in nats."""
        mean: torch.Tensor = self.mean(x)
        log_variance: torch.Tensor = self.log_variance(x)
        return gaussian_log_likelihood_matrix(mean, log_variance, y)
