"""The open registry of layer estimators, identities, and a new estimator in a few lines."""

import re
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from infolens._typing import FloatArray, IntArray, RNGLike
from infolens.infoplane import (
    LAYER_ESTIMATORS,
    FixedBinning,
    KNNEntropy,
    LayerEstimator,
    LayerInformation,
    PlaneRecord,
    PlaneStore,
    available_layer_estimators,
    estimate_saved,
    layer_estimator,
    make_identity,
    register_layer_estimator,
    seed_mean_curves,
)
from infolens.infoplane import registry as registry_module

DATA = Path(__file__).parent / "data" / "legacy_tracker"


# --- the new estimator: these eleven lines are all it takes ------------------------------------
@dataclass(frozen=True, kw_only=True)
class MeanSquare:
    """A toy: I(X;T) := scale * mean(t^2) nats, split evenly between I(T;Y) and I(X;T|Y)."""

    name: ClassVar[str] = "mean_square"
    version: ClassVar[int] = 1
    scale: float = 1.0

    def identity(self) -> str:
        return make_identity(self.name, self.version, scale=self.scale)

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        value = self.scale * float(np.mean(np.square(t)))
        return LayerInformation(value, value / 2, value / 2)


# -----------------------------------------------------------------------------------------------


@pytest.fixture
def registered() -> Iterator[type[MeanSquare]]:
    register_layer_estimator(MeanSquare)
    yield MeanSquare
    LAYER_ESTIMATORS.pop("mean_square")


def test_a_new_estimator_is_listed_built_by_name_and_validated(
    registered: type[MeanSquare],
) -> None:
    assert "mean_square" in available_layer_estimators()
    estimator = layer_estimator("mean_square", scale=2.0)
    assert isinstance(estimator, LayerEstimator)
    assert estimator.identity() == "mean_square/v1?scale=2.0"
    with pytest.raises(
        ValueError, match=re.escape("Layer estimator 'mean_square' got unknown parameters")
    ):
        layer_estimator("mean_square", width=3)
    with pytest.raises(ValueError, match=re.escape("is registered already (MeanSquare")):

        @register_layer_estimator
        @dataclass(frozen=True)
        class MeanSquare2(MeanSquare):
            name: ClassVar[str] = "mean_square"


