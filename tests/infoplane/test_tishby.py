"""The 12-bit task: data checks, the network, deterministic and resumable training."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from infolens.exceptions import InvalidParameterError
from infolens.infoplane.tishby import DEFAULT_DATA_CANDIDATES, TishbyNet, layer_labels, load_var_u

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "var_u.mat"

_TRAIN = """
import sys
import torch
torch.set_num_threads(1)  # reductions over threads may differ between two busy runs
from infolens.infoplane import FixedBinning, InformationPlane, PlaneStore
from infolens.infoplane.tishby import TrainingConfig, train
import pathlib
run, data = sys.argv[1], sys.argv[2]
pathlib.Path(run).mkdir(parents=True, exist_ok=True)
store = PlaneStore(run + "/records.db")
def factory(model, x, y):
    return InformationPlane(model, layers=model.representation_layers, inputs=x, labels=y,
                            estimators=[FixedBinning()], store=store, activations_dir=run + "/act",
                            epochs="every")  # every epoch, not a time budget: runs must match
train(TrainingConfig(epochs=int(sys.argv[3]), checkpoint_every=5), seed=3, run_dir=run,
      plane_factory=factory, data=data)
"""


def test_var_u_loads_with_its_known_content() -> None:
    features, labels = load_var_u(DATA)
    assert features.shape == (4096, 12)
    assert labels.sum() == 2118
    assert DEFAULT_DATA_CANDIDATES[1] == DATA  # ../shared/data beside the checkout
    np.testing.assert_array_equal(load_var_u()[1], labels)


def test_missing_or_wrong_data_files_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=re.escape("Get var_u.mat from https://github.com/ravidziv/IDNNs")
    ):
        load_var_u(tmp_path / "nope.mat")
    fake = tmp_path / "var_u.mat"
    fake.write_bytes(b"not it")
    with pytest.raises(ValueError, match=re.escape("is not the expected var_u.mat")):
        load_var_u(fake)


def test_network_has_the_12_10_7_5_4_3_2_shape() -> None:
    import torch

    net = TishbyNet("tanh", torch.Generator().manual_seed(0))
    widths = [m.out_features for m in net if isinstance(m, torch.nn.Linear)]
    assert widths == [10, 7, 5, 4, 3, 2]
    assert net.representation_layers == ["1", "3", "5", "7", "9", "11"]
    x = torch.zeros(3, 12)
    for name, label in layer_labels("tanh").items():  # each label names its module's output
        out = torch.nn.Sequential(*list(net)[: int(name) + 1])(x)
        assert label == f"T{int(name) // 2 + 1} ({type(net[int(name)]).__name__}, {out.shape[1]})"
    assert layer_labels("relu")["9"] == "T5 (ReLU, 3)"
    with pytest.raises(InvalidParameterError, match="Unknown activation 'sigmoid'"):
        layer_labels("sigmoid")


def _run(run: Path, epochs: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _TRAIN, str(run), str(DATA), str(epochs)])


def _rows(run: Path) -> list[tuple[int, str, float, float]]:
    from infolens.infoplane import PlaneStore

    with PlaneStore(run / "records.db") as store:
        return [(r.epoch, r.layer, r.i_xt, r.i_ty) for r in store.records()]  # type: ignore[misc]


def test_sigkill_mid_training_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    # Reference: one uninterrupted run. Then the same run killed with SIGKILL after its first
    # checkpoint and restarted: its records must equal the reference exactly (training resumes
    # from the checkpoint with the same generator state; recorded epochs are not recomputed).
    epochs = 20
    reference = tmp_path / "reference"
    assert _run(reference, epochs).wait(timeout=300) == 0
    killed = tmp_path / "killed"
    process = _run(killed, epochs)
    deadline = time.time() + 300
    while not (killed / "checkpoint.pt").exists() and time.time() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = _rows(killed)
    assert 0 < len(partial) < len(_rows(reference))
    assert _run(killed, epochs).wait(timeout=300) == 0
    resumed = _rows(killed)
    assert len(resumed) == len({(e, layer) for e, layer, *_ in resumed}) == epochs * 6
    assert resumed == _rows(reference)
    saved = sorted(p.name for p in (killed / "act").iterdir())
    assert saved == [f"epoch_{e:06d}.npz" for e in range(epochs)]
    np.testing.assert_array_equal(
        np.load(killed / "act" / "epoch_000019.npz")["005:11"],
        np.load(reference / "act" / "epoch_000019.npz")["005:11"],
    )


def test_a_checkpoint_of_other_settings_is_not_resumed(tmp_path: Path) -> None:
    from infolens.infoplane import InformationPlane
    from infolens.infoplane.tishby import TrainingConfig, train

    def factory(model: object, x: object, y: object) -> InformationPlane:
        return InformationPlane(model, layers=["1"], inputs=x, labels=y, epochs=[])

    train(
        TrainingConfig(epochs=2, checkpoint_every=1),
        seed=0,
        run_dir=tmp_path,
        plane_factory=factory,
        data=DATA,
    )
    with pytest.raises(ValueError, match=re.escape("belongs to a run with other settings")):
        train(
            TrainingConfig(epochs=2, inputs="binary"),
            seed=0,
            run_dir=tmp_path,
            plane_factory=factory,
            data=DATA,
        )
    with pytest.raises(
        ValueError, match=re.escape("Unknown inputs 'bits'. Available: 'binary', 'signed'.")
    ):
        TrainingConfig(inputs="bits")


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, ("PWNED",))  # would create a file if it were ever unpickled


@pytest.mark.parametrize("kind", ["random", "pickle", "other_dict"])
def test_a_corrupt_or_foreign_checkpoint_is_one_clear_error(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    import torch

    from infolens.infoplane.tishby import TrainingConfig, train

    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / "checkpoint.pt"
    if kind == "random":
        checkpoint.write_bytes(np.random.default_rng(0).bytes(300))
    elif kind == "pickle":
        checkpoint.write_bytes(pickle.dumps(_Payload()))
    else:
        torch.save({"weights": torch.zeros(2)}, checkpoint)
    with pytest.raises(
        ValueError,
        match=re.escape(f"{checkpoint} is not a training checkpoint written by infolens ("),
    ):
        train(TrainingConfig(epochs=2), seed=0, run_dir=tmp_path, plane_factory=None, data=DATA)  # type: ignore[arg-type]
    assert not (tmp_path / "PWNED").exists()
