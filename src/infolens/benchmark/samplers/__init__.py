"""Samplers of (X, Y) or (X, Y, Z) with exactly known (conditional) mutual information, in nats.

Every sampler is a frozen keyword-only dataclass with ``sample(n, rng)``, ``dim_x``, ``dim_y``
and ``mutual_information()`` (or ``dim_z`` and ``conditional_mutual_information()``).
"""

from infolens.benchmark.samplers._base import ConditionalSampler, Sampler
from infolens.benchmark.samplers.additive import AdditiveUniform
from infolens.benchmark.samplers.conditional import ConditionalMultinormal, linear_model_covariance
from infolens.benchmark.samplers.discrete import (
    DiscreteGaussianMixture,
    DiscreteUniformShift,
    QuantisedNormal,
)
from infolens.benchmark.samplers.normal import (
    CorrelatedPairs,
    SplitMultinormal,
    dense_covariance,
    sparse_covariance,
)
from infolens.benchmark.samplers.student import (
    SplitStudentT,
    student_correction,
    student_entropy,
)
from infolens.benchmark.samplers.transformed import (
    Asinh,
    HalfCube,
    Identity,
    MixtureQuantile,
    NormalCDF,
    Spiral,
    SwissRoll,
    Transform,
    TransformedConditionalSampler,
    TransformedSampler,
    Wiggly,
)

__all__ = [
    "AdditiveUniform",
    "Asinh",
    "ConditionalMultinormal",
    "ConditionalSampler",
    "CorrelatedPairs",
    "DiscreteGaussianMixture",
    "DiscreteUniformShift",
    "HalfCube",
    "Identity",
    "MixtureQuantile",
    "NormalCDF",
    "QuantisedNormal",
    "Sampler",
    "Spiral",
    "SplitMultinormal",
    "SplitStudentT",
    "SwissRoll",
    "Transform",
    "TransformedConditionalSampler",
    "TransformedSampler",
    "Wiggly",
    "dense_covariance",
    "linear_model_covariance",
    "sparse_covariance",
    "student_correction",
    "student_entropy",
]
