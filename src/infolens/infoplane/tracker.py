"""Capture layer activations of any PyTorch model with forward hooks and estimate the plane.

Only the hooks, the choice of layers and the default estimators live here (torch); saving and
loading activations and post-hoc estimation are in the numpy-only
:mod:`infolens.infoplane.posthoc` (re-exported here for older imports).

``layers="auto"`` (the rule, also in ``docs/infoplane.md``): one forward pass of the first probe
rows with a hook on every leaf module (a module without children) finds the leaves that the
forward pass calls exactly once and that return a tensor, in call order; dropout, identity,
flatten and unflatten modules are skipped. If some of them are activation modules (the classes
of ``torch.nn.modules.activation``), the layers are those activations plus the last leaf called
when it is not one (the output, e.g. logits); otherwise (activations applied functionally) the
layers are the last such leaf of every top-level child module. A layer's label names the
parametrised module before the activation, its class and width, e.g. ``"fc1 (ReLU, 1024)"``;
records, plots, reports and TensorBoard tags all use that label.
"""

import math
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_positive_real, check_rng
from infolens.exceptions import (
    DegenerateDataWarning,
    InfolensError,
    InvalidDataTypeError,
    InvalidInputError,
    InvalidParameterError,
)
from infolens.infoplane._base import LayerEstimator
from infolens.infoplane.measures import (
    AdaptiveBinning,
    FixedBinning,
    KDEBound,
    RangeBinning,
    labels_to_codes,
)
from infolens.infoplane.posthoc import (
    activation_path,
    estimate_layers,
    estimate_saved,
    estimator_key,
    load_activations,
    save_activations,
    saved_epochs,
)
from infolens.infoplane.progress import Progress, ProgressCallback
from infolens.infoplane.store import PlaneRecord, PlaneStore


class EstimationFailedWarning(UserWarning):
    """An estimator rejected a layer during tracking; training went on without its record."""


#: Layers at most this wide get bins by default; wider ones a noise-based estimator (binning
#: any layer of more than ~7 units with 30 bins puts every probe sample in its own bin).
NARROW_WIDTH = 8
#: Bins per unit of the default binning estimators.
DEFAULT_BINS = 30
#: Rows of the probe set run once at construction, to find and check the layers.
_TRIAL_ROWS = 8
#: Share of the training time that tracking may add with the default ``epochs="auto"``.
AUTO_OVERHEAD = 0.2
#: A budget always allows this much tracking in all (seconds): short runs and tests capture
#: every step; a training of more than ``BUDGET_GRACE_S / budget`` seconds is not affected.
BUDGET_GRACE_S = 0.1
_SKIPPED = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
    nn.Identity,
    nn.Flatten,
    nn.Unflatten,
)
#: Activation classes with a bounded range (Hardtanh's comes from its attributes).
_BOUNDED: dict[type[nn.Module], tuple[float, float]] = {
    nn.Tanh: (-1.0, 1.0),
    nn.Softsign: (-1.0, 1.0),
    nn.Sigmoid: (0.0, 1.0),
    nn.Hardsigmoid: (0.0, 1.0),
    nn.Softmax: (0.0, 1.0),
    nn.Softmin: (0.0, 1.0),
    nn.ReLU6: (0.0, 6.0),
}
_NONNEGATIVE = (nn.ReLU, nn.Softplus, nn.Threshold)


def _is_activation(module: nn.Module) -> bool:
    return type(module).__module__ == "torch.nn.modules.activation" and not isinstance(
        module, nn.MultiheadAttention
    )


def activation_range(module: nn.Module) -> tuple[float, float]:
    """Return the range of values ``module`` can output (``(-inf, inf)`` if not known).

    Examples
    --------
    >>> activation_range(nn.Tanh()), activation_range(nn.ReLU())
    ((-1.0, 1.0), (0.0, inf))
    """
    if isinstance(module, nn.Hardtanh) and not isinstance(module, nn.ReLU6):
        return float(module.min_val), float(module.max_val)
    for cls, bounds in _BOUNDED.items():
        if isinstance(module, cls):
            return bounds
    if isinstance(module, _NONNEGATIVE) and not (
        isinstance(module, nn.Threshold) and module.value < module.threshold
    ):
        return 0.0, math.inf
    return -math.inf, math.inf