def test_a_new_estimator_is_dispatched_post_hoc_stored_and_resumed(
    registered: type[MeanSquare], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acts = Path(shutil.copytree(DATA / "activations", tmp_path / "acts"))
    y = np.load(DATA / "probe.npz")["y"]
    estimator = layer_estimator("mean_square", scale=2.0)
    with PlaneStore(tmp_path / "r.db") as store:
        estimate_saved(acts, y, [estimator], store=store, run_id="run", seed=0, epochs=[0, 1])
        first = store.records("run", estimator=estimator)
        assert [(r.epoch, r.layer) for r in first][:3] == [(0, "1"), (0, "3"), (0, "5")]
        t = np.load(acts / "epoch_000001.npz")["001:3"]
        assert first[4].i_xt == pytest.approx(2.0 * np.mean(t**2), rel=1e-15)
        assert {r.estimator for r in first} == {"mean_square/v1?scale=2.0"}
    # a rerun (new process, new store object) computes only the epochs not yet stored
    calls: list[int] = []
    original = MeanSquare.estimate

    def counting(self: MeanSquare, *args: object, **kwargs: object) -> LayerInformation:
        calls.append(1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MeanSquare, "estimate", counting)
    with PlaneStore(tmp_path / "r.db") as store:
        estimate_saved(acts, y, [estimator], store=store, run_id="run", seed=0)
        assert len(calls) == 4 * 3  # epochs 2-5, three layers
        curves = seed_mean_curves(store.records("run"), estimator=estimator)
    assert curves["3"]["epochs"].tolist() == list(range(6))


def test_a_new_estimator_is_dispatched_by_the_tracker(registered: type[MeanSquare]) -> None:
    torch = pytest.importorskip("torch")
    from infolens.infoplane import InformationPlane

    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
    x = torch.ones(8, 2)
    with InformationPlane(
        model, layers=["1"], inputs=x, labels=np.arange(8) % 2, estimators=[MeanSquare()]
    ) as plane:
        (record,) = plane.step(0)
    t = torch.tanh(model[0](x)).detach().double().numpy()
    assert record.estimator == "mean_square/v1?scale=1.0"
    assert record.i_xt == pytest.approx(float(np.mean(t**2)), rel=1e-6)
    assert record.config == {"estimator": "mean_square", "identity": record.estimator}


def test_registering_something_that_is_not_an_estimator_is_refused() -> None:
    class Broken:
        name = "broken"
        version = 1

    with pytest.raises(ValueError, match=re.escape("'Broken' lacks identity, estimate")):
        register_layer_estimator(Broken)
    with pytest.raises(ValueError, match=re.escape("Got 'Mean-Square' instead")):
        register_layer_estimator(type("X", (MeanSquare,), {"name": "Mean-Square"}))
    with pytest.raises(ValueError, match=re.escape("Got 'knn' instead")):
        register_layer_estimator(type("X", (MeanSquare,), {"name": "knn"}))
    with pytest.raises(ValueError, match=re.escape("Got 0 instead")):
        register_layer_estimator(type("X", (MeanSquare,), {"name": "v0", "version": 0}))
    assert "broken" not in LAYER_ESTIMATORS


def test_unknown_names_list_the_choices_and_old_names_still_work_with_a_warning() -> None:
    with pytest.raises(ValueError, match=re.escape("Unknown layer estimator 'binz'. Available: ")):
        layer_estimator("binz")
    for old, cls in [("binning", "FixedBinning"), ("knn", "KNNEntropy"), ("kde", "KDEBound")]:
        with pytest.warns(DeprecationWarning, match=f"'{old}' is deprecated"):
            assert type(layer_estimator(old)).__name__ == cls
    assert set(registry_module.DEPRECATED_NAMES.values()) <= set(LAYER_ESTIMATORS)
    # no layer-estimator name means something else in the sample-estimator registry
    from infolens.estimators.registry import available_methods

    assert not set(available_layer_estimators()) & set(available_methods())


def test_built_in_identities_are_pinned() -> None:
    # Changing one of these orphans stored records: bump the version instead, on purpose.
    got = {
        name: cls().identity()
        for name, cls in LAYER_ESTIMATORS.items()
        if name != "lossy_compression"
    }  # lossy_compression needs the compressed inputs: pinned in tests/infoplane/test_lossy.py
    assert got == {
        "fixed_binning": "fixed_binning/v1?edges=30x[-1.0..1.0]#" + got["fixed_binning"][-12:],
        "range_binning": "range_binning/v1?n_edges=100&low=0.0&high=none&scope=global",
        "adaptive_binning": "adaptive_binning/v1?n_bins=30&low=-1.000001",
        "kde_bound": "kde_bound/v1?noise_variance=0.1&bound=upper",
        "gaussian_noise_bound": "gaussian_noise_bound/v1?noise_variance=0.1",
        "knn_entropy": "knn_entropy/v1?k=3&noise_variance=0.001",
        "sample_propagation": "sample_propagation/v1?beta=0.1&n_draws=1",
        "conditional_information": "conditional_information/v1?sigma=none&grid=12x[0.01..21.0]#"
        "ba8a54310599&n_draws=1",
    }
    assert got["fixed_binning"][-12:] == "913cee5a5657"
    net_input = FixedBinning(edges=tuple(np.unique(np.tanh(np.linspace(-50, 50, 300)))))
    assert net_input.identity() != got["fixed_binning"]  # same count and ends would collide
    assert FixedBinning(edges=(0.0, 0.5, 1.0)).identity() == "fixed_binning/v1?edges=[0.0,0.5,1.0]"


def test_an_identity_survives_renaming_the_field_behind_it(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Before:
        name: ClassVar[str] = "toy"
        version: ClassVar[int] = 1
        width: float = 0.5

        def identity(self) -> str:
            return make_identity(self.name, self.version, width=self.width)

    @dataclass(frozen=True)
    class After:  # the attribute renamed; the declared key kept
        name: ClassVar[str] = "toy"
        version: ClassVar[int] = 1
        bin_width: float = 0.5

        def identity(self) -> str:
            return make_identity(self.name, self.version, width=self.bin_width)

    record = PlaneRecord("run", 0, Before().identity(), 3, "L1", 0, 1.0, 0.5, 0.5, {})
    with PlaneStore(tmp_path / "r.db") as store:
        store.add([record])
        assert store.done("run", 0, After().identity()) == {3}


def test_estimator_key_is_a_deprecated_alias_of_the_identity() -> None:
    from infolens.infoplane.posthoc import estimator_key

    with pytest.warns(DeprecationWarning, match=re.escape("use estimator.identity()")):
        assert estimator_key(FixedBinning()) == FixedBinning().identity()


def test_knn_entropy_takes_its_randomness_at_call_time() -> None:
    rng = np.random.default_rng(1)
    t, y = np.tanh(rng.standard_normal((300, 2))), rng.integers(0, 2, 300)
    estimator = KNNEntropy()
    assert estimator.estimate(t, y, rng=5) == estimator.estimate(t, y, rng=5)
    assert estimator.estimate(t, y, rng=5) != estimator.estimate(t, y, rng=6)
    with pytest.warns(DeprecationWarning, match=re.escape("KNNEntropy(seed=...) is deprecated")):
        old = KNNEntropy(seed=0)
    assert old.estimate(t, y) == estimator.estimate(t, y, rng=0)
    assert old.identity() == estimator.identity()  # the seed is no setting of the estimator
    with pytest.raises(ValueError, match="rng must be an int seed"):
        estimator.estimate(t, y, rng="abc")  # type: ignore[arg-type]


def test_seed_means_never_average_two_estimators() -> None:
    a = [PlaneRecord("r", s, "a/v1", 0, "L1", 0, 1.0, 0.5, 0.5, {}) for s in (0, 1)]
    b = [PlaneRecord("r", 2, "b/v1", 0, "L1", 0, 9.0, 0.5, 0.5, {})]
    with pytest.raises(
        ValueError, match=re.escape("The records hold 2 estimators ('a/v1', 'b/v1')")
    ):
        seed_mean_curves(a + b)
    curves = seed_mean_curves(a + b, estimator="a/v1", units="nats")
    assert curves["L1"]["i_xt"].tolist() == [1.0]
    assert curves["L1"]["n_seeds"] == 2
    with pytest.raises(ValueError, match=re.escape("No records of estimator 'c/v1'")):
        seed_mean_curves(a, estimator="c/v1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert seed_mean_curves(a)["L1"]["i_xt"].tolist() == [1.0 / np.log(2.0)]
