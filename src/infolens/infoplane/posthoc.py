"""Saved activations and the estimation of the plane from them (numpy only, no torch).

The tracker (:class:`~infolens.infoplane.tracker.InformationPlane`) writes one ``.npz`` per
captured epoch; :func:`estimate_saved` applies layer estimators to those files afterwards,
skipping what the store holds already, and :func:`estimate_layers` turns one epoch's
activations into records. Both are what the tracker uses online, so the numbers agree.
"""

import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from infolens._typing import FloatArray, IntArray, RNGLike
from infolens._validation import check_rng
from infolens.exceptions import DegenerateDataWarning, InvalidInputError
from infolens.infoplane._base import LayerEstimator
from infolens.infoplane.measures import labels_to_codes
from infolens.infoplane.progress import Progress, ProgressCallback
from infolens.infoplane.store import PlaneRecord, PlaneStore

_SAVED = re.compile(r"epoch_(\d+)\.npz")
_KEY = re.compile(r"\d{3}:.+")


def save_activations(path: Path, activations: Mapping[str, FloatArray]) -> None:
    """Write one epoch's activations as an ``.npz`` atomically (a kill never leaves half a file)."""
    tmp = path.with_suffix(".tmp.npz")
    payload: dict[str, Any] = {f"{i:03d}:{n}": a for i, (n, a) in enumerate(activations.items())}
    np.savez(tmp, **payload)
    tmp.replace(path)


def activation_path(directory: Path, epoch: int) -> Path:
    """Where the activations of ``epoch`` are saved inside ``directory``."""
    return directory / f"epoch_{epoch:06d}.npz"


def load_activations(path: Path) -> dict[str, FloatArray]:
    """Read activations written by :func:`save_activations` (no pickles are ever loaded).

    Raises
    ------
    InvalidInputError
        If the file is not such an archive (random bytes, a pickle, a truncated or foreign
        ``.npz``), with the file's name and what to do.
    """
    if not Path(path).is_file():
        raise InvalidInputError(
            f"No activations were saved at {path} (that epoch was not captured); estimate only "
            "the epochs listed by saved_epochs()."
        )
    try:
        # our own handle: numpy leaves it open when a truncated archive fails to parse
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            keys = sorted(archive.files)
            if not keys or not all(_KEY.fullmatch(k) for k in keys):
                raise ValueError(f"arrays named {keys[:3]} instead of 000:<layer>")
            loaded = {key.split(":", 1)[1]: np.asarray(archive[key]) for key in keys}
    except (OSError, ValueError, TypeError, EOFError, KeyError, zipfile.BadZipFile) as err:
        raise InvalidInputError(
            f"{path} is not an activation file written by infolens ({type(err).__name__}: "
            f"{err}). Delete it to capture or skip that epoch again, or use a fresh folder."
        ) from None
    bad = [layer for layer, t in loaded.items() if t.ndim != 2 or t.dtype.kind != "f"]
    if bad:
        raise InvalidInputError(
            f"{path} is not an activation file written by infolens (layer(s) {bad} are not 2-D "
            "float arrays). Delete it to capture or skip that epoch again."
        )
    return loaded


def saved_epochs(activations_dir: str | Path) -> list[int]:
    """Epochs whose activations were saved in ``activations_dir``, sorted."""
    names = (p.name for p in Path(activations_dir).glob("epoch_*.npz"))
    return sorted(int(m.group(1)) for m in map(_SAVED.fullmatch, names) if m)


class SavedActivations:
    """The saved epochs of one folder, read lazily one epoch at a time (what ``fit`` receives)."""

    def __init__(self, activations_dir: str | Path) -> None:
        self.directory = Path(activations_dir)
        self.epochs = saved_epochs(self.directory)

    def __len__(self) -> int:
        return len(self.epochs)

    def __iter__(self) -> Iterator[dict[str, FloatArray]]:
        for epoch in self.epochs:
            yield self.load(epoch)

    def load(self, epoch: int) -> dict[str, FloatArray]:
        """Return the activations of ``epoch``, layer by layer."""
        return load_activations(activation_path(self.directory, epoch))


def estimator_key(estimator: LayerEstimator) -> str:
    """Return ``estimator.identity()`` (deprecated: call that instead)."""
    warnings.warn(
        "estimator_key(estimator) is deprecated; use estimator.identity().",
        DeprecationWarning,
        stacklevel=2,
    )
    return estimator.identity()


def _describe(estimator: LayerEstimator, identity: str) -> dict[str, Any]:
    """Return the settings recorded beside a value: ``config()`` if the estimator has one."""
    config = getattr(estimator, "config", None)
    described = dict(config()) if callable(config) else {"estimator": estimator.name}
    return {**described, "identity": identity}


