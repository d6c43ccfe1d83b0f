r"""The MCR² objective ``−γ R(z, ε) + R_c(z, ε | labels)`` (maximal coding rate reduction).

With γ = 1 this is ``−ΔR`` of :func:`infolens.metrics.rate_reduction`; the rows of ``z`` are the
samples, usually L2-normalised (``normalize=True``). Give exactly one of ``eps`` (ε) and
``eps_squared`` (ε², what the MCR² code calls ``eps``: 0.5 for supervised training). Nats.

References
----------
.. [1] Y. Yu, K. H. R. Chan, C. You, C. Song, Y. Ma, NeurIPS 2020.

Examples
--------
>>> import torch
>>> loss = MCR2Loss(eps_squared=0.5, normalize=False)
>>> round(float(loss(torch.eye(2, dtype=torch.float64), torch.tensor([0, 1]))), 10)
-0.2938933325
"""

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional alias)
from torch import nn

from infolens._validation import check_int
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import check_finite, check_label_range, check_labels, check_real
from infolens.metrics.coding_rate import (
    _class_grams_split,
    _class_rate,
    _rate_from_gram,
    resolve_eps_squared,
)

__all__ = ["MCR2Loss"]


class MCR2Loss(nn.Module):
    """Maximal coding rate reduction loss, ``−γ R + R_c`` (nats).

    Parameters
    ----------
    eps, eps_squared : float
        Exactly one: ε or ε².
    n_classes : int or None, default=None
        Number of classes (default: ``max(labels) + 1`` of each batch; a fixed value avoids a
        host read per batch).
    gamma : float, default=1.0
        Weight of the total coding rate.
    normalize : bool, default=True
        L2-normalise the rows first (features on the sphere, as the paper).
    validate_args : bool, default=True
        Check the inputs for NaN/inf and the labels' range.
    """

    def __init__(
        self,
        *,
        eps: float | None = None,
        eps_squared: float | None = None,
        n_classes: int | None = None,
        gamma: float = 1.0,
        normalize: bool = True,
        validate_args: bool = True,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.eps_squared = resolve_eps_squared(eps, eps_squared, owner=owner)
        self.n_classes = (
            None if n_classes is None else check_int(n_classes, name="n_classes", owner=owner)
        )
        self.gamma = check_real(gamma, name="gamma", owner=owner, low=0.0)
        self.normalize = normalize
        self.validate_args = validate_args

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Return the loss of a batch ``z`` (batch, dim) with integer ``labels`` (batch,)."""
        owner = type(self).__name__
        if z.ndim != 2:
            raise InvalidInputError(
                f"Input z of {owner} must be 2-D (batch, dim); got shape {tuple(z.shape)}."
            )
        labels_t = check_labels(labels, n_samples=z.shape[0], owner=owner).to(z.device)
        k = int(labels_t.max()) + 1 if self.n_classes is None else self.n_classes
        if self.validate_args:
            check_finite(z, name="z", owner=owner)
            check_label_range(labels_t, n_classes=k, owner=owner, name="labels")
        if self.normalize:
            z = F.normalize(z, dim=1)
        grams, counts = _class_grams_split(z, labels_t, k)
        total = _rate_from_gram(z.T @ z, float(z.shape[0]), self.eps_squared)
        return -self.gamma * total + _class_rate(grams, counts, self.eps_squared)
