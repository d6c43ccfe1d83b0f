"""Per-point intervals of the information plane: estimators, records, curves, plots, report."""

import math
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from infolens._estimate import ConfidenceInterval
from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane import (
    AdaptiveBinning,
    FixedBinning,
    LayerInformation,
    PlaneRecord,
    PlaneStore,
    RangeBinning,
    seed_mean_curves,
)
from infolens.infoplane.measures import MAX_SINGLETON_SHARE, binned_intervals
from infolens.infoplane.posthoc import estimate_layers

_LN2 = math.log(2.0)
#: Four activation levels, one per bin of FixedBinning(edges=(-0.5, 0.0, 0.5)).
_LEVELS = np.array([-0.9, -0.3, 0.3, 0.9])


def _given(ci: ConfidenceInterval | None) -> ConfidenceInterval:
    """Return ``ci``, failing the test when there is none."""
    assert ci is not None
    return ci


def _plug_in(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _tiny() -> tuple[np.ndarray, np.ndarray, float, float]:
    """A layer of 1000 samples in 4 bins (400, 300, 200, 100) and labels, with exact plug-ins."""
    counts = np.array([400, 300, 200, 100])
    bins = np.repeat(np.arange(4), counts)
    y = np.concatenate([np.arange(c) % 2 if b < 2 else np.zeros(c, int) for b, c in
                        zip(range(4), counts, strict=True)])  # fmt: skip
    joint = np.array([[np.sum((bins == b) & (y == k)) for k in (0, 1)] for b in range(4)])
    h_t = _plug_in(counts)
    i_ty = h_t + _plug_in(joint.sum(axis=0)) - _plug_in(joint.ravel())
    return _LEVELS[bins][:, None], y, h_t, i_ty


# -- estimators --------------------------------------------------------------------------------


def test_binning_intervals_cover_the_exact_plug_in_values_of_a_tiny_case() -> None:
    t, y, h_t, i_ty = _tiny()
    info = FixedBinning(edges=(-0.5, 0.0, 0.5), ci=0.95).estimate(t, y, rng=0)
    assert info.i_xt == pytest.approx(h_t, abs=1e-12)  # the values do not change with ci
    assert info.i_ty == pytest.approx(i_ty, abs=1e-12)
    for ci, value in ((info.i_xt_ci, h_t), (info.i_ty_ci, i_ty)):
        assert ci is not None
        assert ci.low < value < ci.high  # well sampled: bias << spread
        assert (ci.level, ci.method) == (0.95, "basic_bootstrap")
        assert ci.standard_error is not None
        assert 0 < ci.standard_error < ci.high - ci.low
    # the interval of H(T): +- 1.96 delta-method standard errors, to within 25 %
    p = np.array([0.4, 0.3, 0.2, 0.1])
    se = math.sqrt(((p * np.log(p) ** 2).sum() - h_t**2) / 1000)
    xt = _given(info.i_xt_ci)
    assert xt.high - xt.low == pytest.approx(2 * 1.96 * se, rel=0.25)


def test_a_layer_in_one_bin_gets_the_exact_zero_interval() -> None:
    t, y = np.zeros((50, 2)), np.arange(50) % 2
    info = FixedBinning(ci=0.9).estimate(t, y, rng=0)
    xt, ty = _given(info.i_xt_ci), _given(info.i_ty_ci)
    assert (xt.low, xt.high, ty.low, ty.high) == (0.0, 0.0, 0.0, 0.0)


def test_intervals_are_opt_in_and_keep_the_old_identities() -> None:
    t, y, _, _ = _tiny()
    plain = FixedBinning(edges=(-1.0, 0.0, 1.0))
    assert plain.identity() == "fixed_binning/v1?edges=[-1.0,0.0,1.0]"
    assert plain.estimate(t, y).intervals() == (None, None)
    assert "ci" not in plain.config()
    asked = FixedBinning(edges=(-1.0, 0.0, 1.0), ci=0.95)
    assert asked.identity() == "fixed_binning/v1?edges=[-1.0,0.0,1.0]&ci=0.95"
    assert asked.config()["ci"] == 0.95
    assert RangeBinning(ci=0.8).identity().endswith("&ci=0.8")
    assert AdaptiveBinning(ci=0.8).identity().endswith("&ci=0.8")


@pytest.mark.parametrize("bad", [1.5, 0.0, True, "0.95"])
def test_a_bad_level_is_refused_with_the_parameter_named(bad: object) -> None:
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(f"The 'ci' parameter must be a confidence level, a float in the open "
                        f"interval (0, 1) (e.g. 0.95). Got {bad!r} instead."),
    ):  # fmt: skip
        FixedBinning(ci=bad)  # type: ignore[arg-type]


