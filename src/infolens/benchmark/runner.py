"""The benchmark runner: the grid tasks × methods × sample sizes × seeds, resumable, on Dask.

Only the runner turns estimator failures into data: an exception inside an estimator becomes a
failed :class:`RunResult` with the error text, and the sweep goes on. With ``ci`` (a level), each
run also asks the estimator for its own confidence interval (:mod:`infolens.uncertainty`); a
method that cannot give one keeps its estimate, with the reason in ``ci_error``.
"""

import contextlib
import threading
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, final

import numpy as np

import infolens
from infolens._estimate import ConfidenceInterval, Estimate
from infolens._limits import (
    FLOAT_BYTES,
    RUN_BYTES,
    SEED_BYTES,
    check_memory,
    format_count,
)
from infolens._preprocess import standardize
from infolens._validation import check_choice, check_int, check_rng
from infolens.benchmark.store import ResultStore, RunKey, RunResult, params_key
from infolens.benchmark.suite import get_task, select_tasks
from infolens.benchmark.tasks import Task
from infolens.estimators.registry import TORCH_METHODS, available_methods, make_estimator
from infolens.exceptions import InvalidParameterError

PREPROCESSING = ("none", "standardize")
SCHEDULERS = ("serial", "threads", "processes")

_TRACE_LOCK = threading.Lock()

MethodSpec = str | tuple[str, dict[str, Any]]


@final
@dataclass(frozen=True, kw_only=True)
class RunSpec:
    """One cell of the grid: what :func:`execute` runs."""

    task_id: str
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    preprocess: str = "none"
    n: int
    seed: int
    ci: float | None = None

    @property
    def key(self) -> RunKey:
        """The unique key of the run in the store."""
        params = params_key(self.params)
        return (self.task_id, self.method, params, self.preprocess, self.n, self.seed, self.ci)


@contextlib.contextmanager
def _peak_memory() -> Iterator[list[int | None]]:
    """Trace the Python heap (numpy included) from the main thread only; yield [peak].

    Never from a worker thread: starting or stopping tracemalloc while other threads allocate
    without the GIL (numpy's sorts and copies do) crashes CPython before 3.12.9 / 3.13.2
    (gh-128679); threaded runs therefore record no peak memory.
    """
    box: list[int | None] = [None]
    if threading.current_thread() is not threading.main_thread():
        yield box
        return
    if not _TRACE_LOCK.acquire(blocking=False) or tracemalloc.is_tracing():
        yield box
        return
    try:
        tracemalloc.start()
        try:
            yield box
        finally:
            box[0] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        _TRACE_LOCK.release()


