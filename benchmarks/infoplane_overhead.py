"""Wall-time overhead of information-plane tracking (one seed, same run with and without).

``--model tishby`` (R1's 12-bit network). Modes: ``none`` (hooks registered, nothing
captured), ``track`` (30-bin estimates of every layer at the IDNNs log-spaced epochs, into
SQLite) and ``save`` (what the reproductions do: save the activations at those epochs for
post-hoc estimation).

``--model cnn`` (Butakov et al.'s CNN, specs §4.1, on scikit-learn's 8x8 digits: three
Conv-MaxPool-LeakyReLU blocks 1->8->16->32, Linear 32->32->10, LogSoftmax; Adam, batch
``--batch``), with ``InformationPlane(layers="auto")`` and its default estimators (the
lossy-compression estimator on every tracked layer, on the 360 held-out images). Modes: ``none``
(no tracker), ``default`` (``InformationPlane(model, inputs=..., labels=...)``: nothing else,
i.e. the default schedule ``epochs="auto"``, every epoch thinned to 20 % of the training time),
``every`` (``epochs="every"``), ``log`` (the IDNNs log-spaced epochs) and ``budget`` (every
epoch with ``max_overhead=0.25``). The clock includes building the plane.
``--all`` runs every mode ``--repeats`` times, each run in a fresh process (as a user's run:
the estimators' compiled kernels load at the first capture), in rotating order, and reports
each mode's median wall time and its median overhead paired with the untracked run of the
same repeat; it writes JSON. ``--device cuda`` runs the CNN on the GPU.

Run (single-threaded, as in RESULTS.md): OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/infoplane_overhead.py
--model cnn --all --epochs 60 --repeats 5
"""

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from infolens.infoplane import FixedBinning, InformationPlane, PlaneStore
from infolens.infoplane.schedule import idnns_epochs
from infolens.infoplane.tishby import TrainingConfig, train


def run(mode: str, epochs: int, data: str | None) -> float:
    torch.set_num_threads(1)
    folder = Path(tempfile.mkdtemp())
    store = PlaneStore(folder / "records.db")
    schedule = idnns_epochs(epochs)

    def factory(model: Any, inputs: Any, labels: Any) -> InformationPlane:
        return InformationPlane(
            model,
            layers=model.representation_layers,
            inputs=inputs,
            labels=labels,
            estimators=[FixedBinning()] if mode == "track" else [],
            epochs=[] if mode == "none" else schedule,
            store=store,
            activations_dir=folder / "act" if mode == "save" else None,
        )

    start = time.perf_counter()
    train(TrainingConfig(epochs=epochs, checkpoint_every=epochs), seed=0, run_dir=folder,
          plane_factory=factory, data=data)  # fmt: skip
    seconds = time.perf_counter() - start
    store.close()
    shutil.rmtree(folder)
    return seconds


class DigitsCNN(torch.nn.Module):
    """Butakov et al.'s MNIST CNN (specs §4.1): 28x28 as in the paper (28 -> 13 -> 5 -> 1), or
    8x8 digits with padding 1 (8 -> 4 -> 2 -> 1)."""

    def __init__(self, side: int = 8) -> None:
        super().__init__()
        nn = torch.nn
        padding = 1 if side == 8 else 0
        blocks: list[nn.Module] = []
        for fan_in, fan_out in ((1, 8), (8, 16), (16, 32)):
            blocks += [nn.Conv2d(fan_in, fan_out, 3, padding=padding), nn.MaxPool2d(2),
                       nn.LeakyReLU()]  # fmt: skip
        self.features = nn.Sequential(*blocks, nn.Flatten())
        self.head = nn.Sequential(
            nn.Linear(32, 32), nn.LeakyReLU(), nn.Linear(32, 10), nn.LogSoftmax(dim=1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x))
        return out


CNN_MODES = ("none", "default", "every", "log", "budget")


