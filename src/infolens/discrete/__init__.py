"""Exact information measures of known discrete distributions, PID and minimum-entropy coupling.

Everything here works on a joint probability table (one axis per variable); build one from
samples with :func:`pmf_from_samples`.
"""

from infolens.discrete._pmf import check_pmf, marginal, pmf_from_samples
from infolens.discrete.coupling import coupling_lower_bound, greedy_coupling, majorization_meet
from infolens.discrete.fairness import FairnessDecomposition, fairness_decomposition
from infolens.discrete.measures import (
    co_information,
    conditional_entropy,
    conditional_mutual_information,
    dual_total_correlation,
    entropy,
    interaction_information,
    joint_entropy,
    js_divergence,
    kl_divergence,
    mutual_information,
    total_correlation,
)
from infolens.discrete.pid import PIDResult, pid, pid_from_samples

__all__ = [
    "FairnessDecomposition",
    "PIDResult",
    "check_pmf",
    "co_information",
    "conditional_entropy",
    "conditional_mutual_information",
    "coupling_lower_bound",
    "dual_total_correlation",
    "entropy",
    "fairness_decomposition",
    "greedy_coupling",
    "interaction_information",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
    "majorization_meet",
    "marginal",
    "mutual_information",
    "pid",
    "pid_from_samples",
    "pmf_from_samples",
    "total_correlation",
]