def execute(spec: RunSpec) -> RunResult:
    """Sample the task (seeded with ``spec.seed``), run the estimator and record the outcome.

    Never raises for a failing estimator: the exception becomes ``success=False`` with its
    type and message in ``error``. With ``spec.ci``, the estimator's own interval follows, as
    ``mutual_information(..., ci=spec.ci)`` computes it (the same estimator and generator, so
    the estimate is the one of the run without ``ci``); an interval that cannot be had leaves
    the estimate and puts its reason in ``ci_error``. ``wall_time`` is the estimate's alone.

    Examples
    --------
    >>> r = execute(RunSpec(task_id="1v1-normal-0.75", method="ksg", n=3, seed=0))
    >>> r.success
    False
    >>> print(r.error)
    InsufficientSamplesError: KSGEstimator with k=3 needs at least 4 samples (k + 1); got 3.
    """
    task = get_task(spec.task_id)
    data = task.sample(spec.n, rng=spec.seed)
    if spec.preprocess == "standardize":
        data = tuple(standardize(a) for a in data)
    result: Estimate | None = None
    error: str | None = None
    interval: ConfidenceInterval | None = None
    ci_error: str | None = None
    params = dict(spec.params)
    if spec.method in TORCH_METHODS:
        params.setdefault("verbose", False)  # no progress bars inside the sweep's own
    with _peak_memory() as peak, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        # What the functional API does (infolens.functional._dispatch), split in two steps so
        # that a missing interval cannot cost the estimate.
        generator = check_rng(spec.seed)
        try:
            estimator = make_estimator(spec.method, task.quantity, **params)
            result = getattr(estimator, task.quantity)(*data, rng=generator)
        except Exception as err:  # noqa: BLE001 - the runner records every failure
            error = f"{type(err).__name__}: {err}"
        elapsed = time.perf_counter() - start
        if spec.ci is not None and result is not None:
            from infolens.uncertainty import attach_interval  # noqa: PLC0415 (scipy.stats)

            try:
                with_ci = attach_interval(
                    result, estimator, task.quantity, list(data), spec.ci, generator
                )
                interval = with_ci.ci
            except Exception as err:  # noqa: BLE001 - no interval is data, not a crash
                ci_error = f"{type(err).__name__}: {err}"
    estimate = None if result is None else float(result)
    return RunResult(
        task_id=spec.task_id,
        method=spec.method,
        params=dict(spec.params),
        preprocess=spec.preprocess,
        n=spec.n,
        seed=spec.seed,
        quantity=task.quantity,
        estimate=estimate,
        truth=task.truth,
        wall_time=elapsed,
        peak_memory=peak[0],
        success=error is None,
        error=error,
        infolens_version=infolens.__version__,
        ci_low=None if interval is None else float(interval.low),
        ci_high=None if interval is None else float(interval.high),
        ci_level=spec.ci,
        ci_method=None if interval is None else interval.method,
        ci_error=ci_error,
    )


def parse_seeds(text: str) -> list[int]:
    """Parse ``"0-9"``, ``"0,3,7"`` or a mix (``"0-2,10"``) into a list of seeds.

    Repeated seeds are kept once, in order of first appearance.

    Raises
    ------
    ValueError
        :class:`~infolens.exceptions.InvalidParameterError` for text that is not integers and
        ranges, or for so many seeds that their list would not fit in memory (counted before
        any list is built, e.g. ``"0-100000000000"``).

    Examples
    --------
    >>> parse_seeds("0-2,10")
    [0, 1, 2, 10]
    """
    ranges: list[range] = []
    try:
        for part in (p.strip() for p in text.split(",") if p.strip()):
            low, sep, high = part.partition("-")
            ranges.append(range(int(low), int(high) + 1) if sep else range(int(low), int(low) + 1))
    except ValueError:
        raise InvalidParameterError(
            f"Seeds must be integers, ranges or both (e.g. '0-9' or '0,3,7'); got {text!r}."
        ) from None
    count = sum(len(r) for r in ranges)
    check_memory(
        count * SEED_BYTES,
        what=f"The seeds {text!r} are {format_count(count)} seeds, whose list alone",
        advice="Give fewer seeds (e.g. '0-9').",
    )
    seeds = list(dict.fromkeys(seed for r in ranges for seed in r))
    if not seeds:
        raise InvalidParameterError(f"No seeds given; got {text!r}.")
    return seeds


def _seed_list(seeds: int | str | Sequence[int]) -> list[int]:
    if isinstance(seeds, str):
        return parse_seeds(seeds)
    if isinstance(seeds, int | np.integer):
        return [check_int(seeds, name="seed", owner="the benchmark runner", low=0)]
    if isinstance(seeds, Sized):
        count = len(seeds)
        check_memory(
            count * SEED_BYTES,
            what=f"The 'seeds' parameter of the benchmark runner holds {format_count(count)} "
            "seeds, whose list alone",
            advice="Give fewer seeds.",
        )
    return [check_int(s, name="seed", owner="the benchmark runner", low=0) for s in seeds]


