"""InformationPlane: hooks, eval-mode captures, schedules, storage, non-finite layers."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from infolens.exceptions import DegenerateDataWarning
from infolens.infoplane import FixedBinning, InformationPlane, KDEBound, PlaneStore
from infolens.infoplane.tracker import estimate_saved, load_activations, saved_epochs


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
    model[1].register_forward_hook(lambda *args: calls.append(1))
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


def test_a_model_that_fails_on_the_probe_set_gets_a_clear_error() -> None:
    model = _model()
    wrong = torch.zeros(8, 5)  # the model expects 4 features
    with InformationPlane(model, layers=["1"], inputs=wrong, labels=np.zeros(8)) as plane:
        with pytest.raises(
            ValueError,
            match=re.escape(
                "The model failed on the probe set (inputs of shape (8, 5)): RuntimeError"
            ),
        ):
            plane.step(0)
        assert model.training  # mode restored after the failure


def test_a_layer_the_forward_pass_never_calls_is_reported() -> None:
    model = _model()
    model.add_module("unused", nn.ReLU())
    x, y = _probe()
    with InformationPlane(model, layers=["unused"], inputs=x, labels=y) as plane:
        model.forward = lambda inp: model[4](model[3](model[2](model[1](model[0](inp)))))  # type: ignore[method-assign]
        with pytest.raises(
            ValueError, match=re.escape("Layer(s) ['unused'] produced no tensor output")
        ):
            plane.step(0)
