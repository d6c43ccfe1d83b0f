"""The report and the public plots: readable values, thresholds, labels that do not overlap."""

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.text import Text

from infolens.exceptions import InvalidInputError
from infolens.infoplane import FixedBinning, KDEBound, PlaneRecord, PlaneStore
from infolens.infoplane.report import (
    readable,
    store_panels,
    svg_plane,
    thresholds_of,
    write_store_report,
)
from infolens.plotting import (
    layer_label_positions,
    plot_information_over_epochs,
    plot_information_plane,
)

matplotlib.use("Agg")


def _curves(n_layers: int = 3, same_end: bool = True) -> dict[str, dict[str, object]]:
    epochs = np.arange(5)
    curves = {}
    for k in range(n_layers):
        i_xt = np.array([1.0, 2.0, 3.0, 2.5, 2.0]) + (0 if same_end else k)
        curves[f"fc{k + 1} (ReLU, 8)"] = {
            "epochs": epochs,
            "i_xt": i_xt,
            "i_xt_sd": np.full(5, 0.1),
            "i_ty": np.linspace(0.1, 0.9, 5),
            "i_ty_sd": np.full(5, 0.05),
            "n_seeds": 2,
            "units": "bits",
        }
    return curves


def _records(store_path: Path) -> None:
    with PlaneStore(store_path) as store:
        estimators: list[FixedBinning | KDEBound] = [FixedBinning(), KDEBound()]
        for estimator, seed, epoch, layer in itertools.product(
            estimators, (0, 1), range(4), range(2)
        ):
            value = math.log(2.0) * (1 + epoch + layer + seed)  # nats: 1 + ... bits
            store.add([PlaneRecord("my-run", seed, estimator.identity(), epoch, f"L{layer + 1}",
                                   layer, value, value / 4, value / 2,
                                   {**estimator.config(), "identity": estimator.identity()})])  # fmt: skip


def test_readable_values_have_three_digits_and_units() -> None:
    text = readable({"rise_bits": 3.14159265358979, "peak_epoch": 24.0, "final_i_ty": {"a": 0.5}})
    assert text == "rise 3.14 bits; peak epoch 24; final I(T;Y): a = 0.5"
    assert readable({"first_last_bits": {"L1": (1.23456789, 9.87654321)}}) == (
        "first last: L1 = (1.23, 9.88) bits"
    )
    assert readable(True) == "yes"


@pytest.mark.parametrize("seed", range(5))
def test_label_positions_keep_order_and_gaps_inside_the_range(seed: int) -> None:
    rng = np.random.default_rng(seed)
    wanted = rng.uniform(0.4, 0.6, size=8).tolist()
    placed = layer_label_positions(wanted, gap=0.05, low=0.0, high=1.0)
    order = np.argsort(wanted, kind="stable")
    ordered = np.asarray(placed)[order]
    assert np.all(np.diff(ordered) >= 0.05 - 1e-12)
    assert min(placed) >= 0.0
    assert max(placed) <= 1.0 + 1e-12
    spread = layer_label_positions([0.1, 0.5, 0.9], gap=0.05)
    assert spread == [0.1, 0.5, 0.9]  # labels that do not collide stay where they are


def test_plane_labels_do_not_overlap_even_when_the_trajectories_end_together() -> None:
    fig, ax = plot_information_plane(_curves(4, same_end=True), title="four layers")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]  # the text, not its leader
    assert [t.get_text() for t in ax.texts] == ["L1", "L2", "L3", "L4"]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    assert len(fig.axes) == 2  # the plane and its epoch colour bar
    assert fig.axes[1].get_ylabel() == "epoch + 1"
    assert ax.get_xlabel() == "I(X;T) [bits]"


