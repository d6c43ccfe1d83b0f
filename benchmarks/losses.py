"""Forward + backward time of every infolens loss against a plain PyTorch version of its formula.

Each case builds float32 inputs at batch 4096 x 128 dims on the CPU, one thread by default
(attention: 32 x 8 heads x 128 x 128 maps; VIB: 128-D code, 10 classes; CMI: 128 classes), checks
that the infolens loss and the plain implementation written below agree (in float64, rel 1e-6),
then times forward + backward of
both, interleaved, and reports the best of ``--repeats`` and the ratio infolens / plain (target:
within 2x). The plain versions are what a user would write from the paper's formula, without
input validation.

Run: .venv/bin/python benchmarks/losses.py [--batch 4096] [--repeats 5] [--only infonce,vib]
Writes benchmarks/results/losses.json.
"""

import argparse
import json
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812

from infolens.losses import (
    AlignmentUniformityLoss,
    AttentionEntropyRegularizer,
    CMIDistillationLoss,
    CSIBLoss,
    HSICBottleneckLoss,
    InfoNCELoss,
    MCR2Loss,
    NTXentLoss,
    VIBLoss,
    club_upper_bound,
)

Case = tuple[Callable[..., torch.Tensor], Callable[..., torch.Tensor], list[torch.Tensor]]


# -- plain PyTorch versions of the formulas --------------------------------------------------------


def plain_infonce(x: torch.Tensor, y: torch.Tensor, tau: float = 0.1) -> torch.Tensor:
    logits = F.normalize(x, dim=1) @ F.normalize(y, dim=1).T / tau
    return F.cross_entropy(logits, torch.arange(len(x)))


def plain_ntxent(x: torch.Tensor, y: torch.Tensor, tau: float = 0.5) -> torch.Tensor:
    z = F.normalize(torch.cat([x, y]), dim=1)
    n = len(x)
    sim = z @ z.T / tau
    sim = sim - 1e9 * torch.eye(2 * n)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    return F.cross_entropy(sim, targets)