def test_intervals_are_withheld_where_most_samples_are_alone_in_their_bin() -> None:
    rng = np.random.default_rng(0)
    t = rng.uniform(-1, 1, (500, 6))  # 6 units x 30 bins: every sample its own joint bin
    info = FixedBinning(ci=0.95).estimate(t, rng.integers(0, 2, 500), rng=0)
    assert info.intervals() == (None, None)
    assert info.i_xt == pytest.approx(math.log(500))  # the value is still given
    # I(X;T) well sampled, I(T;Y) not: 40 bins x 1 sample of each of 25 labels
    t_codes, labels = np.repeat(np.arange(40), 25), np.tile(np.arange(25), 40)
    xt, ty = binned_intervals(t_codes, labels, 0.95, rng=0)
    assert xt is not None
    assert ty is None
    assert MAX_SINGLETON_SHARE == 0.05


def test_the_same_rng_gives_the_same_interval_and_fitted_range_binning_keeps_ci() -> None:
    t, y, _, _ = _tiny()
    first = AdaptiveBinning(n_bins=4, ci=0.95).estimate(t, y, rng=3)
    assert first == AdaptiveBinning(n_bins=4, ci=0.95).estimate(t, y, rng=3)
    assert first.i_xt_ci is not None
    fitted = RangeBinning(n_edges=5, low=-1.0, ci=0.9).fit([{"L1": t}])["L1"]
    assert isinstance(fitted, RangeBinning)
    assert fitted.ci == 0.9
    assert _given(fitted.estimate(t, y, rng=0).i_ty_ci).level == 0.9


def test_layer_information_converts_its_intervals_with_its_values() -> None:
    ci = ConfidenceInterval(low=_LN2, high=2 * _LN2, level=0.95, method="m", standard_error=_LN2)
    info = LayerInformation(1.5 * _LN2, _LN2, _LN2, i_xt_ci=ci)
    bits = info.to("bits")
    assert bits.i_xt_ci == ConfidenceInterval(low=1.0, high=2.0, level=0.95, method="m",
                                              standard_error=1.0)  # fmt: skip
    assert bits.i_ty_ci is None
    assert _given(bits.to("nats").i_xt_ci).high == pytest.approx(2 * _LN2, abs=1e-15)


def test_bootstrap_coverage_on_a_discrete_task_with_known_information() -> None:
    """95 % intervals of H(T) and I(T;Y) cover the truth in about 95 % of 80 probe sets.

    T takes 4 values with p = (0.4, 0.3, 0.2, 0.1); Y = T mod 2, flipped with probability 0.1.
    Binomial(80, 0.95) falls below 68 with probability < 0.1 %.
    """
    p, flip = np.array([0.4, 0.3, 0.2, 0.1]), 0.1
    odd = np.arange(4) % 2
    joint = np.stack([p * np.where(odd, flip, 1 - flip), p * np.where(odd, 1 - flip, flip)], 1)
    h_t = _plug_in(p)
    i_ty = h_t + _plug_in(joint.sum(axis=0)) - _plug_in(joint.ravel())
    rng = np.random.default_rng(20261202)
    covered = np.zeros(2, int)
    estimator = FixedBinning(edges=(-0.5, 0.0, 0.5), ci=0.95)
    for _ in range(80):
        codes = rng.choice(4, 400, p=p)
        y = odd[codes] ^ (rng.random(400) < flip)
        info = estimator.estimate(_LEVELS[codes][:, None], y, rng=rng)
        xt, ty = _given(info.i_xt_ci), _given(info.i_ty_ci)
        covered += [xt.low <= h_t <= xt.high, ty.low <= i_ty <= ty.high]
    assert covered.min() >= 68, covered


