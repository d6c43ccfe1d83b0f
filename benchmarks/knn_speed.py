"""Speed of k-NN information estimators: infolens against installed peers on identical data.

Every (tool, case) runs in its own subprocess, so a crash or a timeout is recorded and the run
goes on. The data are generated in the worker from the case (fixed seed) and every column is
standardized before any tool sees it. Prints a markdown table and writes JSON (default
benchmarks/results/knn_speed.json).
Run: .venv-peers/bin/python benchmarks/knn_speed.py [--scale 0.01] [--cases NAME,...]
     [--tools NAME,...] [--backends auto,kdtree,brute] [--repeats 1] [--timeout 300] [--out PATH]
"""

import argparse
import contextlib
import datetime
import importlib
import importlib.metadata
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20_240_607
RHO = 0.6  # Y = RHO X + sqrt(1 - RHO^2) E
K = 3
WARMUP_N = 500  # rows of the case data used for the untimed warm-up call
Estimator = Callable[..., float]


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "mi", "h" (entropy) or "cmi"
    n: int
    d: int


CASES = [
    Case("mi_100k_x1", "mi", 100_000, 1),
    Case("mi_1m_x1", "mi", 1_000_000, 1),
    Case("mi_10k_x5", "mi", 10_000, 5),
    Case("mi_100k_x5", "mi", 100_000, 5),
    Case("mi_10k_x20", "mi", 10_000, 20),
    Case("mi_100k_x20", "mi", 100_000, 20),
    Case("h_100k_x10", "h", 100_000, 10),
    Case("h_10k_x40", "h", 10_000, 40),
    Case("cmi_100k_x1", "cmi", 100_000, 1),
    Case("cmi_10k_x5", "cmi", 10_000, 5),
]


def scaled_n(case: Case, scale: float) -> int:
    return max(round(case.n * scale), 100)


def make_data(case: Case, n: int) -> tuple[tuple[np.ndarray, ...], float]:
    """Standardized arrays for the case and the closed-form truth (nats) for those arrays."""
    rng = np.random.default_rng(SEED)
    noise = math.sqrt(1 - RHO**2)
    first = rng.standard_normal((n, case.d))
    if case.kind == "h":  # h(X / s) = h(X) - sum(log s): exact for the standardized sample
        truth = case.d / 2 * math.log(2 * math.pi * math.e) - float(np.log(first.std(0)).sum())
        raw: tuple[np.ndarray, ...] = (first,)
    elif case.kind == "mi":
        truth = -case.d / 2 * math.log(1 - RHO**2)
        raw = (first, RHO * first + noise * rng.standard_normal((n, case.d)))
    else:  # Z -> X -> Y: partial correlation RHO^2 / (1 + RHO^2) per coordinate
        x = RHO * first + noise * rng.standard_normal((n, case.d))
        y = RHO * x + noise * rng.standard_normal((n, case.d))
        truth = case.d / 2 * math.log(1 + RHO**2)
        raw = (x, y, first)
    return tuple((a - a.mean(0)) / a.std(0) for a in raw), truth


@dataclass(frozen=True)
class Tool:
    dist: str  # distribution name, for the version
    call: str  # the exact call, with its caveats
    supports: Callable[[Case], bool]
    build: Callable[[str, str], Estimator]  # (kind, backend) -> estimator(*arrays)
    quadratic: bool = False  # O(N^2) time and memory: skipped above --quadratic-max-n


def _infolens(kind: str, backend: str) -> Estimator:
    il = importlib.import_module("infolens")
    if kind == "mi":
        return lambda x, y: float(
            il.mutual_information(x, y, method="ksg", k=K, backend=backend).value
        )
    if kind == "h":
        return lambda x: float(il.entropy(x, method="kl", k=K, metric="max", backend=backend).value)
    return lambda x, y, z: float(
        il.conditional_mutual_information(
            x, y, z, method="frenzel_pompe", k=K, backend=backend
        ).value
    )


def _sklearn(kind: str, backend: str) -> Estimator:
    fs = importlib.import_module("sklearn.feature_selection")
    return lambda x, y: float(
        fs.mutual_info_regression(
            x, y[:, 0], discrete_features=False, n_neighbors=K, random_state=0
        )[0]
    )


