r"""Alignment, uniformity (Wang & Isola 2020) and InfoNCE top-1 accuracy.

=====================  ==========================================================================
function               value (features L2-normalised unless ``normalize=False``)
=====================  ==========================================================================
``alignment``          ``mean_i ‖x_i − y_i‖₂^α`` (α = 2)
``uniformity``         ``log mean_{i<j} exp(−t ‖x_i − x_j‖²)`` (t = 2; SepCLR's τ = 0.5 is t = 1)
``infonce_accuracy``   fraction of rows ``i`` whose positive ``S_ii`` beats every ``S_ij``, j ≠ i
=====================  ==========================================================================

Alignment and accuracy are means of per-sample terms (sum states); uniformity is a mean over all
pairs, so its accumulator keeps a bounded buffer of features.

References
----------
.. [1] T. Wang, P. Isola, "Understanding contrastive representation learning through alignment
   and uniformity on the hypersphere", ICML 2020.

Examples
--------
>>> import torch
>>> x = torch.tensor([[1.0, 0], [0, 1], [-1, 0]], dtype=torch.float64)
>>> y = torch.tensor([[.6, .8], [0, 1], [-.8, .6]], dtype=torch.float64)
>>> round(float(alignment(x, y)), 10), round(float(uniformity(x)), 10)
(0.4, -4.3963489672)
"""

import math
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional alias)

from infolens._validation import check_int, check_positive_real
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import check_finite, check_matrix, check_same_shape
from infolens.streaming import Accumulator

__all__ = [
    "Alignment",
    "InfoNCEAccuracy",
    "Uniformity",
    "alignment",
    "infonce_accuracy",
    "uniformity",
]


def _features(data: Any, name: str, owner: str, normalize: bool, min_rows: int = 1) -> torch.Tensor:
    tensor = check_matrix(data, name=name, owner=owner, min_rows=min_rows)
    check_finite(tensor, name=name, owner=owner)
    return F.normalize(tensor, dim=1) if normalize else tensor


def _alignment_terms(x: torch.Tensor, y: torch.Tensor, alpha: float) -> torch.Tensor:
    terms: torch.Tensor = (x - y).pow(2).sum(dim=1).pow(alpha / 2)
    return terms


def alignment(
    x: torch.Tensor, y: torch.Tensor, *, alpha: float = 2.0, normalize: bool = True
) -> torch.Tensor:
    """Alignment loss ``mean_i ‖x_i − y_i‖^α`` of positive pairs (lower is better aligned).

    Parameters
    ----------
    x, y : torch.Tensor of shape (n_samples, dim)
        Features of the two views (row ``i`` of each is a positive pair).
    alpha : float, default=2.0
        Exponent of the distance.
    normalize : bool, default=True
        L2-normalise the rows first (the definition is for features on the sphere).

    Returns
    -------
    torch.Tensor
        0-d tensor (squared distance units), differentiable.
    """
    owner = "alignment"
    alpha = check_positive_real(alpha, name="alpha", owner=owner)
    x = _features(x, "x", owner, normalize)
    y = _features(y, "y", owner, normalize)
    check_same_shape(x, y, names=("x", "y"), owner=owner)
    return _alignment_terms(x, y, alpha).mean()


def _squared_distances_upper(x: torch.Tensor) -> torch.Tensor:
    """Return the squared distances ``‖x_i − x_j‖²`` for i < j (safe gradient at 0)."""
    norms = (x * x).sum(dim=1)
    squared = (norms[:, None] + norms[None, :] - 2.0 * (x @ x.T)).clamp(min=0.0)
    rows, cols = torch.triu_indices(x.shape[0], x.shape[0], offset=1, device=x.device)
    return squared[rows, cols]


def _uniformity(x: torch.Tensor, t: float) -> torch.Tensor:
    distances = _squared_distances_upper(x)
    return torch.logsumexp(-t * distances, dim=0) - math.log(distances.numel())


def uniformity(x: torch.Tensor, *, t: float = 2.0, normalize: bool = True) -> torch.Tensor:
    """Uniformity loss ``log mean_{i<j} exp(−t ‖x_i − x_j‖²)`` (lower is more uniform).

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, dim)
        Features (``n_samples >= 2``).
    t : float, default=2.0
        Scale of the Gaussian potential (Wang & Isola use 2; SepCLR's ``τ = 0.5`` is ``t = 1``).
    normalize : bool, default=True
        L2-normalise the rows first.

    Returns
    -------
    torch.Tensor
        0-d tensor (``<= 0``), differentiable.
    """
    owner = "uniformity"
    t = check_positive_real(t, name="t", owner=owner)
    x = _features(x, "x", owner, normalize, min_rows=2)
    return _uniformity(x, t)


def _accuracy_counts(scores: torch.Tensor) -> torch.Tensor:
    n = scores.shape[0]
    positive = scores.diagonal()
    eye = torch.eye(n, scores.shape[1], dtype=torch.bool, device=scores.device)
    negatives = scores.masked_fill(eye, -math.inf)
    return (positive > negatives.max(dim=1).values).sum()


