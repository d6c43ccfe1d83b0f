r"""Conditional MI of a teacher's predictions given the label, ``I(X; Ŷ | Y)`` (MCMI distillation).

With the empirical distribution over samples and ``P_x = softmax(logits(x))``:

.. code-block:: text

    I(X; Ŷ | Y) = (1/N) Σ_x KL(P_x ‖ Q_{y(x)}),   Q_y = mean of P_x over the samples of class y
                = Σ_y (N_y / N) H(Q_y) − (1/N) Σ_x H(P_x)

The second form needs only per-class sums of ``P_x``, per-class counts and the sum of the row
entropies, so :class:`DistillationCMI` streams it exactly with sum states. Ye et al. (2024)
*maximise* this quantity when preparing the teacher (the reference minimises
``CE + λ·KL`` with λ < 0). All values in nats.

References
----------
.. [1] L. Ye, S. M. Hamidi, R. Tan, E.-H. Yang, "Bayes conditional distribution estimation for
   knowledge distillation" (MCMI), ICLR 2024.

Examples
--------
>>> import torch
>>> logits = torch.tensor([[2.0, 0, 0], [1, 1, 0], [0, 2, 0], [0, 0, 1], [0, 1, 1], [1, 0, 2]],
...                       dtype=torch.float64)
>>> round(float(distillation_cmi(logits, torch.tensor([0, 0, 1, 1, 2, 2]))), 10)
0.1145384628
"""

from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional alias)

from infolens._validation import check_int
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import (
    check_finite,
    check_label_range,
    check_labels,
    check_matrix,
    one_hot,
)
from infolens.streaming import Accumulator

__all__ = ["DistillationCMI", "class_centroids", "distillation_cmi"]


def _check_logits(logits: Any, owner: str) -> torch.Tensor:
    tensor = check_matrix(logits, name="logits", owner=owner)
    if tensor.shape[1] < 2:
        raise InvalidInputError(
            f"Input logits of {owner} must have at least 2 classes (columns); got shape "
            f"{tuple(tensor.shape)}."
        )
    return tensor


def _entropy_rows(log_p: torch.Tensor) -> torch.Tensor:
    return -(log_p.exp() * log_p).sum(dim=1)