def _libksg(kind: str, backend: str) -> Estimator:
    ksg = importlib.import_module("libKSG").KSG()
    return lambda x, y: float(ksg.mi(x[:, 0], y[:, 0], k=K)) * math.log(2)  # bits -> nats


def _ennemi(kind: str, backend: str) -> Estimator:
    en = importlib.import_module("ennemi")
    if kind == "mi":
        return lambda x, y: float(en.estimate_mi(y[:, 0], x[:, 0], k=K, preprocess=False)[0, 0])
    if kind == "h":
        return lambda x: float(en.estimate_entropy(x, k=K, multidim=True))
    return lambda x, y, z: float(
        en.estimate_mi(y[:, 0], x[:, 0], k=K, cond=z, preprocess=False)[0, 0]
    )


def _infomeasure(kind: str, backend: str) -> Estimator:
    im = importlib.import_module("infomeasure")
    opts: dict[str, Any] = {"k": K, "minkowski_p": np.inf, "noise_level": 0, "base": "e"}
    if kind == "mi":
        return lambda x, y: float(im.mutual_information(x, y, approach="ksg", ksg_id=1, **opts))
    if kind == "h":
        return lambda x: float(im.entropy(x, approach="kl", **opts))
    return lambda x, y, z: float(
        im.conditional_mutual_information(x, y, cond=z, approach="ksg", ksg_id=1, **opts)
    )


def _npeet(kind: str, backend: str) -> Estimator:
    ee = importlib.import_module("npeet.entropy_estimators")
    if kind == "mi":
        return lambda x, y: float(ee.mi(x, y, k=K, base=math.e))
    if kind == "h":
        return lambda x: float(ee.entropy(x, k=K, base=math.e))
    return lambda x, y, z: float(ee.cmi(x, y, z, k=K, base=math.e))


def _bmi(kind: str, backend: str) -> Estimator:
    est = importlib.import_module("bmi").estimators.KSGEnsembleFirstEstimator(
        neighborhoods=(K,), standardize=False, metric_x="chebyshev"
    )
    return lambda x, y: float(est.estimate(x, y))


TOOLS: dict[str, Tool] = {
    "infolens": Tool(
        "infolens",
        "infolens.mutual_information(x, y, method='ksg', k=3, backend=B) / entropy(x, method='kl',"
        " k=3, metric='max', backend=B) / conditional_mutual_information(x, y, z,"
        " method='frenzel_pompe', k=3, backend=B); .value; KSG/FP re-standardize (no-op here)",
        lambda c: True,
        _infolens,
    ),
    "sklearn": Tool(
        "scikit-learn",
        "sklearn.feature_selection.mutual_info_regression(x, y[:, 0], discrete_features=False,"
        " n_neighbors=3, random_state=0)[0]; d=1 only (per-feature MI); rescales by std, adds"
        " 1e-10 noise, clips at 0; n_jobs=None",
        lambda c: c.kind == "mi" and c.d == 1,
        _sklearn,
    ),
    "libksg": Tool(
        "libKSG",
        "libKSG.KSG().mi(x[:, 0], y[:, 0], k=3) * ln 2 (returns bits); d=1 only; C, one core;"
        " drops duplicate rows and z-scores internally; segfaults above ~1.05M samples",
        lambda c: c.kind == "mi" and c.d == 1,
        _libksg,
    ),
    "ennemi": Tool(
        "ennemi",
        "ennemi.estimate_mi(y, x, k=3, preprocess=False)[0, 0] (y first; x, y 1-D; cond=z may be"
        " N x d) / estimate_entropy(x, k=3, multidim=True) (max norm); scipy cKDTree, one thread"
        " per task; preprocess=False skips its rescale + 1e-10 noise",
        lambda c: c.kind == "h" or c.d == 1,
        _ennemi,
    ),
    "infomeasure": Tool(
        "infomeasure",
        "infomeasure.mutual_information(x, y, approach='ksg', ksg_id=1, k=3, minkowski_p=inf,"
        " noise_level=0, base='e') / conditional_mutual_information(x, y, cond=z, same) /"
        " entropy(x, approach='kl', k=3, minkowski_p=inf, noise_level=0, base='e'); default"
        " k=4; noise_level=0 also skips its per-row Python noise loop (quadratic for CMI)",
        lambda c: True,
        _infomeasure,
    ),
    "npeet": Tool(
        "npeet",
        "npeet.entropy_estimators.mi(x, y, k=3, base=e) / cmi(x, y, z, k=3, base=e) /"
        " entropy(x, k=3, base=e); max norm, scikit-learn KDTree/BallTree, one core; adds"
        " 1e-10 noise; not on PyPI: installed from the GitHub snapshot 8b0d948 (1.0.1)",
        lambda c: True,
        _npeet,
    ),
    "bmi": Tool(
        "benchmark-mi",
        "bmi.estimators.KSGEnsembleFirstEstimator(neighborhoods=(3,), standardize=False,"
        " metric_x='chebyshev').estimate(x, y); default metric euclidean, k=(5, 10); brute force"
        " O(N^2) with a full argsort per row; clips at 0",
        lambda c: c.kind == "mi",
        _bmi,
        quadratic=True,
    ),
}


