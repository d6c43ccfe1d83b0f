"""Capture layer activations of any PyTorch model with forward hooks and estimate the plane.

Only the hooks live here (torch); saving and loading activations and post-hoc estimation are in
the numpy-only :mod:`infolens.infoplane.posthoc` (re-exported here for older imports).
"""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_rng
from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane._base import LayerEstimator
from infolens.infoplane.measures import FixedBinning, labels_to_codes
from infolens.infoplane.posthoc import (
    activation_path,
    estimate_layers,
    estimate_saved,
    estimator_key,
    load_activations,
    save_activations,
    saved_epochs,
)
from infolens.infoplane.store import PlaneRecord, PlaneStore


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
        Any :class:`~infolens.infoplane.LayerEstimator` (:mod:`infolens.infoplane.measures`, or
        your own); each yields one record per layer and epoch, keyed by its ``identity()``.
    epochs : iterable of int or None, default=None
        Epochs at which :meth:`step` captures (None: every call). See
        :func:`infolens.infoplane.resolve_schedule`.
    store : PlaneStore or None, default=None
        Where records stream to (SQLite). Epochs already in the store are skipped.
    run_id, seed : str, int
        Keys of the records.
    activations_dir : path or None, default=None
        If given, every capture is also saved there (``epoch_00012.npz``) for post-hoc estimators.
    rng : int, numpy.random.Generator or None, default=0
        Passed to every ``estimate`` call (randomised estimators such as
        :class:`~infolens.infoplane.KNNEntropy`); an int makes resumed runs equal fresh ones.

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
        rng: RNGLike = 0,
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
        not_estimators = [e for e in self.estimators if not isinstance(e, LayerEstimator)]
        if not_estimators:
            raise InvalidParameterError(
                "estimators must be layer estimators (name, version, identity(), estimate()); "
                f"got {not_estimators[0]!r}."
            )
        check_rng(rng)
        self.rng = rng
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
            if self.store is None or epoch not in self.store.done(self.run_id, self.seed, e)
        ]
        path = activation_path(self.activations_dir, epoch) if self.activations_dir else None
        save = path is not None and not path.exists()
        if not pending and not save:
            return []
        activations = self.capture()
        if save and path is not None:
            save_activations(path, activations)
        records = estimate_layers(
            activations,
            self.labels,
            pending,
            epoch=epoch,
            run_id=self.run_id,
            seed=self.seed,
            rng=self.rng,
        )
        if self.store is not None:
            self.store.add(records)
        return records


__all__ = [
    "InformationPlane",
    "activation_path",
    "estimate_layers",
    "estimate_saved",
    "estimator_key",
    "load_activations",
    "save_activations",
    "saved_epochs",
]
