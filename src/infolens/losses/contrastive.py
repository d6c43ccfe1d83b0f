r"""Contrastive objectives: InfoNCE, NT-Xent (SimCLR), alignment + uniformity, a memory bank.

=============================  ===================================================================
module                         loss (features L2-normalised, ``S = x yᵀ / τ``)
=============================  ===================================================================
``InfoNCELoss``                ``mean_i(logsumexp_j S_ij − S_ii) = log n − infonce(S)``; with a
                               memory bank the bank's ``x·bᵀ/τ`` columns join every row's
                               negatives; ``symmetric=True`` averages the x→y and y→x directions
``NTXentLoss``                 SimCLR: the 2n views, every view's negatives are the other 2n − 2
``AlignmentUniformityLoss``    ``align(x, y) + w · (unif(x) + unif(y)) / 2`` (Wang & Isola)
``MemoryBank``                 FIFO queue of past (detached) embeddings for extra negatives
=============================  ===================================================================

Minimising ``InfoNCELoss`` maximises the InfoNCE bound ``log n − loss`` on ``I(x; y)`` (nats;
:func:`infolens.estimators.neural.bounds.infonce` of the same score matrix). All losses are
0-d tensors, differentiable, and work on any device.

References
----------
.. [1] A. van den Oord, Y. Li, O. Vinyals, "Representation learning with contrastive predictive
   coding", arXiv:1807.03748 (2018).
.. [2] T. Chen, S. Kornblith, M. Norouzi, G. Hinton, "A simple framework for contrastive learning
   of visual representations", ICML 2020.
.. [3] T. Wang, P. Isola, ICML 2020.
"""

import math

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional alias)
from torch import nn

from infolens._validation import check_int, check_positive_real
from infolens.estimators.neural.bounds import infonce
from infolens.exceptions import InsufficientSamplesError, InvalidInputError
from infolens.metrics._checks import check_finite, check_real, check_same_shape
from infolens.metrics.contrastive import _uniformity

__all__ = ["AlignmentUniformityLoss", "InfoNCELoss", "MemoryBank", "NTXentLoss"]


def _check_views(
    x: torch.Tensor, y: torch.Tensor, owner: str, validate: bool, min_rows: int = 2
) -> None:
    for name, view in (("x", x), ("y", y)):
        if not isinstance(view, torch.Tensor) or view.ndim != 2:
            shape = tuple(view.shape) if isinstance(view, torch.Tensor) else type(view).__name__
            raise InvalidInputError(
                f"Input {name} of {owner} must be a 2-D tensor (batch, dim); got {shape}."
            )
    check_same_shape(x, y, names=("x", "y"), owner=owner)
    if x.shape[0] < min_rows:
        raise InsufficientSamplesError(
            f"{owner} needs a batch of at least {min_rows} pairs (the other pairs are the "
            f"negatives); got {x.shape[0]}."
        )
    if validate:
        check_finite(x, name="x", owner=owner)
        check_finite(y, name="y", owner=owner)


class MemoryBank(nn.Module):
    """FIFO queue of the last ``size`` embeddings (MoCo-style negatives for :class:`InfoNCELoss`).

    Parameters
    ----------
    size : int
        Capacity (rows).
    dim : int
        Embedding dimension.

    Examples
    --------
    >>> import torch
    >>> bank = MemoryBank(size=4, dim=2)
    >>> bank.enqueue(torch.ones(3, 2)); bank.enqueue(torch.zeros(3, 2))
    >>> tuple(bank.negatives().shape), float(bank.negatives().sum())
    ((4, 2), 2.0)
    """

    queue: torch.Tensor

    def __init__(self, *, size: int, dim: int) -> None:
        super().__init__()
        self.size = check_int(size, name="size", owner="MemoryBank")
        self.dim = check_int(dim, name="dim", owner="MemoryBank")
        self.register_buffer("queue", torch.zeros(self.size, self.dim))
        self._pointer = 0
        self._filled = 0

    @torch.no_grad()
    def enqueue(self, z: torch.Tensor) -> None:
        """Add a batch (detached), overwriting the oldest entries once full."""
        if z.ndim != 2 or z.shape[1] != self.dim:
            raise InvalidInputError(
                f"MemoryBank was built for dim={self.dim}; got a batch of shape {tuple(z.shape)}."
            )
        z = z.detach()[-self.size :].to(self.queue.dtype)
        n = z.shape[0]
        end = self._pointer + n
        if end <= self.size:
            self.queue[self._pointer : end] = z
        else:
            first = self.size - self._pointer
            self.queue[self._pointer :] = z[:first]
            self.queue[: n - first] = z[first:]
        self._pointer = end % self.size
        self._filled = min(self.size, self._filled + n)

    def negatives(self) -> torch.Tensor:
        """Return the stored embeddings, shape ``(n_filled, dim)``."""
        return self.queue[: self._filled]


def _contrastive_ce(
    queries: torch.Tensor, keys: torch.Tensor, bank: torch.Tensor | None, tau: float
) -> torch.Tensor:
    scores = queries @ keys.T / tau
    if bank is None:
        return math.log(scores.shape[0]) - infonce(scores)
    logits = torch.cat([scores, queries @ bank.T / tau], dim=1)
    return (torch.logsumexp(logits, dim=1) - scores.diagonal()).mean()


