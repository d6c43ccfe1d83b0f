r"""Coding rate and rate reduction (MCR², Yu et al. 2020), in nats.

Samples are the **rows** of ``z`` (shape ``(n, d)``), so ``Z = zᵀ`` in the paper's notation.

==========================  ================================================================
function                    value
==========================  ================================================================
``coding_rate``             ``R = ½ logdet(I_d + d / (n ε²) zᵀz)``
``class_coding_rate``       ``R_c = Σ_j (n_j / n) · ½ logdet(I_d + d / (n_j ε²) z_jᵀz_j)``
``rate_reduction``          ``ΔR = R − R_c``
==========================  ================================================================

**ε versus ε².** The MCR² and CRATE code call ε² ``eps`` (MCR²'s README: "eps squared (default:
0.5)"; CRATE's ``CodingRate(eps=0.01)``). These functions therefore take exactly one of ``eps``
(the distortion ε) or ``eps_squared``; ``eps_squared=0.5`` reproduces MCR²'s supervised default.

The accumulators :class:`CodingRate` and :class:`RateReduction` keep the Gram ``zᵀz`` (and one per
class) as sum states, so the streamed value equals the one-pass value to rounding and is reduced
across processes by ``all_reduce``.

References
----------
.. [1] Y. Yu, K. H. R. Chan, C. You, C. Song, Y. Ma, "Learning diverse and discriminative
   representations via the principle of maximal coding rate reduction", NeurIPS 2020.

Examples
--------
>>> import torch
>>> z = torch.eye(2, dtype=torch.float64)
>>> round(float(rate_reduction(z, torch.tensor([0, 1]), eps_squared=0.5)), 10)
0.2938933325
"""

from typing import Any

import torch

from infolens._validation import check_int, check_positive_real
from infolens.exceptions import InvalidParameterError
from infolens.metrics._checks import (
    check_finite,
    check_label_range,
    check_labels,
    check_matrix,
    one_hot,
)
from infolens.streaming import Accumulator

__all__ = [
    "CodingRate",
    "RateReduction",
    "class_coding_rate",
    "coding_rate",
    "rate_reduction",
    "resolve_eps_squared",
]


def resolve_eps_squared(eps: float | None, eps_squared: float | None, *, owner: str) -> float:
    """Return ε² from exactly one of ``eps`` (ε) and ``eps_squared`` (ε²)."""
    if (eps is None) == (eps_squared is None):
        raise InvalidParameterError(
            f"{owner} needs exactly one of 'eps' (the distortion ε) and 'eps_squared' (ε², what "
            f"the MCR² and CRATE code call eps). Got eps={eps!r}, eps_squared={eps_squared!r}."
        )
    if eps is not None:
        return check_positive_real(eps, name="eps", owner=owner) ** 2
    return check_positive_real(eps_squared, name="eps_squared", owner=owner)


def _rate_from_gram(
    gram: torch.Tensor, n: torch.Tensor | float, eps_squared: float
) -> torch.Tensor:
    """``½ logdet(I + d / (n ε²) gram)`` for a ``(..., d, d)`` Gram; 0 where ``n == 0``."""
    d = gram.shape[-1]
    n_t = torch.as_tensor(n, dtype=gram.dtype, device=gram.device)
    scale = d / (n_t.clamp(min=1.0) * eps_squared)
    eye = torch.eye(d, dtype=gram.dtype, device=gram.device)
    matrix = eye + scale[..., None, None] * gram
    rate = 0.5 * torch.logdet(matrix)
    return torch.where(n_t > 0, rate, torch.zeros_like(rate))


def _check_z(z: Any, owner: str, min_rows: int = 1) -> torch.Tensor:
    tensor = check_matrix(z, name="z", owner=owner, min_rows=min_rows)
    check_finite(tensor, name="z", owner=owner)
    return tensor


def coding_rate(
    z: torch.Tensor, *, eps: float | None = None, eps_squared: float | None = None
) -> torch.Tensor:
    """Coding rate ``R(z, ε) = ½ logdet(I + d / (n ε²) zᵀz)`` of the rows of ``z``, in nats.

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, dim)
        Samples as rows (usually L2-normalised).
    eps, eps_squared : float
        Exactly one: the distortion ε, or ε² (the ``eps`` of the MCR²/CRATE code).

    Returns
    -------
    torch.Tensor
        0-d tensor in nats, differentiable in ``z``.

    Raises
    ------
    InvalidParameterError
        If neither or both of ``eps``/``eps_squared`` are given, or the one given is ``<= 0``.
    InvalidInputError
        If ``z`` is not 2-D or not finite.

    Examples
    --------
    >>> import torch
    >>> round(float(coding_rate(torch.eye(2), eps_squared=0.5)), 6)  # ln 3
    1.098612
    """
    owner = "coding_rate"
    eps2 = resolve_eps_squared(eps, eps_squared, owner=owner)
    z = _check_z(z, owner)
    n, d = z.shape
    if n < d:  # Sylvester: the n x n form is cheaper and equal
        return _rate_from_gram_small(z, eps2)
    return _rate_from_gram(z.T @ z, float(n), eps2)


