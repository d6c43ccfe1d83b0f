"""Speed of the mixed k-NN estimator on tied and discrete data against continuous data.

Issue 17: ``mutual_information(np.zeros(n), labels)`` (``method="auto"`` -> ``mixed_knn``) was
quadratic (17 s at N=100,000, 90 s at 200,000): the k-d tree keeps identical points in one leaf
and every query scanned its whole leaf. Cases (fixed seed, ``method="mixed_knn"``, k=3, default
backend, all cores):

* ``zeros_labels``: x = 0 everywhere, y uniform on 5 labels (the issue's case, I = 0);
* ``labels_labels``: x on 5 labels, y = x + a label on 3 values (purely discrete);
* ``rounded_normal``: a correlated Gaussian pair rounded to a 0.5 grid (lattice ties);
* ``continuous``: the same Gaussian pair unrounded (no ties; the reference cost).

Prints a markdown table and writes JSON (default benchmarks/results/ties_speed.json).
``--jitter-draws D`` also measures how much ``method="ksg"`` (which breaks ties with noise of
relative amplitude 1e-10) varies over D jitter draws on tied data.
Run: .venv/bin/python benchmarks/ties_speed.py [--n 10000,100000,1000000] [--cases NAME,...]
     [--repeats 1] [--jitter-draws 0] [--out PATH]
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

SEED = 17
Maker = Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _zeros_labels(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n), rng.integers(0, 5, n)


def _labels_labels(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.integers(0, 5, n)
    return x, x + rng.integers(0, 3, n)


def _gaussian(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.standard_normal(n)
    return x, 0.6 * x + 0.8 * rng.standard_normal(n)


def _rounded_normal(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = _gaussian(n, rng)
    return np.round(2 * x) / 2, np.round(2 * y) / 2


def _integer_normal(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = _gaussian(n, rng)
    return np.round(x), np.round(y)


CASES: dict[str, Maker] = {
    "zeros_labels": _zeros_labels,
    "labels_labels": _labels_labels,
    "rounded_normal": _rounded_normal,
    "continuous": _gaussian,
}


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def run(cases: list[str], sizes: list[int], repeats: int) -> list[dict[str, object]]:
    """Time ``method="mixed_knn"`` on every case and size; return one record per pair."""
    import infolens

    rows: list[dict[str, object]] = []
    warm_x, warm_y = _rounded_normal(2000, np.random.default_rng(0))
    infolens.mutual_information(warm_x, warm_y, method="mixed_knn")  # compile the kernels
    infolens.mutual_information(np.zeros(2000), warm_y, method="mixed_knn")
    for case in cases:
        for n in sizes:
            x, y = CASES[case](n, np.random.default_rng(SEED))
            times, value = [], float("nan")
            for _ in range(repeats):
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = infolens.mutual_information(x, y, method="mixed_knn").value
                times.append(time.perf_counter() - start)
            rows.append({"case": case, "n": n, "seconds": min(times), "value": value})
            print(f"  {case:15s} N={n:>9,d}  {min(times):8.2f} s  I={value:.4f}", flush=True)
    return rows


JITTER_CASES: dict[str, tuple[Maker, int]] = {
    "rounded_normal_2k": (_rounded_normal, 2_000),
    "rounded_normal_20k": (_rounded_normal, 20_000),
    "integer_normal_10k": (_integer_normal, 10_000),
    "labels_labels_5k": (_labels_labels, 5_000),
}


def jitter_spread(draws: int) -> list[dict[str, object]]:
    """Spread of ``method="ksg"`` over ``draws`` jitter draws on tied data, against mixed_knn."""
    import infolens

    rows: list[dict[str, object]] = []
    for case, (make, n) in JITTER_CASES.items():
        x, y = make(n, np.random.default_rng(SEED))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.array(
                [infolens.mutual_information(x, y, method="ksg", rng=r).value for r in range(draws)]
            )
        mixed = infolens.mutual_information(x, y, method="mixed_knn").value
        row = {
            "case": case,
            "n": n,
            "draws": draws,
            "ksg_mean": float(values.mean()),
            "ksg_sd": float(values.std(ddof=1)),
            "ksg_min": float(values.min()),
            "ksg_max": float(values.max()),
            "mixed_knn": mixed,
        }
        rows.append(row)
        print(
            f"  {case:20s} ksg {values.mean():.4f} +- {values.std(ddof=1):.4f} "
            f"[{values.min():.4f}, {values.max():.4f}]  mixed_knn {mixed:.4f}",
            flush=True,
        )
    return rows


def main() -> None:
    """Parse the arguments, run the cases, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="10000,100000,200000,1000000")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", default="benchmarks/results/ties_speed.json")
    parser.add_argument(
        "--jitter-draws", type=int, default=0, help="also measure ksg's spread over jitter draws"
    )
    args = parser.parse_args()
    sizes = [int(v) for v in args.n.split(",")]
    cases = args.cases.split(",")
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {unknown}; available: {sorted(CASES)}")
    rows = run(cases, sizes, args.repeats)
    print("\n| case | " + " | ".join(f"N={n:,d}" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for case in cases:
        cells = [f"{r['seconds']:.2f} s" for r in rows if r["case"] == case]
        print(f"| `{case}` | " + " | ".join(cells) + " |")
    record = {
        "benchmark": "ties_speed",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "method": "mixed_knn",
        "rows": rows,
    }
    if args.jitter_draws:
        print(f"\nksg on tied data over {args.jitter_draws} jitter draws (rng=0..):")
        record["ksg_jitter_spread"] = jitter_spread(args.jitter_draws)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nwrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