class InfoNCELoss(nn.Module):
    """InfoNCE / CPC loss with in-batch (and optional memory-bank) negatives, in nats.

    Parameters
    ----------
    temperature : float, default=0.1
        τ > 0 dividing the cosine similarities.
    symmetric : bool, default=False
        Average the x→y and y→x losses (CLIP-style).
    normalize : bool, default=True
        L2-normalise the embeddings (cosine similarity).
    validate_args : bool, default=True
        Check the inputs for NaN/inf (one host read per call).

    Examples
    --------
    >>> import torch
    >>> x = torch.eye(3)
    >>> round(float(InfoNCELoss(temperature=1.0)(x, x)), 4)  # log(e + 2) - 1
    0.5514
    """

    def __init__(
        self,
        *,
        temperature: float = 0.1,
        symmetric: bool = False,
        normalize: bool = True,
        validate_args: bool = True,
    ) -> None:
        super().__init__()
        self.temperature = check_positive_real(
            temperature, name="temperature", owner=type(self).__name__
        )
        self.symmetric = symmetric
        self.normalize = normalize
        self.validate_args = validate_args

    def forward(
        self, x: torch.Tensor, y: torch.Tensor, negatives: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Return the loss of the positive pairs ``(x_i, y_i)``.

        Parameters
        ----------
        x, y : torch.Tensor of shape (batch, dim)
            The two views.
        negatives : torch.Tensor of shape (n_negatives, dim) or None, default=None
            Extra negatives (e.g. ``MemoryBank.negatives()``), treated as constants.

        Returns
        -------
        torch.Tensor
            0-d loss in nats.
        """
        owner = type(self).__name__
        _check_views(x, y, owner, self.validate_args, min_rows=1 if negatives is not None else 2)
        bank = None
        if negatives is not None:
            if negatives.ndim != 2 or negatives.shape[1] != x.shape[1]:
                raise InvalidInputError(
                    f"Input negatives of {owner} must have shape (n_negatives, {x.shape[1]}); "
                    f"got {tuple(negatives.shape)}."
                )
            bank = negatives.detach()
            if bank.shape[0] == 0:
                bank = None
                if x.shape[0] < 2:
                    raise InsufficientSamplesError(
                        f"{owner} needs a batch of at least 2 pairs or some negatives; got 1."
                    )
        if self.normalize:
            x, y = F.normalize(x, dim=1), F.normalize(y, dim=1)
            bank = None if bank is None else F.normalize(bank, dim=1)
        loss = _contrastive_ce(x, y, bank, self.temperature)
        if self.symmetric:
            loss = 0.5 * (loss + _contrastive_ce(y, x, bank, self.temperature))
        return loss


class NTXentLoss(nn.Module):
    """NT-Xent (SimCLR): cross-entropy over the 2n views with the 2n − 2 others as negatives.

    Parameters
    ----------
    temperature : float, default=0.5
        τ > 0.
    normalize : bool, default=True
        L2-normalise the embeddings (cosine similarity, as SimCLR).
    validate_args : bool, default=True
        Check the inputs for NaN/inf.
    """

    def __init__(
        self, *, temperature: float = 0.5, normalize: bool = True, validate_args: bool = True
    ) -> None:
        super().__init__()
        self.temperature = check_positive_real(
            temperature, name="temperature", owner=type(self).__name__
        )
        self.normalize = normalize
        self.validate_args = validate_args

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return the loss of the positive pairs ``(x_i, y_i)`` (0-d, nats)."""
        _check_views(x, y, type(self).__name__, self.validate_args)
        z = torch.cat([x, y], dim=0)
        if self.normalize:
            z = F.normalize(z, dim=1)
        n = x.shape[0]
        scores = z @ z.T / self.temperature
        eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
        scores = scores.masked_fill(eye, -math.inf)
        index = torch.arange(2 * n, device=z.device)
        positives = scores[index, (index + n) % (2 * n)]
        return (torch.logsumexp(scores, dim=1) - positives).mean()


class AlignmentUniformityLoss(nn.Module):
    """Wang & Isola's ``align(x, y) + w · (unif(x) + unif(y)) / 2`` on normalised features.

    Parameters
    ----------
    alpha : float, default=2.0
        Exponent of the alignment distance.
    t : float, default=2.0
        Scale of the uniformity potential (SepCLR's τ = 0.5 is t = 1).
    uniformity_weight : float, default=1.0
        ``w`` (>= 0).
    normalize : bool, default=True
        L2-normalise first.
    validate_args : bool, default=True
        Check the inputs for NaN/inf.
    """

    def __init__(
        self,
        *,
        alpha: float = 2.0,
        t: float = 2.0,
        uniformity_weight: float = 1.0,
        normalize: bool = True,
        validate_args: bool = True,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.alpha = check_positive_real(alpha, name="alpha", owner=owner)
        self.t = check_positive_real(t, name="t", owner=owner)
        self.uniformity_weight = check_real(
            uniformity_weight, name="uniformity_weight", owner=owner, low=0.0
        )
        self.normalize = normalize
        self.validate_args = validate_args

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return the loss (0-d) of the positive pairs ``(x_i, y_i)``."""
        _check_views(x, y, type(self).__name__, self.validate_args)
        if self.normalize:
            x, y = F.normalize(x, dim=1), F.normalize(y, dim=1)
        align = (x - y).pow(2).sum(dim=1).pow(self.alpha / 2).mean()
        uniform = 0.5 * (_uniformity(x, self.t) + _uniformity(y, self.t))
        return align + self.uniformity_weight * uniform