def _check_grid_memory(
    task_ids: Sequence[str], n_methods: int, sizes: Sequence[int], n_seeds: int
) -> None:
    """Refuse a grid whose samples or whose plan cannot fit in memory, before building it."""
    widest = max(task_ids, key=lambda t: _columns(get_task(t)))
    columns = _columns(get_task(widest))
    largest = max(sizes)
    check_memory(
        float(largest) * columns * FLOAT_BYTES,
        what=(
            f"The 'n' parameter of the benchmark runner is too large: n={format_count(largest)} "
            f"samples of task {widest!r} ({columns} float64 columns)"
        ),
        advice="Choose a smaller n.",
    )
    n_runs = len(task_ids) * n_methods * len(sizes) * n_seeds
    check_memory(
        float(n_runs) * RUN_BYTES,
        what=(
            f"The grid of {format_count(n_runs)} runs ({len(task_ids)} tasks x {n_methods} "
            f"methods x {len(sizes)} sizes x {n_seeds} seeds), whose plan alone"
        ),
        advice="Give fewer seeds, sizes, methods or tasks, or split the sweep into several runs.",
    )


def _columns(task: Task) -> int:
    return task.dim_x + task.dim_y + task.dim_z


def _method_specs(methods: str | Sequence[MethodSpec]) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    specs: list[tuple[str, dict[str, Any]]] = []
    for item in methods:
        name, params = (item, {}) if isinstance(item, str) else item
        check_choice(name, available_methods(), name="method")
        make_estimator(name, **params)  # unknown or invalid parameters fail before the sweep
        specs.append((name, dict(params)))
    if not specs:
        raise InvalidParameterError(
            "No methods given: choose from " + ", ".join(available_methods())
        )
    return specs


def plan(
    tasks: str | Sequence[str],
    methods: str | Sequence[MethodSpec],
    *,
    n: int | Sequence[int] = 5000,
    seeds: int | str | Sequence[int] = 0,
    preprocess: str = "none",
    ci: float | None = None,
) -> list[RunSpec]:
    """Return the grid of runs, validated, in order task × method × n × seed.

    Raises
    ------
    ValueError
        For unknown tasks or methods (listing the valid ones), bad parameters or sizes; and
        (:class:`~infolens.exceptions.InvalidParameterError`) for sizes whose samples, or grids
        whose plan, would not fit in this machine's memory, e.g. ``n=10**14`` or
        ``seeds="0-100000000000"`` (the message says how much memory they would need).

    Examples
    --------
    >>> len(plan("1v1-*", "ksg,gaussian", n=[100, 200], seeds="0-2"))
    48
    """
    task_ids = select_tasks(tasks)
    specs = _method_specs(methods)
    sizes = [n] if isinstance(n, int) else list(n)
    sizes = [check_int(s, name="n", owner="the benchmark runner") for s in sizes]
    if not sizes:
        raise InvalidParameterError("No sample sizes given: 'n' must hold at least one int.")
    seed_list = _seed_list(seeds)
    check_choice(preprocess, PREPROCESSING, name="preprocess")
    level = None
    if ci is not None:
        from infolens.uncertainty import check_level  # noqa: PLC0415 (scipy.stats: when used)

        level = check_level(ci)
    _check_grid_memory(task_ids, len(specs), sizes, len(seed_list))
    return [
        RunSpec(task_id=t, method=m, params=p, preprocess=preprocess, n=size, seed=s, ci=level)
        for t in task_ids
        for m, p in specs
        for size in sizes
        for s in seed_list
    ]


def _check_scheduler(scheduler: str | None) -> str:
    scheduler = scheduler or "serial"
    if "://" in scheduler or scheduler in SCHEDULERS:  # tcp://, tls://, inproc:// ...
        return scheduler
    raise InvalidParameterError(
        f"Unknown scheduler {scheduler!r}. Available: 'serial', 'threads', 'processes' or a "
        "dask scheduler address 'tcp://host:port'."
    )


def _run_on_dask(
    todo: list[RunSpec],
    scheduler: str,
    n_workers: int | None,
    record: Callable[[RunResult], None],
) -> None:
    from infolens.independence import _dask_client  # noqa: PLC0415 (numba: only when used)

    with _dask_client(scheduler, n_workers) as (distributed, client):
        futures = client.map(execute, todo, pure=False)
        for future in distributed.as_completed(futures):
            record(future.result())
            future.release()


