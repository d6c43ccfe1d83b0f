"""Gaussian moments (mean, covariance) as float64 sum states, shared by the accumulators."""

import math

import torch

from infolens.exceptions import InsufficientSamplesError

__all__ = ["covariance_from_sums", "gaussian_entropy", "gaussian_total_correlation", "logdet_psd"]


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