# -- records -----------------------------------------------------------------------------------


def _interval(low: float, high: float, level: float = 0.95) -> ConfidenceInterval:
    return ConfidenceInterval(low=low, high=high, level=level, method="basic_bootstrap",
                              standard_error=(high - low) / 4)  # fmt: skip


def _record(epoch: int, seed: int = 0, with_ci: bool = True, **kw: object) -> PlaneRecord:
    cis = {"i_xt_ci": _interval(0.9, 1.2), "i_ty_ci": _interval(0.4, 0.6)} if with_ci else {}
    return PlaneRecord("run", seed, "fixed_binning/v1?ci=0.95", epoch, "L1", 0, 1.0 + epoch,
                       0.5, 0.5, {}, **{**cis, **kw})  # type: ignore[arg-type]  # fmt: skip


def test_intervals_round_trip_through_the_store_and_the_dataframe(tmp_path: Path) -> None:
    records = [_record(0), _record(1, with_ci=False), _record(2, i_ty_ci=None)]
    with PlaneStore(tmp_path / "r.db") as store:
        store.add(records)
        assert store.records() == records
        frame = store.to_dataframe(units="bits")
    assert frame["i_xt_low"].iloc[0] == pytest.approx(0.9 / _LN2)
    assert frame["i_ty_se"].iloc[0] == pytest.approx(0.05 / _LN2)
    assert frame["ci_level"].tolist()[0] == 0.95
    assert frame["ci_method"].isna().tolist() == [False, True, False]
    assert frame["ci_method"].iloc[2] == "basic_bootstrap"
    assert frame["i_xt_high"].isna().tolist() == [False, True, False]
    assert frame["i_ty_low"].isna().tolist() == [False, True, True]


def test_two_intervals_of_one_record_must_share_level_and_method(tmp_path: Path) -> None:
    mixed = _record(0, i_ty_ci=_interval(0.4, 0.6, level=0.9))
    with PlaneStore(tmp_path / "r.db") as store, pytest.raises(
        InvalidInputError, match=re.escape("must share their level and method to be stored; got "
                                           "0.95 'basic_bootstrap' and 0.9 'basic_bootstrap'")
    ):  # fmt: skip
        store.add([mixed])


_SCHEMA_1 = """CREATE TABLE infoplane (run_id TEXT NOT NULL, seed INTEGER NOT NULL,
estimator TEXT NOT NULL, epoch INTEGER NOT NULL, layer TEXT NOT NULL,
layer_index INTEGER NOT NULL, i_xt REAL, i_ty REAL, i_xt_given_y REAL, units TEXT NOT NULL,
config TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL,
PRIMARY KEY (run_id, seed, estimator, epoch, layer))"""


def test_a_schema_1_database_opens_and_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(_SCHEMA_1)
        db.execute("INSERT INTO infoplane VALUES ('run',0,'fixed_binning/v1',0,'L1',0,1.0,0.5,"
                   "0.5,'nats','{}','ok',0.0)")  # fmt: skip
        db.execute("PRAGMA user_version=1")
    db.close()
    with PlaneStore(path) as store:
        (old,) = store.records()
        assert (old.i_xt, old.i_xt_ci, old.i_ty_ci) == (1.0, None, None)
        store.add([_record(1)])
        assert store.records()[1] == _record(1)
        assert np.isnan(store.to_dataframe()["i_xt_low"].iloc[0])
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()
    with PlaneStore(path) as store:  # and it opens again as a schema-2 file
        assert len(store.records()) == 2


def test_estimate_layers_records_the_intervals_of_the_estimator() -> None:
    t, y, h_t, _ = _tiny()
    records = estimate_layers({"L1": t, "L2": t[:, :1] * 0}, y,
                              [FixedBinning(edges=(-0.5, 0.0, 0.5), ci=0.95)],
                              epoch=0, run_id="r", seed=0)  # fmt: skip
    assert _given(records[0].i_xt_ci).low < h_t < _given(records[0].i_xt_ci).high
    assert _given(records[1].i_ty_ci).high == 0.0
    assert estimate_layers({"L1": t}, y, [FixedBinning()], epoch=0, run_id="r",
                           seed=0)[0].i_xt_ci is None  # fmt: skip


