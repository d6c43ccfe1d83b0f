"""A Lightning module with one infolens loss and two infolens metrics (the pattern to copy).

``ContrastiveModule`` trains a small encoder with ``infolens.losses.InfoNCELoss`` and tracks two
streaming metrics, ``infolens.metrics.Alignment`` and ``Uniformity``: ``update`` on every
validation batch, ``compute`` and ``reset`` at the end of the validation epoch (the accumulators
all-reduce their states under DDP when ``torch.distributed`` is initialised). Data: two noisy
views of points on a low-dimensional subspace.

Run ``python examples/lightning_losses.py`` (seconds to a minute on a CPU) or ``--tiny``.
"""

import argparse
import sys
import warnings
from collections.abc import Sequence

import lightning.pytorch as pl
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from infolens.losses import InfoNCELoss
from infolens.metrics import Alignment, Uniformity


class ContrastiveModule(pl.LightningModule):
    """Encoder + InfoNCE; alignment and uniformity as streaming validation metrics."""

    def __init__(self, dim: int = 16, embedding: int = 8, temperature: float = 0.2) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, embedding))
        self.loss_fn = InfoNCELoss(temperature=temperature, symmetric=True)
        self.alignment = Alignment()
        self.uniformity = Uniformity(max_samples=4096)
        self.history: list[dict[str, float]] = []

    def training_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int
    ) -> torch.Tensor:
        """Return the InfoNCE loss of a batch of view pairs."""
        v1, v2 = batch
        loss: torch.Tensor = self.loss_fn(self.encoder(v1), self.encoder(v2))
        self.log("train/infonce", loss)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        """Update the two metrics with a validation batch."""
        v1, v2 = batch
        f1, f2 = self.encoder(v1), self.encoder(v2)
        self.alignment.update(f1, f2)
        self.uniformity.update(f1)

    def on_validation_epoch_end(self) -> None:
        """Compute, log and reset the metrics."""
        row = {
            "alignment": float(self.alignment.compute()),
            "uniformity": float(self.uniformity.compute()),
        }
        self.alignment.reset()
        self.uniformity.reset()
        self.log_dict({f"val/{k}": v for k, v in row.items()})
        self.history.append(row)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        """Return Adam over the encoder."""
        return torch.optim.Adam(self.parameters(), lr=1e-3)


def make_views(n: int, seed: int, dim: int = 16) -> TensorDataset:
    """Two noisy views of ``n`` points on a random 4-D subspace of R^dim."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=gen) @ torch.randn(4, dim, generator=gen) / 2
    return TensorDataset(
        x + 0.3 * torch.randn(n, dim, generator=gen), x + 0.3 * torch.randn(n, dim, generator=gen)
    )


def main(argv: Sequence[str] | None = None) -> list[dict[str, float]]:
    """Fit the module and print the validation metrics per epoch; return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n-train", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="2 epochs on 256 pairs")
    args = parser.parse_args(argv)
    if args.tiny:
        args.epochs, args.n_train = 2, 256
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    torch.manual_seed(args.seed)
    train = DataLoader(make_views(args.n_train, args.seed), batch_size=128, shuffle=True)
    val = DataLoader(make_views(512, args.seed + 1), batch_size=128)
    module = ContrastiveModule()
    trainer = pl.Trainer(
        max_epochs=args.epochs,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        accelerator="cpu",
    )
    with warnings.catch_warnings():
        # Lightning's advice to use DataLoader workers does not apply to in-memory tensors
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        # lightning 2.6 calls a torch.utils._pytree API that torch 2.13 deprecates
        warnings.filterwarnings(
            "ignore", message=".*LeafSpec.*is deprecated", category=FutureWarning
        )
        trainer.fit(module, train, val)
    for epoch, row in enumerate(module.history):
        print(
            f"epoch {epoch}: alignment {row['alignment']:.3f}, uniformity {row['uniformity']:.3f}"
        )
    return module.history


if __name__ == "__main__":
    main(sys.argv[1:])