def test_over_epochs_plots_draw_thresholds_and_refuse_mixed_estimators() -> None:
    fig, ax = plot_information_over_epochs(
        _curves(2), quantity="i_ty", thresholds=[{"value": 0.95, "label": "floor"}]
    )
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert [tuple(line.get_ydata()) for line in dashed] == [(0.95, 0.95)]
    assert ax.get_ylabel() == "I(T;Y) [bits]"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "L1: fc1 (ReLU, 8)",
        "L2: fc2 (ReLU, 8)",
    ]
    mixed = [
        PlaneRecord("r", 0, e.identity(), 0, "L1", 0, 1.0, 0.5, 0.5, {})
        for e in (FixedBinning(), KDEBound())
    ]
    with pytest.raises(InvalidInputError, match="seed means average one"):
        plot_information_plane(mixed)
    with pytest.raises(InvalidInputError, match=re.escape("Got int instead")):
        plot_information_plane(3)


def test_thresholds_are_read_from_criteria_explicit_or_by_name() -> None:
    panels = {"tanh": _curves(2, same_end=False)}
    criteria: dict[str, dict[str, Any]] = {
        "layer fc2 (ReLU, 8) rises then falls by >= 1.5 bits": {"pass": True},
        "final I(T;Y) >= 0.95 bits in every layer": {"pass": False},
        "custom": {"pass": True, "threshold": {"quantity": "i_xt", "value": 2.5}},
    }
    lines = thresholds_of(criteria, panels)["tanh"]
    peak = 3.0 + 1  # fc2's curve is fc1's + 1
    assert [(line["value"], line.get("layer")) for line in lines["i_xt"]] == [
        (peak - 1.5, "fc2 (ReLU, 8)"),
        (2.5, None),
    ]
    assert [line["value"] for line in lines["i_ty"]] == [0.95]


def test_svg_plane_has_tooltips_a_colour_bar_and_layer_labels() -> None:
    svg = svg_plane(_curves(3), "demo")
    assert svg.count("<circle") == 15
    assert "L2: fc2 (ReLU, 8), epoch 3: I(X;T) = 2.500, I(T;Y) = 0.700 bits" in svg
    assert 'fill="url(#epochs)"' in svg
    assert ">epoch + 1</text>" in svg
    labels = [
        float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" font-size="11">L\d', svg)
    ]
    assert len(labels) == 3
    assert min(np.diff(sorted(labels))) >= 13 - 1e-6  # no two layer labels overlap


def test_a_report_from_any_records_database(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    _records(db)
    panels = store_panels(db)
    assert sorted(panels) == [
        "my-run: fixed_binning (high 1, low -1, n edges 30)",
        "my-run: kde_bound (bound upper, noise variance 0.1)",
    ]  # one panel per estimator: never averaged together
    curve = panels["my-run: kde_bound (bound upper, noise variance 0.1)"]["L2"]
    assert curve["n_seeds"] == 2
    np.testing.assert_allclose(curve["i_xt"], [2.5, 3.5, 4.5, 5.5])  # mean of seeds, in bits
    out = write_store_report(db, tmp_path / "out" / "report.html", title="My run")
    page = out.read_text()
    assert "<h1>My run</h1>" in page
    assert "No pass criteria were given" in page
    assert page.count("<svg") == 2
    assert page.count("over epochs, my-run") == 4  # I(X;T) and I(T;Y) for each panel
    summary = {
        "criteria": {"final I(T;Y) >= 0.95 bits in every layer": {"pass": True,
                                                                  "final_i_ty": {"L1": 1.0}}},
        "estimators": {"binning panel": {"identity": FixedBinning().identity()}},
    }  # fmt: skip
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    page = write_store_report(db, tmp_path / "again.html").read_text()  # summary found beside
    assert "<h2>binning panel</h2>" in page
    assert "final I(T;Y): L1 = 1" in page
    assert ">pass<" in page
    with pytest.raises(InvalidInputError, match="No records database at"):
        write_store_report(tmp_path / "missing.db", tmp_path / "x.html")
    PlaneStore(tmp_path / "empty.db").close()
    with pytest.raises(InvalidInputError, match="holds no information-plane records"):
        write_store_report(tmp_path / "empty.db", tmp_path / "x.html")
