"""Calibration of ``ci=`` intervals and ``independence_test`` p-values, power, and their cost.

Parts (``--parts``, default all), each printing a markdown table and writing
``benchmarks/results/calibration_<part>.json``:

* ``coverage``: share of 95 % intervals covering the exact value over ``--reps`` repetitions, per
  method x task x N (``--sizes``), with the mean half-width, the mean standard error against the
  spread of the estimates, the mean bias and how often the bias diagnostic (BiasWarning) fired;
* ``pvalues``: Kolmogorov-Smirnov test of uniformity of (randomised) p-values over ``--null-reps``
  independent null data sets: KSG MI, and Frenzel-Pompe CMI with local permutations where X and
  Y both depend on Z;
* ``power``: rejection rate at alpha = 0.05 against Gaussian pairs with MI 0, 0.01, 0.05, 0.1 nats;
* ``speed``: a 1,000-permutation test at N = 10,000 x (1+1) and (5+5) against NPEET's
  ``shuffle_test`` and infomeasure's ``statistical_test`` on identical data (peers run in
  ``.venv-peers``; their time per permutation is measured on ``--peer-permutations`` and scaled);
* ``cost``: wall time of ``ci=0.95`` against a plain KSG estimate at N = 100,000 x (5+5);
* ``sklearn30772``: a constant feature against a rare binary label (scikit-learn issue #30772).

Run (heavy; nice it on a shared machine):
    nice -n 10 .venv/bin/python benchmarks/calibration.py [--parts coverage,pvalues,...]
        [--reps 200] [--sizes 1000,10000] [--null-reps 200] [--out-dir benchmarks/results]
Peers: python -m venv .venv-peers && .venv-peers/bin/pip install infomeasure <NPEET checkout>
(NPEET is not on PyPI: github.com/gregversteeg/NPEET, snapshot 8b0d948).
"""

import argparse
import importlib
import json
import math
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
RHO = 0.6
MI_RHO = -0.5 * math.log(1 - RHO**2)  # 0.2231 nats per dimension pair
LEVEL = 0.95

Sampler = Callable[[np.random.Generator, int], list[np.ndarray]]


@dataclass(frozen=True)
class Task:
    """A named sampler with its exact value (nats) and the quantity it has."""

    name: str
    quantity: str
    truth: float
    sample: Sampler


def _gauss_pair(dim: int) -> Sampler:
    def sample(rng: np.random.Generator, n: int) -> list[np.ndarray]:
        x = rng.standard_normal((n, dim))
        return [x, RHO * x + math.sqrt(1 - RHO**2) * rng.standard_normal((n, dim))]

    return sample


