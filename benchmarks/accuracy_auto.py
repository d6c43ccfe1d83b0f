"""Accuracy of ``method="auto"`` (issue 14): bmi's 40 tasks, high-MI and image tasks.

Protocol (bmi's, as ``benchmarks/bmi_sweep.py``): task sampled with seed s, every column of X
and Y standardised, the estimator called through the public API with ``rng=s``; the mean over
seeds is compared with the truth. Methods: ``auto`` and plain ``ksg`` (k = 3) as the baseline.

Runs are appended to a JSON-lines file (default ``build/benchmarks/accuracy_auto.jsonl``, out of
git); a re-run skips every (task, method, n, seed) already there, so sweeps run in parts.
``--summary`` writes ``benchmarks/results/accuracy_auto.json`` and prints the tables.

Run: nice -n 10 .venv/bin/python benchmarks/accuracy_auto.py --suite bmi --n 5000 --seeds 0-2
"""

import argparse
import json
import math
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

import infolens
from infolens.benchmark.suite import get_task, list_tasks
from infolens.benchmark.suite_accuracy import (
    ACCURACY_TASKS,
    HELD_OUT_BMI_TASKS,
    HIGH_MI_TASKS,
    IMAGE_TASKS,
    TUNING_ACCURACY_TASKS,
    TUNING_BMI_TASKS,
    truth,
)
from infolens.benchmark.tasks import Task

ALICE = {1000: 0.092, 5000: 0.063, 10000: 0.060}
ANCHORS_TABLE2 = {  # ALICE's Table 2 (arXiv 2609.34962), MAE in nats at N = 1k / 5k / 10k
    "ALICE": (0.092, 0.063, 0.060),
    "MINDE-C": (0.353, 0.070, 0.065),
    "MINE": (0.248, 0.117, 0.108),
    "InfoNCE": (0.887, 0.123, 0.083),
    "KSG": (0.288, 0.240, 0.219),
    "CCA": (0.195, 0.192, 0.181),
}


def _standardize(a: np.ndarray) -> np.ndarray:
    c = a - a.mean(axis=0)
    s = c.std(axis=0)
    return np.asarray(c / np.where(s > 0, s, 1.0))


def _task(task_id: str) -> Task:
    return ACCURACY_TASKS[task_id] if task_id in ACCURACY_TASKS else get_task(task_id)


def _tasks(suite: str) -> list[str]:
    if suite == "bmi":
        return list_tasks("bmi")
    if suite == "high_mi":
        return [t.task_id for t in HIGH_MI_TASKS]
    if suite == "images":
        return [t.task_id for t in IMAGE_TASKS]
    if suite == "infolens":  # infolens' own MI tasks (held out: never run while tuning)
        return [t for t in list_tasks("infolens") if get_task(t).quantity == "mutual_information"]
    return [t.strip() for t in suite.split(",")]


def _seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(s) for s in text.split(",")]


def _done(path: Path) -> set[tuple[str, str, int, int]]:
    if not path.exists():
        return set()
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            keys.add((r["task"], r["method"], r["n"], r["seed"]))
    return keys


def sweep(args: argparse.Namespace) -> None:
    path = Path(args.store)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = _done(path)
    warm = np.random.default_rng(0).standard_normal((200, 4))  # compile / load the kernels
    for method in args.methods.split(","):
        infolens.mutual_information(warm[:, :2], warm[:, 2:], method=method, rng=0)
    for task_id in _tasks(args.suite):
        task = _task(task_id)
        for seed in _seeds(args.seeds):
            for method in args.methods.split(","):
                if (task_id, method, args.n, seed) in done:
                    continue
                x, y = (_standardize(a) for a in task.sample(args.n, rng=seed))
                row: dict[str, Any] = {"task": task_id, "method": method, "n": args.n}
                row |= {"seed": seed, "truth": truth(task)}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.perf_counter()
                    try:
                        est = infolens.mutual_information(x, y, method=method, rng=seed)
                        row["estimate"] = est.value
                        row["chosen"] = est.details.get("chosen", est.method)
                    except Exception as err:  # noqa: BLE001 - recorded, the sweep goes on
                        row["error"] = f"{type(err).__name__}: {err}"
                    row["seconds"] = time.perf_counter() - start
                with path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)


def _solved(mean: float, true: float) -> bool:
    return mean > 0 and abs(math.log(mean / true)) < math.log(1.5)


