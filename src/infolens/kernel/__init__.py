"""Kernel information measures: matrix-based Rényi entropy, Cauchy-Schwarz divergence and QMI, HSIC.

All kernels are Gaussian, ``exp(-||u - v||^2 / (2 sigma^2))``; ``sigma=None`` means
:func:`median_heuristic`. Entropies, divergences and MI are in nats unless ``units="bits"``;
HSIC is dimensionless.
"""

from infolens.kernel._gram import (
    BLOCK_SIZE,
    MAX_DENSE_SAMPLES,
    center_gram,
    gaussian_gram,
    median_heuristic,
    sigma_from_denominator,
    sigma_from_dimension_scaled,
)
from infolens.kernel.cauchy_schwarz import (
    cauchy_schwarz_divergence,
    cauchy_schwarz_mutual_information,
)
from infolens.kernel.hsic import HSICTestResult, hsic, hsic_test, normalized_hsic
from infolens.kernel.renyi import (
    matrix_renyi_entropy,
    matrix_renyi_joint_entropy,
    matrix_renyi_mutual_information,
)

__all__ = [
    "BLOCK_SIZE",
    "MAX_DENSE_SAMPLES",
    "HSICTestResult",
    "cauchy_schwarz_divergence",
    "cauchy_schwarz_mutual_information",
    "center_gram",
    "gaussian_gram",
    "hsic",
    "hsic_test",
    "matrix_renyi_entropy",
    "matrix_renyi_joint_entropy",
    "matrix_renyi_mutual_information",
    "median_heuristic",
    "normalized_hsic",
    "sigma_from_denominator",
    "sigma_from_dimension_scaled",
]
