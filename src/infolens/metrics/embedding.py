r"""Entropy of embeddings, for monitoring representation (mode) collapse.

=========================  ====================================================================
``method``                 value (nats)
=========================  ====================================================================
``"logdet"``               ``½ logdet(2πe Σ̂)``: entropy of the Gaussian with the sample covariance
                           (differentiable; ``-inf`` once the embeddings span a lower-dimensional
                           subspace, the signature of dimensional collapse)
``"knn"``                  Kozachenko–Leonenko k-NN entropy (``infolens.entropy(method="kl")``,
                           Euclidean norm): sensitive to collapse onto clusters as well
=========================  ====================================================================

The log-det value upper-bounds the differential entropy of any distribution with that covariance;
the k-NN value is consistent for continuous densities but raises on repeated embeddings (a
fully collapsed batch), where the differential entropy is not finite.

Examples
--------
>>> import torch
>>> z = torch.randn(2000, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
>>> abs(float(embedding_entropy(z)) - 2.8379) < 0.1  # ln(2πe) for N(0, I_2)
True
"""

from typing import Any, Literal

import torch

import infolens
from infolens._validation import check_choice, check_int
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import check_finite, check_matrix
from infolens.metrics._moments import covariance_from_sums, gaussian_entropy
from infolens.streaming import Accumulator

__all__ = ["EmbeddingEntropy", "embedding_entropy"]

Method = Literal["logdet", "knn"]


def _knn_entropy(z: torch.Tensor, k: int) -> torch.Tensor:
    array = z.detach().cpu().double().numpy()
    value = infolens.entropy(array, method="kl", k=k, metric="euclidean").value
    return torch.tensor(value, dtype=torch.float64)


def embedding_entropy(z: Any, *, method: Method = "logdet", k: int = 3) -> torch.Tensor:
    """Entropy of a batch of embeddings, in nats.

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, dim)
        Embeddings (``n_samples >= 2``).
    method : {"logdet", "knn"}, default="logdet"
        Gaussian log-det entropy of the sample covariance, or the k-NN entropy.
    k : int, default=3
        Neighbours of the k-NN entropy.

    Returns
    -------
    torch.Tensor
        0-d tensor in nats (``"logdet"`` is differentiable).
    """
    owner = "embedding_entropy"
    method = check_choice(method, ("logdet", "knn"), name="method")  # type: ignore[assignment]
    tensor = check_matrix(z, name="z", owner=owner, min_rows=2)
    check_finite(tensor, name="z", owner=owner)
    if method == "logdet":
        covariance = covariance_from_sums(
            tensor.sum(0), tensor.T @ tensor, tensor.shape[0], owner=owner
        )
        return gaussian_entropy(covariance)
    return _knn_entropy(tensor, check_int(k, name="k", owner=owner))


class EmbeddingEntropy(Accumulator):
    """Streaming :func:`embedding_entropy`.

    ``"logdet"`` keeps float64 sums of ``z`` and ``z zᵀ`` (exact streaming, reduced across
    processes); ``"knn"`` keeps a bounded buffer of the last ``max_samples`` embeddings.

    Parameters
    ----------
    dim : int
        Embedding dimension.
    method : {"logdet", "knn"}, default="logdet"
        See :func:`embedding_entropy`.
    k : int, default=3
        Neighbours of the k-NN entropy.
    max_samples : int, default=20000
        Buffer capacity for ``"knn"``.
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    def __init__(
        self,
        *,
        dim: int,
        method: Method = "logdet",
        k: int = 3,
        max_samples: int = 20_000,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.dim = check_int(dim, name="dim", owner=owner)
        self.method = check_choice(method, ("logdet", "knn"), name="method")
        self.k = check_int(k, name="k", owner=owner)
        if self.method == "logdet":
            self.add_state("total", torch.zeros(self.dim, dtype=torch.float64), reduce="sum")
            self.add_state(
                "outer", torch.zeros(self.dim, self.dim, dtype=torch.float64), reduce="sum"
            )
        else:
            capacity = check_int(max_samples, name="max_samples", owner=owner)
            self.add_state("samples", reduce="cat", max_rows=capacity)

    def _update(self, z: torch.Tensor) -> None:
        owner = type(self).__name__
        z = check_matrix(z, name="z", owner=owner).detach()
        if z.shape[1] != self.dim:
            raise InvalidInputError(
                f"{owner} was built for dim={self.dim}; got a batch of shape {tuple(z.shape)}."
            )
        if self.validate_args:
            check_finite(z, name="z", owner=owner)
        if self.method == "logdet":
            z64 = z.double()
            self._add("total", z64.sum(0))
            self._add("outer", z64.T @ z64)
        else:
            self._append("samples", z)
        self._count_rows(z.shape[0])

    def _compute(self) -> torch.Tensor:
        self._require_samples(2)
        if self.method == "logdet":
            covariance = covariance_from_sums(
                self.total, self.outer, self.n_seen, owner=type(self).__name__
            )
            return gaussian_entropy(covariance)
        return _knn_entropy(self._cat("samples"), self.k)