def plain_align_uniform(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x, y = F.normalize(x, dim=1), F.normalize(y, dim=1)
    align = (x - y).norm(dim=1).pow(2).mean()

    def unif(a: torch.Tensor) -> torch.Tensor:
        value: torch.Tensor = torch.pdist(a, p=2).pow(2).mul(-2).exp().mean().log()
        return value

    total: torch.Tensor = align + (unif(x) + unif(y)) / 2
    return total


def plain_vib(
    logits: torch.Tensor, targets: torch.Tensor, mu: torch.Tensor, std: torch.Tensor
) -> torch.Tensor:
    kl = 0.5 * (mu**2 + std**2 - 1 - torch.log(std**2)).sum(dim=1).mean()
    return F.cross_entropy(logits, targets) + 1e-3 * kl


def _gram(a: torch.Tensor, b: torch.Tensor, width: float) -> torch.Tensor:
    return torch.exp(-torch.cdist(a, b).pow(2) / width)


def plain_csib(x: torch.Tensor, z: torch.Tensor, y: torch.Tensor, yh: torch.Tensor) -> torch.Tensor:
    k, l1, l2, l21 = _gram(x, x, 2.0), _gram(y, y, 2.0), _gram(yh, yh, 2.0), _gram(yh, y, 2.0)
    d = k.sum(1) ** 2
    div = (
        torch.log(((k * l1).sum(1) / d).sum())
        + torch.log(((k * l2).sum(1) / d).sum())
        - 2 * torch.log(((k * l21).sum(1) / d).sum())
    )
    n = len(x)

    def qmi(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (
            torch.log(torch.trace(a @ b) / n**2)
            + torch.log(a.sum() * b.sum() / n**4)
            - 2
            * torch.log(torch.ones(n, dtype=a.dtype) @ a @ b @ torch.ones(n, dtype=a.dtype) / n**3)
        )

    q = _gram(z, z, 2.0)
    return div + 0.01 * qmi(k, q) / torch.sqrt(qmi(k, k) * qmi(q, q))


def plain_hsic(z: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    n = len(z)
    h = torch.eye(n, dtype=z.dtype) - 1.0 / n

    def r(a: torch.Tensor) -> torch.Tensor:
        k = _gram(a, a, 2 * 25.0 * a.shape[1]) @ h
        resolvent: torch.Tensor = k @ torch.linalg.inv(k + 1e-5 * n * torch.eye(n, dtype=k.dtype))
        return resolvent

    rz = r(z)
    return torch.trace(rz @ r(x)) - 50 * torch.trace(rz @ r(y))


def plain_club(mu: torch.Tensor, logvar: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # the n x n score matrix S_ij = log q(y_j | x_i) (constants dropped), by matrix products
    precision = torch.exp(-logvar)
    quad = (
        (precision @ (y * y).T)
        - 2 * ((mu * precision) @ y.T)
        + (mu * mu * precision).sum(1, keepdim=True)
    )
    scores = -0.5 * (quad + logvar.sum(1, keepdim=True))
    return scores.diagonal().mean() - scores.mean()


def plain_mcr2(z: torch.Tensor, labels: torch.Tensor, eps2: float = 0.5) -> torch.Tensor:
    z = F.normalize(z, dim=1)
    n, d = z.shape
    eye = torch.eye(d)
    rate = 0.5 * torch.logdet(eye + d / (n * eps2) * z.T @ z)
    compressed = z.new_zeros(())
    for c in range(int(labels.max()) + 1):
        zc = z[labels == c]
        compressed = compressed + len(zc) / (2 * n) * torch.logdet(
            eye + d / (len(zc) * eps2) * zc.T @ zc
        )
    return -rate + compressed


def plain_attention(scores: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    a = torch.softmax(scores, dim=-1)
    t = a.shape[-1]
    entropy = -(a * torch.log(a + 1e-9)).sum(-1)
    dev = entropy - w[None, :, None] * math.log(t)
    penalty = torch.where(dev.abs() > 0.2 * math.log(t), dev**2, torch.zeros_like(dev))
    return 1e-5 * penalty.sum(dim=(0, 2)).mean()


def plain_cmi(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    log_p = F.log_softmax(logits, dim=1)
    p = log_p.exp()
    onehot = F.one_hot(labels, logits.shape[1]).to(logits.dtype)
    q = (onehot.T @ p) / onehot.sum(0).clamp(min=1)[:, None]
    kl = (p * (log_p - torch.log(q[labels]))).sum(1).mean()
    return F.cross_entropy(logits, labels) - 0.1 * kl


# -- cases ----------------------------------------------------------------------------------------


def cases(batch: int, dim: int, gen: torch.Generator) -> dict[str, Case]:
    def leaf(*shape: int, scale: float = 1.0) -> torch.Tensor:
        return (scale * torch.randn(*shape, generator=gen)).requires_grad_(True)

    labels10 = torch.randint(0, 10, (batch,), generator=gen)
    labels128 = torch.randint(0, 128, (batch,), generator=gen)
    attention = AttentionEntropyRegularizer(n_layers=1, n_heads=8)
    std = (0.5 + torch.rand(batch, dim, generator=gen)).requires_grad_(True)
    return {
        "infonce": (
            InfoNCELoss(temperature=0.1),
            plain_infonce,
            [leaf(batch, dim), leaf(batch, dim)],
        ),
        "ntxent": (NTXentLoss(temperature=0.5), plain_ntxent, [leaf(batch, dim), leaf(batch, dim)]),
        "align_uniform": (
            AlignmentUniformityLoss(),
            plain_align_uniform,
            [leaf(batch, dim), leaf(batch, dim)],
        ),
        "vib": (
            lambda lg, mu, s: VIBLoss(beta=1e-3)(lg, labels10, mu, s),
            lambda lg, mu, s: plain_vib(lg, labels10, mu, s),
            [leaf(batch, 10), leaf(batch, dim), std],
        ),
        "csib": (
            lambda x, z, y, yh: CSIBLoss(beta=0.01)(x, z, y, yh),
            plain_csib,
            [
                leaf(batch, dim, scale=0.1),
                leaf(batch, dim, scale=0.1),
                leaf(batch, 1),
                leaf(batch, 1),
            ],
        ),
        "hsic_bottleneck": (
            lambda z, x: HSICBottleneckLoss()(z, x, F.one_hot(labels10, 10).to(z.dtype)),
            lambda z, x: plain_hsic(z, x, F.one_hot(labels10, 10).to(z.dtype)),
            [leaf(batch, dim), leaf(batch, dim)],
        ),
        "club": (
            club_upper_bound,
            plain_club,
            [leaf(batch, dim), leaf(batch, dim, scale=0.1), leaf(batch, dim)],
        ),
        "mcr2": (
            lambda z: MCR2Loss(eps_squared=0.5, n_classes=10)(z, labels10),
            lambda z: plain_mcr2(z, labels10),
            [leaf(batch, dim)],
        ),
        "attention_entropy": (
            lambda s: attention([torch.softmax(s, dim=-1)]),
            lambda s: plain_attention(s, attention.threshold_fraction[0]),
            [leaf(batch // 128, 8, 128, 128, scale=3.0)],
        ),
        "cmi_distillation": (
            lambda lg: CMIDistillationLoss(cmi_weight=0.1)(lg, labels128),
            lambda lg: plain_cmi(lg, labels128),
            [leaf(batch, 128)],
        ),
    }


def time_once(function: Callable[..., torch.Tensor], inputs: list[torch.Tensor]) -> float:
    for t in inputs:
        t.grad = None
    start = time.perf_counter()
    loss = function(*inputs)
    loss.backward()  # type: ignore[no-untyped-call]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: least noise)")
    parser.add_argument("--output", default="benchmarks/results/losses.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    selected = cases(args.batch, args.dim, gen)
    if args.only:
        selected = {k: v for k, v in selected.items() if k in args.only.split(",")}
    rows = []
    print(f"{'loss':<18} {'infolens ms':>12} {'plain ms':>10} {'ratio':>6}  agree")
    for name, (ours, plain, inputs) in selected.items():
        with torch.no_grad():  # agreement in float64 (float32 HSIC solves differ by ~1e-3)
            doubles = [t.detach().double() for t in inputs]
            a, b = float(ours(*doubles)), float(plain(*doubles))
        agree = math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
        time_once(ours, inputs)  # warm-up
        time_once(plain, inputs)
        ours_t, plain_t = [], []
        for _ in range(args.repeats):
            ours_t.append(time_once(ours, inputs))
            plain_t.append(time_once(plain, inputs))
        row: dict[str, object] = {
            "loss": name,
            "infolens_s": min(ours_t),
            "plain_s": min(plain_t),
            "ratio": min(ours_t) / min(plain_t),
            "infolens_value": a,
            "plain_value": b,
            "agree": agree,
        }
        rows.append(row)
        print(
            f"{name:<18} {1e3 * min(ours_t):>12.1f} {1e3 * min(plain_t):>10.1f} "
            f"{min(ours_t) / min(plain_t):>6.2f}  {'yes' if agree else f'NO ({a:.6g} vs {b:.6g})'}"
        )
    result = {
        "batch": args.batch,
        "dim": args.dim,
        "repeats": args.repeats,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "machine": platform.machine(),
        "rows": rows,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
