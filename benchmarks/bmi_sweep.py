"""bmi's 40 tasks at N = 5,000, 3 seeds, every classical infolens estimator, beside bmi's anchors.

Protocol (bmi's "Beyond Normal", as reproduced in the shared research note §1.8): each task is
sampled with seed s ∈ {0, 1, 2}; every column of X and of Y is then standardised (centred and
divided by its standard deviation, ddof = 0: sklearn's ``preprocessing.scale``, which is what
bmi's ``transform_rescale`` applies); each estimator runs with its default parameters; the mean
over seeds at N = 5,000 is compared with the truth ("solved": |ln(mean/true)| < ln 1.5).

Runs go through ``infolens.benchmark.run`` into an SQLite file kept out of git (default
``build/benchmarks/bmi_sweep.db``; re-running resumes). Outputs:
``benchmarks/results/bmi_sweep_results.md`` (copied into ``benchmarks/RESULTS.md``) and the HTML
report ``benchmarks/results/bmi_sweep.html`` (plus ``bmi_sweep.md``).

Run: .venv/bin/python benchmarks/bmi_sweep.py [--scheduler processes --workers 2]
"""

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infolens.benchmark import RunResult, get_task, list_tasks, run
from infolens.benchmark.report import (
    final_cells,
    html_report,
    markdown_report,
    summarize_cells,
    summarize_methods,
)

MethodSpec = str | tuple[str, dict[str, Any]]
#: Every classical MI estimator with its defaults, plus KSG with bmi's k = 5 (like for like).
METHODS: list[MethodSpec] = [
    "ksg",
    ("ksg", {"k": 5}),
    "mixed_knn",
    "gaussian",
    "gaussian_copula",
    "binning",
]


def _label(spec: MethodSpec) -> str:
    if isinstance(spec, str):
        return spec
    name, params = spec
    return f"{name}({', '.join(f'{k}={v}' for k, v in sorted(params.items()))})"


LABELS = [_label(m) for m in METHODS]

# Shared research note §1.8: bmi 0.1.3, rescaled tasks, N = 5000; KSG-5 and CCA seeds 0-2,
# InfoNCE (2 000 steps) seed 0. Mean estimates in nats: (KSG-5, CCA, InfoNCE).
ANCHOR_SUMMARY = [
    ("bmi KSG (k=5)", 25, 15, 0.216),
    ("bmi CCA", 27, 21, 0.149),
    ("bmi InfoNCE (2k steps)", 30, 14, 0.168),
]
ANCHORS: dict[str, tuple[float, float, float]] = {
    "1v1-normal-0.75": (0.412, 0.407, 0.383),
    "normal_cdf-1v1-normal-0.75": (0.416, 0.382, 0.358),
    "1v1-additive-0.1": (1.680, 1.618, 1.631),
    "1v1-additive-0.75": (0.322, 0.182, 0.287),
    "1v1-bimodal-0.75": (0.414, 0.334, 0.356),
    "wiggly-1v1-normal-0.75": (0.413, 0.375, 0.383),
    "half_cube-1v1-normal-0.75": (0.407, 0.379, 0.385),
    "student-identity-1-1-1": (0.165, 0.030, 0.119),
    "asinh-student-identity-1-1-1": (0.227, 0.000, 0.226),
    "swissroll_x-normal_cdf-1v1-normal-0.75": (0.417, 0.021, 0.357),
    "multinormal-dense-2-2-0.5": (0.288, 0.288, 0.268),
    "multinormal-dense-3-3-0.5": (0.408, 0.409, 0.375),
    "multinormal-dense-5-5-0.5": (0.569, 0.593, 0.540),
    "multinormal-dense-25-25-0.5": (1.084, 1.349, 0.959),
    "multinormal-dense-50-50-0.5": (1.294, 1.867, 1.190),
    "multinormal-sparse-2-2-2-2.0": (1.018, 1.014, 0.984),
    "multinormal-sparse-3-3-2-2.0": (0.945, 1.020, 0.978),
    "multinormal-sparse-5-5-2-2.0": (0.743, 1.026, 0.932),
    "multinormal-sparse-25-25-2-2.0": (0.215, 1.069, 0.691),
    "student-identity-2-2-1": (0.227, 0.857, -0.034),
    "student-identity-2-2-2": (0.094, 0.102, 0.135),
    "student-identity-3-3-2": (0.122, 0.130, 0.232),
    "student-identity-3-3-3": (0.074, 0.128, 0.144),
    "student-identity-5-5-2": (0.196, 0.415, 0.225),
    "student-identity-5-5-3": (0.143, 0.068, 0.157),
    "normal_cdf-multinormal-sparse-3-3-2-2.0": (0.914, 0.962, 0.930),
    "normal_cdf-multinormal-sparse-5-5-2-2.0": (0.716, 0.962, 0.849),
    "normal_cdf-multinormal-sparse-25-25-2-2.0": (0.211, 1.010, 0.521),
    "half_cube-multinormal-sparse-3-3-2-2.0": (0.871, 0.951, 0.949),
    "half_cube-multinormal-sparse-5-5-2-2.0": (0.665, 0.964, 0.926),
    "half_cube-multinormal-sparse-25-25-2-2.0": (0.202, 1.007, 0.618),
    "spiral-multinormal-sparse-3-3-2-2.0": (0.701, 0.229, 0.544),
    "spiral-multinormal-sparse-5-5-2-2.0": (0.553, 0.389, 0.478),
    "spiral-multinormal-sparse-25-25-2-2.0": (0.194, 0.881, 0.581),
    "spiral-normal_cdf-multinormal-sparse-3-3-2-2.0": (0.890, 0.836, 0.869),
    "spiral-normal_cdf-multinormal-sparse-5-5-2-2.0": (0.689, 0.895, 0.830),
    "spiral-normal_cdf-multinormal-sparse-25-25-2-2.0": (0.204, 0.999, 0.575),
    "asinh-student-identity-2-2-1": (0.399, 0.003, 0.388),
    "asinh-student-identity-3-3-2": (0.184, 0.002, 0.200),
    "asinh-student-identity-5-5-2": (0.236, 0.003, 0.330),
}
ANCHOR_NAMES = ("bmi KSG-5", "bmi CCA", "bmi InfoNCE")


