"""InformationPlane: hooks, eval-mode captures, schedules, storage, non-finite layers."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from infolens.exceptions import DegenerateDataWarning
from infolens.infoplane import (
    FixedBinning,
    InformationPlane,
    KDEBound,
    KNNEntropy,
    PlaneStore,
    RangeBinning,
)
from infolens.infoplane.progress import Progress
from infolens.infoplane.tracker import (
    bin_range,
    compression_estimator,
    default_estimator,
    estimate_saved,
    load_activations,
    saved_epochs,
)


def _model() -> nn.Sequential:
    torch.manual_seed(0)  # test-only global seed: the library never calls it
    return nn.Sequential(
        nn.Linear(4, 6), nn.Tanh(), nn.Dropout(0.5), nn.Linear(6, 2), nn.Softmax(dim=1)
    )


def _probe() -> tuple[torch.Tensor, np.ndarray]:
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32))
    return x, (x[:, 0] > 0).long().numpy()


def test_hooks_are_removed_on_close_and_on_context_exit() -> None:
    model = _model()
    x, y = _probe()
    with InformationPlane(model, layers=["1", "4"], inputs=x, labels=y) as plane:
        assert all(len(model[i]._forward_hooks) == 1 for i in (1, 4))
        plane.step(0)
    assert all(len(m._forward_hooks) == 0 for m in model)
    with pytest.raises(RuntimeError, match="closed"):
        plane.capture()


def test_capture_runs_in_eval_mode_without_gradients_and_restores_the_mode() -> None:
    model = _model()
    x, y = _probe()
    model.train()
    with InformationPlane(model, layers=["2"], inputs=x, labels=y) as plane:
        first, second = plane.capture()["2"], plane.capture()["2"]
    np.testing.assert_array_equal(first, second)  # dropout off: deterministic
    assert model.training
    assert first.shape == (64, 6)


def test_step_follows_the_schedule_and_the_store_skips_recorded_epochs(tmp_path: Path) -> None:
    model = _model()
    x, y = _probe()
    calls = []
    with PlaneStore(tmp_path / "r.db") as store:
        plane = InformationPlane(
            model,
            layers=["1", "4"],
            inputs=x,
            labels=y,
            epochs=[0, 2],
            store=store,
            estimators=[FixedBinning(), KDEBound()],
        )
        model[1].register_forward_hook(lambda *args: calls.append(1))  # after the trial pass
        assert plane.step(1) == []
        records = plane.step(2)
        assert len(records) == 4  # 2 estimators x 2 layers
        assert plane.step(2) == []  # recorded already: no capture
        plane.close()
        assert len(calls) == 1
        assert {r.epoch for r in store.records()} == {2}
        assert records[0].config["estimator"] == "fixed_binning"
        assert records[0].estimator == FixedBinning().identity()
        assert records[0].units == "nats"


def test_activations_saved_for_post_hoc_estimation_match_online_records(tmp_path: Path) -> None:
    model = _model()
    x, y = _probe()
    with (
        PlaneStore(tmp_path / "online.db") as online,
        PlaneStore(tmp_path / "posthoc.db") as posthoc,
    ):
        with InformationPlane(
            model,
            layers=["1", "4"],
            inputs=x,
            labels=y,
            store=online,
            estimators=[FixedBinning()],
            epochs="every",
            activations_dir=tmp_path / "act",
        ) as plane:
            for epoch in range(3):
                plane.step(epoch)
                with torch.no_grad():
                    first_layer = model[0]
                    assert isinstance(first_layer, nn.Linear)
                    first_layer.weight.mul_(1.5)
        assert saved_epochs(tmp_path / "act") == [0, 1, 2]
        assert list(load_activations(tmp_path / "act" / "epoch_000001.npz")) == ["1", "4"]
        estimate_saved(tmp_path / "act", y, [FixedBinning()], store=posthoc, run_id="run", seed=0)
        a = [(r.epoch, r.layer, r.i_xt, r.i_ty) for r in online.records()]
        b = [(r.epoch, r.layer, r.i_xt, r.i_ty) for r in posthoc.records()]
    assert a == b


def test_non_finite_activations_are_flagged_without_stopping(tmp_path: Path) -> None:
    model = _model()
    x, y = _probe()
    first_layer = model[0]
    assert isinstance(first_layer, nn.Linear)
    with torch.no_grad():
        first_layer.weight.fill_(float("nan"))
    with (
        InformationPlane(model, layers=["1"], inputs=x, labels=y) as plane,
        pytest.warns(
            DegenerateDataWarning,
            match=re.escape("Layer '1' has non-finite activations at epoch 3"),
        ),
    ):
        records = plane.step(3)
    assert records[0].status == "nonfinite"
    assert records[0].i_xt is None


def test_bad_layers_and_lengths_get_clear_errors() -> None:
    model = _model()
    x, y = _probe()
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Unknown layer(s) ['9'] (or no layers given). Valid names: '0', '1', '2', '3', '4'."
        ),
    ):
        InformationPlane(model, layers=["9"], inputs=x, labels=y)
    with pytest.raises(ValueError, match=re.escape("inconsistent numbers of samples: [64, 10]")):
        InformationPlane(model, layers=["1"], inputs=x, labels=y[:10])


def test_a_model_that_fails_on_the_probe_set_is_refused_before_training() -> None:
    model = _model()
    wrong = torch.zeros(8, 5)  # the model expects 4 features
    with pytest.raises(
        ValueError,
        match=re.escape("The model failed on the probe set (inputs of shape (8, 5)): RuntimeError"),
    ):
        InformationPlane(model, layers=["1"], inputs=wrong, labels=np.zeros(8))
    assert model.training  # mode restored after the failure
    assert all(not m._forward_hooks for m in model.modules())  # no hook left behind


def test_a_layer_the_forward_pass_never_calls_is_reported() -> None:
    model = _model()
    model.add_module("unused", nn.ReLU())
    model.forward = lambda inp: model[4](model[3](model[2](model[1](model[0](inp)))))  # type: ignore[method-assign]
    x, y = _probe()
    with pytest.raises(
        ValueError, match=re.escape("Layer(s) ['unused'] produced no tensor output")
    ):
        InformationPlane(model, layers=["unused"], inputs=x, labels=y)


class _Net(nn.Module):
    """Named layers, a dropout, activations as modules and a linear output (logits)."""

    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.fc1, self.act1 = nn.Linear(4, hidden), nn.ReLU()
        self.drop = nn.Dropout(0.5)
        self.fc2, self.act2 = nn.Linear(hidden, 5), nn.Tanh()
        self.out = nn.Linear(5, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.act2(self.fc2(self.drop(self.act1(self.fc1(x)))))
        out: torch.Tensor = self.out(hidden)
        return out


def test_auto_layers_are_the_activations_and_the_output_with_human_labels(
    tmp_path: Path,
) -> None:
    torch.manual_seed(0)
    x, y = _probe()
    with PlaneStore(tmp_path / "r.db") as store:
        with InformationPlane(_Net(), inputs=x, labels=y, store=store) as plane:
            assert plane.layer_labels == {
                "act1": "fc1 (ReLU, 32)",
                "act2": "fc2 (Tanh, 5)",
                "out": "out (Linear, 2)",
            }
            records = plane.step(0)
        assert sorted(r.layer for r in store.records()) == sorted(r.layer for r in records)
    # the default estimators follow width and range: never bins that clip
    chosen = {r.layer: r.estimator for r in records}
    assert chosen["fc2 (Tanh, 5)"] == FixedBinning().identity()
    assert chosen["fc1 (ReLU, 32)"].startswith(("kde_bound/", "lossy", "compression"))
    assert [r.layer_index for r in sorted(records, key=lambda r: r.layer_index)] == [0, 1, 2]


def test_auto_layers_without_activation_modules_take_each_blocks_last_leaf() -> None:
    class Functional(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.block1 = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6))
            self.block2 = nn.Sequential(nn.Linear(6, 3))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.block2(torch.relu(self.block1(x)))
            return out

    x, y = _probe()
    plane = InformationPlane(Functional(), inputs=x, labels=y)
    assert plane.layer_labels == {
        "block1.1": "block1.1 (LayerNorm, 6)",
        "block2.0": "block2.0 (Linear, 3)",
    }
    conv = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2))
    images = torch.zeros(4, 1, 4, 4)
    labels = InformationPlane(conv, inputs=images, labels=[0, 1, 0, 1]).layer_labels
    assert labels == {"1": "0 (ReLU, 2x2x2)", "3": "3 (Linear, 2)"}


@pytest.mark.parametrize(
    ("module", "width", "expected"),
    [
        (nn.Tanh(), 5, FixedBinning()),
        (nn.Sigmoid(), 3, FixedBinning(edges=tuple(np.linspace(0.0, 1.0, 30)))),
        (nn.ReLU(), 4, RangeBinning(n_edges=30, low=0.0)),
        (nn.Hardtanh(-2.0, 2.0), 2, FixedBinning(edges=tuple(np.linspace(-2.0, 2.0, 30)))),
    ],
)
def test_default_estimators_bin_narrow_layers_over_their_whole_range(
    module: nn.Module, width: int, expected: object
) -> None:
    assert default_estimator(module, width) == expected


def test_default_estimators_of_wide_or_unbounded_layers_do_not_bin() -> None:
    for module, width in ((nn.Tanh(), 9), (nn.ReLU(), 1024), (nn.Linear(3, 3), 3)):
        assert bin_range(default_estimator(module, width)) is None


def test_bins_that_clip_warn_once_with_the_fraction_outside() -> None:
    linear = nn.Linear(1, 1)
    with torch.no_grad():
        linear.weight.fill_(1.0)
        linear.bias.fill_(0.0)
    model = nn.Sequential(linear, nn.ReLU())
    x = torch.linspace(-3.0, 3.0, 100).reshape(-1, 1)  # ReLU: 1/3 of the values above 1
    labels = (x[:, 0] > 0).long()
    plane = InformationPlane(model, layers=["1"], inputs=x, labels=labels,
                             estimators=[FixedBinning()], epochs="every")  # fmt: skip
    with pytest.warns(DegenerateDataWarning, match=re.escape("but 33.0% of the activations of "
                                                             "layer '1' lie outside")):  # fmt: skip
        plane.step(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plane.step(1)  # once per layer and estimator
        InformationPlane(model, layers=["1"], inputs=x, labels=labels).step(0)  # auto: no clip


def test_bad_probe_sets_layers_and_schedules_get_clear_errors() -> None:
    x, y = _probe()
    with pytest.raises(TypeError, match=re.escape(
            "inputs must be a torch.Tensor, got numpy.ndarray")):  # fmt: skip
        InformationPlane(_model(), inputs=x.numpy(), labels=y)

    class Recurrent(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm, self.fc = nn.LSTM(4, 3, batch_first=True), nn.Linear(3, 2)

        def forward(self, inp: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.fc(self.lstm(inp[:, None, :])[0][:, 0])
            return out

    with pytest.raises(ValueError, match=re.escape(
            "Layer 'lstm' (LSTM) returns a tuple, not a torch.Tensor of activations")):  # fmt: skip
        InformationPlane(Recurrent(), layers=["lstm"], inputs=x, labels=y)
    assert InformationPlane(Recurrent(), inputs=x, labels=y).layers == ["fc"]  # auto skips it
    with pytest.raises(ValueError, match=re.escape("'epochs' parameter of InformationPlane must "
                                                   "be 'auto', 'every', None or an iterable")):  # fmt: skip
        InformationPlane(_model(), inputs=x, labels=y, epochs="log")
    with pytest.raises(ValueError, match=re.escape("an iterable of ints >= 0. Got [-1] instead")):
        InformationPlane(_model(), inputs=x, labels=y, epochs=[-1])


def test_every_epoch_and_progress_events_with_resume_notes(tmp_path: Path) -> None:
    x, y = _probe()
    events: list[object] = []
    with PlaneStore(tmp_path / "r.db") as store:
        with InformationPlane(_model(), inputs=x, labels=y, store=store, epochs="every") as plane:
            assert [len(plane.step(e)) > 0 for e in range(2)] == [True, True]
        with InformationPlane(
            _model(),
            inputs=x,
            labels=y,
            store=store,
            progress=events.append,
            n_epochs=4,
            epochs="every",
        ) as plane:
            for epoch in range(4):
                plane.step(epoch)
    training = [e for e in events if isinstance(e, Progress) and e.stage == "training"]
    assert [(e.done, e.total) for e in training] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    notes = [e.message for e in events if isinstance(e, Progress) and e.stage == "note"]
    assert any("2 epoch(s) (0-1)" in n and "are skipped" in n for n in notes), notes
    assert any("compile" in n for n in notes)
    estimating = [e for e in events if isinstance(e, Progress) and e.stage == "estimating"]
    assert {e.task for e in estimating} == {"epoch 2", "epoch 3"}  # 0 and 1 were skipped


def test_wide_layers_get_the_lossy_compression_estimator_when_classes_allow() -> None:
    from infolens.infoplane.registry import LAYER_ESTIMATORS

    x, y = _probe()
    built = compression_estimator(x, y)
    if "lossy_compression" in LAYER_ESTIMATORS:
        assert built is not None
        assert built.identity().startswith("lossy_compression/v2?")
        assert "x_method=pca" in built.identity()
        wide = default_estimator(nn.ReLU(), 1024, wide=built)
        assert wide is built
    else:
        assert built is None
    few = np.arange(64) % 16  # 4 samples per class: too few for k-NN entropies
    assert compression_estimator(x, few) is None
    assert default_estimator(nn.ReLU(), 1024, wide=None) == KDEBound(noise_variance=0.1)


def test_an_estimator_that_rejects_a_layer_never_stops_training(tmp_path: Path) -> None:
    from infolens.infoplane.tracker import EstimationFailedWarning

    x, y = _probe()
    few = np.arange(64) % 32  # 2 samples per class: too few for KNNEntropy's k = 3
    message = re.escape("Layer '1' at epoch 0 (knn_entropy/v1")
    with PlaneStore(tmp_path / "r.db") as store:
        plane = InformationPlane(_model(), layers=["1"], inputs=x, labels=few, store=store,
                                 estimators=[KNNEntropy(), FixedBinning()],
                                 activations_dir=tmp_path / "act")  # fmt: skip
        with pytest.warns(EstimationFailedWarning, match=message):
            records = plane.step(0)
        assert {r.estimator for r in records} == {FixedBinning().identity()}  # the other ran
        assert store.done("run", 0, KNNEntropy()) == set()  # so a later run retries it
        assert saved_epochs(tmp_path / "act") == [0]
        plane.close()


def test_a_container_layer_is_checked_before_training_too() -> None:
    class Pair(nn.Module):
        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return x, x

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.block = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
            self.pair = nn.Sequential(Pair())
            self.fc = nn.Linear(3, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.fc(self.pair(self.block(x))[0])
            return out

    x, y = _probe()
    with pytest.raises(ValueError, match=re.escape("Layer 'pair' (Sequential) returns a tuple")):
        InformationPlane(Model(), layers=["pair"], inputs=x, labels=y)
    plane = InformationPlane(Model(), layers=["block"], inputs=x, labels=y)  # a container: fine
    assert plane.step(0)[0].layer == "block"
    assert plane.layer_estimators["block"] == [FixedBinning()]  # 3 units out of its Tanh


def test_max_overhead_skips_captures_while_tracking_exceeds_its_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import dataclass
    from typing import ClassVar

    from infolens.infoplane import LayerInformation, make_identity

    clock = [0.0]
    monkeypatch.setattr("infolens.infoplane.tracker.time.perf_counter", lambda: clock[0])

    @dataclass(frozen=True, kw_only=True)
    class Slow:  # every estimate takes 0.5 s of the fake clock
        name: ClassVar[str] = "slow"
        version: ClassVar[int] = 1

        def identity(self) -> str:
            return make_identity(self.name, self.version)

        def estimate(self, t: object, y: object, *, rng: object = None) -> LayerInformation:
            clock[0] += 0.5
            return LayerInformation(1.0, 0.5, 0.5)

    x, y = _probe()
    plane = InformationPlane(_model(), layers=["1"], inputs=x, labels=y, estimators=[Slow()],
                             max_overhead=0.25)  # fmt: skip
    captured = []
    for epoch in range(8):
        if plane.step(epoch):
            captured.append(epoch)
        clock[0] += 1.0  # one second of training per epoch
    # the first capture always runs (it may load compiled kernels), the second once the
    # tracking so far is within a quarter of the training so far (epoch 2: 0.5 s <= 0.5 s);
    # then a capture runs only if the tracking so far plus its 0.5 s stays within that share:
    # epoch 6 (1.5 s <= 0.25 * 6 s), not 3-5 nor 7 (2.0 s > 1.75 s)
    assert captured == [0, 2, 6]
    assert plane.skipped == [1, 3, 4, 5, 7]
    assert plane.tracking_seconds == 1.5
    assert plane.training_seconds == 7.0
    with pytest.raises(ValueError, match=re.escape("'max_overhead' parameter of InformationPlane")):
        InformationPlane(_model(), inputs=x, labels=y, max_overhead=0)