def _rate_from_gram_small(z: torch.Tensor, eps_squared: float) -> torch.Tensor:
    n, d = z.shape
    eye = torch.eye(n, dtype=z.dtype, device=z.device)
    return 0.5 * torch.logdet(eye + (d / (n * eps_squared)) * (z @ z.T))


def _class_grams(
    z: torch.Tensor, labels: torch.Tensor, n_classes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-class Grams ``z_jᵀ z_j`` (k, d, d) and counts (k,), without a host read.

    Classes are processed in groups so the masked copies of ``z`` stay below ~2**24 entries.
    """
    onehot = one_hot(labels, n_classes, z.dtype)  # (n, k)
    group = max(1, (1 << 24) // max(1, z.numel()))
    grams = []
    for start in range(0, n_classes, group):
        weighted = onehot.T[start : start + group, :, None] * z[None, :, :]  # (g, n, d)
        grams.append(weighted.transpose(1, 2) @ z)  # (g, d, d)
    return torch.cat(grams), onehot.sum(dim=0)


def _class_grams_split(
    z: torch.Tensor, labels: torch.Tensor, n_classes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return :func:`_class_grams` with ``n d²`` work instead of ``k n d²`` (one host read)."""
    counts = torch.bincount(labels, minlength=n_classes)
    chunks = torch.split(z[torch.argsort(labels)], counts.tolist())
    grams = torch.stack([chunk.T @ chunk for chunk in chunks])
    return grams, counts.to(z.dtype)


def _class_rate(grams: torch.Tensor, counts: torch.Tensor, eps_squared: float) -> torch.Tensor:
    total = counts.sum().clamp(min=1.0)
    return (counts / total * _rate_from_gram(grams, counts, eps_squared)).sum()


def _prepare_labels(
    z: torch.Tensor, labels: Any, n_classes: int | None, owner: str
) -> tuple[torch.Tensor, int]:
    labels_t = check_labels(labels, n_samples=z.shape[0], owner=owner).to(z.device)
    if n_classes is None:
        n_classes = int(labels_t.max()) + 1 if labels_t.numel() else 1
    else:
        n_classes = check_int(n_classes, name="n_classes", owner=owner)
    check_label_range(labels_t, n_classes=n_classes, owner=owner, name="labels")
    return labels_t, n_classes


def class_coding_rate(
    z: torch.Tensor,
    labels: torch.Tensor,
    *,
    eps: float | None = None,
    eps_squared: float | None = None,
    n_classes: int | None = None,
) -> torch.Tensor:
    """Coding rate of the classes, ``R_c = Σ_j (n_j / n) R(z_j, ε)``, in nats.

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, dim)
        Samples as rows.
    labels : torch.Tensor of shape (n_samples,)
        Integer class of every sample (the hard membership Π).
    eps, eps_squared : float
        Exactly one: ε or ε² (see the module docstring).
    n_classes : int or None, default=None
        Number of classes (default: ``max(labels) + 1``); empty classes contribute 0.

    Returns
    -------
    torch.Tensor
        0-d tensor in nats, differentiable in ``z``.
    """
    owner = "class_coding_rate"
    eps2 = resolve_eps_squared(eps, eps_squared, owner=owner)
    z = _check_z(z, owner)
    labels_t, k = _prepare_labels(z, labels, n_classes, owner)
    grams, counts = _class_grams_split(z, labels_t, k)
    return _class_rate(grams, counts, eps2)


def rate_reduction(
    z: torch.Tensor,
    labels: torch.Tensor,
    *,
    eps: float | None = None,
    eps_squared: float | None = None,
    n_classes: int | None = None,
) -> torch.Tensor:
    """Rate reduction ``ΔR = R(z, ε) − R_c(z, ε | labels)`` (MCR²), in nats.

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, dim)
        Samples as rows.
    labels : torch.Tensor of shape (n_samples,)
        Integer class of every sample.
    eps, eps_squared : float
        Exactly one: ε or ε² (see the module docstring).
    n_classes : int or None, default=None
        Number of classes (default: ``max(labels) + 1``).

    Returns
    -------
    torch.Tensor
        0-d tensor in nats, differentiable in ``z``.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[1, 0, 0], [.8, .6, 0], [0, 0, 1], [0, .6, .8]], dtype=torch.float64)
    >>> round(float(rate_reduction(z, torch.tensor([0, 0, 1, 1]), eps_squared=0.5)), 10)
    0.3665218735
    """
    owner = "rate_reduction"
    eps2 = resolve_eps_squared(eps, eps_squared, owner=owner)
    z = _check_z(z, owner)
    labels_t, k = _prepare_labels(z, labels, n_classes, owner)
    grams, counts = _class_grams_split(z, labels_t, k)
    total = _rate_from_gram(z.T @ z, float(z.shape[0]), eps2)
    return total - _class_rate(grams, counts, eps2)


class CodingRate(Accumulator):
    """Streaming :func:`coding_rate`: the Gram ``zᵀz`` and the count as sum states.

    Parameters
    ----------
    dim : int
        Number of features of ``z``.
    eps, eps_squared : float
        Exactly one: ε or ε².
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.

    Examples
    --------
    >>> import torch
    >>> metric = CodingRate(dim=2, eps_squared=0.5)
    >>> metric.update(torch.tensor([[1.0, 0.0]]))
    >>> metric.update(torch.tensor([[0.0, 1.0]]))
    >>> round(float(metric.compute()), 6)
    1.098612
    """

    def __init__(
        self,
        *,
        dim: int,
        eps: float | None = None,
        eps_squared: float | None = None,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.dim = check_int(dim, name="dim", owner=owner)
        self.eps_squared = resolve_eps_squared(eps, eps_squared, owner=owner)
        self.add_state("gram", torch.zeros(self.dim, self.dim), reduce="sum")
        self.add_state("count", torch.zeros(()), reduce="sum")

    def _check_batch(self, z: Any) -> torch.Tensor:
        owner = type(self).__name__
        tensor = check_matrix(z, name="z", owner=owner)
        if tensor.shape[1] != self.dim:
            raise InvalidParameterError(
                f"{owner} was built for dim={self.dim} features; got a batch of shape "
                f"{tuple(tensor.shape)}."
            )
        if self.validate_args:
            check_finite(tensor, name="z", owner=owner)
        return tensor.detach()  # states never hold the autograd graph of past batches

    def _update(self, z: torch.Tensor) -> None:
        z = self._check_batch(z)
        self._add("gram", z.T @ z)
        self._add_scalar("count", z.shape[0], z.device)
        self._count_rows(z.shape[0])

    def _compute(self) -> torch.Tensor:
        self._require_samples()
        return _rate_from_gram(self.gram, self.count, self.eps_squared)


class RateReduction(CodingRate):
    """Streaming :func:`rate_reduction`: total and per-class Grams and counts as sum states.

    Parameters
    ----------
    dim : int
        Number of features of ``z``.
    n_classes : int
        Number of classes (labels in ``[0, n_classes)``).
    eps, eps_squared : float
        Exactly one: ε or ε².
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.

    Notes
    -----
    :meth:`compute_parts` returns ``(R, R_c, ΔR)``; :meth:`compute` returns ``ΔR``.
    """

    def __init__(
        self,
        *,
        dim: int,
        n_classes: int,
        eps: float | None = None,
        eps_squared: float | None = None,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(
            dim=dim,
            eps=eps,
            eps_squared=eps_squared,
            validate_args=validate_args,
            sync_on_compute=sync_on_compute,
        )
        self.n_classes = check_int(n_classes, name="n_classes", owner=type(self).__name__)
        self.add_state("class_gram", torch.zeros(self.n_classes, self.dim, self.dim), reduce="sum")
        self.add_state("class_count", torch.zeros(self.n_classes), reduce="sum")

    def _update(self, z: torch.Tensor, labels: torch.Tensor) -> None:  # type: ignore[override]
        owner = type(self).__name__
        z = self._check_batch(z)
        labels_t = check_labels(labels, n_samples=z.shape[0], owner=owner).to(z.device)
        if self.validate_args:
            check_label_range(labels_t, n_classes=self.n_classes, owner=owner, name="labels")
        if self.validate_args:  # a host read happened anyway: use the n d² split
            grams, counts = _class_grams_split(z.detach(), labels_t, self.n_classes)
        else:  # no host read: k n d² work
            grams, counts = _class_grams(z.detach(), labels_t, self.n_classes)
        self._add("gram", z.T @ z)
        self._add_scalar("count", z.shape[0], z.device)
        self._add("class_gram", grams)
        self._add("class_count", counts)
        self._count_rows(z.shape[0])

    def compute_parts(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return ``(R, R_c, ΔR)`` in nats over every batch since the last reset."""
        with self._synced():
            self._require_samples()
            total = _rate_from_gram(self.gram, self.count, self.eps_squared)
            classes = _class_rate(self.class_gram, self.class_count, self.eps_squared)
        return total, classes, total - classes

    def _compute(self) -> torch.Tensor:
        self._require_samples()
        total = _rate_from_gram(self.gram, self.count, self.eps_squared)
        return total - _class_rate(self.class_gram, self.class_count, self.eps_squared)
