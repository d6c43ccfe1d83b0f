"""Reproductions of the classic information-plane experiments (specs R1–R4, R6).

Each reproduction trains the 12-bit network of Shwartz-Ziv & Tishby for some seeds (in parallel
processes, resumable), saves the activations of every scheduled epoch, applies its estimators
post hoc, evaluates its pass criteria on the seed-mean curves and writes ``summary.json``,
``records.db``, ``plane.png`` and ``report.html`` into the output folder.
"""

import contextlib
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane._base import LayerEstimator
from infolens.infoplane.curves import Curves, compression, seed_mean_curves
from infolens.infoplane.measures import AdaptiveBinning, FixedBinning, KDEBound, RangeBinning
from infolens.infoplane.posthoc import estimate_saved, saved_epochs
from infolens.infoplane.progress import ProgressCallback, file_progress, watch_progress_files
from infolens.infoplane.repro_real import REAL_REPRODUCTIONS, RealReproduction
from infolens.infoplane.schedule import idnns_epochs
from infolens.infoplane.store import PlaneStore

if sys.platform != "win32":
    import fcntl

#: Most seeds one reproduction trains (each is a full training run).
MAX_SEEDS = 1000
#: How often a worker checks that the process that started it is still alive (seconds).
PARENT_POLL_S = 0.2