def _check_scores(scores: Any, owner: str) -> torch.Tensor:
    tensor = check_matrix(scores, name="scores", owner=owner, min_rows=2)
    if tensor.shape[1] < tensor.shape[0]:
        raise InvalidInputError(
            f"Input scores of {owner} must have shape (n, n + n_negatives) with the positives on "
            f"the diagonal; got shape {tuple(tensor.shape)}."
        )
    return tensor


def infonce_accuracy(scores: torch.Tensor) -> torch.Tensor:
    """Top-1 accuracy of the InfoNCE task: the positive strictly beats every negative.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n) or (n, n + n_negatives)
        Critic scores, positives on the diagonal (extra columns: memory-bank negatives).
        A tie with a negative counts as a miss.

    Returns
    -------
    torch.Tensor
        0-d float tensor in ``[0, 1]`` (not differentiable).

    Examples
    --------
    >>> import torch
    >>> float(infonce_accuracy(torch.tensor([[2.0, 0], [3, 1]])))
    0.5
    """
    owner = "infonce_accuracy"
    scores = _check_scores(scores, owner)
    check_finite(scores, name="scores", owner=owner)
    return _accuracy_counts(scores.detach()).to(scores.dtype) / scores.shape[0]


class Alignment(Accumulator):
    """Streaming :func:`alignment` (sum of per-pair terms and count).

    Parameters
    ----------
    alpha : float, default=2.0
        Exponent of the distance.
    normalize : bool, default=True
        L2-normalise the rows first.
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    def __init__(
        self,
        *,
        alpha: float = 2.0,
        normalize: bool = True,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        self.alpha = check_positive_real(alpha, name="alpha", owner=type(self).__name__)
        self.normalize = normalize
        self.add_state("total", torch.zeros(()), reduce="sum")
        self.add_state("count", torch.zeros(()), reduce="sum")

    def _update(self, x: torch.Tensor, y: torch.Tensor) -> None:
        owner = type(self).__name__
        x = check_matrix(x, name="x", owner=owner)
        y = check_matrix(y, name="y", owner=owner)
        check_same_shape(x, y, names=("x", "y"), owner=owner)
        if self.validate_args:
            check_finite(x, name="x", owner=owner)
            check_finite(y, name="y", owner=owner)
        if self.normalize:
            x, y = F.normalize(x, dim=1), F.normalize(y, dim=1)
        self._add("total", _alignment_terms(x.detach(), y.detach(), self.alpha).sum())
        self._add_scalar("count", x.shape[0], x.device)
        self._count_rows(x.shape[0])

    def _compute(self) -> torch.Tensor:
        self._require_samples()
        value: torch.Tensor = self.total / self.count
        return value


class Uniformity(Accumulator):
    """Streaming :func:`uniformity` over a bounded buffer of the last ``max_samples`` features.

    Parameters
    ----------
    t : float, default=2.0
        Scale of the Gaussian potential.
    normalize : bool, default=True
        L2-normalise the rows first.
    max_samples : int, default=8192
        Capacity of the feature buffer (pairs are ``O(max_samples²)`` at compute).
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    needs_all_samples = True

    def __init__(
        self,
        *,
        t: float = 2.0,
        normalize: bool = True,
        max_samples: int = 8192,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.t = check_positive_real(t, name="t", owner=owner)
        self.normalize = normalize
        self.add_state(
            "features",
            reduce="cat",
            max_rows=check_int(max_samples, name="max_samples", owner=owner),
        )

    def _update(self, x: torch.Tensor) -> None:
        owner = type(self).__name__
        x = check_matrix(x, name="x", owner=owner)
        if self.validate_args:
            check_finite(x, name="x", owner=owner)
        self._append("features", x.detach())
        self._count_rows(x.shape[0])

    def _compute(self) -> torch.Tensor:
        x = check_matrix(
            self._cat("features") if self.features else torch.zeros(0, 1),
            name="features",
            owner=type(self).__name__,
            min_rows=2,
        )
        if self.normalize:
            x = F.normalize(x, dim=1)
        return _uniformity(x, self.t)


class InfoNCEAccuracy(Accumulator):
    """Streaming :func:`infonce_accuracy` (hits and rows as sum states).

    Parameters
    ----------
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    def __init__(self, *, validate_args: bool = True, sync_on_compute: bool = True) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        self.add_state("hits", torch.zeros(()), reduce="sum")
        self.add_state("count", torch.zeros(()), reduce="sum")

    def _update(self, scores: torch.Tensor) -> None:
        owner = type(self).__name__
        scores = _check_scores(scores, owner)
        if self.validate_args:
            check_finite(scores, name="scores", owner=owner)
        self._add("hits", _accuracy_counts(scores.detach()).to(scores.dtype))
        self._add_scalar("count", scores.shape[0], scores.device)
        self._count_rows(scores.shape[0])

    def _compute(self) -> torch.Tensor:
        self._require_samples()
        value: torch.Tensor = self.hits / self.count
        return value