def _solved(mean: float, truth: float) -> bool:
    return mean > 0 and abs(math.log(mean / truth)) < math.log(1.5)


def _mark(value: float | None, truth: float) -> str:
    if value is None:
        return "failed"
    return f"{value:.3f}" + ("" if _solved(value, truth) else " ✗")


def results_markdown(results: Sequence[RunResult], analysis: str) -> str:
    cells = summarize_cells(results)
    summaries = {s.method: s for s in summarize_methods(cells)}
    finals = final_cells(cells)
    total_time = sum(r.wall_time or 0.0 for r in results)
    lines = [
        "# Benchmark: bmi's 40 tasks (N = 5,000, 3 seeds)",
        "",
        "Produced by `benchmarks/bmi_sweep.py` through `infolens.benchmark.run` "
        f"({len(results)} runs, {total_time:.0f} s of estimator time summed over runs on a shared "
        "2-core machine, dask `processes` scheduler with 2 workers; the SQLite file stays out of "
        "git; HTML report: `benchmarks/results/bmi_sweep.html`). Anchors: bmi 0.1.3 under the "
        "same protocol (research note §1.8; KSG-5 and CCA seeds 0–2, InfoNCE 2 000 steps seed 0).",
        "",
        "**Protocol** (bmi's, as in the anchor reproduction): the 40 tasks of "
        "`bmi.benchmark.BENCHMARK_TASKS` with bmi's ids and ground truth (`infolens.benchmark`, "
        "checked to 4 decimals); seeds 0, 1, 2 (the seed drives the sampler and the estimator); "
        "after sampling, **every column of X and of Y is standardised** (minus its sample mean, "
        "divided by its sample standard deviation with ddof = 0, as sklearn's "
        "`preprocessing.scale` in bmi's `transform_rescale`); default estimator parameters "
        "(ksg and mixed_knn: k = 3; binning: 10 equal-width bins per dimension), plus `ksg(k=5)` "
        "to compare like for like with bmi's KSG-5; solved = "
        "|ln(mean over seeds / true)| < ln 1.5; within 10 % = |mean − true| < 0.1 · true; "
        "MAE = mean over tasks of |mean − true| (nats). Estimates are not clipped at 0.",
        "",
        "## Summary beside the anchors",
        "",
        "| estimator | solved (×1.5) | within 10 % | MAE (nats) | failed runs |",
        "|---|---|---|---|---|",
    ]
    for method in LABELS:
        s = summaries.get(method)
        if s is not None:
            mae = "—" if s.mae is None else f"{s.mae:.3f}"
            lines.append(
                f"| infolens `{method}` | {s.solved}/{s.n_tasks} | {s.within_10pct}/{s.n_tasks} "
                f"| {mae} | {s.failed_runs} |"
            )
    for name, solved, w10, anchor_mae in ANCHOR_SUMMARY:
        lines.append(f"| {name} (anchor) | {solved}/40 | {w10}/40 | {anchor_mae:.3f} | — |")
    oracle = sum(
        any(finals[(tid, m)].solved for m in LABELS if (tid, m) in finals)
        for tid in list_tasks("bmi")
    )
    lines += [
        "",
        f"Best-of-infolens oracle (any infolens method solves the task): {oracle}/40.",
        "",
        "## Per task: mean estimate over 3 seeds (nats; ✗ = not within ×1.5)",
        "",
        "| task | dims | true | " + " | ".join(LABELS) + " | " + " | ".join(ANCHOR_NAMES) + " |",
        "|" + "---|" * (3 + len(LABELS) + len(ANCHOR_NAMES)),
    ]
    for tid in list_tasks("bmi"):
        task = get_task(tid)
        truth = task.truth
        row = [f"`{tid}`", f"{task.dim_x}×{task.dim_y}", f"{truth:.3f}"]
        for method in LABELS:
            cell = finals.get((tid, method))
            row.append("" if cell is None else _mark(cell.mean, truth))
        row += [_mark(v, truth) for v in ANCHORS[tid]]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Where infolens is worse, and why", "", analysis.strip(), ""]
    return "\n".join(lines)