def _class_sums(
    probabilities: torch.Tensor, labels: torch.Tensor, n_classes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    onehot = one_hot(labels, n_classes, probabilities.dtype)
    return onehot.T @ probabilities, onehot.sum(dim=0)


def _cmi_from_sums(
    sums: torch.Tensor, counts: torch.Tensor, entropy_sum: torch.Tensor
) -> torch.Tensor:
    total = counts.sum()
    centroids = sums / counts.clamp(min=1.0)[:, None]
    centroid_entropy = -torch.xlogy(centroids, centroids).sum(dim=1)
    return ((counts / total) * centroid_entropy).sum() - entropy_sum / total


def _class_labels(
    labels: Any, logits: torch.Tensor, n_classes: int | None, owner: str
) -> tuple[torch.Tensor, int]:
    """Return the checked labels on the device of ``logits`` and the number of classes."""
    labels_t = check_labels(labels, n_samples=logits.shape[0], owner=owner).to(logits.device)
    k = (
        int(labels_t.max()) + 1
        if n_classes is None
        else check_int(n_classes, name="n_classes", owner=owner)
    )
    check_label_range(labels_t, n_classes=k, owner=owner, name="labels")
    return labels_t, k


def class_centroids(
    logits: torch.Tensor, labels: torch.Tensor, *, n_classes: int | None = None
) -> torch.Tensor:
    """Per-class mean of ``softmax(logits)``, the ``Q_y`` of MCMI (rows of empty classes are 0).

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_outputs)
        Teacher logits.
    labels : torch.Tensor of shape (n_samples,)
        True classes.
    n_classes : int or None, default=None
        Number of label classes (default: ``max(labels) + 1``).

    Returns
    -------
    torch.Tensor of shape (n_classes, n_outputs)
        Differentiable in ``logits``.
    """
    owner = "class_centroids"
    logits = _check_logits(logits, owner)
    labels_t, k = _class_labels(labels, logits, n_classes, owner)
    sums, counts = _class_sums(F.softmax(logits, dim=1), labels_t, k)
    return sums / counts.clamp(min=1.0)[:, None]


def distillation_cmi(
    logits: torch.Tensor, labels: torch.Tensor, *, n_classes: int | None = None
) -> torch.Tensor:
    """``I(X; Ŷ | Y) = mean_x KL(P_x ‖ Q_{y(x)})`` with in-batch centroids, in nats.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_outputs)
        Teacher logits (``P_x = softmax``).
    labels : torch.Tensor of shape (n_samples,)
        True classes.
    n_classes : int or None, default=None
        Number of label classes (default: ``max(labels) + 1``).

    Returns
    -------
    torch.Tensor
        0-d tensor in nats (``>= 0``), differentiable in ``logits``.
    """
    owner = "distillation_cmi"
    logits = _check_logits(logits, owner)
    check_finite(logits, name="logits", owner=owner)
    labels_t, k = _class_labels(labels, logits, n_classes, owner)
    log_p = F.log_softmax(logits, dim=1)
    sums, counts = _class_sums(log_p.exp(), labels_t, k)
    return _cmi_from_sums(sums, counts, _entropy_rows(log_p).sum())


class DistillationCMI(Accumulator):
    """Streaming :func:`distillation_cmi` over a whole pass (per-class sums as sum states).

    Parameters
    ----------
    n_classes : int
        Number of label classes.
    n_outputs : int or None, default=None
        Number of logits per sample (default: ``n_classes``).
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.

    Notes
    -----
    :meth:`centroids` returns the per-class ``Q_y`` of the pass, to use as fixed centroids in
    :class:`infolens.losses.CMIDistillationLoss`.
    """

    def __init__(
        self,
        *,
        n_classes: int,
        n_outputs: int | None = None,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.n_classes = check_int(n_classes, name="n_classes", owner=owner)
        self.n_outputs = (
            self.n_classes
            if n_outputs is None
            else check_int(n_outputs, name="n_outputs", owner=owner)
        )
        self.add_state(
            "sums", torch.zeros(self.n_classes, self.n_outputs, dtype=torch.float64), reduce="sum"
        )
        self.add_state("counts", torch.zeros(self.n_classes, dtype=torch.float64), reduce="sum")
        self.add_state("entropy_sum", torch.zeros((), dtype=torch.float64), reduce="sum")

    def _update(self, logits: torch.Tensor, labels: torch.Tensor) -> None:
        owner = type(self).__name__
        logits = _check_logits(logits, owner).detach()
        if logits.shape[1] != self.n_outputs:
            raise InvalidInputError(
                f"{owner} was built for n_outputs={self.n_outputs}; got logits of shape "
                f"{tuple(logits.shape)}."
            )
        labels_t = check_labels(labels, n_samples=logits.shape[0], owner=owner).to(logits.device)
        if self.validate_args:
            check_finite(logits, name="logits", owner=owner)
            check_label_range(labels_t, n_classes=self.n_classes, owner=owner, name="labels")
        log_p = F.log_softmax(logits.double(), dim=1)
        sums, counts = _class_sums(log_p.exp(), labels_t, self.n_classes)
        self._add("sums", sums)
        self._add("counts", counts)
        self._add("entropy_sum", _entropy_rows(log_p).sum())
        self._count_rows(logits.shape[0])

    def centroids(self) -> torch.Tensor:
        """Return the per-class mean predictions ``Q_y`` (float64, rows of unseen classes 0)."""
        with self._synced():
            centroids: torch.Tensor = self.sums / self.counts.clamp(min=1.0)[:, None]
            return centroids

    def _compute(self) -> torch.Tensor:
        self._require_samples()
        return _cmi_from_sums(self.sums, self.counts, self.entropy_sum)
