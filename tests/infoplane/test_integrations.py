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
    assert "information_plane" in events.Tags()["images"]


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
    callback = lightning_callback(plane)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)
    trainer = pl.Trainer(max_epochs=3, callbacks=[callback], logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False,
                         default_root_dir=str(tmp_path))  # fmt: skip
    trainer.fit(module, loader)
    assert [r.epoch for r in callback.history] == [0, 1, 2]
    assert all(len(m._forward_hooks) == 0 for m in module.modules())  # closed at fit end
    assert "I_XT/net.1" in trainer.callback_metrics