def estimate_layers(
    activations: Mapping[str, FloatArray],
    labels: IntArray,
    estimators: Sequence[LayerEstimator],
    *,
    epoch: int,
    run_id: str,
    seed: int,
    rng: RNGLike = 0,
    fitted: Mapping[str, Mapping[str, LayerEstimator]] | None = None,
    layer_index: Mapping[str, int] | None = None,
) -> list[PlaneRecord]:
    """Apply every estimator to every layer's activations; non-finite layers are flagged.

    Parameters
    ----------
    activations : mapping of str to array of shape (n_samples, width)
        One epoch's activations, layer by layer (in layer order).
    labels : array of int, shape (n_samples,)
        Class codes of the probe samples.
    estimators : sequence of layer estimators
        Each gives one record per layer, keyed by its identity.
    epoch, run_id, seed : int, str, int
        Keys of the records.
    rng : int, numpy.random.Generator or None, default=0
        Passed to every ``estimate`` call. An int seeds every call alike, so a resumed run
        draws what a fresh one would; a Generator is consumed call after call.
    fitted : mapping or None, default=None
        ``identity -> {layer: estimator}`` from the estimators' ``fit``: the fitted estimator
        computes the layer's values, the record keeps the unfitted identity.
    layer_index : mapping or None, default=None
        The ``layer_index`` of each layer's records (default: its position in ``activations``),
        for a subset of a model's layers.

    Returns
    -------
    list of PlaneRecord
        Values in nats; a layer with NaN or infinite activations gets ``status="nonfinite"``,
        no values and a :class:`~infolens.exceptions.DegenerateDataWarning` naming the layer
        and epoch. An estimator that rejects a layer raises with the layer and epoch named.
    """
    check_rng(rng)  # validated once; passed on as given
    records = []
    for estimator in estimators:
        identity = estimator.identity()
        per_layer = (fitted or {}).get(identity, {})
        for index, (layer, t) in enumerate(activations.items()):
            used = per_layer.get(layer, estimator)
            if not np.isfinite(t).all():
                warnings.warn(
                    f"Layer {layer!r} has non-finite activations at epoch {epoch}; its record is "
                    "marked 'nonfinite' and carries no values.",
                    DegenerateDataWarning,
                    stacklevel=2,
                )
                values: tuple[float | None, ...] = (None, None, None)
                status = "nonfinite"
                intervals: tuple[Any, Any] = (None, None)
            else:
                try:
                    info = used.estimate(t, labels, rng=rng).to("nats")
                except InvalidInputError as err:
                    raise InvalidInputError(
                        f"Layer {layer!r} at epoch {epoch} ({identity}): {err}"
                    ) from None
                values, status = (info.i_xt, info.i_ty, info.i_xt_given_y), "ok"
                intervals = (info.i_xt_ci, info.i_ty_ci)
            records.append(
                PlaneRecord(
                    run_id=run_id,
                    seed=seed,
                    estimator=identity,
                    epoch=epoch,
                    layer=layer,
                    layer_index=index if layer_index is None else layer_index[layer],
                    i_xt=values[0],
                    i_ty=values[1],
                    i_xt_given_y=values[2],
                    config=_describe(used, identity),
                    status=status,
                    units="nats",
                    i_xt_ci=intervals[0],
                    i_ty_ci=intervals[1],
                )
            )
    return records


def estimate_saved(
    activations_dir: str | Path,
    labels: Any,
    estimators: Sequence[LayerEstimator],
    *,
    store: PlaneStore,
    run_id: str,
    seed: int,
    epochs: Iterable[int] | None = None,
    rng: RNGLike = 0,
    progress: ProgressCallback | None = None,
) -> None:
    """Apply estimators post hoc to saved activations, skipping epochs already in ``store``.

    An estimator with a ``fit`` method (e.g. :class:`~infolens.infoplane.RangeBinning` without
    ``high``) is first fitted on all saved epochs, and only if some epoch is left to estimate.
    Records of runs stored before estimator identities existed are adopted, so such runs
    resume. ``rng`` is passed to every ``estimate`` call (see :func:`estimate_layers`).
    ``progress`` receives a :class:`~infolens.infoplane.progress.Progress` (stage
    ``"estimating"``, task ``"<run_id> seed <seed>"``) after every epoch, and a note saying how
    many epochs the store held already.
    """
    saved = SavedActivations(activations_dir)
    wanted = saved.epochs if epochs is None else sorted(set(epochs))
    codes = labels_to_codes(labels)
    task = f"{run_id} seed {seed}"
    for estimator in estimators:
        done = store.done(run_id, seed, estimator)
        pending = [e for e in wanted if e not in done]
        skipped = len(wanted) - len(pending)
        if progress is not None and skipped:
            progress(
                Progress(
                    "note",
                    task,
                    message=f"{task}: {skipped} of {len(wanted)} epoch(s) of "
                    f"{estimator.identity()} are in the store already; skipped",
                )
            )
        if not pending:
            continue
        fit = getattr(estimator, "fit", None)
        fitted = {estimator.identity(): dict(fit(saved))} if callable(fit) else None
        for count, epoch in enumerate(pending, start=1):
            store.add(
                estimate_layers(
                    saved.load(epoch),
                    codes,
                    [estimator],
                    epoch=epoch,
                    run_id=run_id,
                    seed=seed,
                    rng=rng,
                    fitted=fitted,
                )
            )
            if progress is not None:
                progress(Progress("estimating", task, count, len(pending), estimator.name))


__all__ = [
    "SavedActivations",
    "activation_path",
    "estimate_layers",
    "estimate_saved",
    "estimator_key",
    "load_activations",
    "save_activations",
    "saved_epochs",
]
