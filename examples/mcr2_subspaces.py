"""MCR² on synthetic subspaces: coding rates per class and the learned (orthogonal) subspaces.

Each of ``k`` classes lives near its own random 2-D subspace of R^10, and the subspaces overlap
(they are drawn close to a shared plane). A small MLP maps the points to 12-D features on the
sphere, trained with ``MCR2Loss`` (maximal coding rate reduction, eps^2 = 0.5). MCR² expands the
whole (total rate R) much more than the classes (ΔR = R - R_c grows) and pushes the class
subspaces towards orthogonality. The script prints, before and after training,

- R, R_c and ΔR = R - R_c (nats; ``infolens.metrics.RateReduction`` accumulated over batches),
- the coding rate of every class, ``R(Z_j, eps)``,
- the largest cosine of the principal angles between every pair of class subspaces (top-2
  singular directions of each class's features): 1 = overlapping, 0 = orthogonal.

Run ``python examples/mcr2_subspaces.py`` (under a minute on a CPU) or ``--tiny``.
"""

import argparse
import itertools
import sys
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from infolens.losses import MCR2Loss
from infolens.metrics import RateReduction, coding_rate

EPS_SQUARED = 0.5


def make_data(n_per_class: int, n_classes: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Points near ``n_classes`` overlapping random 2-D subspaces of R^10, with labels."""
    rng = np.random.default_rng(seed)
    shared = rng.standard_normal((10, 2))
    points, labels = [], []
    for label in range(n_classes):
        basis, _ = np.linalg.qr(shared + 0.6 * rng.standard_normal((10, 2)))
        coefficients = rng.standard_normal((n_per_class, 2))
        points.append(coefficients @ basis.T + 0.05 * rng.standard_normal((n_per_class, 10)))
        labels.append(np.full(n_per_class, label))
    return (
        torch.tensor(np.concatenate(points), dtype=torch.float32),
        torch.tensor(np.concatenate(labels)),
    )


def summarise(z: torch.Tensor, labels: torch.Tensor, n_classes: int) -> dict[str, object]:
    """Rates (nats) and the largest principal-angle cosine between class subspaces."""
    metric = RateReduction(dim=z.shape[1], n_classes=n_classes, eps_squared=EPS_SQUARED)
    for start in range(0, len(z), 64):
        metric.update(z[start : start + 64], labels[start : start + 64])
    total, classes, delta = metric.compute_parts()
    per_class = [
        float(coding_rate(z[labels == c], eps_squared=EPS_SQUARED)) for c in range(n_classes)
    ]
    bases = []
    for c in range(n_classes):
        _, _, vh = torch.linalg.svd(z[labels == c].double(), full_matrices=False)
        bases.append(vh[:2].T)
    overlaps = {
        f"{i}-{j}": float(torch.linalg.svdvals(bases[i].T @ bases[j]).max())
        for i, j in itertools.combinations(range(n_classes), 2)
    }
    return {
        "R": float(total),
        "R_c": float(classes),
        "delta_R": float(delta),
        "class_rates": per_class,
        "max_cos_principal_angle": overlaps,
    }


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, object]]:
    """Train and print the before/after summaries; return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--n-per-class", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="few points and epochs")
    args = parser.parse_args(argv)
    if args.tiny:
        args.n_per_class, args.epochs = 30, 10
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    torch.manual_seed(args.seed)
    x, labels = make_data(args.n_per_class, args.classes, args.seed)
    encoder = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 12))
    loss_fn = MCR2Loss(eps_squared=EPS_SQUARED, n_classes=args.classes)

    def features() -> torch.Tensor:
        with torch.no_grad():
            return nn.functional.normalize(encoder(x), dim=1)

    results = {"before": summarise(features(), labels, args.classes)}
    optimiser = torch.optim.Adam(encoder.parameters(), lr=1e-3)
    for _ in range(args.epochs):
        loss = loss_fn(encoder(x), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    results["after"] = summarise(features(), labels, args.classes)
    for stage, summary in results.items():
        rates = ", ".join(f"{r:.3f}" for r in summary["class_rates"])  # type: ignore[attr-defined]
        overlaps = ", ".join(
            f"{pair}: {cos:.2f}"
            for pair, cos in summary["max_cos_principal_angle"].items()  # type: ignore[attr-defined]
        )
        print(
            f"{stage:>6}: R = {summary['R']:.3f}, R_c = {summary['R_c']:.3f}, "
            f"ΔR = {summary['delta_R']:.3f} nats; class rates [{rates}]; "
            f"max cos(principal angle) {{{overlaps}}}"
        )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
