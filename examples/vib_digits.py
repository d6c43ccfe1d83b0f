"""Variational information bottleneck on scikit-learn's 8x8 digits: accuracy and I(X;Z) vs beta.

A small MLP encoder maps each 64-pixel image to a Gaussian q(z|x) (``GaussianEncoder``: mean and
``softplus(rho - 5)`` standard deviation), a linear decoder predicts the digit, and the loss is
``VIBLoss``: cross-entropy + beta * KL(q(z|x) || N(0, I)). For every beta the script reports

- the test accuracy (decoder applied to the mean of q(z|x)),
- the rate ``mean KL`` on the test set: a variational **upper bound** on I(X;Z),
- ``H(Y) - CE`` on the test set: a variational **lower bound** on I(Z;Y) (the bottleneck's
  information plane),

all in bits. Larger beta squeezes I(X;Z) and, past a point, the accuracy.

Run ``python examples/vib_digits.py`` (a few minutes on a 2-core CPU) or ``--tiny`` (seconds).
"""

import argparse
import json
import math
import sys
from collections.abc import Sequence

import torch
from sklearn.datasets import load_digits
from torch import nn

from infolens.losses import GaussianEncoder, VIBLoss

LN2 = math.log(2.0)


def load_data(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return ``(x_train, y_train, x_test, y_test)``: pixels scaled to [0, 1], a 75/25 split."""
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    split = int(0.75 * len(y))
    return x[order[:split]], y[order[:split]], x[order[split:]], y[order[split:]]


def train_one(
    beta: float,
    data: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    *,
    epochs: int,
    latent_dim: int,
    hidden: int,
    seed: int,
) -> dict[str, float]:
    """Train one VIB model and return its test metrics (bits)."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    encoder = GaussianEncoder(
        nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent_dim)),
        latent_dim=latent_dim,
    )
    decoder = nn.Linear(latent_dim, 10)
    loss_fn = VIBLoss(beta=beta)
    optimiser = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=3e-3)
    noise = torch.Generator().manual_seed(seed + 1)
    for _ in range(epochs):
        order = torch.randperm(len(y_train), generator=noise)
        for start in range(0, len(order), 128):
            batch = order[start : start + 128]
            z, mean, std = encoder(x_train[batch], generator=noise)
            loss = loss_fn(decoder(z), y_train[batch], mean, std)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    encoder.eval()
    with torch.no_grad():
        z, mean, std = encoder(x_test)
        cross_entropy, rate = loss_fn.terms(decoder(mean), y_test, mean, std)
        accuracy = float((decoder(mean).argmax(dim=1) == y_test).float().mean())
    counts = torch.bincount(y_test, minlength=10).double() / len(y_test)
    label_entropy = float(-(counts[counts > 0] * counts[counts > 0].log()).sum())
    return {
        "beta": beta,
        "accuracy": accuracy,
        "i_xz_upper_bits": float(rate) / LN2,
        "i_zy_lower_bits": max(0.0, (label_entropy - float(cross_entropy)) / LN2),
    }


def main(argv: Sequence[str] | None = None) -> list[dict[str, float]]:
    """Run the sweep and print one line per beta; return the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--betas", type=float, nargs="+", default=[1e-3, 1e-2, 1e-1, 0.3, 1.0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="2 betas, 3 epochs (smoke test)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.tiny:
        args.betas, args.epochs, args.hidden = [1e-3, 1.0], 3, 32
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    data = load_data(args.seed)
    results = [
        train_one(
            beta,
            data,
            epochs=args.epochs,
            latent_dim=args.latent_dim,
            hidden=args.hidden,
            seed=args.seed,
        )
        for beta in args.betas
    ]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'beta':>8} {'accuracy':>9} {'I(X;Z) <= bits':>15} {'I(Z;Y) >= bits':>15}")
        for row in results:
            print(
                f"{row['beta']:>8.0e} {row['accuracy']:>9.3f} {row['i_xz_upper_bits']:>15.3f} "
                f"{row['i_zy_lower_bits']:>15.3f}"
            )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