def compression_estimator(inputs: torch.Tensor, labels: Any) -> LayerEstimator | None:
    """Return the lossy-compression estimator for this probe set, if it can be used here.

    The registered ``lossy_compression`` estimator (Butakov et al.) with the probe inputs
    compressed by PCA (numpy; fast and deterministic) and its other defaults; None when it is
    not registered or some class has too few probe samples for its k-NN entropies.
    """
    from infolens.exceptions import InfolensError
    from infolens.infoplane.registry import LAYER_ESTIMATORS

    cls = LAYER_ESTIMATORS.get("lossy_compression")
    from_inputs = getattr(cls, "from_inputs", None)
    if cls is None or from_inputs is None:
        return None
    counts = np.bincount(labels_to_codes(labels))
    if counts.min() <= 2 * int(getattr(cls, "k", 5)):
        return None
    x = inputs.detach().flatten(1).double().cpu().numpy()
    try:
        built: LayerEstimator = from_inputs(x, x_method="pca")
    except (InfolensError, ValueError):
        return None
    return built


def default_estimator(
    module: nn.Module, width: int, *, wide: LayerEstimator | None = None
) -> LayerEstimator:
    """Return the estimator ``estimators="auto"`` gives a layer: from its width and range.

    Narrow layers (``width <= NARROW_WIDTH``) with a bounded range get ``DEFAULT_BINS`` even
    bins over exactly that range (tanh: :class:`FixedBinning`'s default, 30 edges in [-1, 1]);
    narrow non-negative ones (ReLU) :class:`RangeBinning` from 0 to each epoch's maximum. Bins
    that clip are never chosen. Other layers get ``wide`` (the tracker passes the
    lossy-compression estimator of :func:`compression_estimator` when it can be used), else
    :class:`KDEBound` with noise variance 0.1 (Saxe et al.).

    Examples
    --------
    >>> default_estimator(nn.ReLU(), 4).identity()
    'range_binning/v1?n_edges=30&low=0.0&high=none&scope=global'
    """
    low, high = activation_range(module)
    if width <= NARROW_WIDTH and math.isfinite(low) and math.isfinite(high):
        if (low, high) == (-1.0, 1.0):
            return FixedBinning()  # the same identity as the classic default
        return FixedBinning(edges=tuple(float(e) for e in np.linspace(low, high, DEFAULT_BINS)))
    if width <= NARROW_WIDTH and low == 0.0:
        return RangeBinning(n_edges=DEFAULT_BINS, low=0.0)
    return wide if wide is not None else KDEBound(noise_variance=0.1)


def bin_range(estimator: LayerEstimator) -> tuple[float, float] | None:
    """Return the interval the bins of ``estimator`` resolve (None: not such a binning)."""
    if isinstance(estimator, FixedBinning):
        return float(estimator.edges[0]), float(estimator.edges[-1])
    if isinstance(estimator, RangeBinning):
        return estimator.low, math.inf if estimator.high is None else estimator.high
    if isinstance(estimator, AdaptiveBinning):
        return estimator.low, math.inf
    return None


@dataclass(frozen=True)
class _Leaf:
    name: str
    module: nn.Module
    calls: int
    output: object
    is_leaf: bool = True


def _type_name(value: object) -> str:
    cls = type(value)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def _width_text(shape: Sequence[int]) -> str:
    return "x".join(str(int(s)) for s in shape[1:]) or "1"


