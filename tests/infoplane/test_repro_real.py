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
    REAL_REPRODUCTIONS,
    _capture,
    butakov_cnn,
    estimation_epochs,
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
    curves = summary["curves_bits"]["CNN, lossy compression (X: 4, layers: PCA 4, KL k=5)"]
    assert list(curves) == ["0", "1", "2", "3", "4"]  # the paper's 5 layers
    for c in curves.values():
        assert c["epochs"] == [0, 1, 3]
        assert all(math.isfinite(v) for v in c["i_xt"] + c["i_ty"] + c["i_xt_smoothed"])
        assert all(v <= math.log2(10) + 0.3 for v in c["i_ty"])  # I(T;Y) <= H(Y) (+ k-NN bias)
    criteria = summary["criteria"]
    assert criteria["per-epoch curves for 5 layers, all finite"]["pass"]
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
    assert len(next(iter(summary["curves_bits"].values()))) == 5  # the five noisy hidden layers


def test_conditional_tiny_reports_the_gap(tmp_path: Path) -> None:
    summary = reproduce_real("conditional", size="tiny", seeds=1, out=tmp_path)
    checks = summary["criteria"]
    assert checks["sigma selection monotone: I(X;Z_l) never increases with depth"]["pass"]
    first = next(iter(checks.values()))
    assert [c["n_train"] for c in first["per_config"]] == [60, 200]
    for config in first["per_config"]:
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