Criteria = Callable[[dict[str, Curves]], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    """One information plane of a reproduction: a trained activation and an estimator."""

    activation: str
    estimator: LayerEstimator
    label: str
    max_epochs_estimated: int | None = None  # KDE is O(P^2): estimate a log-spaced subset


@dataclass(frozen=True)
class Reproduction:
    """A named experiment: its panels and its pass criteria (on seed-mean curves, in bits)."""

    name: str
    description: str
    panels: tuple[Panel, ...]
    criteria: Criteria


def _tishby_criteria(curves: dict[str, Curves]) -> dict[str, Any]:
    tanh = curves["tanh, 30 bins in [-1, 1]"]
    layers = list(tanh)
    checks: dict[str, Any] = {}
    for layer, need in ((layers[-2], 4.0), (layers[-1], 2.0)):
        c = compression(tanh[layer])
        checks[f"{layer} rises then falls by >= {need} bits"] = {
            "rise_bits": c["rise"],
            "drop_bits": c["drop"],
            "peak_epoch": c["peak_epoch"],
            "pass": c["rise"] > 0 and c["drop"] >= need,
        }
    final_ty = {layer: float(tanh[layer]["i_ty"][-1]) for layer in layers}
    checks["final I(T;Y) >= 0.95 bits in every layer"] = {
        "final_i_ty": final_ty,
        "pass": min(final_ty.values()) >= 0.95,
    }
    return checks


def _relu_criteria(curves: dict[str, Curves]) -> dict[str, Any]:
    relu = curves["ReLU, 100 bins in [0, global max]"]
    hidden = list(relu)[:-1]
    first_last = {k: (float(relu[k]["i_xt"][0]), float(relu[k]["i_xt"][-1])) for k in hidden}
    return {
        "no hidden ReLU layer ends below its epoch-0 I(X;T)": {
            "first_last_bits": first_last,
            "pass": all(last >= first for first, last in first_last.values()),
        }
    }


def _n_compressing(panel: dict[str, Curves], threshold: float) -> int:
    return sum(compression(c)["drop"] >= threshold for c in panel.values())


def _bin_placement_criteria(curves: dict[str, Curves]) -> dict[str, Any]:
    even = _n_compressing(curves["tanh, 30 bins in [-1, 1]"], 1.0)
    net = _n_compressing(curves["tanh, bins even in net input"], 1.0)
    return {
        "fewer layers compress (drop >= 1 bit) with bins even in net input": {
            "compressing_even_in_activity": even,
            "compressing_even_in_net_input": net,
            "pass": net < even,
        }
    }


def _kde_criteria(curves: dict[str, Curves]) -> dict[str, Any]:
    tanh = _n_compressing(curves["tanh, KDE upper, noise variance 0.1"], 0.5)
    relu_panel = curves["ReLU, KDE upper, noise variance 0.1"]
    relu = _n_compressing(dict(list(relu_panel.items())[:-1]), 0.5)
    return {
        "tanh compresses and hidden ReLU layers do not (KDE, drop >= 0.5 bit)": {
            "compressing_tanh_layers": tanh,
            "compressing_relu_hidden_layers": relu,
            "pass": tanh >= 1 and relu == 0,
        }
    }


def _adaptive_criteria(curves: dict[str, Curves]) -> dict[str, Any]:
    adaptive = curves["ReLU, adaptive (entropy-based) bins"]
    hidden = dict(list(adaptive.items())[:-1])
    drops = {layer: compression(c)["drop"] for layer, c in hidden.items()}
    return {
        "adaptive binning shows compression in a hidden ReLU layer (drop >= 0.5 bit)": {
            "drop_bits": drops,
            "pass": max(drops.values()) >= 0.5,
        }
    }


_TANH = Panel("tanh", FixedBinning(), "tanh, 30 bins in [-1, 1]")
_RELU = Panel(
    "relu", RangeBinning(n_edges=100, scope="global"), "ReLU, 100 bins in [0, global max]"
)
REPRODUCTIONS: dict[str, Reproduction | RealReproduction] = {
    r.name: r
    for r in (
        Reproduction(
            "tishby", "R1: Shwartz-Ziv & Tishby, tanh, 30 fixed bins", (_TANH,), _tishby_criteria
        ),
        Reproduction(
            "saxe-relu", "R2: Saxe et al., ReLU, one global bin range", (_RELU,), _relu_criteria
        ),
        Reproduction(
            "bin-placement",
            "R3: the same tanh run, bins even in net input",
            (
                _TANH,
                Panel(
                    "tanh",
                    FixedBinning(edges=tuple(np.unique(np.tanh(np.linspace(-50, 50, 300))))),
                    "tanh, bins even in net input",
                ),
            ),
            _bin_placement_criteria,
        ),
        Reproduction(
            "kde",
            "R4: Saxe et al.'s KDE upper bound, tanh vs ReLU",
            (
                Panel(
                    "tanh", KDEBound(noise_variance=0.1), "tanh, KDE upper, noise variance 0.1", 20
                ),
                Panel(
                    "relu", KDEBound(noise_variance=0.1), "ReLU, KDE upper, noise variance 0.1", 20
                ),
                Panel(
                    "tanh",
                    KDEBound(noise_variance=1e-3),
                    "tanh, KDE upper, noise variance 0.001",
                    20,
                ),
            ),
            _kde_criteria,
        ),
        Reproduction(
            "adaptive",
            "R6: Chelombiev et al., adaptive binning of ReLU layers",
            (
                Panel(
                    "relu",
                    AdaptiveBinning(n_bins=30, low=0.0),
                    "ReLU, adaptive (entropy-based) bins",
                ),
                _RELU,
            ),
            _adaptive_criteria,
        ),
    )
}
REPRODUCTIONS.update(REAL_REPRODUCTIONS)


@contextlib.contextmanager
def _locked(path: Path, *, wait: bool) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (released when the holder exits, however)."""
    if sys.platform == "win32":  # pragma: no cover - no flock; runs are not guarded there
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise InvalidInputError(
                f"Another infolens process is writing into {path.parent} (it holds {path.name}); "
                "wait for it to finish or stop it, then rerun."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _die_with_parent(parent: int) -> None:
    """Worker initializer: exit at once when the process that started the pool is gone.

    A ``kill -9`` of the parent reparents its workers; each notices within ``PARENT_POLL_S``
    and exits, so no orphan keeps training into the output folder.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="infolens-parent-watch", daemon=True).start()


def _train_one(
    settings: dict[str, Any], seed: int, run_dir: str, data: str | None
) -> dict[str, float]:
    with _locked(Path(run_dir) / ".lock", wait=True):  # never two writers in one run folder
        return _train_unlocked(settings, seed, run_dir, data)


