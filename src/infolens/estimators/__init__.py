"""Estimator classes, the :class:`Estimate` record and the method registry."""

from infolens.estimators._base import (
    ConditionalMutualInformationEstimator,
    EntropyEstimator,
    Estimate,
    MutualInformationEstimator,
)
from infolens.estimators.registry import REGISTRY, available_methods, get_estimator_class

__all__ = [
    "REGISTRY",
    "ConditionalMutualInformationEstimator",
    "EntropyEstimator",
    "Estimate",
    "MutualInformationEstimator",
    "available_methods",
    "get_estimator_class",
]
