"""Real-network reproductions R5, R7-R9 at their tiny size; data sources; bad input."""

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane.idx import MNIST_FILES, write_idx
from infolens.infoplane.repro_real import (
    LOSSY_PANEL,
    REAL_REPRODUCTIONS,
    _capture,
    butakov_cnn,
    estimation_epochs,
    layer_labels,
    reproduce_real,
    saxe_mlp,
    smooth,
)
from infolens.infoplane.reproduce import reproduce


def _messages() -> tuple[list[str], Callable[[str], None]]:
    said: list[str] = []
    return said, said.append


def test_lossy_mnist_tiny_writes_criteria_and_resumes(tmp_path: Path) -> None:
    said, say = _messages()
    summary = reproduce_real("lossy-mnist", size="tiny", seeds=1, out=tmp_path, progress=say)
    assert set(summary["criteria"]) == set(
        json.loads((tmp_path / "summary.json").read_text())["criteria"]
    )
    curves = summary["curves_bits"][LOSSY_PANEL]
    assert list(curves) == [  # the paper's 5 layers, labelled as the tracker's layers="auto"
        "conv1 (LeakyReLU, 8x4x4)",
        "conv2 (LeakyReLU, 16x2x2)",
        "conv3 (LeakyReLU, 32x1x1)",
        "fc1 (LeakyReLU, 32)",
        "fc2 (LogSoftmax, 10)",
    ]
    for c in curves.values():
        assert c["epochs"] == [0, 1, 3]
        assert all(math.isfinite(v) for v in c["i_xt"] + c["i_ty"] + c["i_xt_smoothed"])
        assert all(v <= math.log2(10) + 0.3 for v in c["i_ty"])  # I(T;Y) <= H(Y) (+ k-NN bias)
        assert all(a >= b for a, b in zip(c["i_xt"], c["i_ty"], strict=True))  # Y - X - T
    criteria = summary["criteria"]
    assert criteria["per-epoch curves for 5 layers, all finite"]["pass"]
    dpi = criteria["data processing: I(X;T) >= I(T;Y) in every layer, epoch and seed"]
    assert dpi["pass"]
    assert dpi["min_margin_bits"] >= 0
    assert dpi["estimates"] == 15  # 5 layers x 3 epochs x 1 seed
    assert set(dpi["conditional_clipped_to_0"]) == set(curves)
    synthetic = next(v for k, v in criteria.items() if k.startswith("synthetic"))
    assert set(synthetic["estimates_nats"]) == {"1.0", "2.5"}
    assert (tmp_path / "report.html").is_file()
    said.clear()
    again = reproduce_real("lossy-mnist", size="tiny", seeds=1, out=tmp_path, progress=say)
    assert any("reusing" in m for m in said)
    assert again["criteria"] == json.loads(json.dumps(summary["criteria"], default=float))


def test_saxe_mnist_tiny_has_both_panels(tmp_path: Path) -> None:
    summary = reproduce("saxe-mnist", seeds=1, out=tmp_path, epochs=2)  # through the dispatcher
    assert summary["epochs"] == 2
    panels = summary["curves_bits"]
    assert set(panels) == {
        "tanh, KDE upper, noise variance 0.1",
        "relu, KDE upper, noise variance 0.1",
    }
    h_x = math.log2(600)  # the probe set: 599 digits
    assert list(panels["relu, KDE upper, noise variance 0.1"]) == [
        "fc1 (ReLU, 1024)",
        "fc2 (ReLU, 20)",
        "fc3 (ReLU, 20)",
        "fc4 (ReLU, 20)",
        "fc5 (Softmax, 10)",
    ]
    drops = summary["criteria"]["ReLU: no 20-unit layer compresses (every drop < 0.5 bit)"]
    assert list(drops["drop_bits"]) == ["fc2 (ReLU, 20)", "fc3 (ReLU, 20)", "fc4 (ReLU, 20)"]
    for curves in panels.values():
        assert len(curves) == 5
        for c in curves.values():
            assert all(0 <= v <= h_x + 1e-9 for v in c["i_xt"])  # the KDE upper bound <= log2 P


def test_noisy_tiny_stays_below_h_x(tmp_path: Path) -> None:
    summary = reproduce_real("noisy", size="tiny", seeds=1, out=tmp_path)
    check = summary["criteria"][
        next(k for k in summary["criteria"] if k.startswith("I(X;T) finite"))
    ]
    assert check["h_x_bits"] == 9.0  # 512 equally likely inputs
    assert check["pass"]
    assert 0 < check["max_single_bits"] < 9.0
    assert list(next(iter(summary["curves_bits"].values()))) == [  # the five noisy hidden layers
        "0 (Tanh, 10)",
        "2 (Tanh, 7)",
        "4 (Tanh, 5)",
        "6 (Tanh, 4)",
        "8 (Tanh, 3)",
    ]