def summarize(store: Path) -> dict[str, Any]:
    rows = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines() if line]
    cells: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if "estimate" in r:
            cells[(r["task"], r["method"], r["n"])].append(r)
    per_task: dict[str, dict[str, Any]] = {}
    for (task_id, method, n), runs in sorted(cells.items()):
        mean = float(np.mean([r["estimate"] for r in runs]))
        true = runs[0]["truth"]
        per_task.setdefault(f"{n}", {}).setdefault(task_id, {"truth": true})[method] = {
            "mean": mean,
            "abs_error": abs(mean - true),
            "seeds": sorted(r["seed"] for r in runs),
            "seconds_mean": float(np.mean([r["seconds"] for r in runs])),
            "chosen": sorted({str(r.get("chosen")) for r in runs}),
        }
    groups = {
        "bmi_all": list_tasks("bmi"),
        "bmi_tuning": list(TUNING_BMI_TASKS),
        "bmi_held_out": list(HELD_OUT_BMI_TASKS),
        "high_mi": [t.task_id for t in HIGH_MI_TASKS],
        "images": [t.task_id for t in IMAGE_TASKS],
        "accuracy_held_out": [t for t in ACCURACY_TASKS if t not in TUNING_ACCURACY_TASKS],
        "infolens_mi": [
            t for t in list_tasks("infolens") if get_task(t).quantity == "mutual_information"
        ],
    }
    summary: dict[str, dict[str, Any]] = {}
    for size, tasks in per_task.items():
        for group, ids in groups.items():
            for method in ("auto", "ksg"):
                errs = [tasks[t][method]["abs_error"] for t in ids if method in tasks.get(t, {})]
                if not errs:
                    continue
                means = [
                    (tasks[t][method]["mean"], tasks[t]["truth"])
                    for t in ids
                    if method in tasks.get(t, {})
                ]
                secs = [tasks[t][method]["seconds_mean"] for t in ids if method in tasks.get(t, {})]
                summary.setdefault(size, {}).setdefault(group, {})[method] = {
                    "tasks": len(errs),
                    "mae": float(np.mean(errs)),
                    "within_0.1": int(sum(e < 0.1 for e in errs)),
                    "solved_x1.5": int(sum(_solved(m, t) for m, t in means)),
                    "seconds_mean": float(np.mean(secs)),
                    "seconds_max": float(np.max(secs)),
                }
        worse = [
            {"task": t, "auto": v["auto"]["mean"], "ksg": v["ksg"]["mean"], "truth": v["truth"]}
            for t, v in tasks.items()
            if "auto" in v and "ksg" in v and v["auto"]["abs_error"] > v["ksg"]["abs_error"] + 1e-12
        ]
        summary.setdefault(size, {})["auto_worse_than_ksg"] = worse
    return {"summary": summary, "per_task": per_task, "anchors_mae": ANCHORS_TABLE2}