def worker(args: argparse.Namespace) -> None:
    """Time one (tool, case, backend) in this process; write the result JSON to --worker-out."""
    case = next(c for c in CASES if c.name == args.case)
    out: dict[str, Any] = {}
    try:
        fn = TOOLS[args.worker].build(case.kind, args.backend)
    except Exception as exc:  # an uninstalled or broken peer
        out = {"status": "unavailable", "error": f"{type(exc).__name__}: {exc}"}
    else:
        data, _ = make_data(case, scaled_n(case, args.scale))
        runs: list[tuple[float, float, float]] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                fn(*(a[:WARMUP_N] for a in data))
                out["warmup_s"] = time.perf_counter() - start
                for _ in range(args.repeats):
                    wall, cpu = time.perf_counter(), time.process_time()
                    value = fn(*data)
                    runs.append((time.perf_counter() - wall, time.process_time() - cpu, value))
        except Exception as exc:
            out.update(status="error", error=f"{type(exc).__name__}: {exc}")
        else:
            wall, cpu, value = min(runs)
            out.update(status="ok", value=value, wall_s=wall, cpu_s=cpu, walls=[r[0] for r in runs])
    if "numba" in sys.modules:  # parallel kernels: which threading layer, how many threads
        nb = sys.modules["numba"]
        with contextlib.suppress(Exception):
            out["numba_threads"] = [nb.threading_layer(), nb.get_num_threads()]
    Path(args.worker_out).write_text(json.dumps(out))


def run_one(tool: str, case: Case, backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        cmd = [sys.executable, __file__, "--worker", tool, "--case", case.name]
        cmd += ["--backend", backend, "--scale", str(args.scale), "--repeats", str(args.repeats)]
        try:
            proc = subprocess.run(
                [*cmd, "--worker-out", str(path)],
                capture_output=True,
                text=True,
                timeout=args.timeout,
            )
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "error": f"killed after {args.timeout:g} s"}
        if path.exists():
            return dict(json.loads(path.read_text()))
        rc = proc.returncode
        how = f"{signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}"
        return {"status": "crashed", "error": f"{how}: {proc.stderr.strip()[-300:]}"}


def environment() -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if "model name" in ln]
    git = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpu_model": models[0] if models else platform.processor(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "infolens_git": git.stdout.strip(),
        "versions": {d: version(d) for d in ["numpy", "scipy", "numba", "jax"]}
        | {name: version(tool.dist) for name, tool in TOOLS.items()},
    }


