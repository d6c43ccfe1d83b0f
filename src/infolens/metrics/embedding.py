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
from infolens.metrics._checks import check_finite, check_matrix
from infolens.metrics._moments import MomentAccumulator, covariance_from_sums, gaussian_entropy

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


class EmbeddingEntropy(MomentAccumulator):
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

    METHODS = ("logdet", "knn")

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
        super().__init__(
            dim=dim,
            method=method,
            k=k,
            max_samples=max_samples,
            validate_args=validate_args,
            sync_on_compute=sync_on_compute,
        )

    def _from_covariance(self, covariance: torch.Tensor) -> torch.Tensor:
        return gaussian_entropy(covariance)

    def _from_samples(self, z: torch.Tensor) -> torch.Tensor:
        return _knn_entropy(z, self.k)
