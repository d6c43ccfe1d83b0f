"""Capture layer activations of any PyTorch model with forward hooks and estimate the plane."""

import dataclasses
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from infolens._typing import FloatArray, IntArray
from infolens.exceptions import DegenerateDataWarning, InvalidInputError, InvalidParameterError
from infolens.infoplane.measures import (
    FixedBinning,
    LayerEstimator,
    RangeBinning,
    labels_to_codes,
)
from infolens.infoplane.store import PlaneRecord, PlaneStore

_SAVED = re.compile(r"epoch_(\d+)\.npz")


def save_activations(path: Path, activations: dict[str, FloatArray]) -> None:
    """Write one epoch's activations as an ``.npz`` atomically (a kill never leaves half a file)."""
    tmp = path.with_suffix(".tmp.npz")
    payload: dict[str, Any] = {f"{i:03d}:{n}": a for i, (n, a) in enumerate(activations.items())}
    np.savez(tmp, **payload)
    tmp.replace(path)


def activation_path(directory: Path, epoch: int) -> Path:
    """Where the activations of ``epoch`` are saved inside ``directory``."""
    return directory / f"epoch_{epoch:06d}.npz"


def load_activations(path: Path) -> dict[str, FloatArray]:
    """Read activations written by :func:`save_activations` (no pickles are ever loaded)."""
    with np.load(path, allow_pickle=False) as archive:
        keys = sorted(archive.files)
        return {key.split(":", 1)[1]: np.asarray(archive[key]) for key in keys}


class InformationPlane:
    """Track I(X;T) and I(T;Y) of chosen layers of a model on a fixed probe set.

    Parameters
    ----------
    model : torch.nn.Module
        The network; hooks are registered on the named submodules in ``layers``.
    layers : sequence of str
        Names from ``model.named_modules()`` whose outputs are the representations T.
    inputs : torch.Tensor
        The probe set X, fed to the model in one pass (on the model's device) at each capture.
    labels : array-like
        Class labels of the probe set (integers, or one-hot rows).
    estimators : sequence of layer estimators, default=(FixedBinning(),)
        From :mod:`infolens.infoplane.measures`; each yields one record per layer and epoch.
    epochs : iterable of int or None, default=None
        Epochs at which :meth:`step` captures (None: every call). See
        :func:`infolens.infoplane.resolve_schedule`.
    store : PlaneStore or None, default=None
        Where records stream to (SQLite). Epochs already in the store are skipped.
    run_id, seed : str, int
        Keys of the records.
    activations_dir : path or None, default=None
        If given, every capture is also saved there (``epoch_00012.npz``) for post-hoc estimators.

    Notes
    -----
    Captures run in ``eval()`` mode under ``torch.no_grad()`` and restore the previous mode. Hooks
    hold no reference to the data outside a capture and are removed by :meth:`close` (or on
    leaving a ``with`` block). Non-finite activations do not stop training: the layer gets a record
    with ``status="nonfinite"`` and a :class:`~infolens.exceptions.DegenerateDataWarning`.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        layers: Sequence[str],
        inputs: torch.Tensor,
        labels: Any,
        estimators: Sequence[LayerEstimator] = (FixedBinning(),),
        epochs: Iterable[int] | None = None,
        store: PlaneStore | None = None,
        run_id: str = "run",
        seed: int = 0,
        activations_dir: str | Path | None = None,
    ) -> None:
        modules = dict(model.named_modules())
        unknown = [name for name in layers if name not in modules]
        if unknown or not layers:
            valid = ", ".join(repr(n) for n in modules if n)
            raise InvalidParameterError(
                f"Unknown layer(s) {unknown} (or no layers given). Valid names: {valid}."
            )
        codes = labels_to_codes(
            labels.cpu().numpy() if isinstance(labels, torch.Tensor) else labels
        )
        if len(codes) != len(inputs):
            raise InvalidInputError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{len(inputs)}, {len(codes)}] (probe inputs, labels)"
            )
        self.model, self.layers, self.inputs, self.labels = model, list(layers), inputs, codes
        self.estimators = list(estimators)
        self.epochs = None if epochs is None else {int(e) for e in epochs}
        self.store, self.run_id, self.seed = store, run_id, seed
        self.activations_dir = None if activations_dir is None else Path(activations_dir)
        if self.activations_dir is not None:
            self.activations_dir.mkdir(parents=True, exist_ok=True)
        self._captured: dict[str, torch.Tensor] = {}
        self._capturing = False
        self._handles = [
            modules[name].register_forward_hook(self._hook(name)) for name in self.layers
        ]

    def _hook(self, name: str) -> Any:
        def hook(module: nn.Module, args: Any, output: Any) -> None:
            if self._capturing and isinstance(output, torch.Tensor):
                self._captured[name] = output.detach()

        return hook

    def __enter__(self) -> "InformationPlane":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove every hook; the model is left exactly as it was."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def capture(self) -> dict[str, FloatArray]:
        """Run the probe set through the model once and return each layer's activations."""
        if not self._handles:
            raise RuntimeError("This InformationPlane is closed; create a new one to capture.")
        was_training = self.model.training
        device = next(self.model.parameters()).device
        self.model.eval()
        self._capturing = True
        try:
            with torch.no_grad():
                self.model(self.inputs.to(device))
        except Exception as err:
            raise InvalidInputError(
                f"The model failed on the probe set (inputs of shape {tuple(self.inputs.shape)}): "
                f"{type(err).__name__}: {err}"
            ) from err
        finally:
            self._capturing = False
            self.model.train(was_training)
        missing = [n for n in self.layers if n not in self._captured]
        if missing:
            self._captured.clear()
            raise InvalidInputError(
                f"Layer(s) {missing} produced no tensor output in the forward pass on the probe "
                "set; choose modules that the forward pass calls and that return a tensor."
            )
        captured = {n: self._captured[n].flatten(1).double().cpu().numpy() for n in self.layers}
        self._captured.clear()
        return captured

    def step(self, epoch: int) -> list[PlaneRecord]:
        """Capture and estimate at ``epoch`` if it is scheduled and not yet recorded."""
        if self.epochs is not None and epoch not in self.epochs:
            return []
        pending = [
            e
            for e in self.estimators
            if self.store is None
            or epoch not in self.store.done(self.run_id, self.seed, estimator_key(e))
        ]
        path = activation_path(self.activations_dir, epoch) if self.activations_dir else None
        save = path is not None and not path.exists()
        if not pending and not save:
            return []
        activations = self.capture()
        if save and path is not None:
            save_activations(path, activations)
        records = estimate_layers(
            activations, self.labels, pending, epoch=epoch, run_id=self.run_id, seed=self.seed
        )
        if self.store is not None:
            self.store.add(records)
        return records