def run_case(
    case: Case, args: argparse.Namespace, unavailable: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Time every tool that supports the case; infolens (backend auto) is the reference row."""
    n = scaled_n(case, args.scale)
    truth = make_data(case, n)[1]
    backends = ["auto", *(b for b in args.backends.split(",") if b and b != "auto")]
    jobs = [("infolens" if b == "auto" else f"infolens[{b}]", "infolens", b) for b in backends]
    jobs += [
        (t, t, "auto")
        for t in TOOLS
        if t != "infolens" and t in args.tools.split(",") and TOOLS[t].supports(case)
    ]
    rows: list[dict[str, Any]] = []
    for label, tool, backend in jobs:
        if tool in unavailable:
            res = dict(unavailable[tool])
        elif TOOLS[tool].quadratic and n > args.quadratic_max_n:
            res = {"status": "skipped", "error": f"O(N^2) and N > {args.quadratic_max_n}"}
        else:
            res = run_one(tool, case, backend, args)
            if res["status"] == "unavailable":
                unavailable[tool] = res
        print(f"{case.name} {label}: {res['status']} {res.get('wall_s', '')}", file=sys.stderr)
        rows.append({"case": case.name, "n": n, "d": case.d, "truth": truth, "tool": label} | res)
    ref = rows[0] if rows[0]["status"] == "ok" else None
    for row in rows:
        ok = ref is not None and row["status"] == "ok"
        row["diff_vs_infolens"] = row["value"] - ref["value"] if ok and ref else None
        row["infolens_speedup"] = row["wall_s"] / ref["wall_s"] if ok and ref else None
    peers = [r for r in rows if r["status"] == "ok" and not r["tool"].startswith("infolens")]
    fastest = min(peers, key=lambda r: float(r["wall_s"])) if peers else None
    summary = {"case": case.name, "kind": case.kind, "n": n, "d": case.d, "truth": truth}
    summary["fastest_peer"] = fastest["tool"] if fastest else None
    summary["infolens_speedup_vs_fastest_peer"] = fastest["infolens_speedup"] if fastest else None
    return rows, summary


def print_table(rows: list[dict[str, Any]], summaries: list[dict[str, Any]]) -> None:
    print(
        "| case | truth | tool | estimate | abs diff vs infolens | wall s | CPU/wall | speed-up |"
    )
    print("|" + "---|" * 8)
    for r in rows:
        ok = r["status"] == "ok"
        error = " ".join(str(r.get("error", "")).replace("|", "/").split())[:60]
        diff = r["diff_vs_infolens"]
        speed = r["infolens_speedup"]
        cells = [
            f"{r['case']} (N={r['n']:,})",
            f"{r['truth']:.4f}",
            r["tool"],
            f"{r['value']:.6f}" if ok else f"{r['status']}: {error}",
            "" if diff is None else f"{abs(diff):.1e}",
            f"{r['wall_s']:.3g}" if ok else "",
            f"{r['cpu_s'] / r['wall_s']:.2f}" if ok and r["wall_s"] > 0 else "",
            "" if speed is None else f"{speed:.2f}x",
        ]
        print("| " + " | ".join(cells) + " |")
    print("\nspeed-up = this tool's wall time / infolens (backend auto) wall time")
    for s in summaries:
        if s["fastest_peer"]:
            speed = s["infolens_speedup_vs_fastest_peer"]
            print(f"{s['case']}: infolens {speed:.2f}x vs fastest peer {s['fastest_peer']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N (smoke: 0.01)")
    parser.add_argument("--cases", default=",".join(c.name for c in CASES))
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--backends", default="auto", help="infolens backends, e.g. auto,kdtree")
    parser.add_argument("--repeats", type=int, default=1, help="report the fastest of r runs")
    parser.add_argument("--timeout", type=float, default=300.0, help="s per worker (incl. import)")
    parser.add_argument("--quadratic-max-n", type=int, default=20_000, help="N cap for bmi")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results/knn_speed.json"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    unavailable: dict[str, dict[str, Any]] = {}
    for case in (c for c in CASES if c.name in args.cases.split(",")):
        case_rows, summary = run_case(case, args, unavailable)
        rows += case_rows
        summaries.append(summary)
    print_table(rows, summaries)
    settings = {
        k: v for k, v in vars(args).items() if k not in ("worker", "case", "backend", "worker_out")
    }
    result: dict[str, Any] = {
        "environment": environment(),
        "settings": settings | {"seed": SEED, "k": K, "rho": RHO, "warmup_n": WARMUP_N},
        "tools": {name: {"dist": t.dist, "call": t.call} for name, t in TOOLS.items()},
        "cases": summaries,
        "rows": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
