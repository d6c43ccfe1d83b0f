"""TensorBoard logging and the Lightning callback."""

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from infolens.infoplane import FixedBinning, InformationPlane
from infolens.infoplane.integrations import lightning_callback, log_to_tensorboard


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((128, 4)).astype(np.float32))
    return x, (x[:, 0] > 0).long()


def test_tensorboard_gets_per_layer_scalars_and_the_figure(tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from torch.utils.tensorboard import SummaryWriter

    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2), nn.Softmax(dim=1))
    x, y = _data()
    writer = SummaryWriter(log_dir=str(tmp_path))
    history = []
    with InformationPlane(
        model, layers=["1", "3"], inputs=x, labels=y, estimators=[FixedBinning()]
    ) as plane:
        for epoch in range(3):
            records = plane.step(epoch)
            history += records
            log_to_tensorboard(writer, records, history=history)
    writer.close()
    events = EventAccumulator(str(tmp_path), size_guidance={"images": 0}).Reload()
    assert {"I_XT/1", "I_TY/3", "I_XT_given_Y/1"} <= set(events.Tags()["scalars"])
    assert [e.step for e in events.Scalars("I_XT/1")] == [0, 1, 2]
    assert history[0].units == "nats"
    assert events.Scalars("I_XT/1")[0].value == pytest.approx(
        history[0].i_xt / np.log(2.0), rel=1e-6
    )  # TensorBoard shows bits, like the papers' planes
    assert events.Tags()["images"] == ["information_plane/fixed_binning"]
    assert [e.step for e in events.Images("information_plane/fixed_binning")] == [0, 1, 2]


# lightning 2.6 calls a torch.utils._pytree API that torch 2.13 deprecates (their issue, not ours).
@pytest.mark.filterwarnings("ignore:.*LeafSpec.*is deprecated:FutureWarning")
@pytest.mark.filterwarnings("ignore:The '.*dataloader' does not have many workers")
def test_lightning_callback_steps_the_plane_every_epoch(tmp_path: Path) -> None:
    import lightning.pytorch as pl

    class Module(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x)  # type: ignore[no-any-return]

        def training_step(
            self, batch: tuple[torch.Tensor, torch.Tensor], index: int
        ) -> torch.Tensor:
            x, y = batch
            return nn.functional.cross_entropy(self(x), y)

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    x, y = _data()
    module = Module()
    plane = InformationPlane(module, layers=["net.1"], inputs=x, labels=y)
    callback = lightning_callback(plane)  # no logger: the values reach callback_metrics
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)
    trainer = pl.Trainer(max_epochs=3, callbacks=[callback], logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False,
                         default_root_dir=str(tmp_path))  # fmt: skip
    trainer.fit(module, loader)
    assert [r.epoch for r in callback.history] == [0, 1, 2]
    assert all(len(m._forward_hooks) == 0 for m in module.modules())  # closed at fit end
    assert "I_XT/net.1" in trainer.callback_metrics


def test_plane_figures_one_per_estimator_with_readable_titles() -> None:
    from infolens.infoplane import KDEBound
    from infolens.infoplane.integrations import plane_figures, scalars

    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2), nn.Softmax(dim=1))
    x, y = _data()
    estimators = [FixedBinning(), KDEBound(noise_variance=0.1)]
    with InformationPlane(model, inputs=x, labels=y, estimators=estimators) as plane:
        history = plane.step(0) + plane.step(1)
    figures = plane_figures(history, 1)
    assert sorted(figures) == ["information_plane/fixed_binning", "information_plane/kde_bound"]
    titles = sorted(f.axes[0].get_title() for f in figures.values())
    assert titles == [
        "Information plane, fixed_binning (n edges 30, low -1, high 1), epoch 1",
        "Information plane, kde_bound (noise variance 0.1, bound upper), epoch 1",
    ]
    tags = scalars(history)
    assert "I_XT_given_Y/0 (Tanh, 3) @ kde_bound" in tags  # the layer label, then the estimator
    assert tags["I_TY/2 (Softmax, 2) @ fixed_binning"][1] == 1  # the step is the epoch


# lightning 2.6 calls a torch.utils._pytree API that torch 2.13 deprecates (their issue, not ours).
@pytest.mark.filterwarnings("ignore:.*LeafSpec.*is deprecated:FutureWarning")
@pytest.mark.filterwarnings("ignore:The '.*dataloader' does not have many workers")
@pytest.mark.filterwarnings("ignore:.*does not have many workers:UserWarning")
def test_lightning_logs_into_its_own_run_directory_with_the_epoch_as_step(
    tmp_path: Path,
) -> None:
    import lightning.pytorch as pl
    from lightning.pytorch.loggers import TensorBoardLogger
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    class Module(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x)  # type: ignore[no-any-return]

        def training_step(
            self, batch: tuple[torch.Tensor, torch.Tensor], index: int
        ) -> torch.Tensor:
            x, y = batch
            return nn.functional.cross_entropy(self(x), y)

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    x, y = _data()
    module = Module()
    plane = InformationPlane(module, layers={"net.1": "hidden (Tanh, 3)"}, inputs=x, labels=y,
                             estimators=[FixedBinning()])  # fmt: skip
    logger = TensorBoardLogger(str(tmp_path), name="lightning", version=0)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    trainer = pl.Trainer(max_epochs=3, callbacks=[lightning_callback(plane)], logger=logger,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, default_root_dir=str(tmp_path),
                         log_every_n_steps=1)  # fmt: skip
    trainer.fit(module, loader)
    runs = sorted({p.parent for p in tmp_path.rglob("events.out.tfevents.*")})
    assert runs == [tmp_path / "lightning" / "version_0"]  # one run directory: Lightning's
    events = EventAccumulator(str(runs[0]), size_guidance={"images": 0}).Reload()
    layer = "hidden (Tanh, 3)"
    for tag in ("I_XT", "I_TY", "I_XT_given_Y"):  # each once per epoch, at step = epoch
        assert [e.step for e in events.Scalars(f"{tag}/{layer}")] == [0, 1, 2]
    assert [e.step for e in events.Images("information_plane/fixed_binning")] == [0, 1, 2]
    assert f"I_XT/{layer}" in trainer.callback_metrics