class InformationPlane:
    """Track I(X;T), I(T;Y) and I(X;T|Y) of a model's layers on a fixed probe set.

    Parameters
    ----------
    model : torch.nn.Module
        The network; hooks are registered on the chosen submodules.
    layers : "auto", sequence of str or mapping of str to str
        ``"auto"``: every layer of activations by the rule of the module docstring, labelled
        like ``"fc1 (ReLU, 1024)"``. A sequence: names from ``model.named_modules()`` (the
        records are labelled with the names). A mapping: names to your labels.
    inputs : torch.Tensor
        The probe set X, fed to the model in one pass (on the model's device) at each capture.
    labels : array-like
        Class labels of the probe set (integers, or one-hot rows).
    estimators : "auto" or sequence of layer estimators, default="auto"
        ``"auto"``: one estimator per layer from its width and range (see
        :func:`default_estimator`). A sequence: each estimator (any
        :class:`~infolens.infoplane.LayerEstimator`) yields one record per layer and epoch,
        keyed by its ``identity()``; bins that leave activations outside their range warn once
        per layer with the fraction outside.
    epochs : "auto", "every", iterable of int or None, default="auto"
        Epochs at which :meth:`step` captures. ``"auto"`` (the default schedule): every call,
        thinned to keep tracking within ``AUTO_OVERHEAD`` (20 %) of the training time (or
        ``max_overhead`` if given), so that the default estimators never slow a training down
        by more than that, however cheap its epochs; which epochs are captured then depends on
        the machine's speed (the others are listed in :attr:`skipped`). ``"every"`` and None:
        every call, whatever it costs (use it for figures that need every epoch). An iterable:
        those epochs (see :func:`infolens.infoplane.resolve_schedule` for the papers'
        schedules), thinned only if ``max_overhead`` is given.
    store : PlaneStore or None, default=None
        Where records stream to (SQLite). Epochs already in the store are skipped.
    run_id, seed : str, int
        Keys of the records.
    activations_dir : path or None, default=None
        If given, every capture is also saved there (``epoch_00012.npz``) for post-hoc estimators.
    rng : int, numpy.random.Generator or None, default=0
        Passed to every ``estimate`` call (randomised estimators such as
        :class:`~infolens.infoplane.KNNEntropy`); an int makes resumed runs equal fresh ones.
    progress : callable or None, default=None
        Receives :class:`~infolens.infoplane.progress.Progress` events: ``"training"`` at every
        :meth:`step` (``done`` = epochs so far of ``n_epochs``), ``"estimating"`` per estimator
        of a capture, and notes (what a resumed run skips, the first call's compilation).
    n_epochs : int or None, default=None
        Length of the training, for the progress total (the ETA).
    max_overhead : float or None, default=None
        If given (or with ``epochs="auto"``, which uses ``AUTO_OVERHEAD``), a scheduled capture
        is skipped (and listed in :attr:`skipped`) when the tracking cost so far
        (:attr:`tracking_seconds`: building this object and all the time spent in
        :meth:`step`) plus the cost of the cheapest capture so far would exceed
        ``max_overhead`` times the training time so far (the time between steps), or
        ``BUDGET_GRACE_S`` if that is more: tracking then adds at most about that fraction to
        the training's wall time, whatever the estimators cost. The first capture always
        runs. It also loads the estimators' compiled kernels (numba: ~0.4 s per process), so
        its cost says little about the next ones: the second runs as soon as the tracking so
        far is within the budget, and the forecast is the cheapest capture after that (an
        overshoot is at most one capture, paid back by the next skips).

    Raises
    ------
    InvalidDataTypeError
        If ``inputs`` is not a tensor.
    InvalidInputError
        If the model fails on the probe set, or a chosen layer is not called or returns no
        tensor: checked by one forward pass of a few probe rows here, before any training.

    Notes
    -----
    Captures run in ``eval()`` mode under ``torch.no_grad()`` and restore the previous mode. Hooks
    hold no reference to the data outside a capture and are removed by :meth:`close` (or on
    leaving a ``with`` block). Non-finite activations do not stop training: the layer gets a record
    with ``status="nonfinite"`` and a :class:`~infolens.exceptions.DegenerateDataWarning`. Nor does
    an estimator that rejects a layer at :meth:`step`: it warns
    (:class:`EstimationFailedWarning`, with the estimator's message naming layer and epoch) and
    records nothing for that estimator and epoch, so a rerun retries it.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        layers: Literal["auto"] | Sequence[str] | Mapping[str, str] = "auto",
        inputs: torch.Tensor,
        labels: Any,
        estimators: Literal["auto"] | Sequence[LayerEstimator] = "auto",
        epochs: Literal["auto", "every"] | Iterable[int] | None = "auto",
        store: PlaneStore | None = None,
        run_id: str = "run",
        seed: int = 0,
        activations_dir: str | Path | None = None,
        rng: RNGLike = 0,
        progress: ProgressCallback | None = None,
        n_epochs: int | None = None,
        max_overhead: float | None = None,
    ) -> None:
        built = time.perf_counter()
        if not isinstance(inputs, torch.Tensor):
            raise InvalidDataTypeError(
                f"inputs must be a torch.Tensor, got {_type_name(inputs)} (convert it with "
                "torch.as_tensor(inputs, dtype=torch.float32))."
            )
        codes = labels_to_codes(
            labels.cpu().numpy() if isinstance(labels, torch.Tensor) else labels
        )
        if len(codes) != len(inputs):
            raise InvalidInputError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{len(inputs)}, {len(codes)}] (probe inputs, labels)"
            )
        self.model, self.inputs, self.labels = model, inputs, codes
        self.epochs = self._schedule(epochs)
        check_rng(rng)
        self.rng = rng
        self.store, self.run_id, self.seed = store, run_id, seed
        self.progress, self.n_epochs = progress, n_epochs
        if max_overhead is not None:
            check_positive_real(max_overhead, name="max_overhead", owner="InformationPlane")
        self.max_overhead = max_overhead
        #: The share of the training time that captures may add (None: no limit).
        self.budget = (
            float(max_overhead)
            if max_overhead is not None
            else AUTO_OVERHEAD
            if isinstance(epochs, str) and epochs == "auto"
            else None
        )
        #: Scheduled epochs skipped to keep within the budget.
        self.skipped: list[int] = []
        self._tracking_s = self._training_s = 0.0
        self._cheapest_capture_s = math.inf
        self._returned: float | None = None
        self.activations_dir = None if activations_dir is None else Path(activations_dir)
        leaves = self._trial_pass()
        self.layer_labels = self._choose_layers(model, layers, leaves)
        self.layers = list(self.layer_labels)
        modules = dict(model.named_modules())
        if estimators == "auto":
            widths = {name: self._width(leaves[name]) for name in self.layer_labels}
            last_leaf = {  # whose range a container's output has: its last leaf called
                name: [name]
                + [n for n, leaf in leaves.items() if leaf.is_leaf and n.startswith(name + ".")][
                    -1:
                ]
                for name in self.layer_labels
            }
            wide = (
                compression_estimator(inputs, codes)
                if any(w > NARROW_WIDTH for w in widths.values())
                else None
            )
            self.layer_estimators = {
                label: [default_estimator(modules[last_leaf[name][-1]], widths[name], wide=wide)]
                for name, label in self.layer_labels.items()
            }
        elif isinstance(estimators, str):  # type: ignore[unreachable]
            raise InvalidParameterError(
                f"The 'estimators' parameter of InformationPlane must be 'auto' or a sequence of "
                f"layer estimators. Got {estimators!r} instead."
            )
        else:
            chosen = list(estimators)
            not_estimators = [e for e in chosen if not isinstance(e, LayerEstimator)]
            if not_estimators:
                raise InvalidParameterError(
                    "estimators must be layer estimators (name, version, identity(), estimate()); "
                    f"got {not_estimators[0]!r}."
                )
            self.layer_estimators = dict.fromkeys(self.layer_labels.values(), chosen)
        unique: dict[str, LayerEstimator] = {}
        for per_layer in self.layer_estimators.values():
            unique.update((e.identity(), e) for e in per_layer)
        self.estimators = list(unique.values())
        if self.activations_dir is not None:
            self.activations_dir.mkdir(parents=True, exist_ok=True)
        self._captured: dict[str, object] = {}
        self._capturing = False
        self._warned: set[tuple[str, str]] = set()
        self._steps = self._captures = 0
        self._estimated = False
        self._handles = [
            modules[name].register_forward_hook(self._hook(name)) for name in self.layers
        ]
        self._tracking_s = time.perf_counter() - built  # the trial pass, compressing X, ...

    @staticmethod
    def _schedule(epochs: object) -> set[int] | None:
        if epochs is None or epochs in ("auto", "every"):
            return None
        if isinstance(epochs, str):
            raise InvalidParameterError(
                "The 'epochs' parameter of InformationPlane must be 'auto', 'every', None or an "
                "iterable of epochs (e.g. idnns_epochs(n_epochs) for the log-spaced schedule). "
                f"Got {epochs!r} instead."
            )
        try:
            chosen = list(epochs)  # type: ignore[call-overload]
        except TypeError:
            chosen = None
        if chosen is None or not all(
            isinstance(e, int | np.integer) and not isinstance(e, bool) and e >= 0 for e in chosen
        ):
            raise InvalidParameterError(
                "The 'epochs' parameter of InformationPlane must be 'auto', 'every', None or an "
                f"iterable of ints >= 0. Got {epochs!r} instead."
            )
        return {int(e) for e in chosen}

    # -- layers ---------------------------------------------------------------------------
    def _device(self) -> torch.device:
        parameter = next(iter(self.model.parameters()), None)
        return parameter.device if parameter is not None else self.inputs.device

    def _trial_pass(self) -> dict[str, _Leaf]:
        """Run a few probe rows once with a hook on every module; return what each one did."""
        seen: dict[str, list[object]] = {}
        handles = []
        for name, module in self.model.named_modules():
            if name:

                def record(module: nn.Module, args: Any, output: Any, name: str = name) -> None:
                    seen.setdefault(name, []).append(output)

                handles.append(module.register_forward_hook(record))
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                self.model(self.inputs[:_TRIAL_ROWS].to(self._device()))
        except Exception as err:
            raise InvalidInputError(
                f"The model failed on the probe set (inputs of shape {tuple(self.inputs.shape)}): "
                f"{type(err).__name__}: {err}"
            ) from err
        finally:
            for handle in handles:
                handle.remove()
            self.model.train(was_training)
        modules = dict(self.model.named_modules())
        return {  # in the order the modules return (a container after its children)
            name: _Leaf(
                name,
                modules[name],
                len(outputs),
                outputs[-1],
                not any(True for _ in modules[name].children()),
            )
            for name, outputs in seen.items()
        }

    @staticmethod
    def _width(leaf: _Leaf) -> int:
        output = leaf.output
        return int(np.prod(output.shape[1:])) if isinstance(output, torch.Tensor) else 0

    def _choose_layers(
        self, model: nn.Module, layers: object, leaves: dict[str, _Leaf]
    ) -> dict[str, str]:
        modules = dict(model.named_modules())
        if layers == "auto":
            return self._auto_layers(leaves)
        if isinstance(layers, str):
            raise InvalidParameterError(
                f"The 'layers' parameter of InformationPlane must be 'auto', a sequence of module "
                f"names or a mapping of names to labels. Got {layers!r} instead."
            )
        labels = (
            {str(k): str(v) for k, v in layers.items()}
            if isinstance(layers, Mapping)
            else {str(name): str(name) for name in layers}  # type: ignore[attr-defined]
        )
        unknown = [name for name in labels if name not in modules]
        if unknown or not labels:
            valid = ", ".join(repr(n) for n in modules if n)
            raise InvalidParameterError(
                f"Unknown layer(s) {unknown} (or no layers given). Valid names: {valid}."
            )
        if len(set(labels.values())) != len(labels):
            raise InvalidParameterError(f"The layer labels must be distinct. Got {labels}.")
        self._check_outputs(labels, leaves)
        return labels

    def _check_outputs(self, labels: Mapping[str, str], leaves: dict[str, _Leaf]) -> None:
        """Raise now, before training, for a chosen module that is skipped or returns no tensor."""
        for name in labels:
            leaf = leaves.get(name)
            if leaf is not None and not isinstance(leaf.output, torch.Tensor):
                raise InvalidInputError(self._not_a_tensor(name, leaf.output))
        never = [n for n in labels if n not in leaves]
        if never:
            raise InvalidInputError(
                f"Layer(s) {never} produced no tensor output in the forward pass on the probe "
                "set; choose modules that the forward pass calls and that return a tensor."
            )

    def _not_a_tensor(self, name: str, output: object) -> str:
        module = dict(self.model.named_modules())[name]
        return (
            f"Layer {name!r} ({type(module).__name__}) returns a {_type_name(output)}, not a "
            "torch.Tensor of activations; choose a module that returns a tensor (for one that "
            "returns a tuple, such as nn.LSTM, the module that consumes its output)."
        )

    def _auto_layers(self, called: dict[str, _Leaf]) -> dict[str, str]:
        leaves = {name: leaf for name, leaf in called.items() if leaf.is_leaf}
        usable = [
            leaf
            for leaf in leaves.values()
            if leaf.calls == 1
            and isinstance(leaf.output, torch.Tensor)
            and leaf.output.ndim >= 2
            and not isinstance(leaf.module, _SKIPPED)
        ]
        if not usable:
            raise InvalidInputError(
                "layers='auto' found no module that returns a tensor of activations once per "
                "forward pass; name the layers instead (layers=['fc1', ...])."
            )
        activations = [leaf for leaf in usable if _is_activation(leaf.module)]
        if activations:
            chosen = activations + ([] if _is_activation(usable[-1].module) else [usable[-1]])
        else:  # activations applied functionally: the last leaf of every top-level block
            last: dict[str, _Leaf] = {}
            for leaf in usable:
                last[leaf.name.split(".", 1)[0]] = leaf
            chosen = sorted(last.values(), key=usable.index)
        order = list(leaves)
        labels: dict[str, str] = {}
        for leaf in chosen:
            source = leaf.name
            if _is_activation(leaf.module):  # name it after the module that feeds it
                before = order[: order.index(leaf.name)]
                weighted = [n for n in before if any(True for _ in leaves[n].module.parameters())]
                source = weighted[-1] if weighted else leaf.name
            shape = leaf.output.shape  # type: ignore[attr-defined]
            label = f"{source} ({type(leaf.module).__name__}, {_width_text(shape)})"
            if label in labels.values():
                label = f"{leaf.name} ({type(leaf.module).__name__}, {_width_text(shape)})"
            labels[leaf.name] = label
        return labels

    # -- capture ----------------------------------------------------------------------------
    def _hook(self, name: str) -> Any:
        def hook(module: nn.Module, args: Any, output: Any) -> None:
            if self._capturing:
                self._captured[name] = (
                    output.detach() if isinstance(output, torch.Tensor) else output
                )

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
        """Run the probe set through the model once; return each layer's activations by label."""
        if not self._handles:
            raise RuntimeError("This InformationPlane is closed; create a new one to capture.")
        was_training = self.model.training
        self.model.eval()
        self._capturing = True
        try:
            with torch.no_grad():
                self.model(self.inputs.to(self._device()))
        except Exception as err:
            raise InvalidInputError(
                f"The model failed on the probe set (inputs of shape {tuple(self.inputs.shape)}): "
                f"{type(err).__name__}: {err}"
            ) from err
        finally:
            self._capturing = False
            self.model.train(was_training)
        captured, self._captured = self._captured, {}
        missing = [n for n in self.layers if n not in captured]
        if missing:
            raise InvalidInputError(
                f"Layer(s) {missing} produced no tensor output in the forward pass on the probe "
                "set; choose modules that the forward pass calls and that return a tensor."
            )
        for name in self.layers:
            if not isinstance(captured[name], torch.Tensor):
                raise InvalidInputError(self._not_a_tensor(name, captured[name]))
        return {
            self.layer_labels[n]: captured[n].flatten(1).double().cpu().numpy()  # type: ignore[attr-defined]
            for n in self.layers
        }

    def _say(self, event: Progress | str) -> None:
        if self.progress is not None:
            self.progress(event)

    def _warn_clipping(self, activations: Mapping[str, FloatArray], epoch: int) -> None:
        for label, t in activations.items():
            for estimator in self.layer_estimators[label]:
                bounds = bin_range(estimator)
                key = (label, estimator.identity())
                if bounds is None or key in self._warned:
                    continue
                finite = t[np.isfinite(t)]
                if not finite.size:
                    continue
                outside = float(np.mean((finite < bounds[0]) | (finite > bounds[1])))
                if outside > 0:
                    self._warned.add(key)
                    warnings.warn(
                        f"{type(estimator).__name__} bins cover [{bounds[0]:.3g}, "
                        f"{bounds[1]:.3g}], but {outside:.1%} of the activations of layer "
                        f"{label!r} lie outside (range [{finite.min():.3g}, {finite.max():.3g}] "
                        f"at epoch {epoch}); they are merged into the end bins. Use bins over "
                        "the layer's range (RangeBinning, AdaptiveBinning) or estimators='auto'.",
                        DegenerateDataWarning,
                        stacklevel=3,
                    )

    def _first_step_notes(self, epoch: int) -> None:
        if self.store is not None:
            for estimator in self.estimators:
                done = self.store.done(self.run_id, self.seed, estimator)
                if done:
                    self._say(
                        Progress(
                            "note",
                            "resume",
                            message=f"resuming {self.run_id!r} seed {self.seed}: "
                            f"{len(done)} epoch(s) ({min(done)}-{max(done)}) of "
                            f"{estimator.identity()} are recorded already and are skipped",
                        )
                    )
        if epoch > 0:
            self._say(
                Progress(
                    "note", "resume", message=f"starting at epoch {epoch}: epochs before it skipped"
                )
            )

    def step(self, epoch: int) -> list[PlaneRecord]:
        """Capture and estimate at ``epoch`` if it is scheduled and not yet recorded."""
        start = time.perf_counter()
        if self._returned is not None:
            self._training_s += start - self._returned
        if self._steps == 0:
            self._first_step_notes(epoch)
        self._steps += 1
        self._say(Progress("training", "training", epoch + 1, self.n_epochs))
        records: list[PlaneRecord] = []
        if self.epochs is None or epoch in self.epochs:
            if self._over_budget():
                if not self.skipped:
                    self._say(
                        Progress(
                            "note",
                            "overhead",
                            message=f"budget {self.budget:g} of the training time: epoch {epoch} "
                            f"and others are skipped while tracking ({self._tracking_s:.1f} s so "
                            f"far) exceeds that share of training ({self._training_s:.1f} s)",
                        )
                    )
                self.skipped.append(epoch)
            else:
                captures = self._captures
                records = self._capture_and_estimate(epoch)
                if self._captures > captures:  # not all recorded already: it cost a capture
                    self._cheapest_capture_s = min(
                        self._cheapest_capture_s, time.perf_counter() - start
                    )
        self._returned = time.perf_counter()
        self._tracking_s += self._returned - start
        return records

    def _over_budget(self) -> bool:
        """Return whether one more capture (costing the cheapest so far) would exceed the budget."""
        if self.budget is None or self._captures == 0:
            return False
        forecast = self._tracking_s + (self._cheapest_capture_s if self._captures > 1 else 0.0)
        return forecast > max(self.budget * self._training_s, BUDGET_GRACE_S)

    @property
    def tracking_seconds(self) -> float:
        """Wall time spent building this object and in :meth:`step` so far (all tracking)."""
        return self._tracking_s

    @property
    def training_seconds(self) -> float:
        """Wall time between the calls of :meth:`step` so far (the training)."""
        return self._training_s

    def _capture_and_estimate(self, epoch: int) -> list[PlaneRecord]:
        groups: dict[str, tuple[LayerEstimator, list[str]]] = {}
        for label, per_layer in self.layer_estimators.items():
            for estimator in per_layer:
                groups.setdefault(estimator.identity(), (estimator, []))[1].append(label)
        pending = {
            identity: group
            for identity, group in groups.items()
            if self.store is None or epoch not in self.store.done(self.run_id, self.seed, group[0])
        }
        path = activation_path(self.activations_dir, epoch) if self.activations_dir else None
        save = path is not None and not path.exists()
        if not pending and not save:
            return []
        self._captures += 1
        activations = self.capture()
        if save and path is not None:
            save_activations(path, activations)
        self._warn_clipping(
            {label: activations[label] for _, labels in pending.values() for label in labels},
            epoch,
        )
        index = {label: i for i, label in enumerate(activations)}
        records: list[PlaneRecord] = []
        for done, (identity, (estimator, labels)) in enumerate(pending.items()):
            if not self._estimated:
                self._estimated = True
                self._say(
                    Progress(
                        "note",
                        "compile",
                        message="first estimate: an estimator's first call may compile its "
                        "kernels (numba, torch) and take longer than the later ones",
                    )
                )
            start = time.perf_counter()
            try:
                records += estimate_layers(
                    {label: activations[label] for label in labels},
                    self.labels,
                    [estimator],
                    epoch=epoch,
                    run_id=self.run_id,
                    seed=self.seed,
                    rng=self.rng,
                    layer_index=index,
                )
            except InfolensError as err:  # never lose the training to an estimator
                kept = "are saved" if save else "are not kept (set activations_dir to keep them)"
                warnings.warn(
                    f"{err} Training goes on; nothing is recorded for {identity} at epoch "
                    f"{epoch}, so a later run or estimate_saved retries it (the activations "
                    f"{kept}).",
                    EstimationFailedWarning,
                    stacklevel=2,
                )
            self._say(
                Progress(
                    "estimating",
                    f"epoch {epoch}",
                    done + 1,
                    len(pending),
                    f"{identity} in {time.perf_counter() - start:.2f} s",
                )
            )
        if self.store is not None:
            self.store.add(records)
        return records


__all__ = [
    "AUTO_OVERHEAD",
    "BUDGET_GRACE_S",
    "NARROW_WIDTH",
    "EstimationFailedWarning",
    "InformationPlane",
    "activation_path",
    "activation_range",
    "bin_range",
    "compression_estimator",
    "default_estimator",
    "estimate_layers",
    "estimate_saved",
    "estimator_key",
    "load_activations",
    "save_activations",
    "saved_epochs",
]