def _nongauss_pair(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    x, y = _gauss_pair(1)(rng, n)
    return [np.exp(x), y**3]  # invertible maps: the MI is unchanged


def _mixed_pair(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    x = rng.integers(0, 4, n)
    return [x, x + 0.5 * rng.standard_normal(n)]


def _mixed_truth() -> float:
    from scipy import integrate, stats

    def density(y: float) -> float:
        return float(np.mean([stats.norm.pdf(y, m, 0.5) for m in range(4)]))

    def integrand(y: float) -> float:
        p = density(y)
        return -p * math.log(p) if p > 0 else 0.0

    h_y = float(integrate.quad(integrand, -4.0, 7.0, points=[0, 1, 2, 3], limit=200)[0])
    return h_y - 0.5 * math.log(2 * math.pi * math.e * 0.25)


def _channel(symbols: int, flip: float) -> tuple[Sampler, float]:
    """X uniform on ``symbols``; Y = X with prob. 1 - flip, else uniform on the symbols."""
    joint = np.full((symbols, symbols), flip / symbols**2) + np.eye(symbols) * (1 - flip) / symbols
    marg = joint.sum(axis=1)
    truth = float((joint * np.log(joint / np.outer(marg, marg))).sum())

    def sample(rng: np.random.Generator, n: int) -> list[np.ndarray]:
        x = rng.integers(0, symbols, n)
        return [x, np.where(rng.random(n) < 1 - flip, x, rng.integers(0, symbols, n))]

    return sample, truth


def _cmi_sampler(dim: int, transform: bool) -> Sampler:
    def sample(rng: np.random.Generator, n: int) -> list[np.ndarray]:
        z = rng.standard_normal((n, dim))
        x = z + rng.standard_normal((n, dim))
        y = 0.5 * x + z + rng.standard_normal((n, dim))
        if transform:  # per-variable invertible maps leave I(X; Y | Z) unchanged
            return [x**3, np.exp(y / 2), np.sinh(z)]
        return [x, y, z]

    return sample


def _cmi_truth(dim: int) -> float:
    # per dimension: Z ~ N(0, 1), X = Z + E1, Y = 0.5 X + Z + E2
    cov = np.array([[2.0, 2.0, 1.0], [2.0, 3.5, 1.5], [1.0, 1.5, 1.0]])

    def logdet(idx: list[int]) -> float:
        return float(np.linalg.slogdet(cov[np.ix_(idx, idx)])[1])

    per_dim = 0.5 * (logdet([0, 2]) + logdet([1, 2]) - logdet([0, 1, 2]) - logdet([2]))
    return dim * per_dim


def _entropy_sampler(dim: int, lognormal: bool) -> Sampler:
    def sample(rng: np.random.Generator, n: int) -> list[np.ndarray]:
        x = rng.standard_normal((n, dim))
        return [np.exp(x) if lognormal else x]

    return sample


def tasks() -> dict[str, Task]:
    """Every task of the coverage study, by name."""
    h1 = 0.5 * math.log(2 * math.pi * math.e)
    ch4, mi4 = _channel(4, 0.3)
    ch2, mi2 = _channel(2, 0.2)
    ch8, mi8 = _channel(8, 0.5)
    found = [
        Task("gauss-1", "mutual_information", MI_RHO, _gauss_pair(1)),
        Task("gauss-5", "mutual_information", 5 * MI_RHO, _gauss_pair(5)),
        Task("nongauss-1 (exp x, y^3)", "mutual_information", MI_RHO, _nongauss_pair),
        Task(
            "mixed (x in 0..3, y = x + N(0, 0.25))",
            "mutual_information",
            _mixed_truth(),
            _mixed_pair,
        ),
        Task("channel-4 (flip 0.3)", "mutual_information", mi4, ch4),
        Task("channel-2 (flip 0.2)", "mutual_information", mi2, ch2),
        Task("channel-8 (flip 0.5)", "mutual_information", mi8, ch8),
        Task(
            "cmi-gauss-1", "conditional_mutual_information", _cmi_truth(1), _cmi_sampler(1, False)
        ),
        Task(
            "cmi-gauss-3", "conditional_mutual_information", _cmi_truth(3), _cmi_sampler(3, False)
        ),
        Task(
            "cmi-nongauss-1", "conditional_mutual_information", _cmi_truth(1), _cmi_sampler(1, True)
        ),
        Task("h-gauss-1", "entropy", h1, _entropy_sampler(1, False)),
        Task("h-gauss-5", "entropy", 5 * h1, _entropy_sampler(5, False)),
        Task("h-lognormal-1", "entropy", h1, _entropy_sampler(1, True)),  # h(e^X) = h(X) + E[X]
    ]
    return {t.name: t for t in found}


#: method -> the tasks on which it is consistent (others estimate a different quantity).
COVERAGE_PLAN: dict[str, list[str]] = {
    "ksg": [
        "gauss-1",
        "gauss-5",
        "nongauss-1 (exp x, y^3)",
        "mixed (x in 0..3, y = x + N(0, 0.25))",
    ],
    "mixed_knn": ["gauss-1", "nongauss-1 (exp x, y^3)", "mixed (x in 0..3, y = x + N(0, 0.25))"],
    "kl": ["h-gauss-1", "h-gauss-5", "h-lognormal-1"],
    "frenzel_pompe": ["cmi-gauss-1", "cmi-gauss-3", "cmi-nongauss-1"],
    "gaussian": ["gauss-1", "gauss-5", "cmi-gauss-1", "cmi-gauss-3", "h-gauss-5"],
    "plugin": ["channel-4 (flip 0.3)", "channel-2 (flip 0.2)", "channel-8 (flip 0.5)"],
}
KNN = {"ksg", "mixed_knn", "kl", "frenzel_pompe"}


def coverage(args: argparse.Namespace) -> list[dict[str, Any]]:
    import infolens
    from infolens.exceptions import BiasWarning, DegenerateDataWarning

    all_tasks = tasks()
    rows = []
    for n in args.sizes:
        reps = args.reps if n <= 1000 else args.reps_large
        for method, names in COVERAGE_PLAN.items():
            if args.methods and method not in args.methods:
                continue
            for name in names:
                task = all_tasks[name]
                rng = np.random.default_rng([n, len(name), sum(map(ord, name + method))])
                extra = {"n_jobs": 1} if method in KNN else {}
                compute = getattr(infolens, task.quantity)
                values, lows, highs, ses, flagged = [], [], [], [], 0
                start = time.perf_counter()
                for _ in range(reps):
                    data = task.sample(rng, n)
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        est = compute(*data, method=method, ci=LEVEL, rng=rng, **extra)
                    flagged += any(issubclass(w.category, BiasWarning) for w in caught)
                    others = [
                        w
                        for w in caught
                        if not issubclass(w.category, BiasWarning | DegenerateDataWarning)
                    ]
                    if others:
                        print("warning:", others[0].message, file=sys.stderr)
                    values.append(est.value)
                    lows.append(est.ci.low)
                    highs.append(est.ci.high)
                    ses.append(est.ci.standard_error)
                v, lo, hi = np.array(values), np.array(lows), np.array(highs)
                row = {
                    "method": method,
                    "task": name,
                    "n": n,
                    "reps": reps,
                    "truth": task.truth,
                    "coverage": float(((lo <= task.truth) & (task.truth <= hi)).mean()),
                    "ci_method": est.ci.method,
                    "mean_half_width": float(((hi - lo) / 2).mean()),
                    "mean_se": float(np.mean(ses)),
                    "sd_estimates": float(v.std(ddof=1)),
                    "mean_bias": float(v.mean() - task.truth),
                    "bias_warning_share": flagged / reps,
                    "seconds": time.perf_counter() - start,
                }
                rows.append(row)
                print(
                    f"| {method} | {name} | {n:,} | {reps} | {row['coverage']:.3f} | "
                    f"{row['mean_half_width']:.4f} | {row['mean_se']:.4f} / "
                    f"{row['sd_estimates']:.4f} | {row['mean_bias']:+.4f} | "
                    f"{row['bias_warning_share']:.2f} |",
                    flush=True,
                )
    return rows


def _randomised_p(result: Any, rng: np.random.Generator) -> float:
    return float(result.p_value - rng.random() / (1 + result.n_permutations))


def pvalues(args: argparse.Namespace) -> list[dict[str, Any]]:
    from scipy import stats

    from infolens.independence import independence_test

    rows = []
    cases = [
        ("ksg MI, independent Gaussians", "ksg", 1000, False),
        ("frenzel_pompe CMI, X and Y depend on Z (local permutation)", "frenzel_pompe", 500, True),
        ("gaussian CMI, X and Y depend on Z (local permutation)", "gaussian", 500, True),
    ]
    for label, method, n, conditional in cases:
        rng = np.random.default_rng(len(label))
        p, raw = [], []
        start = time.perf_counter()
        for _ in range(args.null_reps):
            if conditional:
                z = rng.standard_normal(n)
                x, y = z + 0.6 * rng.standard_normal(n), z + 0.6 * rng.standard_normal(n)
                result = independence_test(
                    x, y, z, method=method, n_permutations=args.permutations, rng=rng
                )
            else:
                x, y = rng.standard_normal(n), rng.standard_normal(n)
                result = independence_test(
                    x, y, method=method, n_permutations=args.permutations, rng=rng
                )
            raw.append(result.p_value)
            p.append(_randomised_p(result, rng))
        ks = stats.kstest(p, "uniform")
        row = {
            "case": label,
            "method": method,
            "n": n,
            "null_reps": args.null_reps,
            "n_permutations": args.permutations,
            "ks_statistic": float(ks.statistic),
            "ks_p_value": float(ks.pvalue),
            "rejection_rate_0.05": float(np.mean(np.array(raw) <= 0.05)),
            "seconds": time.perf_counter() - start,
        }
        rows.append(row)
        print(
            f"| {label} | {n:,} | {args.null_reps} | {args.permutations} | "
            f"{row['ks_statistic']:.4f} | {row['ks_p_value']:.3f} | "
            f"{row['rejection_rate_0.05']:.3f} |",
            flush=True,
        )
    return rows


def power(args: argparse.Namespace) -> list[dict[str, Any]]:
    from infolens.independence import independence_test

    rows = []
    n = 1000
    for method in ("ksg", "gaussian"):
        for mi in (0.0, 0.01, 0.05, 0.1):
            rho = math.sqrt(1 - math.exp(-2 * mi))
            rng = np.random.default_rng([int(mi * 1000), len(method)])
            rejected = 0
            start = time.perf_counter()
            for _ in range(args.power_reps):
                x = rng.standard_normal(n)
                y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal(n)
                result = independence_test(
                    x, y, method=method, n_permutations=args.permutations, rng=rng
                )
                rejected += result.p_value <= 0.05
            row = {
                "method": method,
                "mi": mi,
                "n": n,
                "reps": args.power_reps,
                "n_permutations": args.permutations,
                "power_0.05": rejected / args.power_reps,
                "seconds": time.perf_counter() - start,
            }
            rows.append(row)
            print(
                f"| {method} | {mi} | {n:,} | {args.power_reps} | {row['power_0.05']:.3f} |",
                flush=True,
            )
    return rows


# -- speed against peers ---------------------------------------------------------------------


def _speed_data(dim: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024 + dim)
    x = rng.standard_normal((n, dim))
    y = RHO * x + math.sqrt(1 - RHO**2) * rng.standard_normal((n, dim))
    return (x - x.mean(0)) / x.std(0), (y - y.mean(0)) / y.std(0)


def peer_worker(tool: str, dim: int, n: int, permutations: int) -> None:
    """Time one peer's permutation test (runs inside .venv-peers); print JSON."""
    x, y = _speed_data(dim, n)
    np.random.seed(0)  # noqa: NPY002 - NPEET's shuffle_test draws from the global state
    if tool == "npeet":
        ee: Any = importlib.import_module("npeet.entropy_estimators")

        ee.mi(x[:500], y[:500], k=3, base=math.e)  # warm-up
        start = time.perf_counter()
        ee.shuffle_test(ee.mi, x, y, ns=permutations, k=3, base=math.e)
        seconds = time.perf_counter() - start
    else:
        im: Any = importlib.import_module("infomeasure")

        warm = im.estimator(x[:500], y[:500], measure="mi", approach="ksg", k=3, minkowski_p=np.inf)
        warm.statistical_test(n_tests=2, method="permutation_test")
        start = time.perf_counter()
        est = im.estimator(x, y, measure="mi", approach="ksg", k=3, minkowski_p=np.inf)
        est.statistical_test(n_tests=permutations, method="permutation_test")
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "permutations": permutations}))


