"""InformationPlane's time budget: the default schedule ("auto") and max_overhead, on a fake clock."""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import torch
from torch import nn

from infolens.infoplane import InformationPlane, LayerInformation, make_identity
from infolens.infoplane.tracker import AUTO_OVERHEAD, BUDGET_GRACE_S


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr("infolens.infoplane.tracker.time.perf_counter", fake)
    return fake


def _costly(clock: _Clock, costs: list[float]) -> object:
    """An estimator whose n-th estimate takes ``costs[n]`` seconds of the fake clock (then the last)."""

    @dataclass(frozen=True, kw_only=True)
    class Costly:
        name: ClassVar[str] = "costly"
        version: ClassVar[int] = 1

        def identity(self) -> str:
            return make_identity(self.name, self.version)

        def estimate(self, t: object, y: object, *, rng: object = None) -> LayerInformation:
            clock.now += costs.pop(0) if len(costs) > 1 else costs[0]
            return LayerInformation(1.0, 0.5, 0.5)

    return Costly()


class _Timed(nn.Module):
    """A one-layer model whose forward pass takes ``seconds`` of the fake clock."""

    def __init__(self, clock: _Clock, seconds: float) -> None:
        super().__init__()
        self.clock, self.seconds = clock, seconds
        self.fc, self.act = nn.Linear(4, 3), nn.Tanh()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.clock.now += self.seconds
        out: torch.Tensor = self.act(self.fc(x))
        return out


def _probe() -> tuple[torch.Tensor, np.ndarray]:
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32))
    return x, (x[:, 0] > 0).long().numpy()


def _train(plane: InformationPlane, clock: _Clock, epochs: int, seconds: float) -> list[int]:
    captured = []
    for epoch in range(epochs):
        if plane.step(epoch):
            captured.append(epoch)
        clock.now += seconds  # the epoch's training
    return captured


def test_the_default_schedule_keeps_tracking_within_its_share_of_training(clock: _Clock) -> None:
    assert (AUTO_OVERHEAD, BUDGET_GRACE_S) == (0.2, 0.1)
    torch.manual_seed(0)  # test-only global seed
    x, y = _probe()
    plane = InformationPlane(_Timed(clock, 0.0), layers=["act"], inputs=x, labels=y,
                             estimators=[_costly(clock, [0.33])])  # fmt: skip
    assert plane.budget == AUTO_OVERHEAD
    # epoch 0 always; the second capture once the tracking so far is within 0.2 * training
    # (epoch 2: 0.33 <= 0.4); then if tracking so far + 0.33 s <= 0.2 * training: epoch 5
    # (0.99 <= 1.0), not 3-4; then 7 (1.32 <= 1.4), not 6; 9 (1.65 <= 1.8), not 8
    assert _train(plane, clock, 10, 1.0) == [0, 2, 5, 7, 9]
    assert plane.skipped == [1, 3, 4, 6, 8]
    assert plane.tracking_seconds == pytest.approx(1.65)
    assert plane.tracking_seconds <= AUTO_OVERHEAD * plane.training_seconds
    # "every" and explicit epochs without max_overhead capture whatever it costs
    for epochs in ("every", None, range(10)):
        plane = InformationPlane(_Timed(clock, 0.0), layers=["act"], inputs=x, labels=y,
                                 estimators=[_costly(clock, [0.33])], epochs=epochs)  # fmt: skip
        assert plane.budget is None
        assert _train(plane, clock, 10, 1.0) == list(range(10))
    plane = InformationPlane(_Timed(clock, 0.0), layers=["act"], inputs=x, labels=y,
                             estimators=[_costly(clock, [0.33])], max_overhead=0.3)  # fmt: skip
    assert plane.budget == 0.3  # max_overhead sets the share of "auto" too
    assert _train(plane, clock, 6, 1.0) == [0, 2, 4, 5]  # 0.33 <= 0.3 * 2, 0.99 <= 0.3 * 4, ...


def test_the_budget_counts_building_the_plane_and_the_probe_forward_pass(clock: _Clock) -> None:
    torch.manual_seed(0)
    x, y = _probe()
    # every forward pass (the trial pass at construction, each capture) costs 0.25 s
    plane = InformationPlane(_Timed(clock, 0.25), layers=["act"], inputs=x, labels=y,
                             estimators=[_costly(clock, [0.15])])  # fmt: skip
    assert plane.tracking_seconds == pytest.approx(0.25)  # the trial pass
    # captures cost 0.4 s: epoch 0 (always), epoch 4 (0.65 <= 0.2 * 4), then when
    # 1.05 + 0.4 <= 0.2 * e: e = 8
    assert _train(plane, clock, 9, 1.0) == [0, 4, 8]
    assert plane.tracking_seconds == pytest.approx(1.45)


def test_the_forecast_ignores_the_first_capture_that_loads_the_kernels(clock: _Clock) -> None:
    torch.manual_seed(0)
    x, y = _probe()
    # the first estimate also loads compiled kernels (2.02 s), later ones take 0.05 s
    plane = InformationPlane(_Timed(clock, 0.0), layers=["act"], inputs=x, labels=y,
                             estimators=[_costly(clock, [2.02, 0.05])])  # fmt: skip
    captured = _train(plane, clock, 30, 1.0)
    # epoch 0 always; the second once 2.02 <= 0.2 * e (e = 11; forecast at 2.02 s it would
    # wait until e = 21); then the forecast is 0.05 s: every epoch, since 0.05 s per 1 s of
    # training stays within the share
    assert captured == [0, *range(11, 30)]
    assert plane.tracking_seconds <= AUTO_OVERHEAD * plane.training_seconds


def test_cheap_tracking_of_back_to_back_steps_is_never_thinned(clock: _Clock) -> None:
    torch.manual_seed(0)
    x, y = _probe()
    plane = InformationPlane(_Timed(clock, 0.0), layers=["act"], inputs=x, labels=y,
                             estimators=[_costly(clock, [0.015])])  # fmt: skip
    # no training between the steps: the 0.1 s always allowed hold six 0.015 s captures
    assert _train(plane, clock, 10, 0.0) == list(range(6))