def run_cnn(
    mode: str, epochs: int, batch: int, device: str, size: str = "digits"
) -> tuple[float, dict[str, Any]]:
    """Train the CNN for ``epochs`` with ``mode``'s tracking; return seconds and details.

    The clock runs from just before the ``InformationPlane`` is built (its trial pass and the
    compression of the probe inputs count) to the end of training: everything tracking costs.
    ``size="mnist"``: random 28x28 images with MNIST's counts (60,000 training, 10,000 probe)
    and random labels: the wall time of training and tracking, not a result.
    """
    import numpy as np
    from sklearn.datasets import load_digits

    torch.set_num_threads(1)
    torch.manual_seed(0)  # benchmark script, not library code
    if size == "mnist":
        generator = torch.Generator().manual_seed(0)
        x = torch.rand(70_000, 1, 28, 28, generator=generator)
        y = torch.randint(0, 10, (70_000,), generator=generator)
        n_probe, side = 10_000, 28
    else:
        digits = load_digits()
        x = torch.as_tensor(digits.images[:, None] / 16.0, dtype=torch.float32)
        y = torch.as_tensor(digits.target, dtype=torch.long)
        n_probe, side = 360, 8
    order = np.random.default_rng(0).permutation(len(x))
    train, probe = order[:-n_probe], order[-n_probe:]
    model = DigitsCNN(side).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x_train, y_train = x[train].to(device), y[train].to(device)
    inputs, labels = x[probe], y[probe].numpy()
    start, cpu_start = time.perf_counter(), time.process_time()
    plane = None
    if mode == "default":  # the defaults: InformationPlane(model, inputs=..., labels=...)
        plane = InformationPlane(model, inputs=inputs, labels=labels)
    elif mode != "none":
        schedule = idnns_epochs(epochs) if mode == "log" else "every"
        plane = InformationPlane(model, inputs=inputs, labels=labels, epochs=schedule,
                                 max_overhead=0.25 if mode == "budget" else None)  # fmt: skip
    captured = 0
    for epoch in range(epochs):
        if plane is not None:
            captured += bool(plane.step(epoch))
        model.train()
        for index in torch.split(torch.randperm(len(x_train)), batch):
            loss = torch.nn.functional.nll_loss(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    details: dict[str, Any] = {"cpu_seconds": time.process_time() - cpu_start}
    if plane is not None:
        details |= {
            "captured": captured,
            "tracking_seconds": plane.tracking_seconds,
            "training_seconds_between_steps": plane.training_seconds,
            "layers": list(plane.layer_labels.values()),
            "estimators": sorted({e.identity() for e in plane.estimators}),
        }
        plane.close()
    return seconds, details


def _fresh_run(mode: str, args: argparse.Namespace) -> tuple[float, dict[str, Any]]:
    """Run one mode in a new Python process (as a user's run: kernels load on first use)."""
    import subprocess
    import sys

    command = [sys.executable, __file__, "--model", "cnn", "--mode", mode, "--json-line",
               "--epochs", str(args.epochs), "--batch", str(args.batch), "--device",
               args.device, "--size", args.size]  # fmt: skip
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), dict(result["details"])


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def cnn_benchmark(args: argparse.Namespace) -> None:
    """``--all``: every tracked mode ``--repeats`` times, each run paired with an untracked one.

    Every run is a fresh process (as a user's run: kernels load at the first capture). In each
    repeat every tracked mode (in rotating order) runs next to its own untracked partner
    (before it in even repeats, after it in odd ones), so that both see the same load of a
    shared machine; a mode's overhead is its wall (and CPU) time over its partner's, minus
    one, and the median over repeats is reported.
    """
    tracked = [m for m in CNN_MODES if m != "none" and (not args.modes or m in args.modes)]
    runs: dict[str, list[tuple[float, dict[str, Any]]]] = {m: [] for m in CNN_MODES}
    partners: dict[str, list[tuple[float, dict[str, Any]]]] = {m: [] for m in tracked}
    for repeat in range(args.repeats):
        shift = repeat % len(tracked)
        for mode in tracked[shift:] + tracked[:shift]:
            pair = ["none", mode] if repeat % 2 == 0 else [mode, "none"]
            done = {m: _fresh_run(m, args) for m in pair}
            runs[mode].append(done[mode])
            runs["none"].append(done["none"])
            partners[mode].append(done["none"])
        print(f"repeat {repeat + 1}: "
              + ", ".join(f"{m} {runs[m][-1][0]:.2f} s / {partners[m][-1][0]:.2f} s"
                          for m in tracked), flush=True)  # fmt: skip
    summary: dict[str, Any] = {
        "none": {
            "median_seconds": _median([s for s, _ in runs["none"]]),
            "seconds": [s for s, _ in runs["none"]],
            "cpu_seconds": [d["cpu_seconds"] for _, d in runs["none"]],
        }
    }
    print(f"{'none':8s} median {summary['none']['median_seconds']:6.2f} s")
    for mode in tracked:
        seconds = [s for s, _ in runs[mode]]
        info = [d for _, d in runs[mode]]
        base = partners[mode]
        overheads = [s / b - 1 for s, (b, _) in zip(seconds, base, strict=True)]
        cpu_overheads = [
            d["cpu_seconds"] / b["cpu_seconds"] - 1 for d, (_, b) in zip(info, base, strict=True)
        ]
        summary[mode] = {
            "median_seconds": _median(seconds),
            "median_overhead": _median(overheads),
            "median_cpu_overhead": _median(cpu_overheads),
            "seconds": seconds,
            "partner_seconds": [b for b, _ in base],
            "overheads": overheads,
            "cpu_seconds": [d["cpu_seconds"] for d in info],
            "cpu_overheads": cpu_overheads,
            "captured": [d["captured"] for d in info],
            "in_run_overhead": [
                d["tracking_seconds"] / d["training_seconds_between_steps"] for d in info
            ],
        }
        print(f"{mode:8s} median {summary[mode]['median_seconds']:6.2f} s "
              f"({summary[mode]['median_overhead']:+.1%} paired wall, "
              f"{summary[mode]['median_cpu_overhead']:+.1%} CPU), captured "
              f"{_median([float(c) for c in summary[mode]['captured']]):.0f}")  # fmt: skip
    name = f"infoplane_overhead_cnn_{args.size}_{args.device}.json"
    out = Path(args.out or f"benchmarks/results/{name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"model": f"CNN (specs 4.1), {args.size}", "epochs": args.epochs,
               "batch": args.batch, "device": args.device, "repeats": args.repeats,
               "threads": {k: os.environ.get(k) for k in _THREAD_VARIABLES},
               "modes": summary,
               "tracked": runs["default"][0][1] if runs["default"] else None}  # fmt: skip
    out.write_text(json.dumps(payload, indent=2) + "\n")


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "NUMBA_NUM_THREADS")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=["tishby", "cnn"], default="tishby")
    parser.add_argument("--mode", choices=["none", "track", "save", *CNN_MODES[1:]],
                        default="track")  # fmt: skip
    parser.add_argument("--all", action="store_true", help="run every mode in turn")
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--size", choices=["digits", "mnist"], default="digits")
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--repeats", type=int, default=5, help="--model cnn --all: paired runs")
    parser.add_argument("--modes", default="", help="--model cnn --all: tracked modes to run "
                        "(comma-separated; default: all)")  # fmt: skip
    parser.add_argument("--json-line", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.modes = [m for m in args.modes.split(",") if m]
    unknown = sorted(set(args.modes) - set(CNN_MODES[1:]))
    if unknown:
        parser.error(f"--modes: unknown mode(s) {unknown}; choose from {list(CNN_MODES[1:])}")
    if args.model == "cnn":
        if args.all:
            cnn_benchmark(args)
            return
        seconds, info = run_cnn(args.mode, args.epochs, args.batch, args.device, args.size)
        if args.json_line:
            print(json.dumps({"seconds": seconds, "details": info}))
        else:
            print(f"{args.mode:8s} {seconds:8.2f} s  {info.get('captured', 0)} captures")
        return
    modes = ["none", "track", "save"] if args.all else [args.mode]
    times = {mode: run(mode, args.epochs, args.data) for mode in modes}
    for mode, seconds in times.items():
        extra = f"  (+{seconds / times['none'] - 1:.1%})" if "none" in times else ""
        print(f"{mode:6s} {seconds:8.2f} s{extra}")
    if args.all:
        out = Path(args.out or "benchmarks/results/infoplane_overhead.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"epochs": args.epochs, "seconds": times}, indent=2))


if __name__ == "__main__":
    main()
