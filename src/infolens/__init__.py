"""infolens: trustworthy estimates of entropy, mutual information and conditional MI.

All estimates are :class:`Estimate` records in the requested units (nats by default).

Examples
--------
>>> import numpy as np, infolens
>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal(3000)
>>> est = infolens.mutual_information(x, x + rng.standard_normal(3000), method="ksg")
>>> est.method, est.units, est.n_samples
('ksg', 'nats', 3000)
"""

from importlib.metadata import PackageNotFoundError, version

from infolens import discrete, exceptions, feature_selection, kernel
from infolens._estimate import ConfidenceInterval, Estimate
from infolens.discrete.pid import pid_from_samples as pid
from infolens.estimators.registry import (
    Method,
    available_methods,
    get_estimator_class,
    register_method,
)
from infolens.feature_selection import feature_mutual_information
from infolens.functional import (
    conditional_mutual_information,
    entropy,
    mutual_information,
)
from infolens.independence import IndependenceTestResult, independence_test

try:
    __version__ = version("infolens")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ConfidenceInterval",
    "Estimate",
    "IndependenceTestResult",
    "Method",
    "__version__",
    "available_methods",
    "conditional_mutual_information",
    "discrete",
    "entropy",
    "exceptions",
    "feature_mutual_information",
    "feature_selection",
    "get_estimator_class",
    "independence_test",
    "kernel",
    "mutual_information",
    "pid",
    "register_method",
]
