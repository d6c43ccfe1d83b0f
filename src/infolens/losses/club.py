r"""CLUB: minimise an upper bound on ``I(x; y)`` (Cheng et al. 2020), e.g. to separate factors.

``club_upper_bound(mean, log_variance, y) = mean_i[log q(y_i|x_i) − mean_j log q(y_j|x_i)]`` with a
Gaussian ``q(y|x) = N(mean(x), diag(exp(log_variance(x))))`` — the score matrix of
:func:`infolens.estimators.neural.bounds.gaussian_log_likelihood_matrix` passed to
:func:`infolens.estimators.neural.bounds.club` (the negatives include ``j = i``, as CLUB's
``CLUB.forward``), computed in O(n d) memory by expanding the squares (the n x n x d tensor of
the score matrix would need 8 GiB at n = 4096, d = 128). :class:`CLUB` holds the variational
network; the representation is trained to minimise ``club(x, y)`` while the network is trained
on ``club.learning_loss(x, y)``, the negative (normalised) log-likelihood — the reference's
``−loglikeli`` is twice that up to a constant, which changes only the step size. All values in
nats.

References
----------
.. [1] P. Cheng, W. Hao, S. Dai, J. Liu, Z. Gan, L. Carin, "CLUB: a contrastive log-ratio upper
   bound of mutual information", ICML 2020.

Examples
--------
>>> import torch
>>> mean = torch.tensor([[0.0, 0], [1, 0], [0, 1]], dtype=torch.float64)
>>> log_variance = torch.tensor([[0.0, 0], [0, .5], [-.5, 0]], dtype=torch.float64)
>>> y = torch.tensor([[0, .5], [1, 0], [0, 2]], dtype=torch.float64)
>>> round(float(club_upper_bound(mean, log_variance, y)), 10)
0.5542486986
"""

import math

import torch
from torch import nn

from infolens._validation import check_int
from infolens.exceptions import InsufficientSamplesError, InvalidInputError
from infolens.metrics._checks import check_finite

__all__ = ["CLUB", "club_upper_bound"]


def _check(owner: str, validate: bool, **tensors: torch.Tensor) -> None:
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    first = next(iter(tensors.values()))
    if any(t.ndim != 2 for t in tensors.values()) or len({s[0] for s in shapes.values()}) > 1:
        raise InvalidInputError(
            f"Inputs of {owner} must be 2-D (batch, dim) with the same batch size; got {shapes}."
        )
    if first.shape[0] < 2:
        raise InsufficientSamplesError(
            f"{owner} needs a batch of at least 2 pairs (the others are the negatives); got "
            f"{first.shape[0]}."
        )
    if validate:
        for name, t in tensors.items():
            check_finite(t, name=name, owner=owner)


def club_upper_bound(
    mean: torch.Tensor, log_variance: torch.Tensor, y: torch.Tensor, *, validate_args: bool = True
) -> torch.Tensor:
    """CLUB estimate of ``I(x; y)`` from the Gaussian ``q(y | x_i)`` of every row, in nats.

    Parameters
    ----------
    mean, log_variance : torch.Tensor of shape (n, dim_y)
        Parameters of ``q(y | x_i)``.
    y : torch.Tensor of shape (n, dim_y)
        The paired samples.
    validate_args : bool, default=True
        Check the inputs for NaN/inf.

    Returns
    -------
    torch.Tensor
        0-d tensor in nats, differentiable.
    """
    owner = "club_upper_bound"
    _check(owner, validate_args, mean=mean, log_variance=log_variance, y=y)
    if mean.shape != y.shape or log_variance.shape != y.shape:
        raise InvalidInputError(
            f"Inputs mean, log_variance and y of {owner} must have the same shape; got "
            f"{tuple(mean.shape)}, {tuple(log_variance.shape)} and {tuple(y.shape)}."
        )
    return _club(mean, log_variance, y)


def _club(mean: torch.Tensor, log_variance: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``bounds.club(gaussian_log_likelihood_matrix(...))`` in O(n d) memory instead of O(n² d).

    ``mean_j (y_j − μ_i)² = mean(y²) − 2 μ_i mean(y) + μ_i²`` per dimension; the normaliser and
    the log-variance terms cancel between the positive and the negative means.
    """
    precision = torch.exp(-log_variance)
    positive = -0.5 * ((y - mean) ** 2 * precision).sum(dim=1)
    y_mean, y_square = y.mean(dim=0), (y * y).mean(dim=0)
    spread = y_square[None, :] - 2 * mean * y_mean[None, :] + mean * mean
    negative = -0.5 * (spread * precision).sum(dim=1)
    return (positive - negative).mean()


class CLUB(nn.Module):
    """CLUB with a Gaussian variational network ``q(y | x)`` (two small MLPs).

    Parameters
    ----------
    dim_x, dim_y : int
        Dimensions of the two variables.
    hidden : int, default=64
        Width of the hidden layer of each MLP.
    mean_only : bool, default=False
        Fix ``log_variance = 0`` (the reference's ``CLUBMean``).
    validate_args : bool, default=True
        Check the inputs for NaN/inf.

    Notes
    -----
    ``forward(x, y)`` returns the CLUB estimate (minimise it w.r.t. the representation);
    ``learning_loss(x, y)`` returns ``−mean_i log q(y_i | x_i)`` (minimise it w.r.t. this
    module's parameters, usually on detached inputs). The log-variance head ends in ``tanh`` as
    in the reference.
    """

    def __init__(
        self,
        *,
        dim_x: int,
        dim_y: int,
        hidden: int = 64,
        mean_only: bool = False,
        validate_args: bool = True,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        dim_x = check_int(dim_x, name="dim_x", owner=owner)
        dim_y = check_int(dim_y, name="dim_y", owner=owner)
        hidden = check_int(hidden, name="hidden", owner=owner)
        self.mean_net = nn.Sequential(nn.Linear(dim_x, hidden), nn.ReLU(), nn.Linear(hidden, dim_y))
        self.log_variance_net = (
            None
            if mean_only
            else nn.Sequential(
                nn.Linear(dim_x, hidden), nn.ReLU(), nn.Linear(hidden, dim_y), nn.Tanh()
            )
        )
        self.validate_args = validate_args

    def gaussian(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(mean, log_variance)`` of ``q(y | x)``."""
        mean = self.mean_net(x)
        if self.log_variance_net is None:
            return mean, torch.zeros_like(mean)
        return mean, self.log_variance_net(x)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return the CLUB estimate of ``I(x; y)`` (0-d, nats)."""
        _check(type(self).__name__, self.validate_args, x=x, y=y)
        mean, log_variance = self.gaussian(x)
        return _club(mean, log_variance, y)

    def learning_loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return ``−mean_i log q(y_i | x_i)`` (0-d, nats), the variational network's loss."""
        _check(type(self).__name__, self.validate_args, x=x, y=y)
        mean, log_variance = self.gaussian(x)
        squared = (y - mean) ** 2 * torch.exp(-log_variance)
        log_likelihood = -0.5 * (squared + log_variance + math.log(2 * math.pi))
        return -log_likelihood.sum(dim=1).mean()
