"""Post-hoc estimation and activation files: numpy only, hostile files, non-finite layers."""

import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from infolens.exceptions import DegenerateDataWarning, InvalidInputError
from infolens.infoplane import (
    FixedBinning,
    KDEBound,
    KNNEntropy,
    PlaneStore,
    RangeBinning,
    estimate_layers,
    estimate_saved,
    load_activations,
)
from infolens.infoplane.posthoc import save_activations

DATA = Path(__file__).parent / "data" / "legacy_tracker"


def test_post_hoc_estimation_runs_without_torch(tmp_path: Path) -> None:
    shutil.copytree(DATA / "activations", tmp_path / "acts")
    script = f"""
import sys
sys.modules["torch"] = None  # any "import torch" now fails
import numpy as np
from infolens.infoplane import FixedBinning, PlaneStore, RangeBinning, estimate_saved
from infolens.infoplane.posthoc import load_activations
y = np.load({str(DATA / "probe.npz")!r})["y"]
with PlaneStore({str(tmp_path / "r.db")!r}) as store:
    estimate_saved({str(tmp_path / "acts")!r}, y, [FixedBinning(), RangeBinning()], store=store,
                   run_id="r", seed=0)
    print(len(store.records()))
try:
    import infolens.infoplane.tracker
except ImportError:
    print("tracker needs torch")
assert not any(m == "torch" or m.startswith("torch.") for m in sys.modules if sys.modules[m])
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["36", "tracker", "needs", "torch"]  # 2 x 6 epochs x 3 layers


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, ("PWNED",))  # would create a file if it were ever unpickled


@pytest.mark.parametrize("kind", ["random", "pickle", "truncated", "foreign", "npy", "objects"])
def test_a_corrupt_or_foreign_activation_file_is_one_clear_error(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "epoch_000003.npz"
    good = DATA / "activations" / "epoch_000003.npz"
    if kind == "random":
        path.write_bytes(np.random.default_rng(0).bytes(500))
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"000:1": _Payload()}))
    elif kind == "truncated":
        path.write_bytes(good.read_bytes()[:3000])
    elif kind == "foreign":
        np.savez(path, x=np.zeros((4, 2)))
    elif kind == "npy":
        np.save(path.with_suffix(".npy"), np.zeros(3))
        path.with_suffix(".npy").rename(path)
    else:
        np.savez(path, **{"000:1": np.array([["a"]], dtype=object)})  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError,
        match=re.escape(f"{path} is not an activation file written by infolens"),
    ) as caught:
        load_activations(path)
    assert "Delete it" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "PWNED").exists()


def test_asking_for_an_epoch_that_was_not_saved_says_so(tmp_path: Path) -> None:
    with (
        PlaneStore(tmp_path / "r.db") as store,
        pytest.raises(
            ValueError,
            match=re.escape(f"No activations were saved at {tmp_path / 'epoch_000007.npz'}"),
        ),
    ):
        estimate_saved(tmp_path, [0, 1], [FixedBinning()], store=store, run_id="r", seed=0,
                       epochs=[7])  # fmt: skip


def test_a_round_trip_keeps_layer_order_and_values(tmp_path: Path) -> None:
    acts = {"z": np.eye(3), "a": np.ones((3, 1))}
    save_activations(tmp_path / "e.npz", acts)
    back = load_activations(tmp_path / "e.npz")
    assert list(back) == ["z", "a"]
    np.testing.assert_array_equal(back["z"], acts["z"])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize(
    "estimator", [FixedBinning(), RangeBinning(), KDEBound(), KNNEntropy()], ids=lambda e: e.name
)
def test_estimators_raise_on_non_finite_activations(bad: float, estimator: object) -> None:
    t = np.tanh(np.random.default_rng(0).standard_normal((40, 2)))
    t[7, 1] = bad
    what = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{type(estimator).__name__}: Input t contains {what}: expected finite values; "
            "found 1 non-finite value(s), the first in row 7."
        ),
    ):
        estimator.estimate(t, np.arange(40) % 2, rng=0)  # type: ignore[attr-defined]


def test_estimators_name_the_layer_and_epoch_of_bad_input() -> None:
    acts = {"L1": np.zeros((10, 2)), "L2": np.zeros((10, 3))}
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Layer 'L1' at epoch 4 (fixed_binning/v1?edges=30x[-1.0..1.0]#913cee5a5657): "
            "FixedBinning needs one label per row of the activations t: got 10 rows of t and "
            "labels of shape (9,)."
        ),
    ):
        estimate_layers(acts, np.zeros(9, dtype=np.intp), [FixedBinning()], epoch=4, run_id="r",
                        seed=0)  # fmt: skip


def test_saved_non_finite_layers_are_flagged_not_estimated(tmp_path: Path) -> None:
    t = np.tanh(np.random.default_rng(0).standard_normal((20, 2)))
    bad = t.copy()
    bad[3, 0] = np.nan
    save_activations(tmp_path / "epoch_000000.npz", {"ok": t, "bad": bad})
    with PlaneStore(tmp_path / "r.db") as store:
        with pytest.warns(
            DegenerateDataWarning,
            match=re.escape("Layer 'bad' has non-finite activations at epoch 0"),
        ):
            estimate_saved(tmp_path, np.arange(20) % 2, [RangeBinning()], store=store,
                           run_id="r", seed=0)  # fmt: skip
        records = {r.layer: r for r in store.records()}
    assert records["bad"].status == "nonfinite"
    assert records["bad"].i_xt is None
    assert records["ok"].status == "ok"
    # the fitted range ignores the NaN: the same as fitting on the finite layer alone
    assert records["ok"].config["high"] == float(t.max())
