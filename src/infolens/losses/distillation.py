r"""Conditional-MI term for distillation (MCMI, Ye et al. 2024).

``I(X; Ŷ | Y) = mean_x KL(P_x ‖ Q_{y(x)})`` with ``P_x = softmax(logits)`` and ``Q_y`` the
per-class mean prediction: either fixed centroids from a full pass
(:meth:`infolens.metrics.DistillationCMI.centroids`, the reference's choice) or the in-batch means
(differentiable through ``Q`` too). The loss is

.. code-block:: text

    loss = ce_weight · CE(logits, y) − cmi_weight · I(X; Ŷ | Y)

so a **positive** ``cmi_weight`` *maximises* the teacher's CMI, as the paper does (the reference
code minimises ``CE + λ·KL`` with λ < 0). Nats.

Examples
--------
>>> import torch
>>> logits = torch.tensor([[2.0, 0, 0], [1, 1, 0], [0, 2, 0], [0, 0, 1], [0, 1, 1], [1, 0, 2]],
...                       dtype=torch.float64)
>>> labels = torch.tensor([0, 0, 1, 1, 2, 2])
>>> round(float(conditional_mi_term(logits, labels)), 10)
0.1145384628
"""

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional alias)
from torch import nn

from infolens._validation import check_int
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import check_finite, check_label_range, check_labels, check_real
from infolens.metrics.distillation import _class_sums

__all__ = ["CMIDistillationLoss", "conditional_mi_term"]


def conditional_mi_term(
    logits: torch.Tensor,
    labels: torch.Tensor,
    centroids: torch.Tensor | None = None,
    *,
    n_classes: int | None = None,
    validate_args: bool = True,
) -> torch.Tensor:
    """``mean_x KL(softmax(logits_x) ‖ Q_{y(x)})`` in nats.

    Parameters
    ----------
    logits : torch.Tensor of shape (batch, n_outputs)
        Teacher logits.
    labels : torch.Tensor of shape (batch,)
        True classes.
    centroids : torch.Tensor of shape (n_classes, n_outputs) or None, default=None
        Fixed ``Q_y`` (treated as constants; rows must be probability vectors); ``None`` uses
        the in-batch class means.
    n_classes : int or None, default=None
        Number of classes (default: rows of ``centroids``, else ``max(labels) + 1``).
    validate_args : bool, default=True
        Check NaN/inf and the labels' range.

    Returns
    -------
    torch.Tensor
        0-d tensor (``>= 0``), differentiable in ``logits``.
    """
    owner = "conditional_mi_term"
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise InvalidInputError(
            f"Input logits of {owner} must have shape (batch, n_outputs >= 2); got "
            f"{tuple(logits.shape)}."
        )
    labels_t = check_labels(labels, n_samples=logits.shape[0], owner=owner).to(logits.device)
    if centroids is not None:
        if centroids.ndim != 2 or centroids.shape[1] != logits.shape[1]:
            raise InvalidInputError(
                f"Input centroids of {owner} must have shape (n_classes, {logits.shape[1]}); "
                f"got {tuple(centroids.shape)}."
            )
        k = centroids.shape[0]
    else:
        k = (
            int(labels_t.max()) + 1
            if n_classes is None
            else check_int(n_classes, name="n_classes", owner=owner)
        )
    if validate_args:
        check_finite(logits, name="logits", owner=owner)
        check_label_range(labels_t, n_classes=k, owner=owner, name="labels")
    log_p = F.log_softmax(logits, dim=1)
    if centroids is None:
        sums, counts = _class_sums(log_p.exp(), labels_t, k)
        q = sums / counts.clamp(min=1.0)[:, None]
    else:
        q = centroids.detach().to(log_p.dtype)
    log_q = torch.log(q[labels_t])
    return (log_p.exp() * (log_p - log_q)).sum(dim=1).mean()


class CMIDistillationLoss(nn.Module):
    """``ce_weight · CE − cmi_weight · I(X; Ŷ | Y)`` (MCMI teacher preparation), nats.

    Parameters
    ----------
    cmi_weight : float, default=0.1
        Weight of the CMI (positive: maximise it).
    ce_weight : float, default=1.0
        Weight of the cross-entropy.
    validate_args : bool, default=True
        Check NaN/inf and the labels' range.

    Notes
    -----
    ``forward(logits, labels, centroids=None)``; see :func:`conditional_mi_term`.
    """

    def __init__(
        self, *, cmi_weight: float = 0.1, ce_weight: float = 1.0, validate_args: bool = True
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.cmi_weight = check_real(cmi_weight, name="cmi_weight", owner=owner)
        self.ce_weight = check_real(ce_weight, name="ce_weight", owner=owner, low=0.0)
        self.validate_args = validate_args

    def forward(
        self, logits: torch.Tensor, labels: torch.Tensor, centroids: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Return the loss (0-d)."""
        cmi = conditional_mi_term(logits, labels, centroids, validate_args=self.validate_args)
        labels_t = labels.to(logits.device).long().reshape(-1)
        return self.ce_weight * F.cross_entropy(logits, labels_t) - self.cmi_weight * cmi
