"""Contrastive pretraining with InfoNCE: alignment, uniformity and I(view1; view2) over training.

The data are Gaussian and linear, so the information the two views share is known: a latent
``s ~ N(0, I_4)`` is embedded in 16 dimensions, ``x = A s``, and the two views add independent
noise, ``v_k = x + 0.5 * e_k``. I(v1; v2) has a closed form (``gaussian_view_mi``), an upper
bound on what any encoder f can keep: I(f(v1); f(v2)) <= I(v1; v2).

A small MLP encoder is trained with ``InfoNCELoss`` (in-batch negatives). Every few epochs the
script logs to TensorBoard (``--logdir``), on held-out pairs:

- ``alignment`` and ``uniformity`` of the normalised embeddings (``infolens.metrics``),
- the InfoNCE bound ``log n - loss`` (nats; it cannot exceed log n),
- a KSG k-NN estimate of I(f(v1); f(v2)) (``infolens.mutual_information(method="ksg")``).

Run ``python examples/contrastive_infonce.py`` (a minute or two on a CPU) and
``tensorboard --logdir runs/contrastive``; ``--tiny`` runs in seconds.
"""

import argparse
import math
import sys
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

import infolens
from infolens.losses import InfoNCELoss
from infolens.metrics import Alignment, Uniformity

LATENT, DIM, NOISE = 4, 16, 0.5


def mixing_matrix(seed: int) -> np.ndarray:
    """Return the fixed ``(DIM, LATENT)`` embedding matrix ``A``."""
    return np.random.default_rng(seed).standard_normal((DIM, LATENT)) / math.sqrt(LATENT)


def gaussian_view_mi(a: np.ndarray, noise: float = NOISE) -> float:
    """Exact I(v1; v2) in nats for ``v_k = A s + noise * e_k``, s and e standard normal."""
    shared = a @ a.T
    marginal = shared + noise**2 * np.eye(len(a))
    joint = np.block([[marginal, shared], [shared, marginal]])
    return float(0.5 * (2 * np.linalg.slogdet(marginal)[1] - np.linalg.slogdet(joint)[1]))


def sample_views(
    n: int, a: np.ndarray, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``n`` pairs of views."""
    mixing = torch.tensor(a, dtype=torch.float32)
    s = torch.randn(n, LATENT, generator=generator)
    x = s @ mixing.T
    v1 = x + NOISE * torch.randn(n, DIM, generator=generator)
    v2 = x + NOISE * torch.randn(n, DIM, generator=generator)
    return v1, v2


def main(argv: Sequence[str] | None = None) -> list[dict[str, float]]:
    """Train and log; return the logged rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--steps-per-epoch", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=0.2)
    parser.add_argument("--n-eval", type=int, default=2000)
    parser.add_argument("--log-every", type=int, default=5)
    parser.add_argument("--logdir", default="runs/contrastive")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="a few epochs on small batches")
    args = parser.parse_args(argv)
    if args.tiny:
        args.epochs, args.steps_per_epoch, args.batch_size = 4, 3, 64
        args.n_eval, args.log_every = 300, 2
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    a = mixing_matrix(args.seed)
    ceiling = gaussian_view_mi(a)
    encoder = nn.Sequential(nn.Linear(DIM, 64), nn.ReLU(), nn.Linear(64, 8))
    loss_fn = InfoNCELoss(temperature=args.temperature, symmetric=True)
    optimiser = torch.optim.Adam(encoder.parameters(), lr=1e-3)
    eval_v1, eval_v2 = sample_views(args.n_eval, a, generator)
    rows: list[dict[str, float]] = []
    print(f"I(v1; v2) = {ceiling:.3f} nats (exact, the ceiling for any encoder)")
    print(f"{'epoch':>5} {'align':>7} {'uniform':>8} {'InfoNCE':>8} {'kNN MI':>7}")
    with SummaryWriter(log_dir=args.logdir) as writer:
        for epoch in range(args.epochs + 1):
            if epoch % args.log_every == 0 or epoch == args.epochs:
                rows.append(evaluate(encoder, loss_fn, eval_v1, eval_v2, args.batch_size, epoch))
                for key, value in rows[-1].items():
                    if key != "epoch":
                        writer.add_scalar(f"contrastive/{key}", value, epoch)
                writer.add_scalar("contrastive/exact_view_mi", ceiling, epoch)
                row = rows[-1]
                print(
                    f"{epoch:>5} {row['alignment']:>7.3f} {row['uniformity']:>8.3f} "
                    f"{row['infonce_bound']:>8.3f} {row['knn_mi']:>7.3f}"
                )
            if epoch == args.epochs:
                break
            for _ in range(args.steps_per_epoch):
                v1, v2 = sample_views(args.batch_size, a, generator)
                loss = loss_fn(encoder(v1), encoder(v2))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
    return rows


@torch.no_grad()
def evaluate(
    encoder: nn.Module,
    loss_fn: InfoNCELoss,
    v1: torch.Tensor,
    v2: torch.Tensor,
    batch_size: int,
    epoch: int,
) -> dict[str, float]:
    """Held-out alignment, uniformity, InfoNCE bound and k-NN MI of the embeddings."""
    align, uniform = Alignment(), Uniformity()
    bounds = []
    for start in range(0, len(v1), batch_size):
        f1, f2 = encoder(v1[start : start + batch_size]), encoder(v2[start : start + batch_size])
        if len(f1) < 2:
            continue
        align.update(f1, f2)
        uniform.update(f1)
        bounds.append(math.log(len(f1)) - float(loss_fn(f1, f2)))
    f1, f2 = encoder(v1).double().numpy(), encoder(v2).double().numpy()
    knn = infolens.mutual_information(f1, f2, method="ksg", k=5).value
    return {
        "epoch": float(epoch),
        "alignment": float(align.compute()),
        "uniformity": float(uniform.compute()),
        "infonce_bound": float(np.mean(bounds)),
        "knn_mi": float(knn),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
