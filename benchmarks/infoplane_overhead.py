"""Wall-time overhead of information-plane tracking (one seed, same run with and without).

``--model tishby`` (R1's 12-bit network). Modes: ``none`` (hooks registered, nothing
captured), ``track`` (30-bin estimates of every layer at the IDNNs log-spaced epochs, into
SQLite) and ``save`` (what the reproductions do: save the activations at those epochs for
post-hoc estimation).

``--model cnn`` (Butakov et al.'s CNN, specs §4.1, on scikit-learn's 8x8 digits: three
Conv-MaxPool-LeakyReLU blocks 1->8->16->32, Linear 32->32->10, LogSoftmax; Adam, batch
``--batch``). Modes: ``none`` (no tracker), ``every`` and ``log`` (``InformationPlane(layers=
"auto")`` with its default estimators, i.e. the lossy-compression estimator on every tracked
layer, on the 360 held-out images, at every epoch or at the IDNNs log-spaced epochs), and
``budget`` (every epoch with ``max_overhead=0.25``: captures are skipped while tracking exceeds
a quarter of the training time).
``--device cuda`` runs the CNN on the GPU.

Prints the training wall time per mode; ``--all`` runs every mode in turn and writes JSON.

Run: .venv/bin/python benchmarks/infoplane_overhead.py --model cnn --all --epochs 100
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


def run_cnn(
    mode: str, epochs: int, batch: int, device: str, size: str = "digits"
) -> tuple[float, dict[str, Any]]:
    """Train the CNN for ``epochs`` with ``mode``'s tracking; return seconds and details.

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
    plane = None
    if mode != "none":
        schedule = idnns_epochs(epochs) if mode == "log" else None
        plane = InformationPlane(model, inputs=x[probe], labels=y[probe].numpy(), epochs=schedule,
                                 n_epochs=epochs,
                                 max_overhead=0.25 if mode == "budget" else None)  # fmt: skip
    start = time.perf_counter()
    for epoch in range(epochs):
        if plane is not None:
            plane.step(epoch)
        model.train()
        for index in torch.split(torch.randperm(len(x_train)), batch):
            loss = torch.nn.functional.nll_loss(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    details: dict[str, Any] = {}
    if plane is not None:
        details = {
            "captured": epochs - len(plane.skipped) if mode != "log" else len(schedule or []),
            "tracking_seconds": plane.tracking_seconds,
            "training_seconds_between_steps": plane.training_seconds,
            "layers": list(plane.layer_labels.values()),
            "estimators": sorted({e.identity() for e in plane.estimators}),
        }
        plane.close()
    return seconds, details


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=["tishby", "cnn"], default="tishby")
    parser.add_argument("--mode", choices=["none", "track", "save", "every", "log", "budget"],
                        default="track")  # fmt: skip
    parser.add_argument("--all", action="store_true", help="run every mode in turn")
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--size", choices=["digits", "mnist"], default="digits")
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.model == "cnn":
        modes = ["none", "log", "every", "budget"] if args.all else [args.mode]
        if args.size == "mnist" and args.all:
            modes = ["none", "every", "budget"]  # at a few epochs the log schedule is every epoch
        results = {m: run_cnn(m, args.epochs, args.batch, args.device, args.size) for m in modes}
        for mode, (seconds, info) in results.items():
            extra = f"  (+{seconds / results['none'][0] - 1:.1%})" if "none" in results else ""
            inside = (
                f"  [in-run: {info['captured']} captures, tracking {info['tracking_seconds']:.1f}"
                f" s / training {info['training_seconds_between_steps']:.1f} s]"
                if info
                else ""
            )
            print(f"{mode:6s} {seconds:8.2f} s{extra}{inside}")
        if args.all:
            name = f"infoplane_overhead_cnn_{args.size}_{args.device}.json"
            out = Path(args.out or f"benchmarks/results/{name}")
            out.parent.mkdir(parents=True, exist_ok=True)
            payload = {"model": f"CNN (specs 4.1), {args.size}", "epochs": args.epochs,
                       "batch": args.batch, "device": args.device,
                       "seconds": {m: r[0] for m, r in results.items()},
                       "tracked": results["every"][1]}  # fmt: skip
            out.write_text(json.dumps(payload, indent=2) + "\n")
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