def speed(args: argparse.Namespace) -> list[dict[str, Any]]:
    from importlib import metadata

    from infolens.independence import independence_test

    rows = []
    n, permutations = 10_000, 1000
    for dim in (1, 5):
        x, y = _speed_data(dim, n)
        independence_test(x[:500], y[:500], method="ksg", n_permutations=5, rng=0)  # warm-up
        timings = {}
        for n_jobs in args.speed_jobs:
            start = time.perf_counter()
            independence_test(x, y, method="ksg", n_permutations=permutations, rng=0, n_jobs=n_jobs)
            timings[n_jobs] = time.perf_counter() - start
        row: dict[str, Any] = {
            "case": f"{n:,} x ({dim}+{dim})",
            "n_permutations": permutations,
            "infolens_seconds_1_thread": timings.get(1),
            "infolens_seconds_all_cores": timings.get(-1),
            "infolens_version": metadata.version("infolens"),
            "peers": {},
        }
        infolens_best = min(timings.values())
        for tool in ("npeet", "infomeasure"):
            if not PEERS_PYTHON.exists():
                row["peers"][tool] = {"error": "no .venv-peers"}
                continue
            done = subprocess.run(
                [
                    str(PEERS_PYTHON),
                    __file__,
                    "--peer-worker",
                    tool,
                    str(dim),
                    str(n),
                    str(args.peer_permutations),
                ],
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
            if done.returncode != 0:
                row["peers"][tool] = {"error": done.stderr.strip().splitlines()[-1:]}
                continue
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            per_perm = measured["seconds"] / measured["permutations"]
            row["peers"][tool] = {
                "measured_permutations": measured["permutations"],
                "measured_seconds": measured["seconds"],
                "seconds_for_1000": per_perm * permutations,
                "ratio_to_infolens": per_perm * permutations / infolens_best,
            }
        rows.append(row)
        peers = "; ".join(
            f"{t} {p['seconds_for_1000']:.1f} s ({p['ratio_to_infolens']:.0f}x)"
            if "seconds_for_1000" in p
            else f"{t}: {p['error']}"
            for t, p in row["peers"].items()
        )
        shown = [f"{timings[j]:.2f}" if j in timings else "-" for j in (1, -1)]
        print(f"| {row['case']} | {shown[0]} | {shown[1]} | {peers} |", flush=True)
    return rows


def cost(args: argparse.Namespace) -> list[dict[str, Any]]:
    import infolens

    x, y = _speed_data(5, 100_000)
    infolens.mutual_information(x[:1000], y[:1000], method="ksg", ci=0.95, rng=0)  # warm-up
    plain, with_ci = [], []
    for repeat in range(args.cost_repeats):
        start = time.perf_counter()
        infolens.mutual_information(x, y, method="ksg")
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        est = infolens.mutual_information(x, y, method="ksg", ci=0.95, rng=repeat)
        with_ci.append(time.perf_counter() - start)
    row = {
        "case": "KSG 100,000 x (5+5)",
        "plain_seconds": float(np.median(plain)),
        "ci_seconds": float(np.median(with_ci)),
        "ratio": float(np.median(with_ci) / np.median(plain)),
        "repeats": args.cost_repeats,
        "estimate": est.value,
        "ci": [est.ci.low, est.ci.high] if est.ci is not None else None,
        "truth": 5 * MI_RHO,
        "bias_diagnostic": est.details["interval"]["bias"],
    }
    print(
        f"| {row['case']} | {row['plain_seconds']:.2f} | {row['ci_seconds']:.2f} | "
        f"{row['ratio']:.2f} |",
        flush=True,
    )
    return [row]


def sklearn30772(args: argparse.Namespace) -> list[dict[str, Any]]:
    import infolens
    from infolens.independence import independence_test

    rows = []
    for n in args.sklearn_sizes:
        y = np.zeros(n, dtype=int)
        y[:100] = 1
        np.random.default_rng(0).shuffle(y)
        x = np.zeros(n)
        row: dict[str, Any] = {"n": n, "positives": 100}
        start = time.perf_counter()
        est = infolens.mutual_information(x, y, ci=0.95, rng=0, n_jobs=1)
        assert est.ci is not None
        row.update(
            infolens_method=est.method,
            infolens_mi=est.value,
            infolens_ci=[est.ci.low, est.ci.high],
            infolens_seconds=time.perf_counter() - start,
        )
        test = independence_test(x, y, method=est.method, n_permutations=9, rng=0)
        row["p_value_9_permutations"] = test.p_value
        try:
            from sklearn.feature_selection import mutual_info_classif

            start = time.perf_counter()
            row["sklearn_mi"] = float(mutual_info_classif(x[:, None], y, random_state=0)[0])
            row["sklearn_seconds"] = time.perf_counter() - start
        except ImportError:
            row["sklearn_mi"] = None
        rows.append(row)
        print(
            f"| {n:,} | {row['infolens_method']} | {row['infolens_mi']:.3g} | "
            f"[{row['infolens_ci'][0]:.3g}, {row['infolens_ci'][1]:.3g}] | "
            f"{row['p_value_9_permutations']:.2f} | {row['sklearn_mi']} |",
            flush=True,
        )
    return rows


PARTS: dict[str, tuple[Callable[[argparse.Namespace], list[dict[str, Any]]], str]] = {
    "coverage": (
        coverage,
        "| method | task | N | reps | coverage | half-width | mean SE / sd | bias | BiasWarning |"
        "\n|---|---|---|---|---|---|---|---|---|",
    ),
    "pvalues": (
        pvalues,
        "| null case | N | reps | permutations | KS D | KS p | rejected at 0.05 |"
        "\n|---|---|---|---|---|---|---|",
    ),
    "power": (power, "| statistic | MI (nats) | N | reps | power at 0.05 |\n|---|---|---|---|---|"),
    "speed": (
        speed,
        "| case | infolens 1 thread (s) | infolens all cores (s) | peers (s for 1,000; ratio) |"
        "\n|---|---|---|---|",
    ),
    "cost": (cost, "| case | plain (s) | ci=0.95 (s) | ratio |\n|---|---|---|---|"),
    "sklearn30772": (
        sklearn30772,
        "| N | method | MI | 95 % CI | p (9 perms) | sklearn MI |\n|---|---|---|---|---|---|",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--reps-large", type=int, default=200, help="repetitions at N > 1000")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--methods", default="")
    parser.add_argument("--null-reps", type=int, default=200)
    parser.add_argument("--power-reps", type=int, default=100)
    parser.add_argument("--permutations", type=int, default=200)
    parser.add_argument("--peer-permutations", type=int, default=20)
    parser.add_argument("--cost-repeats", type=int, default=3)
    parser.add_argument("--speed-jobs", default="1,-1", help="n_jobs values of the speed part")
    parser.add_argument("--sklearn-sizes", default="10000")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--peer-worker", nargs=4, metavar=("TOOL", "DIM", "N", "PERMS"))
    args = parser.parse_args()
    if args.peer_worker:
        tool, dim, n, perms = args.peer_worker
        peer_worker(tool, int(dim), int(n), int(perms))
        return
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.speed_jobs = [int(j) for j in args.speed_jobs.split(",")]
    args.sklearn_sizes = [int(s) for s in args.sklearn_sizes.split(",")]
    args.methods = [m for m in args.methods.split(",") if m]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    for part in args.parts.split(","):
        function, header = PARTS[part]
        print(f"\n## {part}\n\n{header}", flush=True)
        start = time.perf_counter()
        rows = function(args)
        record = {
            "part": part,
            "commit": commit,
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "seconds": time.perf_counter() - start,
            "rows": rows,
        }
        suffix = "" if not args.methods else "_" + "_".join(args.methods)
        path = args.out_dir / f"calibration_{part}{suffix}.json"
        path.write_text(json.dumps(record, indent=1) + "\n")
        print(f"\nwrote {path}", flush=True)


if __name__ == "__main__":
    main()