def estimator_key(estimator: LayerEstimator) -> str:
    """Return a stable string naming the estimator and its configuration (the store key)."""
    config = estimator.config()
    return ",".join(f"{k}={v}" for k, v in config.items())


def estimate_layers(
    activations: dict[str, FloatArray],
    labels: IntArray,
    estimators: Sequence[LayerEstimator],
    *,
    epoch: int,
    run_id: str,
    seed: int,
) -> list[PlaneRecord]:
    """Apply every estimator to every layer's activations; non-finite layers are flagged."""
    records = []
    for estimator in estimators:
        for index, (layer, t) in enumerate(activations.items()):
            config = estimator.config()
            if not np.isfinite(t).all():
                warnings.warn(
                    f"Layer {layer!r} has non-finite activations at epoch {epoch}; its record is "
                    "marked 'nonfinite' and carries no values.",
                    DegenerateDataWarning,
                    stacklevel=2,
                )
                values: tuple[float | None, ...] = (None, None, None)
                status = "nonfinite"
            else:
                info = estimator.estimate(t, labels)
                values, status = (info.i_xt, info.i_ty, info.i_xt_given_y), "ok"
            records.append(
                PlaneRecord(
                    run_id=run_id,
                    seed=seed,
                    estimator=estimator_key(estimator),
                    epoch=epoch,
                    layer=layer,
                    layer_index=index,
                    i_xt=values[0],
                    i_ty=values[1],
                    i_xt_given_y=values[2],
                    config=config,
                    status=status,
                )
            )
    return records


def saved_epochs(activations_dir: str | Path) -> list[int]:
    """Epochs whose activations were saved in ``activations_dir``, sorted."""
    names = (p.name for p in Path(activations_dir).glob("epoch_*.npz"))
    return sorted(int(m.group(1)) for m in map(_SAVED.fullmatch, names) if m)


def estimate_saved(
    activations_dir: str | Path,
    labels: Any,
    estimators: Sequence[LayerEstimator],
    *,
    store: PlaneStore,
    run_id: str,
    seed: int,
    epochs: Iterable[int] | None = None,
) -> None:
    """Apply estimators post hoc to saved activations, skipping epochs already in ``store``.

    A :class:`~infolens.infoplane.measures.RangeBinning` without ``high`` gets the maximum
    activity over all saved epochs: over all layers (``scope="global"``, Saxe et al.) or per layer
    (``scope="layer"``).
    """
    directory = Path(activations_dir)
    wanted = saved_epochs(directory) if epochs is None else sorted(set(epochs))
    codes = labels_to_codes(labels)
    maxima: dict[str, float] = {}
    if any(isinstance(e, RangeBinning) and e.high is None for e in estimators):
        for epoch in saved_epochs(directory):
            for layer, t in load_activations(activation_path(directory, epoch)).items():
                maxima[layer] = max(maxima.get(layer, -np.inf), float(np.max(t)))
    for estimator in estimators:
        done = store.done(run_id, seed, estimator_key(estimator))
        for epoch in (e for e in wanted if e not in done):
            activations = load_activations(activation_path(directory, epoch))
            if isinstance(estimator, RangeBinning) and estimator.high is None:
                records: list[PlaneRecord] = []
                for index, (layer, t) in enumerate(activations.items()):
                    high = max(maxima.values()) if estimator.scope == "global" else maxima[layer]
                    fixed = estimator.with_high(high)
                    for r in estimate_layers(
                        {layer: t}, codes, [fixed], epoch=epoch, run_id=run_id, seed=seed
                    ):
                        records.append(
                            dataclasses.replace(
                                r, estimator=estimator_key(estimator), layer_index=index
                            )
                        )
            else:
                records = estimate_layers(
                    activations, codes, [estimator], epoch=epoch, run_id=run_id, seed=seed
                )
            store.add(records)
