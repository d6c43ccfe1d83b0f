"""Runs stored before estimator identities (values in bits, keys from configs) still resume.

``data/legacy_tracker`` and ``data/legacy_tishby`` were written by the pre-refactor code
(``data/make_legacy_fixture.py``); the tests copy them and carry on with today's code.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from infolens.infoplane import (
    AdaptiveBinning,
    FixedBinning,
    GaussianNoiseBound,
    KDEBound,
    KNNEntropy,
    LayerEstimator,
    PlaneStore,
    RangeBinning,
    estimate_saved,
    load_activations,
    seed_mean_curves,
)
from infolens.infoplane import measures as measures_module
from infolens.infoplane._legacy import legacy_key
from infolens.infoplane.tishby import layer_labels

DATA = Path(__file__).parent / "data"
VAR_U = Path(__file__).resolve().parents[3] / "shared" / "data" / "var_u.mat"
ONLINE: list[LayerEstimator] = [
    FixedBinning(),
    KDEBound(),
    KNNEntropy(),
    GaussianNoiseBound(),
    AdaptiveBinning(),
]
POSTHOC: list[LayerEstimator] = [
    RangeBinning(n_edges=10),
    RangeBinning(n_edges=8, scope="layer"),
    FixedBinning(),
]


@pytest.fixture
def legacy_tracker(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / "legacy_tracker", tmp_path / "legacy_tracker"))


def test_legacy_records_are_adopted_under_the_identity(legacy_tracker: Path) -> None:
    with PlaneStore(legacy_tracker / "records.db") as store:
        assert all(key.startswith("estimator=") for key in store.estimators())
        for estimator in ONLINE:
            assert store.done("legacy", 0, estimator) == set(range(6))
            records = store.records("legacy", estimator=estimator)
            assert len(records) == 6 * 3  # epochs x layers
            assert {(r.estimator, r.units) for r in records} == {(estimator.identity(), "bits")}
        keys = store.estimators("legacy")
    assert keys == sorted(e.identity() for e in ONLINE)


def test_todays_estimators_give_the_legacy_values(legacy_tracker: Path) -> None:
    # Same activations, same settings: the values in nats are the old bits times ln 2 exactly
    # (bit for bit after .to("bits"), the Gaussian bound to rounding).
    y = np.load(legacy_tracker / "probe.npz")["y"]
    with PlaneStore(legacy_tracker / "records.db") as store:
        for estimator in ONLINE:
            for r in store.records("legacy", estimator=estimator):
                path = legacy_tracker / "activations" / f"epoch_{r.epoch:06d}.npz"
                t = load_activations(path)[r.layer]
                info = estimator.estimate(t, y, rng=0).to("bits")
                got = (info.i_xt, info.i_ty, info.i_xt_given_y)
                want = (r.i_xt, r.i_ty, r.i_xt_given_y)
                if isinstance(estimator, GaussianNoiseBound):
                    assert got == pytest.approx(want, rel=1e-13, abs=1e-13)
                else:
                    assert got == want, (estimator.identity(), r.epoch, r.layer)


def test_a_post_hoc_run_killed_half_way_resumes_only_the_missing_epochs(
    legacy_tracker: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    y = np.load(legacy_tracker / "probe.npz")["y"]
    acts = legacy_tracker / "activations"
    calls: list[int] = []
    original = measures_module._binned_information

    def counting(bins: np.ndarray, labels: np.ndarray) -> measures_module.LayerInformation:
        calls.append(1)
        return original(bins, labels)

    monkeypatch.setattr(measures_module, "_binned_information", counting)
    with PlaneStore(legacy_tracker / "records.db") as store:
        estimate_saved(acts, y, POSTHOC, store=store, run_id="legacy-posthoc", seed=1)
        resumed = {e.identity(): store.records("legacy-posthoc", estimator=e) for e in POSTHOC}
    assert len(calls) == 3 * 3 * 3  # estimators x missing epochs (3, 4, 5) x layers
    with PlaneStore(tmp_path / "fresh.db") as fresh:
        estimate_saved(acts, y, POSTHOC, store=fresh, run_id="legacy-posthoc", seed=1)
        for estimator in POSTHOC:
            old = resumed[estimator.identity()]
            new = fresh.records("legacy-posthoc", estimator=estimator)
            assert [r.epoch for r in old] == [r.epoch for r in new] == sorted(list(range(6)) * 3)
            assert [r.units for r in old] == ["bits"] * 9 + ["nats"] * 9
            # the resumed curves equal a fresh run's, bit for bit
            a, b = seed_mean_curves(old), seed_mean_curves(new)
            for layer in a:
                np.testing.assert_array_equal(a[layer]["i_xt"], b[layer]["i_xt"])
                np.testing.assert_array_equal(a[layer]["i_ty"], b[layer]["i_ty"])


def test_legacy_keys_are_the_pre_refactor_strings() -> None:
    assert legacy_key(FixedBinning()) == "estimator=binning,n_edges=30,low=-1.0,high=1.0"
    assert legacy_key(RangeBinning(n_edges=8, scope="layer")) == (
        "estimator=range_binning,n_edges=8,low=0.0,high=None,scope=layer"
    )
    assert legacy_key(KNNEntropy()) == "estimator=knn,k=3,noise_variance=0.001"
    assert legacy_key(object()) is None


def test_a_reproduction_stored_before_the_refactor_resumes_with_the_same_summary(
    tmp_path: Path,
) -> None:
    from infolens.infoplane.reproduce import reproduce

    out = Path(shutil.copytree(DATA / "legacy_tishby", tmp_path / "run"))
    before = json.loads((out / "summary.json").read_text())
    summary = reproduce("tishby", epochs=3, seeds=1, out=out, data=VAR_U, n_jobs=1)
    # nothing was re-estimated (the activations are gone): the criteria come from the old rows
    # the same values; the layers are now named by their labels ("layer 9" -> "T5 (Tanh, 3)")
    label = layer_labels("tanh")
    expected = {}
    for name, check in before["criteria"].items():
        if name.startswith("layer "):
            layer, rest = name.removeprefix("layer ").split(" ", 1)
            expected[f"{label[layer]} {rest}"] = check
        else:
            expected[name] = check | {
                "final_i_ty": {label[k]: v for k, v in check["final_i_ty"].items()}
            }
    assert summary["criteria"] == expected
    assert summary["passed"] == before["passed"]
    with PlaneStore(out / "records.db") as store:
        assert store.estimators() == [FixedBinning().identity()]
        assert {r.units for r in store.records()} == {"bits"}