ANALYSIS = """
* **No infolens estimator matches InfoNCE's 30/40.** The best single method, `gaussian`
  (26/40), is one task short of bmi's CCA (27/40), and the best-of-infolens oracle solves 33/40
  against 37/40 for the best of bmi's three. Four of the seven tasks no infolens method solves
  are solved by InfoNCE only (`student-identity-2-2-2`, `student-identity-3-3-2`,
  `asinh-student-identity-3-3-2`, `asinh-student-identity-5-5-2`); the other three
  (`student-identity-2-2-1`, `student-identity-5-5-3`, `spiral-multinormal-sparse-5-5-2-2.0`)
  nobody solves. infolens has no neural estimator in this sweep, and none of its classical
  ones models dependence carried only by a shared heavy-tailed scale.
* **`ksg` (k = 3) reproduces bmi's KSG-5 task by task** (same 25 solved tasks, 15 within
  10 %), but its MAE is worse (0.230 vs 0.216 nats). The whole gap is on the 25- and 50-dim tasks:
  0.11–0.14 nats against bmi's 0.19–0.22 on the six 25-dim 2-pair tasks, and 0.975 / 1.102
  against 1.084 / 1.294 on dense 25×25 / 50×50. It is not k: `ksg(k=5)` is lower still (0.11–0.13
  on those tasks, 22/40 solved). The cause is the norm. infolens measures distances with the max
  norm inside X and inside Y; bmi's `KSGEnsembleFirstEstimator` uses the Euclidean norm inside
  each space (max only across the two). In 25+ dimensions the max-norm neighbourhoods count more
  marginal neighbours, so the estimate drops further.
* **`mixed_knn` equals `ksg` here.** The samples are continuous and have no ties, so its tie
  handling never changes the counts. It costs the same time.
* **`gaussian` vs bmi's CCA** (the same Gaussian-MI estimator, MAE 0.168 vs 0.149). Both are
  exact on Gaussians and monotone transforms up to bias. infolens' small-sample correction helps
  in 50×50 (1.618 vs CCA's 1.867) but not on Student-t with dof ≤ 2, where the covariance does not
  exist and the estimate is noise (1.379 vs 0.857 on `student-identity-2-2-1`, 0.011 vs 0.128 on
  `student-identity-3-3-3`: the one task CCA solves that `gaussian` does not).
* **`gaussian_copula`** is the most accurate on every monotone transform of a Gaussian (1.003–1.013
  on all normal_cdf / half_cube 2-pair tasks, 0.410 on every 1×1 transform). It returns ≈ 0 on all
  nine Student-t tasks: an identity-dispersion Student-t has uncorrelated ranks, and a Gaussian
  copula cannot see dependence that only a shared scale carries. It also under-estimates
  `1v1-additive-0.1` (1.27 vs 1.71; the copula of uniform noise is not Gaussian).
* **`binning` (10 equal-width bins per dimension) is not usable beyond 1×1 or 2×2.** With
  10^(2d) cells and 5,000 points the plug-in estimate climbs towards ln 5000 = 8.517 nats (every
  point in its own cell), giving an MAE of 2.66 nats. bmi's own histogram baseline (Julia, 10 bins)
  was not part of the anchor runs.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="build/benchmarks/bmi_sweep.db")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seeds", default="0-2")
    parser.add_argument("--scheduler", default="processes")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default="benchmarks/results/bmi_sweep_results.md")
    parser.add_argument("--report-dir", default="benchmarks/results")
    args = parser.parse_args()
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    results = run(
        "bmi",
        METHODS,
        n=[args.n],
        seeds=args.seeds,
        db=args.db,
        preprocess="standardize",
        scheduler=args.scheduler,
        n_workers=args.workers,
        on_result=lambda r: print(f"{r.task_id} {r.method} seed={r.seed} {r.estimate}", flush=True),
    )
    out_dir = Path(args.report_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"infolens on bmi's 40 tasks (N = {args.n}, seeds {args.seeds}, standardised)"
    (out_dir / "bmi_sweep.html").write_text(html_report(results, title=title), encoding="utf-8")
    (out_dir / "bmi_sweep.md").write_text(markdown_report(results), encoding="utf-8")
    Path(args.out).write_text(results_markdown(results, ANALYSIS), encoding="utf-8")
    print(f"Wrote {args.out}, {out_dir / 'bmi_sweep.html'} and {out_dir / 'bmi_sweep.md'}.")


if __name__ == "__main__":
    main()
