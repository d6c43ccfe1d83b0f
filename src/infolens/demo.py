"""The estimation demo: built-in synthetic data with known information, estimated by every method.

Used by ``infolens demo`` (the README's main job until the information plane lands).
"""

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from infolens._typing import FloatArray
from infolens.functional import conditional_mutual_information, entropy, mutual_information

Sampler = Callable[[int, np.random.Generator], tuple[Any, ...]]


def _gaussian_pairs(dim: int, rho: float) -> Sampler:
    def sample(n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
        x = rng.standard_normal((n, dim))
        return x, rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((n, dim))

    return sample


def _half_cube(n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    x, y = _gaussian_pairs(1, 0.75)(n, rng)
    return x * np.sqrt(np.abs(x)), y * np.sqrt(np.abs(y))


def _additive_uniform(n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    x = rng.random(n)
    return x, x + rng.uniform(-0.1, 0.1, n)


def _discrete_continuous(n: int, rng: np.random.Generator) -> tuple[Any, FloatArray]:
    x = rng.integers(0, 4, n)
    return x, x + rng.random(n)


def _rounded(n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    xy = np.round(rng.multivariate_normal([0.0, 0.0], [[1.0, 0.8], [0.8, 1.0]], size=n))
    return xy[:, 0], xy[:, 1]


def _gaussian_chain(n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray, FloatArray]:
    z = rng.standard_normal(n)
    x = z + rng.standard_normal(n)
    return x, x + z + rng.standard_normal(n), z


def _gaussian_3d(n: int, rng: np.random.Generator) -> tuple[FloatArray]:
    return (rng.standard_normal((n, 3)),)


def _dyadic(n: int, rng: np.random.Generator) -> tuple[Any]:
    return (rng.choice(4, size=n, p=[0.5, 0.25, 0.125, 0.125]),)


@dataclass(frozen=True)
class DemoTask:
    """A synthetic problem with its exact answer (nats) and the methods worth comparing on it."""

    name: str
    quantity: str
    truth: float
    sample: Sampler
    methods: tuple[str, ...]


_MI = ("auto", "ksg", "mixed_knn", "gaussian", "gaussian_copula")
TASKS: tuple[DemoTask, ...] = (
    DemoTask("Gaussian 1x1, rho=0.75", "mutual_information", -0.5 * math.log(1 - 0.75**2),
             _gaussian_pairs(1, 0.75), _MI),
    DemoTask("Gaussian 3x3, rho=0.5 per pair", "mutual_information", -1.5 * math.log(0.75),
             _gaussian_pairs(3, 0.5), _MI),
    DemoTask("half-cube margins (heavier tails)", "mutual_information",
             -0.5 * math.log(1 - 0.75**2), _half_cube, _MI),
    DemoTask("additive uniform noise, eps=0.1", "mutual_information", 0.1 - math.log(0.2),
             _additive_uniform, _MI),
    DemoTask("discrete X in 0..3, Y = X + U(0,1)", "mutual_information", math.log(4),
             _discrete_continuous, ("auto", "mixed_knn", "gaussian")),
    DemoTask("integer-rounded Gaussians (ties)", "mutual_information", 0.394164542171, _rounded,
             ("auto", "mixed_knn", "miller_madow", "gaussian_copula")),
    DemoTask("CMI, X = Z + e1, Y = X + Z + e2", "conditional_mutual_information",
             0.5 * math.log(2), _gaussian_chain,
             ("auto", "frenzel_pompe", "mixed_knn", "gaussian", "gaussian_copula")),
    DemoTask("entropy of N(0, I_3)", "entropy", 1.5 * math.log(2 * math.pi * math.e),
             _gaussian_3d, ("auto", "kl", "gaussian")),
    DemoTask("entropy of p = (1/2, 1/4, 1/8, 1/8)", "entropy", 1.75 * math.log(2), _dyadic,
             ("auto", "plugin", "miller_madow")),
)  # fmt: skip

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "entropy": entropy,
    "mutual_information": mutual_information,
    "conditional_mutual_information": conditional_mutual_information,
}


def run_demo(n_samples: int = 5000, seed: int = 0, units: str = "nats") -> list[dict[str, Any]]:
    """Estimate every demo task with its methods; return one record per (task, method).

    Each record holds ``task``, ``quantity``, ``method`` (as asked), ``resolved_method`` (what
    ``"auto"`` chose), ``truth``, ``estimate``, ``error`` (all in ``units``) and ``seconds``.

    Examples
    --------
    >>> rows = run_demo(n_samples=300, seed=1)
    >>> sorted(rows[0])[:4]
    ['error', 'estimate', 'method', 'n_samples']
    """
    records = []
    for task in TASKS:
        data = task.sample(n_samples, np.random.default_rng(seed))
        truth = task.truth / (math.log(2) if units == "bits" else 1.0)
        for method in task.methods:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = _FUNCTIONS[task.quantity](*data, method=method, units=units, rng=seed)
            records.append(
                {
                    "task": task.name,
                    "quantity": task.quantity,
                    "method": method,
                    "resolved_method": est.method,
                    "n_samples": n_samples,
                    "units": units,
                    "truth": truth,
                    "estimate": est.value,
                    "error": est.value - truth,
                    "seconds": time.perf_counter() - start,
                }
            )
    return records
