"""Wall-time overhead of information-plane tracking on the R1 training run (one seed).

Modes: ``none`` (hooks registered, nothing captured), ``track`` (30-bin estimates of every layer
at the IDNNs log-spaced epochs, into SQLite) and ``save`` (what the reproductions do: save the
activations at those epochs for post-hoc estimation). Prints the training wall time; compare
modes with farm-bench (see benchmarks/RESULTS.md) or ``--all`` for one in-process table + JSON.

Run: .venv/bin/python benchmarks/infoplane_overhead.py --mode track --epochs 2000
"""

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["none", "track", "save"], default="track")
    parser.add_argument("--all", action="store_true", help="run the three modes in turn")
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", default="benchmarks/results/infoplane_overhead.json")
    args = parser.parse_args()
    modes = ["none", "track", "save"] if args.all else [args.mode]
    times = {mode: run(mode, args.epochs, args.data) for mode in modes}
    for mode, seconds in times.items():
        extra = f"  (+{seconds / times['none'] - 1:.1%})" if "none" in times else ""
        print(f"{mode:6s} {seconds:8.2f} s{extra}")
    if args.all:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"epochs": args.epochs, "seconds": times}, indent=2))


if __name__ == "__main__":
    main()