def _train_unlocked(
    settings: dict[str, Any], seed: int, run_dir: str, data: str | None
) -> dict[str, float]:
    import torch

    from infolens.infoplane.tishby import TrainingConfig, train
    from infolens.infoplane.tracker import InformationPlane

    torch.set_num_threads(1)
    config = TrainingConfig(**settings)
    schedule = idnns_epochs(config.epochs)

    def factory(model: Any, inputs: Any, labels: Any) -> InformationPlane:
        return InformationPlane(
            model,
            layers=model.representation_layers,
            inputs=inputs,
            labels=labels,
            estimators=(),
            epochs=schedule,
            activations_dir=Path(run_dir) / "activations",
            progress=file_progress(run_dir),  # the parent shows it (watch_progress_files)
            n_epochs=config.epochs,
        )

    return train(config, seed=seed, run_dir=run_dir, plane_factory=factory, data=data)


def _seed_list(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if not 1 <= seeds <= MAX_SEEDS:
            raise InvalidParameterError(
                f"The 'seeds' parameter of reproduce must be an int in the range [1, {MAX_SEEDS}] "
                f"or a list of seeds. Got {seeds!r} instead."
            )
        return list(range(int(seeds)))
    chosen = list(seeds) if isinstance(seeds, Sequence | range) else None
    if (
        chosen is None
        or not 1 <= len(chosen) <= MAX_SEEDS
        or len(set(chosen)) != len(chosen)
        or not all(
            isinstance(s, int | np.integer) and not isinstance(s, bool) and s >= 0 for s in chosen
        )  # fmt: skip
    ):
        raise InvalidParameterError(
            f"The 'seeds' parameter of reproduce must be a count in [1, {MAX_SEEDS}] or up to "
            f"{MAX_SEEDS} distinct ints >= 0. Got {seeds!r} instead."
        )
    return [int(s) for s in chosen]


def reproduce(
    name: str,
    *,
    epochs: int | None = None,
    seeds: int | Sequence[int] = 5,
    out: str | Path | None = None,
    data: str | Path | None = None,
    inputs: str = "signed",
    n_jobs: int | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Run the reproduction ``name`` and return its summary (also written to ``out``).

    ``seeds`` is a count (seeds ``0..seeds-1``) or the seeds themselves. Seeds run in parallel
    processes (``n_jobs``, default: the number of cores), which exit if this process is killed.
    Re-running with the same ``out`` resumes: finished epochs, activations and records are
    reused (also those of runs stored before estimator identities); a second process writing
    into the same ``out`` is refused. ``inputs`` is the encoding of the 12 bits (see
    :class:`~infolens.infoplane.tishby.TrainingConfig`). ``progress`` receives notes (``str``)
    and :class:`~infolens.infoplane.progress.Progress` events of the runs' training and
    estimation.
    """
    from infolens._validation import check_choice, check_int
    from infolens.infoplane.tishby import TrainingConfig

    check_choice(name, REPRODUCTIONS, name="reproduction")
    if name in REAL_REPRODUCTIONS:  # R5, R7-R9 (repro_real.py); epochs None: laptop size
        from infolens.infoplane.repro_real import reproduce_real

        if inputs != "signed" or n_jobs not in (None, 1):  # never a silently ignored option
            raise InvalidParameterError(
                f"inputs and n_jobs (--inputs, --jobs) apply to the 12-bit reproductions; {name} "
                f"has its own data and runs its seeds in one process. Got inputs={inputs!r}, "
                f"n_jobs={n_jobs!r}."
            )
        return reproduce_real(
            name, epochs=epochs, seeds=seeds, out=out, data=data, progress=progress
        )
    epochs = 10_000 if epochs is None else epochs  # the 12-bit reproductions' default
    check_int(epochs, name="epochs", owner="reproduce", low=2)
    seed_list = _seed_list(seeds)
    if n_jobs is not None:
        check_int(n_jobs, name="n_jobs", owner="reproduce")
    TrainingConfig(inputs=inputs, epochs=epochs)  # validates the settings before any work
    folder = Path(out) if out is not None else Path("infoplane-" + name)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / ".lock", wait=False):
        return _reproduce(name, epochs, seeds, seed_list, folder, data, inputs, n_jobs, progress)


def _reproduce(
    name: str,
    epochs: int,
    seeds: int | Sequence[int],
    seed_list: list[int],
    folder: Path,
    data: str | Path | None,
    inputs: str,
    n_jobs: int | None,
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    from infolens.infoplane.report import write_report
    from infolens.infoplane.tishby import layer_labels, load_var_u

    spec = REPRODUCTIONS[name]
    if not isinstance(spec, Reproduction):  # pragma: no cover - dispatched in reproduce()
        raise InvalidParameterError(f"{name!r} is a real-network reproduction.")
    _, labels = load_var_u(data)  # fails early, with a clear message, if the data are missing
    PlaneStore(folder / "records.db").close()  # so does a corrupt or foreign records file
    say = progress or (lambda message: None)
    activations = sorted({p.activation for p in spec.panels})
    jobs = [(a, s) for a in activations for s in seed_list]
    run_dirs = {(a, s): folder / f"{a}-seed{s}" for a, s in jobs}
    arguments = {
        (a, s): (
            {"activation": a, "epochs": epochs, "inputs": inputs},
            s,
            str(run_dirs[(a, s)]),
            None if data is None else str(data),
        )
        for a, s in jobs
    }
    workers = min(len(jobs), n_jobs or os.cpu_count() or 1)
    say(f"training {len(jobs)} run(s) of {epochs} epochs on {workers} process(es)")
    watched = {f"{a}-seed{s}": run_dirs[(a, s)] for a, s in jobs}
    with watch_progress_files(watched, progress):  # the workers' progress files
        if workers == 1:
            results = {job: _train_one(*arguments[job]) for job in jobs}
        else:  # spawned workers: safe whatever threads the parent has started
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                futures = {job: pool.submit(_train_one, *arguments[job]) for job in jobs}
                results = {job: future.result() for job, future in futures.items()}
    training = {f"{a}-seed{s}": result for (a, s), result in results.items()}
    say("estimating")
    curves: dict[str, dict[str, Curves]] = {}
    with PlaneStore(folder / "records.db") as store:
        for panel in spec.panels:
            for seed in seed_list:
                run_dir = run_dirs[(panel.activation, seed)] / "activations"
                chosen = saved_epochs(run_dir)
                if panel.max_epochs_estimated and len(chosen) > panel.max_epochs_estimated:
                    picks = np.unique(
                        np.geomspace(1, len(chosen), panel.max_epochs_estimated).astype(int) - 1
                    )
                    chosen = [chosen[i] for i in picks] + (
                        [chosen[-1]] if chosen[-1] not in chosen else []
                    )
                estimate_saved(
                    run_dir,
                    labels,
                    [panel.estimator],
                    store=store,
                    run_id=f"{name}/{panel.activation}",
                    seed=seed,
                    epochs=chosen,
                    progress=progress,
                )
            records = store.records(f"{name}/{panel.activation}", estimator=panel.estimator)
            mine = [r for r in records if r.seed in seed_list]
            label_of = layer_labels(panel.activation)
            layers = seed_mean_curves(mine, estimator=panel.estimator).items()
            curves[panel.label] = {label_of.get(name, name): c for name, c in layers}
    checks = spec.criteria(curves)
    summary = {
        "reproduction": name,
        "description": spec.description,
        "epochs": epochs,
        "seeds": seeds if isinstance(seeds, int) else seed_list,
        "passed": all(c["pass"] for c in checks.values()),
        "criteria": checks,
        "training": training,
        "estimators": {p.label: _described(p.estimator) for p in spec.panels},
        "inputs": inputs,
        "samples": "all 4096 input patterns (train and test), captured before each epoch's updates",
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
    write_report(folder, spec.description, curves, summary)
    say(f"wrote {folder / 'report.html'}")
    return summary


def _described(estimator: LayerEstimator) -> dict[str, Any]:
    config = getattr(estimator, "config", None)
    described = dict(config()) if callable(config) else {"estimator": estimator.name}
    return {**described, "identity": estimator.identity()}


def available() -> Sequence[str]:
    """Names of the reproductions."""
    return sorted(REPRODUCTIONS)
