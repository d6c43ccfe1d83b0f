"""Accuracy of the classical estimators against closed-form truth, and the tie case vs peers.

Prints a table and writes JSON (default benchmarks/results/foundation_accuracy.json).
Run: .venv/bin/python benchmarks/foundation_accuracy.py [--seeds 5] [--out PATH]
"""

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import infolens

ROUNDED_MI = 0.394164542171  # exact MI of the integer-rounded bivariate normal, rho = 0.8
TIES = "ties: rounded Gaussian rho=0.8 N=10000"


def gaussian_pairs(n: int, dim: int, rho: float, rng: np.random.Generator) -> tuple[Any, Any]:
    x = rng.standard_normal((n, dim))
    return x, rho * x + np.sqrt(1 - rho**2) * rng.standard_normal((n, dim))


def timed_runs(
    fn: Any, datasets: list[tuple[Any, ...]], **kwargs: Any
) -> tuple[list[float], list[float]]:
    """Run ``fn(*data, **kwargs)`` on every dataset; return the values and the wall times."""
    values, times = [], []
    for data in datasets:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values.append(float(fn(*data, **kwargs)))
        times.append(time.perf_counter() - start)
    return values, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/foundation_accuracy.json")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []

    def record(
        case: str, method: str, truth: float, values: list[float], times: list[float]
    ) -> None:
        rows.append(
            {
                "case": case,
                "method": method,
                "truth": truth,
                "mean": float(np.mean(values)),
                "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                "bias": float(np.mean(values) - truth),
                "seconds": float(np.mean(times)),
            }
        )

    mi_methods = [
        ("ksg", {}),
        ("ksg-2", {"variant": 2}),
        ("gaussian", {}),
        ("gaussian_copula", {}),
    ]
    for dim in (1, 3, 10):
        for n in (1000, 10_000):
            truth = -dim / 2 * np.log(1 - 0.25)
            data = [
                gaussian_pairs(n, dim, 0.5, np.random.default_rng(s)) for s in range(args.seeds)
            ]
            for label, params in mi_methods:
                method = label.split("-")[0]
                out = timed_runs(infolens.mutual_information, data, method=method, **params)
                record(f"MI Gaussian d={dim} rho=0.5 N={n}", label, truth, *out)
            h_truth = dim / 2 * np.log(2 * np.pi * np.e)
            for metric in ("max", "euclidean"):
                out = timed_runs(
                    infolens.entropy, [d[:1] for d in data], method="kl", metric=metric
                )
                record(f"H N(0,I) d={dim} N={n}", f"kl-{metric}", h_truth, *out)

    from sklearn.feature_selection import mutual_info_regression

    tie_data = []
    for s in range(args.seeds):
        xy = np.random.default_rng(s).multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], 10_000)
        tie_data.append((np.round(xy[:, 0]), np.round(xy[:, 1])))
    for method in ("auto", "mixed_knn", "ksg", "miller_madow", "gaussian_copula"):
        out = timed_runs(infolens.mutual_information, tie_data, method=method, rng=0)
        record(TIES, method, ROUNDED_MI, *out)

    def sklearn_mi(a: Any, b: Any) -> float:
        return float(mutual_info_regression(a[:, None], b, n_neighbors=3, random_state=0)[0])

    record(TIES, "sklearn mutual_info_regression", ROUNDED_MI, *timed_runs(sklearn_mi, tie_data))

    header = (
        f"{'case':42s} {'method':32s} {'truth':>8s} {'mean':>8s} {'sd':>7s} {'bias':>8s} "
        f"{'s/run':>7s}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['case']:42s} {r['method']:32s} {r['truth']:8.4f} {r['mean']:8.4f} {r['sd']:7.4f} "
            f"{r['bias']:+8.4f} {r['seconds']:7.3f}"
        )
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"seeds": args.seeds, "infolens": infolens.__version__}
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