def test_conditional_tiny_reports_the_gap(tmp_path: Path) -> None:
    summary = reproduce_real("conditional", size="tiny", seeds=1, out=tmp_path)
    checks = summary["criteria"]
    assert checks["sigma selection monotone: I(X;Z_l) never increases with depth"]["pass"]
    first = next(iter(checks.values()))
    assert [c["n_train"] for c in first["per_config"]] == [60, 200]
    page = (tmp_path / "report.html").read_text()  # the report the CLI points to
    assert 'alt="I(X;Z|Y) and the generalisation gap" src="data:image/png;base64,' in page
    assert "sigma selection monotone" in page  # the criteria table
    assert (tmp_path / "gap.png").stat().st_size > 1000
    for config in first["per_config"]:
        assert list(config["sigma"]) == ["fc1 (ReLU, 128)", "fc2 (ReLU, 64)", "fc3 (Softmax, 10)"]
        assert -1 <= config["gap"] <= 1
        assert all(math.isfinite(v) for v in config["i_xz_given_y_bits"].values())


def test_lossy_mnist_reads_an_idx_folder(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, n in (("train", 120), ("test", 80)):
        labels = np.arange(n) % 10
        images = np.zeros((n, 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):  # a class-dependent bright square plus noise
            images[i, 2 * label : 2 * label + 6, 4:10] = 200
        images = np.clip(images + rng.integers(0, 40, images.shape), 0, 255).astype(np.uint8)
        write_idx(folder / MNIST_FILES[(split, "images")], images)
        write_idx(folder / MNIST_FILES[(split, "labels")], labels.astype(np.uint8))
    summary = reproduce_real(
        "lossy-mnist", size="tiny", seeds=1, out=tmp_path / "out", data=folder, epochs=1
    )
    assert "MNIST from" in summary["samples"]
    assert "80 probe" in summary["samples"]


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="folder of the MNIST IDX files"):
        reproduce_real("lossy-mnist", size="tiny", seeds=1, out=tmp_path, data=tmp_path / "x.mat")
    with pytest.raises(InvalidParameterError, match="size"):
        reproduce_real("noisy", size="huge", out=tmp_path)
    with pytest.raises(InvalidParameterError, match="reproduction"):
        reproduce_real("nope", out=tmp_path)
    with pytest.raises(InvalidParameterError, match="'epochs'"):
        reproduce_real("noisy", size="tiny", epochs=0, out=tmp_path)

    class Pair(nn.Module):
        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return x, x

    model = nn.Sequential(nn.Linear(2, 2), Pair())
    with pytest.raises(InvalidInputError, match="Layer '1' \\(Pair\\) emits tuple, not a tensor"):
        _capture(model, ["1"], torch.zeros(3, 2))
    assert model.training  # the mode is restored and the hook removed
    assert not model[1]._forward_hooks


def test_models_schedules_and_smoothing() -> None:
    for side, first in ((8, 8 * 4 * 4), (28, 8 * 13 * 13)):  # 'same' padding below 28 pixels
        model, layers = butakov_cnn(side)
        acts = _capture(model, layers, torch.zeros(2, 1, side, side))
        assert [a.shape[1] for a in acts.values()] == [
            first,
            16 * (side // 4 if side < 28 else 5) ** 2,
            32,
            32,
            10,
        ]
    model, layers = butakov_cnn(8)
    probe = torch.rand(9, 1, 8, 8)
    state = torch.random.get_rng_state()
    assert list(layer_labels(model, layers, probe).values())[-1] == "fc2 (LogSoftmax, 10)"
    assert torch.equal(torch.random.get_rng_state(), state)  # the noise's draws are undone
    assert not any(m._forward_hooks for m in model.modules())  # the tracker's hooks are gone
    with pytest.raises(InvalidInputError, match="finds the layers"):
        layer_labels(model, ["act1"], probe)
    mlp, names = saxe_mlp(64, "tanh")
    widths = [a.shape[1] for a in _capture(mlp, names, torch.zeros(2, 1, 8, 8)).values()]
    assert widths == [1024, 20, 20, 20, 10]
    assert estimation_epochs(3, 3) == [0, 1, 3]
    noisy = np.sin(np.linspace(0, 3, 40)) + np.random.default_rng(0).normal(0, 0.1, 40)
    smoothed = np.asarray(smooth(noisy), dtype=float)
    assert np.abs(np.diff(smoothed, 2)).mean() < np.abs(np.diff(noisy, 2)).mean() / 5
    assert np.abs(smoothed - np.sin(np.linspace(0, 3, 40))).max() < 0.15
    assert smooth([1.0, 2.0]) == [1.0, 2.0]
    assert set(REAL_REPRODUCTIONS) == {"lossy-mnist", "saxe-mnist", "noisy", "conditional"}


def test_options_of_the_12_bit_reproductions_are_refused_not_ignored(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="inputs='binary'"):
        reproduce("noisy", inputs="binary", out=tmp_path)
    with pytest.raises(InvalidParameterError, match="n_jobs=4"):
        reproduce("conditional", n_jobs=4, out=tmp_path)