def markdown(result: dict[str, Any]) -> str:
    """Return the tables of ``docs/accuracy.md`` (Table 2 shape, groups, per task) as Markdown."""
    summary, per_task = result["summary"], result["per_task"]
    sizes = [n for n in ("1000", "5000", "10000") if "bmi_all" in summary.get(n, {})]

    def seeds(n: str) -> int:
        return max(len(v["auto"]["seeds"]) for v in per_task[n].values() if "auto" in v)

    head = " | ".join(f"N = {int(n):,}" for n in sizes)
    lines = [
        "| estimator (bmi's 40 tasks, MAE in nats) | " + head + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for method, label in (("auto", "infolens `auto`"), ("ksg", "infolens `ksg` (k = 3)")):
        cells = [
            f"{summary[n]['bmi_all'][method]['mae']:.3f} "
            f"({summary[n]['bmi_all'][method]['within_0.1']}/40 within 0.1)"
            for n in sizes
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for name, values in ANCHORS_TABLE2.items():
        lines.append(
            f"| {name} (ALICE's Table 2) | " + " | ".join(f"{v:.3f}" for v in values) + " |"
        )
    lines += ["", "Seeds per cell: " + ", ".join(f"N = {int(n):,}: {seeds(n)}" for n in sizes), ""]
    lines += [
        "| group | N | tasks | auto MAE | auto within 0.1 | auto solved ×1.5 | ksg MAE | "
        "auto s/task (mean, max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, groups in summary.items():
        for group, methods in groups.items():
            if group == "auto_worse_than_ksg" or "auto" not in methods:
                continue
            a, k = methods["auto"], methods.get("ksg")
            ksg = "—" if k is None else f"{k['mae']:.3f}"
            lines.append(
                f"| {group} | {int(n):,} | {a['tasks']} | {a['mae']:.3f} | {a['within_0.1']} | "
                f"{a['solved_x1.5']} | {ksg} | {a['seconds_mean']:.2f}, {a['seconds_max']:.2f} |"
            )
    held_out = (
        set(HELD_OUT_BMI_TASKS)
        | {t for t in ACCURACY_TASKS if t not in TUNING_ACCURACY_TASKS}
        | set(list_tasks("infolens"))
    )
    for n in per_task:
        lines += [
            "",
            f"Per task, N = {int(n):,} (mean over seeds; * = held out, never run while tuning):",
            "",
            "| task | truth | auto | chosen | ksg |",
            "|---|---|---|---|---|",
        ]
        for task_id, v in per_task[n].items():
            if "auto" not in v:
                continue
            mark = " *" if task_id in held_out else ""
            ksg = f"{v['ksg']['mean']:.3f}" if "ksg" in v else "—"
            lines.append(
                f"| `{task_id}`{mark} | {v['truth']:.3f} | {v['auto']['mean']:.3f} | "
                f"{', '.join(v['auto']['chosen'])} | {ksg} |"
            )
    return "\n".join(lines) + "\n"


def plot_images(result: dict[str, Any], path: Path, n: str = "10000") -> None:
    """Plot auto's estimate against the truth on the image tasks (0-10 nats)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = result["per_task"].get(n, {})
    fig, ax = plt.subplots(figsize=(4.5, 4.0))
    for prefix, label in (
        ("image-blobs-16-", "blobs 16×16"),
        ("image-rectangles-32-", "rect. 32×32"),
    ):
        points = sorted(
            (v["truth"], v["auto"]["mean"]) for t, v in tasks.items() if t.startswith(prefix)
        )
        if points:
            ax.plot(*zip(*points, strict=True), "o-", label=f"auto, {label}")
    ax.plot([0, 10], [0, 10], "k--", lw=0.8, label="truth")
    ax.set_xlabel("true MI (nats)")
    ax.set_ylabel("estimate (nats)")
    ax.set_title(f"Synthetic images, N = {int(n):,}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def speed(path: Path) -> None:
    """Time ``auto`` (median of 3 after a warm-up) on Gaussian pairs of several shapes."""
    cases = [(10_000, 1), (10_000, 2), (5_000, 5), (10_000, 5), (5_000, 25), (10_000, 50)]
    rows = []
    rng = np.random.default_rng(0)
    for n, d in cases:
        x = rng.standard_normal((n, d))
        y = 0.6 * x + 0.8 * rng.standard_normal((n, d))
        infolens.mutual_information(x[:200], y[:200], rng=0)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            est = infolens.mutual_information(x, y, rng=0)
            times.append(time.perf_counter() - start)
        rows.append({"n": n, "dims": f"{d}+{d}", "median_s": float(np.median(times))})
        rows[-1]["chosen"] = est.details["chosen"]
        print(json.dumps(rows[-1]), flush=True)
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="bmi", help="bmi, high_mi, images, infolens or ids")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seeds", default="0-2")
    parser.add_argument("--methods", default="auto,ksg")
    parser.add_argument("--store", default="build/benchmarks/accuracy_auto.jsonl")
    parser.add_argument("--summary", action="store_true", help="only summarise the store")
    parser.add_argument("--speed", action="store_true", help="only time auto on Gaussians")
    parser.add_argument("--out", default="benchmarks/results/accuracy_auto.json")
    args = parser.parse_args()
    if args.speed:
        speed(Path(args.out).with_name("accuracy_auto_speed.json"))
        return
    if args.summary:
        result = summarize(Path(args.store))
        Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
        plot_images(result, Path(args.out).with_name("accuracy_auto_images.png"))
        Path(args.out).with_suffix(".md").write_text(markdown(result), encoding="utf-8")
        print(json.dumps(result["summary"], indent=1))
        return
    sweep(args)


if __name__ == "__main__":
    main()