def run(
    tasks: str | Sequence[str],
    methods: str | Sequence[MethodSpec],
    *,
    n: int | Sequence[int] = 5000,
    seeds: int | str | Sequence[int] = 0,
    db: str | Path | None = None,
    preprocess: str = "none",
    ci: float | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    retry_failed: bool = False,
    on_plan: Callable[[int, int], None] | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run the benchmark grid and return one record per cell (pandas-free).

    Parameters
    ----------
    tasks : str or sequence of str
        Task ids, globs (``"multinormal-*"``) or suite names (``"bmi"``, ``"infolens"``); a string
        may hold several, comma-separated.
    methods : str or sequence of (str or (str, dict))
        Registry names, each optionally with estimator parameters, e.g. ``("ksg", {"k": 5})``.
    n : int or sequence of int, default=5000
        Sample sizes.
    seeds : int, str or sequence of int, default=0
        Seeds (``"0-9"`` is accepted); the seed drives both the sampler and the estimator.
    db : str, Path or None, default=None
        SQLite results file; finished runs found there are skipped (resume). ``None`` keeps
        results in memory only.
    preprocess : {"none", "standardize"}, default="none"
        ``"standardize"`` scales every column of X, Y (and Z) to zero mean and unit variance
        before estimating (bmi's protocol), with the library's one helper,
        :func:`infolens._preprocess.standardize` (ddof = 0).
    ci : float or None, default=None
        Also ask each run for the estimator's own confidence interval at this level (e.g.
        0.95), as ``mutual_information(..., ci=ci)`` gives it (see ``docs/uncertainty.md``),
        stored in ``ci_low``/``ci_high``/``ci_method``. The level is part of a run's key: runs
        with and without it (or at two levels) are separate rows, so a sweep resumed with a
        level computes the intervals. A method that cannot give an interval keeps its
        estimate and records why in ``ci_error``.
    scheduler : {"serial", "threads", "processes"}, "tcp://host:port" or None, default=None
        ``None``/``"serial"`` runs in this process; the others submit the runs to a
        dask.distributed cluster (local threads or processes, or an existing scheduler) and
        store results as they finish.
    n_workers : int or None, default=None
        Number of workers of a local dask cluster (dask's default when ``None``).
    retry_failed : bool, default=False
        Run again the cells whose stored run failed.
    on_plan : callable or None, default=None
        Called once as ``on_plan(n_to_run, n_skipped)``.
    on_result : callable or None, default=None
        Called with each new :class:`RunResult` as it is stored.

    Returns
    -------
    list of RunResult
        The grid's records (estimates and truths in nats), in grid order.

    Raises
    ------
    ValueError
        For unknown tasks, methods, schedulers or preprocessing, invalid sizes and seeds, or a
        ``ci`` that is not a level in (0, 1).
    OSError
        If the database cannot be written (nothing stored is lost).
    RuntimeError
        If the database has another schema version.
    """
    grid = plan(tasks, methods, n=n, seeds=seeds, preprocess=preprocess, ci=ci)
    scheduler = _check_scheduler(scheduler)
    if n_workers is not None:
        check_int(n_workers, name="n_workers", owner="the benchmark runner")
    with ResultStore(":memory:" if db is None else db) as store:
        if retry_failed:
            store.delete_failed(spec.key for spec in grid)
        done = store.finished_keys()
        todo = [spec for spec in grid if spec.key not in done]
        if on_plan is not None:
            on_plan(len(todo), len(grid) - len(todo))

        def record(result: RunResult) -> None:
            store.add(result)
            if on_result is not None:
                on_result(result)

        if scheduler == "serial":
            for spec in todo:
                record(execute(spec))
        else:
            _run_on_dask(todo, scheduler, n_workers, record)
        stored = {result.key: result for result in store.iter_results()}
    return [stored[spec.key] for spec in grid]
