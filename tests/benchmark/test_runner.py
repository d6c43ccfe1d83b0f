"""The runner: grid, failures as rows, resume (including after SIGKILL) and Dask."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import infolens
from infolens._limits import format_bytes, physical_memory
from infolens._preprocess import standardize
from infolens.benchmark import run
from infolens.benchmark.runner import RunSpec, execute, parse_seeds, plan
from infolens.exceptions import InvalidParameterError


def test_plan_is_the_full_grid_in_order() -> None:
    grid = plan(
        "1v1-normal-0.75,1v1-additive-0.75", ["ksg", ("ksg", {"k": 5})], n=[50, 100], seeds="0-1"
    )
    assert len(grid) == 2 * 2 * 2 * 2
    assert grid[0] == RunSpec(task_id="1v1-normal-0.75", method="ksg", n=50, seed=0)
    assert grid[-1].params == {"k": 5}
    assert grid[-1].task_id == "1v1-additive-0.75"


def test_unknown_method_lists_the_valid_ones() -> None:
    msg = f"Unknown method 'ksgg'. Available: {', '.join(repr(m) for m in infolens.available_methods())}."
    with pytest.raises(ValueError, match=re.escape(msg)):
        plan("1v1-normal-0.75", "ksgg")


def test_bad_parameters_seeds_and_options_fail_before_the_sweep() -> None:
    with pytest.raises(ValueError, match=re.escape("Unknown parameter(s) 'kk' for method 'ksg'.")):
        plan("1v1-normal-0.75", [("ksg", {"kk": 1})])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Seeds must be integers, ranges or both (e.g. '0-9' or '0,3,7'); got 'a-b'."
        ),
    ):
        parse_seeds("a-b")
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'n' parameter of the benchmark runner must be an int in the range [1, inf). Got 0 instead."
        ),
    ):
        plan("1v1-normal-0.75", "ksg", n=0)
    with pytest.raises(
        ValueError,
        match=re.escape("Unknown preprocess 'whiten'. Available: 'none', 'standardize'."),
    ):
        plan("1v1-normal-0.75", "ksg", preprocess="whiten")
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Unknown scheduler 'mpi'. Available: 'serial', 'threads', 'processes' or a dask scheduler address 'tcp://host:port'."
        ),
    ):
        run("1v1-normal-0.75", "ksg", n=10, scheduler="mpi")


def test_failing_estimators_become_failed_rows_and_the_sweep_goes_on() -> None:
    records = run("1v1-normal-0.75,cmi-normal-direct-1-1-1", "ksg,gaussian", n=[3, 200], seeds=[0])
    by = {(r.task_id, r.method, r.n): r for r in records}
    small = by[("1v1-normal-0.75", "ksg", 3)]
    assert not small.success
    assert small.estimate is None
    assert (
        small.error
        == "InsufficientSamplesError: KSGEstimator with k=3 needs at least 4 samples (k + 1); got 3."
    )
    cmi = by[("cmi-normal-direct-1-1-1", "ksg", 200)]
    assert cmi.error is not None
    assert cmi.error.startswith(
        "UnsupportedQuantityError: Method 'ksg' does not estimate conditional mutual information."
    )
    ok = by[("cmi-normal-direct-1-1-1", "gaussian", 200)]
    assert ok.success
    assert ok.quantity == "conditional_mutual_information"
    assert ok.estimate == pytest.approx(ok.truth, abs=0.15)
    assert ok.infolens_version == infolens.__version__
    assert ok.wall_time is not None
    assert ok.wall_time >= 0
    assert ok.peak_memory is not None
    assert ok.peak_memory > 0


def test_same_seed_same_estimate_and_standardize() -> None:
    a = execute(RunSpec(task_id="half_cube-1v1-normal-0.75", method="ksg", n=300, seed=3))
    b = execute(RunSpec(task_id="half_cube-1v1-normal-0.75", method="ksg", n=300, seed=3))
    assert a.estimate == b.estimate
    s = execute(
        RunSpec(
            task_id="half_cube-1v1-normal-0.75",
            method="gaussian",
            n=300,
            seed=3,
            preprocess="standardize",
        )
    )
    assert s.success
    assert s.preprocess == "standardize"
    x = standardize(get_x := infolens.benchmark.get_task("1v1-additive-0.1").sample(100, rng=0)[0])
    assert x.mean() == pytest.approx(0, abs=1e-12)
    assert x.std() == pytest.approx(1)
    assert get_x.shape == (100, 1)


def test_resume_skips_finished_rows(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    plans: list[tuple[int, int]] = []
    first = run(
        "1v1-normal-0.75",
        "gaussian,ksg",
        n=[3, 100],
        seeds="0-1",
        db=db,
        on_plan=lambda a, b: plans.append((a, b)),
    )
    second = run(
        "1v1-normal-0.75",
        "gaussian,ksg",
        n=[3, 100],
        seeds="0-2",
        db=db,
        on_plan=lambda a, b: plans.append((a, b)),
    )
    assert plans == [(8, 0), (4, 8)]
    assert second[:2] == first[:2]
    run(
        "1v1-normal-0.75",
        "gaussian,ksg",
        n=[3, 100],
        seeds="0-2",
        db=db,
        retry_failed=True,
        on_plan=lambda a, b: plans.append((a, b)),
    )
    assert plans[-1] == (6, 6)  # ksg and gaussian fail at n=3 (seeds 0-2): retried
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 12


_SWEEP = textwrap.dedent(
    """
    import sys
    from infolens.benchmark import run
    methods = [("ksg", {"n_jobs": 1}), "gaussian"]  # one thread: no thread start-up per run
    run("1v1-normal-0.75,1v1-additive-0.75", methods, n=[2000], seeds="0-29", db=sys.argv[1])
    """
)


def _rows(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'runs'").fetchall():
            return []  # the sweep has not created its table yet
        return conn.execute(
            "SELECT id, task_id, method, params, n, seed, estimate FROM runs ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_sigkill_mid_sweep_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, "-c", _SWEEP, str(db)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists() and len(_rows(db)) >= 5:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = _rows(db)
    assert 5 <= len(before) < 120  # killed mid-sweep
    records = run(
        "1v1-normal-0.75,1v1-additive-0.75",
        [("ksg", {"n_jobs": 1}), "gaussian"],
        n=[2000],
        seeds="0-29",
        db=db,
    )
    after = _rows(db)
    assert len(records) == len(after) == 120
    assert after[: len(before)] == before  # nothing finished was lost or changed
    assert len({row[1:6] for row in after}) == 120  # nothing duplicated
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_dask_local_cluster_gives_the_serial_results(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    args = ("1v1-normal-0.75,multinormal-sparse-3-3-2-2.0", "ksg,gaussian")
    serial = run(*args, n=[300], seeds="0-2")
    parallel = run(
        *args, n=[300], seeds="0-2", db=tmp_path / "d.db", scheduler="threads", n_workers=2
    )
    assert [(r.key, r.estimate, r.success) for r in parallel] == [
        (r.key, r.estimate, r.success) for r in serial
    ]


def test_dask_scheduler_address_streams_into_the_database(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    serial = run("1v1-normal-0.75", "ksg", n=[200], seeds="0-3")
    with distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=":0") as cluster:
        remote = run(
            "1v1-normal-0.75",
            "ksg",
            n=[200],
            seeds="0-3",
            db=tmp_path / "t.db",
            scheduler=cluster.scheduler_address,
        )
    assert [r.estimate for r in remote] == [r.estimate for r in serial]
    assert len(_rows(tmp_path / "t.db")) == 4


def test_absurd_sizes_are_refused_up_front_with_the_memory_they_need() -> None:
    memory = format_bytes(physical_memory())
    msg = (
        "The 'n' parameter of the benchmark runner is too large: n=10**14 samples of task "
        "'1v1-normal-0.75' (2 float64 columns) would need ~1.6 PB of memory; this machine has "
        f"{memory}. Choose a smaller n."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        plan("1v1-normal-0.75", "ksg", n=[100, 10**14])
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        run("1v1-normal-0.75", "ksg", n=10**14)
    with pytest.raises(  # the widest task of the selection is named
        InvalidParameterError, match=re.escape("task 'multinormal-dense-50-50-0.5' (100 float64")
    ):
        plan("multinormal-dense-*", "gaussian", n=10**10)
    start = time.monotonic()
    msg = (
        "The seeds '0-100000000000' are 100,000,000,001 seeds, whose list alone would need "
        f"~10 TB of memory; this machine has {memory}. Give fewer seeds (e.g. '0-9')."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        run("1v1-normal-0.75", "ksg", n=100, seeds="0-100000000000")
    with pytest.raises(InvalidParameterError, match=re.escape("holds 10**11 seeds, whose list")):
        plan("1v1-normal-0.75", "ksg", seeds=range(10**11))
    with pytest.raises(InvalidParameterError, match=r"The grid of [\d,]+ runs \(77 tasks x 2 "):
        plan("*", "ksg,gaussian", n=[100, 200], seeds=f"0-{physical_memory() // 1024 // 308}")
    assert time.monotonic() - start < 1.0  # refused before building anything


def test_parse_seeds_keeps_first_appearance_and_refuses_empty() -> None:
    assert parse_seeds("3-5,0,4,1-2") == [3, 4, 5, 0, 1, 2]
    with pytest.raises(InvalidParameterError, match=re.escape("No seeds given; got '5-1'.")):
        parse_seeds("5-1")


_CONCURRENT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from infolens.benchmark import run
    db, me, n_procs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    (db.parent / f"ready-{me}").touch()
    deadline = time.monotonic() + 30
    while len(list(db.parent.glob("ready-*"))) < n_procs and time.monotonic() < deadline:
        time.sleep(0.001)
    seeds = f"{4 * me}-{4 * me + 7}"  # overlapping windows: 0-7, 4-11, 8-15
    records = run("1v1-normal-0.75,cmi-normal-direct-1-1-1", "gaussian", n=[200], seeds=seeds, db=db)
    print(json.dumps([[r.task_id, r.seed, r.estimate] for r in records]))
    """
)


def test_concurrent_runs_on_one_fresh_database_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    db, n_procs = tmp_path / "shared.db", 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CONCURRENT, str(db), str(i), str(n_procs)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n_procs)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * n_procs, [err for _, err in outputs]
    rows = _rows(db)
    keys = [(row[1], row[5]) for row in rows]
    expected = {(t, s) for t in ("1v1-normal-0.75", "cmi-normal-direct-1-1-1") for s in range(16)}
    assert len(keys) == len(set(keys)) == 32  # every run stored once
    assert set(keys) == expected
    serial = {
        (r.task_id, r.seed): r.estimate
        for r in run("1v1-normal-0.75,cmi-normal-direct-1-1-1", "gaussian", n=[200], seeds="0-15")
    }
    assert {(row[1], row[5]): row[6] for row in rows} == serial
    for i, (out, _) in enumerate(outputs):  # each process got its full grid back
        got = json.loads(out)
        assert len(got) == 16
        assert {(t, s) for t, s, _ in got} == {
            (t, s) for t, s in expected if 4 * i <= s <= 4 * i + 7
        }
        assert all(serial[(t, s)] == e for t, s, e in got)