# -- curves, plots and report ------------------------------------------------------------------


def test_seed_mean_curves_average_the_interval_ends_where_every_seed_has_one() -> None:
    records = [_record(0, 0), _record(0, 1), _record(1, 0), _record(1, 1, with_ci=False)]
    curve = seed_mean_curves(records, units="nats")["L1"]
    assert curve["i_xt_low"][0] == pytest.approx(0.9)
    assert np.isnan(curve["i_xt_low"][1])  # seed 1 has none at epoch 1
    assert (curve["ci_level"], curve["ci_method"]) == (0.95, "basic_bootstrap")
    bits = seed_mean_curves(records)["L1"]
    assert bits["i_ty_high"][0] == pytest.approx(0.6 / _LN2)
    assert "i_xt_low" not in seed_mean_curves([_record(0, with_ci=False)])["L1"]


def test_the_over_epoch_plot_draws_bars_only_where_there_are_intervals() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from infolens.plotting.infoplane import MAX_BARS, plot_information_over_epochs

    def gids(records: list[PlaneRecord]) -> list[str | None]:
        fig, ax = plot_information_over_epochs(seed_mean_curves(records), quantity="i_ty")
        found = [c.get_gid() for c in ax.collections]
        plt.close(fig)
        return found

    assert gids([_record(e) for e in range(3)]) == [None, "interval:L1", "interval-ends:L1"]
    assert gids([_record(e, with_ci=False) for e in range(3)]) == [None]  # the seed band only
    many = gids([_record(e) for e in range(MAX_BARS + 1)])
    assert many == [None, "interval:L1"]  # a hatched band


def _report(tmp_path: Path, with_ci: bool) -> str:
    pytest.importorskip("matplotlib")
    from infolens.infoplane.report import write_store_report

    with PlaneStore(tmp_path / "records.db") as store:
        store.add([_record(e, s, with_ci) for e in range(4) for s in (0, 1)])
    return write_store_report(tmp_path / "records.db", tmp_path / "report.html").read_text()


def test_the_report_shows_and_explains_the_bands_when_intervals_exist(tmp_path: Path) -> None:
    page = _report(tmp_path, with_ci=True)
    assert "class='caption intervals'" in page
    assert "95% basic bootstrap interval of each point" in page
    assert "over the sampling of the probe inputs, for this network and these bins" in page
    assert "seed mean ± standard deviation over the 2 seeds" in page
    assert "I(X;T) = 1.000 [0.900 (bits)" not in page
    assert f"I(X;T) = {1 / _LN2:.3f} [{0.9 / _LN2:.3f}, {1.2 / _LN2:.3f}]" in page  # hover text


def test_the_report_says_there_are_no_intervals_otherwise(tmp_path: Path) -> None:
    page = _report(tmp_path, with_ci=False)
    assert "caption intervals" not in page
    assert "This estimator gave no per-point intervals" in page
    assert "seed mean ± standard deviation over the 2 seeds" in page
    assert re.search(r"I\(X;T\) = [\d.]+ \[", page) is None


def test_the_tracker_records_the_intervals_of_an_estimator_built_with_ci(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from infolens.infoplane import InformationPlane

    torch.manual_seed(0)  # test-only global seed: the library never calls it
    model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Softmax(dim=1))
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((400, 4)).astype(np.float32))
    y = (x[:, 0] > 0).long().numpy()
    estimator = FixedBinning(edges=(0.0, 0.25, 0.5, 0.75, 1.0), ci=0.95)
    with PlaneStore(tmp_path / "r.db") as store:
        with InformationPlane(model, layers=["1"], inputs=x, labels=y, epochs=[0], store=store,
                              estimators=[estimator]) as plane:  # fmt: skip
            plane.step(0)
        (record,) = store.records()
    assert record.estimator == estimator.identity()
    xt, value = _given(record.i_xt_ci), record.i_xt
    assert value is not None
    assert xt.low <= value <= xt.high
    assert _given(record.i_ty_ci).level == 0.95
