"""Accuracy and speed of the neural MI estimators (default settings) on tasks with known MI.

Two modes:

- ``--suite gaussian`` (default, self-contained): a few Gaussian tasks generated here, with the
  exact MI from the joint covariance, ``I = 1/2 log(det S_xx det S_yy / det S)``.
- ``--suite bmi``: every task of ``infolens.benchmark`` (``list_tasks()``, ``get_task(id)``,
  ``task.sample(n, rng)``, ``task.truth``), the bmi benchmark being written in
  parallel; a clear error if it is not there yet.

A task is "solved" when the estimate is within a factor 1.5 of the truth (bmi's criterion).
Prints a table (task, truth, estimate, seconds) and writes JSON.

Run: .venv/bin/python benchmarks/neural_bmi.py [--suite gaussian|bmi] [--bounds infonce,nwj]
     [--n 5000] [--seed 0] [--threads N] [--out benchmarks/results/neural_bmi.json]
"""

import argparse
import json
import math
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from infolens.estimators.neural.estimator import BOUNDS, NeuralEstimator

Sampler = Callable[[int, np.random.Generator], tuple[Any, ...]]


def _linear_gaussian(mix_x: np.ndarray[Any, Any], mix_y: np.ndarray[Any, Any]) -> Sampler:
    """X = A z, Y = B z with z ~ N(0, I): the columns of A and B mix shared latents and noise."""

    def sample(n: int, rng: np.random.Generator) -> tuple[Any, Any]:
        z = rng.standard_normal((n, mix_x.shape[1]))
        return z @ mix_x.T, z @ mix_y.T

    return sample


def _exact_mi(mix_x: np.ndarray[Any, Any], mix_y: np.ndarray[Any, Any]) -> float:
    joint = np.vstack([mix_x, mix_y])
    cov = joint @ joint.T
    dx = mix_x.shape[0]

    def logdet(m: np.ndarray[Any, Any]) -> float:
        return float(np.linalg.slogdet(m)[1])

    return 0.5 * (logdet(cov[:dx, :dx]) + logdet(cov[dx:, dx:]) - logdet(cov))


def _correlated(dim: int, rho: float) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """corr(X_i, Y_i) = rho, independent pairs: latents [u (dim), noise (dim)]."""
    eye, zero = np.eye(dim), np.zeros((dim, dim))
    mix_x = np.hstack([eye, zero])
    mix_y = np.hstack([rho * eye, math.sqrt(1 - rho**2) * eye])
    return mix_x, mix_y


def _sparse(dim: int, n_shared: int, weight: float) -> tuple[np.ndarray[Any, Any], Any]:
    """X_i = Z_i + e_i, Y_i = weight Z_i + e'_i for i < n_shared; pure noise otherwise."""
    n_latent = n_shared + 2 * dim
    mix_x, mix_y = np.zeros((dim, n_latent)), np.zeros((dim, n_latent))
    for i in range(dim):
        mix_x[i, n_shared + i] = 1.0
        mix_y[i, n_shared + dim + i] = 1.0
        if i < n_shared:
            mix_x[i, i], mix_y[i, i] = 1.0, weight
    return mix_x, mix_y


def gaussian_tasks() -> dict[str, tuple[Sampler, float]]:
    """The self-contained tasks: name -> (sampler, exact MI in nats)."""
    specs = {
        "1v1-correlated-rho0.75": _correlated(1, 0.75),
        "2v2-correlated-rho0.95": _correlated(2, 0.95),
        "5v5-correlated-rho0.5": _correlated(5, 0.5),
        "5v5-sparse-2pairs-weight2": _sparse(5, 2, 2.0),
        "10v10-sparse-3pairs-weight2": _sparse(10, 3, 2.0),
    }
    return {name: (_linear_gaussian(*m), _exact_mi(*m)) for name, m in specs.items()}


def bmi_tasks() -> dict[str, tuple[Sampler, float]]:
    """The 40 bmi tasks of ``infolens.benchmark`` (SystemExit with a clear message if absent)."""
    try:
        from infolens import benchmark
    except ImportError as err:
        raise SystemExit(
            "--suite bmi needs infolens.benchmark (list_tasks, get_task), which is not available "
            f"yet ({err}). Use --suite gaussian for the self-contained tasks."
        ) from err
    tasks: dict[str, tuple[Sampler, float]] = {}
    for task_id in benchmark.list_tasks("bmi"):
        task = benchmark.get_task(task_id)
        tasks[task_id] = (task.sample, float(task.truth))
    return tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", choices=["gaussian", "bmi"], default="gaussian")
    parser.add_argument("--bounds", default="infonce", help=f"comma list of {', '.join(BOUNDS)}")
    parser.add_argument("--tasks", default=None, help="comma list of task names (default: all)")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--out", default="benchmarks/results/neural_bmi.json")
    args = parser.parse_args()
    if args.threads is not None:
        # torch is banned outside the neural package by ruff; the script only sets its threads.
        import torch  # noqa: TID251

        torch.set_num_threads(args.threads)
    tasks = gaussian_tasks() if args.suite == "gaussian" else bmi_tasks()
    if args.tasks is not None:
        tasks = {name: tasks[name] for name in args.tasks.split(",")}
    rows: list[dict[str, Any]] = []
    print(f"{'bound':8} {'task':32} {'truth':>8} {'estimate':>9} {'seconds':>8}  solved")
    for bound in args.bounds.split(","):
        estimator = NeuralEstimator(bound=bound, verbose=False)
        for name, (sample, truth) in tasks.items():
            x, y = sample(args.n, np.random.default_rng(args.seed))
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                est = estimator.mutual_information(x, y, rng=args.seed)
            seconds = time.perf_counter() - start
            solved = truth / 1.5 <= est.value <= 1.5 * truth
            rows.append(
                {
                    "bound": bound,
                    "task": name,
                    "n": args.n,
                    "truth": truth,
                    "estimate": est.value,
                    "seconds": seconds,
                    "solved": solved,
                    "n_steps": est.details["n_steps"],
                    "best_step": est.details["best_step"],
                    "saturated": est.details.get("saturated"),
                    "warnings": [str(w.message) for w in caught],
                }
            )
            print(
                f"{bound:8} {name:32} {truth:8.4f} {est.value:9.4f} {seconds:8.2f}  "
                f"{'yes' if solved else 'no'}"
            )
    for bound in args.bounds.split(","):
        mine = [r for r in rows if r["bound"] == bound]
        mae = float(np.mean([abs(r["estimate"] - r["truth"]) for r in mine]))
        print(
            f"{bound}: solved {sum(r['solved'] for r in mine)}/{len(mine)}, MAE {mae:.3f} nats, "
            f"mean {np.mean([r['seconds'] for r in mine]):.2f} s/task"
        )
    meta = {"suite": args.suite, "n": args.n, "seed": args.seed, "cpus": os.cpu_count()}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
