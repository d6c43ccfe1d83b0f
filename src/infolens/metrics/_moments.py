"""Gaussian moments (mean, covariance) as float64 sum states, shared by the accumulators."""

import math
from typing import ClassVar

import torch

from infolens._validation import check_choice, check_int
from infolens.exceptions import InsufficientSamplesError, InvalidInputError
from infolens.metrics._checks import check_finite, check_matrix
from infolens.streaming import Accumulator

__all__ = [
    "MomentAccumulator",
    "covariance_from_sums",
    "gaussian_entropy",
    "gaussian_total_correlation",
    "logdet_psd",
]


def covariance_from_sums(
    total: torch.Tensor, outer: torch.Tensor, count: torch.Tensor | float, *, owner: str
) -> torch.Tensor:
    """Unbiased covariance from ``Σ z``, ``Σ z zᵀ`` and the count (needs ``count >= 2``)."""
    n = float(count)
    if n < 2:
        raise InsufficientSamplesError(
            f"{owner} needs at least 2 samples for a covariance; got {int(n)}."
        )
    mean = total / n
    return (outer - n * torch.outer(mean, mean)) / (n - 1)


def logdet_psd(matrix: torch.Tensor) -> torch.Tensor:
    """``log det`` of a symmetric PSD matrix: ``-inf`` when it is singular (never NaN)."""
    sign, value = torch.linalg.slogdet(matrix)
    return torch.where(sign > 0, value, torch.full_like(value, -math.inf))


def gaussian_entropy(covariance: torch.Tensor) -> torch.Tensor:
    """Differential entropy ``½ logdet(2πe Σ)`` of a Gaussian, in nats."""
    d = covariance.shape[-1]
    return 0.5 * (d * math.log(2 * math.pi * math.e) + logdet_psd(covariance))


def gaussian_total_correlation(covariance: torch.Tensor) -> torch.Tensor:
    """Total correlation ``½ (Σ_j log Σ_jj − logdet Σ) = −½ logdet(corr)`` of a Gaussian, nats."""
    diagonal = covariance.diagonal()
    return 0.5 * (torch.log(diagonal).sum() - logdet_psd(covariance))


class MomentAccumulator(Accumulator):
    """Base of the streaming latents metrics: moment sums or a bounded buffer of ``z``.

    ``METHODS[0]`` keeps float64 sums of ``z`` and ``z zᵀ`` (exact streaming) and computes
    :meth:`_from_covariance`; ``METHODS[1]`` keeps the last ``max_samples`` rows and computes
    :meth:`_from_samples`.
    """

    METHODS: ClassVar[tuple[str, str]]

    def __init__(
        self,
        *,
        dim: int,
        method: str,
        k: int,
        max_samples: int,
        validate_args: bool,
        sync_on_compute: bool,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.dim = check_int(dim, name="dim", owner=owner)
        self.method = check_choice(method, self.METHODS, name="method")
        self.k = check_int(k, name="k", owner=owner)
        if self.method == self.METHODS[0]:
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
        if self.method == self.METHODS[0]:
            z64 = z.double()
            self._add("total", z64.sum(0))
            self._add("outer", z64.T @ z64)
        else:
            self._append("samples", z)
        self._count_rows(z.shape[0])

    def _compute(self) -> torch.Tensor:
        self._require_samples(2)
        if self.method == self.METHODS[0]:
            covariance = covariance_from_sums(
                self.total, self.outer, self.n_seen, owner=type(self).__name__
            )
            return self._from_covariance(covariance)
        return self._from_samples(self._cat("samples"))

    def _from_covariance(self, covariance: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError  # pragma: no cover - abstract

    def _from_samples(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError  # pragma: no cover - abstract
