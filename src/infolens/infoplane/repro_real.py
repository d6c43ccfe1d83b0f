"""Information planes of real networks: reproductions R5, R7, R8 and R9 (specs §4, §5, §7).

* ``lossy-mnist`` (R8, Butakov et al. 2024): the paper's small CNN (§4.1) with relative noise
  1e-3 on in evaluation, :class:`~infolens.infoplane.lossy.LossyCompression` every epoch, curves
  smoothed as in the paper (Savitzky–Golay, then a Butterworth ``filtfilt``); plus the estimator
  on synthetic data with known MI.
* ``saxe-mnist`` (R5, Saxe et al. 2018): in-1024-20-20-20-10, tanh vs ReLU, KDE upper bound with
  sigma^2 = 0.1 on the probe set.
* ``noisy`` (R7, Goldfeld et al. 2019): the 12-bit network of Shwartz-Ziv & Tishby with
  N(0, beta^2 I) after every hidden layer in training and evaluation; the full
  sample-propagation estimator; class clustering beside compression.
* ``conditional`` (R9, Kawaguchi et al. 2023): MLPs trained on training sets of several sizes;
  I(X; Z_l | Y) on the training data (sigma by held-out likelihood under monotonicity) beside
  the generalisation gap.

Data: scikit-learn's bundled 8x8 digits by default (reduced size: 1797 images, a fixed
two-thirds / one-third split, the third as the probe set); MNIST when ``data`` is a folder of the
IDX files (:func:`~infolens.infoplane.idx.load_mnist`; the probe set is the first
``probe`` test images). ``noisy`` uses ``var_u.mat`` (``data`` is then its path). Every value is
computed in nats; curves and criteria are in bits, like R1–R6. Seeds run one after the other;
each finished seed is kept in ``OUT/<name>-seed<S>.json`` and reused by a rerun with the same
settings.
"""

import hashlib
import io
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from infolens._typing import FloatArray
from infolens.exceptions import InvalidInputError
from infolens.infoplane._base import LayerInformation
from infolens.infoplane.curves import Curves, compression

_LN2 = math.log(2.0)
#: Sizes: ``tiny`` for the default tests (seconds), ``laptop`` for recorded runs (minutes).
SIZES = ("tiny", "laptop")


@dataclass(frozen=True, kw_only=True)
class RealSettings:
    """Settings of one real-network reproduction at one size (recorded in the summary)."""

    epochs: int
    points: int  # epochs estimated (log-spaced, first and last included)
    learning_rate: float
    batch_size: int = 128
    probe: int = 600  # probe samples (the test set, at most this many)
    train: int = 0  # training samples (0: all)
    extra: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        """Return the extra setting ``key``."""
        return dict(self.extra).get(key, default)


# ----------------------------------------------------------------------------- data


def load_images(data: str | Path | None, settings: RealSettings) -> dict[str, Any]:
    """Return train/probe images ``(n, 1, h, w)`` in [0, 1] and labels; digits or MNIST."""
    if data is None:
        from sklearn.datasets import load_digits

        digits = load_digits()
        x = np.asarray(digits.images, dtype=np.float64) / 16.0
        y = np.asarray(digits.target, dtype=np.intp)
        order = np.random.default_rng(0).permutation(len(x))  # one fixed split for every seed
        n_test = len(x) // 3
        test, train = order[:n_test], order[n_test:]
        source = "scikit-learn digits 8x8 (1797 images; fixed split, 599 probe/test images)"
        x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]
    else:
        from infolens.infoplane.idx import load_mnist

        x_train, y_train = load_mnist(data, "train")
        x_test, y_test = load_mnist(data, "test")
        source = f"MNIST from {data}"
        x_train, x_test = (x_train - 0.1307) / 0.3081, (x_test - 0.1307) / 0.3081
    if settings.train:
        x_train, y_train = x_train[: settings.train], y_train[: settings.train]
    x_test, y_test = x_test[: settings.probe], y_test[: settings.probe]
    return {
        "x_train": x_train[:, None],
        "y_train": y_train,
        "x_test": x_test[:, None],
        "y_test": y_test,
        "source": source + f"; {len(x_train)} training, {len(x_test)} probe (test) images",
    }


def estimation_epochs(epochs: int, points: int) -> list[int]:
    """Log-spaced epochs in ``[0, epochs]`` (0 = before training, ``epochs`` = after it).

    Examples
    --------
    >>> estimation_epochs(100, 5)
    [0, 2, 9, 31, 100]
    """
    grid = np.unique(np.round(np.geomspace(1, epochs + 1, points)).astype(int) - 1)
    return sorted({0, epochs, *(int(g) for g in grid)})


def smooth(values: Sequence[float] | FloatArray) -> list[float]:
    """Smooth a curve as Butakov et al. do: Savitzky–Golay, then a Butterworth ``filtfilt``.

    Savitzky–Golay with window <= 29 and order <= 4, then a second-order Butterworth low-pass
    (cut-off 0.3 of Nyquist) applied forwards and backwards.

    Short curves are returned as they are (fewer than 7 points) or only Savitzky–Golay-filtered.
    """
    from scipy.signal import butter, filtfilt, savgol_filter

    v = np.asarray(values, dtype=float)
    if len(v) < 7:
        return [float(x) for x in v]
    window = min(29, len(v) if len(v) % 2 else len(v) - 1)
    v = savgol_filter(v, window, min(4, window - 2))
    b, a = butter(2, 0.3)
    if len(v) > 3 * max(len(a), len(b)):
        v = filtfilt(b, a, v)
    return [float(x) for x in v]


# ----------------------------------------------------------------------------- models


def _torch() -> Any:
    import torch

    return torch


def relative_noise_module(sigma: float) -> Any:
    """``x + sigma * |x| * N(0, 1)``, on in training **and** evaluation (Butakov et al.'s AGN)."""
    from torch import nn

    class RelativeGaussianNoise(nn.Module):
        def forward(self, x: Any) -> Any:
            torch = _torch()
            return x + sigma * x.detach().abs() * torch.randn_like(x)

    return RelativeGaussianNoise()


def butakov_cnn(side: int, sigma: float = 1e-3) -> tuple[Any, list[str]]:
    """Return the CNN of specs §4.1 for ``side`` x ``side`` inputs and its 5 layer names.

    Three blocks [Dropout 0.1, noise, Conv k3, MaxPool 2, LeakyReLU] with 1->8->16->32 channels
    (``padding="same"`` when the input is smaller than 28 pixels, as the paper's CIFAR variant,
    so that 8x8 digits reach 1x1), then noise, Linear to 32, LeakyReLU, noise, Linear to 10,
    LogSoftmax. Layers tracked: the three blocks' and the 32-unit layer's LeakyReLU and the
    log-probabilities (``act1``-``act4``, ``log_softmax``), labelled by :func:`layer_labels`
    as ``"conv1 (LeakyReLU, 8x4x4)"`` ... ``"fc2 (LogSoftmax, 10)"``.
    """
    from collections import OrderedDict

    from torch import nn

    pad = 1 if side < 28 else 0
    modules: OrderedDict[str, nn.Module] = OrderedDict()
    size, channels = side, 1
    for i, out in enumerate((8, 16, 32), start=1):
        modules[f"dropout{i}"] = nn.Dropout(0.1)
        modules[f"noise{i}"] = relative_noise_module(sigma)
        modules[f"conv{i}"] = nn.Conv2d(channels, out, 3, padding=pad)
        modules[f"pool{i}"] = nn.MaxPool2d(2)
        modules[f"act{i}"] = nn.LeakyReLU()
        size = (size + 2 * pad - 2) // 2
        channels = out
    modules["flatten"] = nn.Flatten()
    modules["noise4"] = relative_noise_module(sigma)
    modules["fc1"] = nn.Linear(channels * size * size, 32)
    modules["act4"] = nn.LeakyReLU()
    modules["noise5"] = relative_noise_module(sigma)
    modules["fc2"] = nn.Linear(32, 10)
    modules["log_softmax"] = nn.LogSoftmax(dim=1)
    return nn.Sequential(modules), ["act1", "act2", "act3", "act4", "log_softmax"]


def saxe_mlp(d_in: int, activation: str) -> tuple[Any, list[str]]:
    """Return ``d_in``-1024-20-20-20-10 (Saxe et al.'s MNIST network) and its 5 layer names.

    Weights are Glorot-uniform and biases zero, as Keras' defaults in Saxe et al.'s notebook.
    Modules ``fc1``-``fc5`` with activations ``act1``-``act4`` and ``softmax`` (the layers).
    """
    from collections import OrderedDict

    from torch import nn

    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[activation]
    widths = (d_in, 1024, 20, 20, 20)
    modules: OrderedDict[str, nn.Module] = OrderedDict(flatten=nn.Flatten())
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=True), start=1):
        modules[f"fc{i}"], modules[f"act{i}"] = nn.Linear(fan_in, fan_out), act()
    modules["fc5"], modules["softmax"] = nn.Linear(20, 10), nn.Softmax(dim=1)
    for layer in modules.values():  # Keras' default (Saxe et al.'s code): Glorot uniform, zero bias
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return nn.Sequential(modules), ["act1", "act2", "act3", "act4", "softmax"]


def layer_labels(model: Any, names: Sequence[str], inputs: Any) -> dict[str, str]:
    """Return the tracker's human label of each named layer (``layers="auto"``).

    E.g. ``{"act1": "fc1 (Tanh, 1024)"}``: the labels of criteria, plots and records alike.

    One forward pass of a few rows of ``inputs`` (in eval mode; the global torch RNG state is
    restored, so a seeded run draws the same numbers as without it). ``names`` must be the
    layers that ``layers="auto"`` finds, in order; anything else is a bug here, raised.
    """
    from infolens.infoplane.tracker import InformationPlane

    torch = _torch()
    with torch.random.fork_rng(devices=[]):
        plane = InformationPlane(
            model, inputs=inputs, labels=np.zeros(len(inputs), dtype=np.intp), estimators=[]
        )
        plane.close()
    found = plane.layer_labels
    if list(found) != list(names):
        raise InvalidInputError(
            f"layers='auto' finds the layers {list(found)} of this model, not {list(names)}."
        )
    return dict(found)


def _capture(
    model: Any, names: Sequence[str] | dict[str, str], inputs: Any
) -> dict[str, FloatArray]:
    """Return the outputs of the named modules on ``inputs`` (eval, no grad) as float64 rows.

    Keyed by name, or by label when ``names`` maps names to labels (:func:`layer_labels`).
    """
    torch = _torch()
    modules = dict(model.named_modules())
    got: dict[str, Any] = {}
    handles = []
    for name in names:

        def hook(module: Any, args: Any, output: Any, name: str = name) -> None:
            if not isinstance(output, torch.Tensor):
                raise InvalidInputError(
                    f"Layer {name!r} ({type(module).__name__}) emits {type(output).__name__}, "
                    "not a tensor of activations; track another module."
                )
            got[name] = output.detach()

        handles.append(modules[name].register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    key = names if isinstance(names, dict) else {name: name for name in names}
    return {key[k]: np.asarray(v.reshape(len(v), -1).double().numpy()) for k, v in got.items()}


def _train_epoch(
    model: Any, optimiser: Any, x: Any, y: Any, batch: int, gen: Any, loss: str
) -> None:
    torch = _torch()
    model.train()
    for rows in torch.split(torch.randperm(len(x), generator=gen), batch):
        out = model(x[rows])
        if loss == "nll_log":  # the model outputs log-probabilities
            value = torch.nn.functional.nll_loss(out, y[rows])
        else:  # probabilities
            value = torch.nn.functional.nll_loss(torch.log(out.clamp_min(1e-30)), y[rows])
        optimiser.zero_grad()
        value.backward()
        optimiser.step()


def _accuracy(model: Any, x: Any, y: Any) -> float:
    torch = _torch()
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


# ----------------------------------------------------------------------------- runs (one seed)

SeedResult = dict[str, Any]  # {"panels": {label: {layer: {epochs, i_xt, i_ty, ...}}}, ...}


def _empty_panel(layers: Sequence[str]) -> dict[str, dict[str, list[float]]]:
    return {layer: {"epochs": [], "i_xt": [], "i_ty": [], "i_xt_given_y": []} for layer in layers}


def _record(panel: dict[str, Any], layer: str, epoch: int, info: Any) -> None:
    values = [info.i_xt, info.i_ty, info.i_xt_given_y]
    if not all(math.isfinite(v) for v in values):
        raise InvalidInputError(f"Layer {layer!r} at epoch {epoch}: non-finite information {info}.")
    row = panel[layer]
    row["epochs"].append(epoch)
    row["i_xt"].append(info.i_xt)
    row["i_ty"].append(info.i_ty)
    row["i_xt_given_y"].append(info.i_xt_given_y)


def _tensors(images: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    torch = _torch()
    return (
        torch.as_tensor(images["x_train"], dtype=torch.float32),
        torch.as_tensor(images["y_train"], dtype=torch.int64),
        torch.as_tensor(images["x_test"], dtype=torch.float32),
        torch.as_tensor(images["y_test"], dtype=torch.int64),
    )


#: The panel of ``lossy-mnist`` (its curves' key in the summary and the report).
LOSSY_PANEL = "CNN, lossy compression v2 (X: 4, layers: PCA 4, k = 5)"


def _information(terms: dict[str, Any]) -> LayerInformation:
    return LayerInformation(terms["i_xt"], terms["i_ty"], terms["i_xt_given_y"])


def run_lossy(settings: RealSettings, seed: int, data: str | Path | None) -> SeedResult:
    """R8 for one seed: train the CNN, estimate every scheduled epoch with lossy compression."""
    from infolens.infoplane.lossy import LossyCompression

    torch = _torch()
    images = load_images(data, settings)
    x_train, y_train, x_test, y_test = _tensors(images)
    torch.manual_seed(seed)
    model, names = butakov_cnn(x_train.shape[-1])
    labels = layer_labels(model, names, x_test)
    layers = list(labels.values())
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    gen = torch.Generator().manual_seed(seed)
    estimator = LossyCompression.from_inputs(
        images["x_test"],
        x_dims=4,
        x_method=settings.get("x_method", "pca"),
        epochs=settings.get("ae_epochs", 200),
        rng=seed,
    )
    panel = _empty_panel(layers)
    diagnostics: dict[str, dict[str, list[Any]]] = {
        layer: {"i_xt_given_y_raw": [], "i_xt_marginal": []} for layer in layers
    }
    schedule = set(estimation_epochs(settings.epochs, settings.points))
    for epoch in range(settings.epochs + 1):
        if epoch in schedule:
            acts = _capture(model, labels, x_test)
            for layer in layers:
                terms = estimator.details(acts[layer], images["y_test"], rng=seed * 100_003 + epoch)
                _record(panel, layer, epoch, _information(terms))
                for key, values in diagnostics[layer].items():
                    values.append(terms[key])
        if epoch < settings.epochs:
            _train_epoch(model, optimiser, x_train, y_train, settings.batch_size, gen, "nll_log")
    synthetic = lossy_synthetic_check(
        settings.get("synthetic_n", 2000),
        seed,
        settings.get("synthetic_grid", (1.0, 2.5, 5.0, 10.0)),
    )
    return {
        "panels": {LOSSY_PANEL: panel},
        "lossy_terms_nats": diagnostics,
        "train_accuracy": _accuracy(model, x_train, y_train),
        "test_accuracy": _accuracy(model, x_test, y_test),
        "synthetic": synthetic,
        "estimator": estimator.config() | {"identity": estimator.identity()},
        "source": images["source"],
    }


def lossy_synthetic_check(
    n: int, seed: int, grid: Sequence[float] = (1.0, 2.5, 5.0, 10.0)
) -> dict[str, float]:
    """Return the lossy estimate (nats) per true MI in ``grid``, on known-MI data.

    A Gaussian latent pair (2+2 dims) is seen through injective linear maps to 64 'pixels'
    (X) and a 32-unit layer (T).
    """
    from infolens.benchmark.samplers.normal import CorrelatedPairs
    from infolens.infoplane.lossy import LossyCompression, compress_inputs

    rng = np.random.default_rng(seed)
    out = {}
    for mi in grid:
        a, b = CorrelatedPairs(dim=2, mi=mi).sample(n, rng)
        x, t = a @ rng.standard_normal((2, 64)), b @ rng.standard_normal((2, 32))
        est = LossyCompression(inputs=compress_inputs(x, 2, method="pca"), layer_dims=2)
        out[repr(float(mi))] = est.estimate(t, np.zeros(n, dtype=np.intp), rng=rng).i_xt
    return out


def run_saxe(settings: RealSettings, seed: int, data: str | Path | None) -> SeedResult:
    """R5 for one seed: tanh and ReLU MLPs, KDE upper bound (sigma^2 = 0.1) on the probe set."""
    from infolens.infoplane.measures import KDEBound

    torch = _torch()
    images = load_images(data, settings)
    x_train, y_train, x_test, y_test = _tensors(images)
    estimator = KDEBound(noise_variance=0.1)
    panels: dict[str, Any] = {}
    accuracy: dict[str, float] = {}
    schedule = set(estimation_epochs(settings.epochs, settings.points))
    for activation in ("tanh", "relu"):
        torch.manual_seed(seed)
        model, names = saxe_mlp(int(np.prod(x_train.shape[1:])), activation)
        labels = layer_labels(model, names, x_test)
        layers = list(labels.values())
        optimiser = torch.optim.SGD(model.parameters(), lr=settings.learning_rate)
        gen = torch.Generator().manual_seed(seed)
        panel = _empty_panel(layers)
        for epoch in range(settings.epochs + 1):
            if epoch in schedule:
                acts = _capture(model, labels, x_test)
                for layer in layers:
                    _record(panel, layer, epoch, estimator.estimate(acts[layer], images["y_test"]))
            if epoch < settings.epochs:
                _train_epoch(model, optimiser, x_train, y_train, settings.batch_size, gen, "prob")
        panels[f"{activation}, KDE upper, noise variance 0.1"] = panel
        accuracy[activation] = _accuracy(model, x_test, y_test)
    return {"panels": panels, "test_accuracy": accuracy, "source": images["source"]}


def run_noisy(settings: RealSettings, seed: int, data: str | Path | None) -> SeedResult:
    """R7 for one seed: the noisy 12-bit tanh network, full SP estimate, class separation.

    Gaussian noise beta follows every hidden layer in training and evaluation; the SP estimate
    uses ``settings.probe`` of the 4096 inputs (all of them at laptop size).
    """
    from infolens.infoplane.noisy import GaussianNoise, class_separation, sample_propagation
    from infolens.infoplane.tishby import TishbyNet, load_var_u

    torch = _torch()
    features, labels = load_var_u(data)
    features = 2.0 * features - 1.0
    order = np.random.default_rng(seed).permutation(len(features))
    n_train = int(round(0.8 * len(features)))
    x_all = torch.as_tensor(features, dtype=torch.float32)
    y_all = torch.as_tensor(labels, dtype=torch.int64)
    x_train, y_train = x_all[order[:n_train]], y_all[order[:n_train]]
    probe = np.sort(np.random.default_rng(0).permutation(len(features))[: settings.probe])
    x_probe, y_probe = x_all[probe], labels[probe]
    gen = torch.Generator().manual_seed(seed)
    model = TishbyNet("tanh", gen)
    label_of = layer_labels(model, model.representation_layers, x_probe)
    hidden = model.representation_layers[:-1]
    beta = float(settings.get("beta", 0.1))
    noise = GaussianNoise(model, hidden, beta, generator=torch.Generator().manual_seed(seed + 1))
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    panel = _empty_panel([label_of[name] for name in hidden])
    separation: dict[str, list[float]] = {label_of[name]: [] for name in hidden}
    schedule = set(estimation_epochs(settings.epochs, settings.points))
    try:
        for epoch in range(settings.epochs + 1):
            if epoch in schedule:
                infos = sample_propagation(
                    model,
                    x_probe,
                    y_probe,
                    noise,
                    n_conditional=settings.get("n_conditional", 8),
                    rng=seed * 100_003 + epoch,
                )
                for name in hidden:
                    _record(panel, label_of[name], epoch, infos[name])
                    separation[label_of[name]].append(
                        class_separation(noise.clean[name].double().numpy(), y_probe)
                    )
            if epoch < settings.epochs:
                _train_epoch(model, optimiser, x_train, y_train, settings.batch_size, gen, "prob")
        accuracy = _accuracy(model, x_all[order[n_train:]], y_all[order[n_train:]])
    finally:
        noise.remove()
    return {
        "panels": {f"tanh, noisy (beta = {beta}), sample propagation": panel},
        "class_separation": separation,
        "test_accuracy": accuracy,
        "source": f"var_u.mat: {len(probe)} of the 4096 inputs (all when 4096), equally likely",
        "h_x_bits": math.log2(len(probe)),
    }


def run_conditional(settings: RealSettings, seed: int, data: str | Path | None) -> SeedResult:
    """R9 for one seed: an MLP per training-set size, I(X;Z_l|Y) and the generalisation gap.

    I(X;Z_l|Y) is computed on ``n_eval`` training samples (the same number for every size,
    since the mixture estimate is capped by ln(samples per class)), with sigma_l by held-out
    likelihood under the monotonicity constraint
    (:func:`~infolens.infoplane.conditional.select_sigmas`).
    """
    from infolens.infoplane.conditional import select_sigmas
    from infolens.infoplane.noisy import mixture_information

    torch = _torch()
    images = load_images(data, replace(settings, train=0))
    x_all, y_all, x_test, y_test = _tensors(images)
    results = []
    for n_train in settings.get("train_sizes", (100, 300, 1000)):
        torch.manual_seed(seed)
        rows = torch.randperm(len(x_all), generator=torch.Generator().manual_seed(seed))[:n_train]
        x_train, y_train = x_all[rows], y_all[rows]
        from collections import OrderedDict

        from torch import nn

        model = nn.Sequential(
            OrderedDict(
                flatten=nn.Flatten(),
                fc1=nn.Linear(int(np.prod(x_all.shape[1:])), 128),
                act1=nn.ReLU(),
                fc2=nn.Linear(128, 64),
                act2=nn.ReLU(),
                fc3=nn.Linear(64, 10),
                softmax=nn.Softmax(dim=1),
            )
        )
        labels = layer_labels(model, ["act1", "act2", "softmax"], x_train)
        layers = list(labels.values())
        optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
        gen = torch.Generator().manual_seed(seed)
        for _ in range(settings.epochs):
            _train_epoch(model, optimiser, x_train, y_train, settings.batch_size, gen, "prob")
        n_eval = int(settings.get("n_eval", min(settings.get("train_sizes", (100,)))))
        acts = _capture(model, labels, x_train[:n_eval])  # the same count for every size
        y = y_train[:n_eval].numpy().astype(np.intp)
        picks = select_sigmas(acts, y)
        info = {
            layer: mixture_information(acts[layer], y, picks[layer]["sigma"], rng=seed)
            for layer in layers
        }
        train_acc, test_acc = _accuracy(model, x_train, y_train), _accuracy(model, x_test, y_test)
        results.append(
            {
                "n_train": int(n_train),
                "train_accuracy": train_acc,
                "test_accuracy": test_acc,
                "gap": train_acc - test_acc,
                "sigma": {k: v["sigma"] for k, v in picks.items()},
                "i_xz_bits": {k: v["i_xz"] / _LN2 for k, v in picks.items()},
                "i_xz_given_y_bits": {k: v.i_xt_given_y / _LN2 for k, v in info.items()},
            }
        )
    return {"panels": {}, "configs": results, "source": images["source"]}


# ----------------------------------------------------------------------------- aggregation


def seed_curves(results: Sequence[SeedResult], label: str) -> dict[str, Curves]:
    """Seed mean and sd per layer and epoch, in bits (the Curves of R1–R6)."""
    layers = list(results[0]["panels"][label])
    curves: dict[str, Curves] = {}
    for layer in layers:
        rows = [r["panels"][label][layer] for r in results]
        epochs = rows[0]["epochs"]
        xt = np.array([row["i_xt"] for row in rows]) / _LN2
        ty = np.array([row["i_ty"] for row in rows]) / _LN2
        curves[layer] = {
            "epochs": np.asarray(epochs),
            "i_xt": xt.mean(axis=0),
            "i_xt_sd": xt.std(axis=0),
            "i_ty": ty.mean(axis=0),
            "i_ty_sd": ty.std(axis=0),
            "n_seeds": len(rows),
            "units": "bits",
        }
    return curves


def _lossy_criteria(
    panels: dict[str, dict[str, Curves]], results: Sequence[SeedResult]
) -> dict[str, Any]:
    curves = next(iter(panels.values()))
    finite = all(
        np.all(np.isfinite(c["i_xt"])) and np.all(np.isfinite(c["i_ty"])) for c in curves.values()
    )
    n_epochs = {layer: len(c["epochs"]) for layer, c in curves.items()}
    out_layer = list(curves)[-1]
    smoothed_ty = smooth(curves[out_layer]["i_ty"])
    synthetic = {
        k: float(np.mean([r["synthetic"][k] for r in results])) for k in results[0]["synthetic"]
    }
    within = {
        k: abs(v - float(k)) <= 0.15 + 0.12 * float(k)
        for k, v in synthetic.items()
        if float(k) <= 5
    }
    ordered = [synthetic[k] for k in sorted(synthetic, key=float)]
    return {
        "synthetic: estimate tracks the truth (|error| <= 0.15 + 0.12 truth up to 5 nats, "
        "increasing to 10 nats)": {
            "estimates_nats": synthetic,
            "pass": all(within.values()) and bool(np.all(np.diff(ordered) > 0)),
        },
        "per-epoch curves for 5 layers, all finite": {
            "epochs_per_layer": n_epochs,
            "pass": bool(finite and len(curves) == 5 and min(n_epochs.values()) >= 2),
        },
        "output layer fits: smoothed I(T;Y) rises by >= 0.5 bit": {
            "first_bits": smoothed_ty[0],
            "last_bits": smoothed_ty[-1],
            "pass": smoothed_ty[-1] - smoothed_ty[0] >= 0.5,
        },
        "data processing: I(X;T) >= I(T;Y) in every layer, epoch and seed": _lossy_dpi(results),
    }


def _lossy_dpi(results: Sequence[SeedResult]) -> dict[str, Any]:
    """Check I(X;T) >= I(T;Y) everywhere; count clipped conditional terms and v1's breaches.

    True by construction of LossyCompression v2 (a bug fails it).
    """
    margins: list[float] = []
    clipped: dict[str, int] = {}
    broken: dict[str, int] = {}
    total = 0
    for result in results:
        for layer, row in result["panels"][LOSSY_PANEL].items():
            margins += [a - b for a, b in zip(row["i_xt"], row["i_ty"], strict=True)]
            terms = result["lossy_terms_nats"][layer]
            raw, marginal = terms["i_xt_given_y_raw"], terms["i_xt_marginal"]
            clipped[layer] = clipped.get(layer, 0) + sum(v < 0 for v in raw)
            broken[layer] = broken.get(layer, 0) + sum(
                m < ty for m, ty in zip(marginal, row["i_ty"], strict=True)
            )
            total += len(raw)
    return {
        "min_margin_bits": min(margins) / _LN2,
        "estimates": total,
        "conditional_clipped_to_0": clipped,
        "version_1_below_i_ty": broken,
        "pass": min(margins) >= 0.0,
    }


def _drops(panel: dict[str, Curves], layers: Sequence[str]) -> dict[str, float]:
    return {layer: compression(panel[layer])["drop"] for layer in layers}


def _saxe_criteria(
    panels: dict[str, dict[str, Curves]], results: Sequence[SeedResult]
) -> dict[str, Any]:
    tanh = panels["tanh, KDE upper, noise variance 0.1"]
    relu = panels["relu, KDE upper, noise variance 0.1"]
    narrow_t, narrow_r = list(tanh)[1:4], list(relu)[1:4]  # the three 20-unit layers
    dt, dr = _drops(tanh, narrow_t), _drops(relu, narrow_r)
    return {
        "tanh: a 20-unit layer compresses late (KDE drop >= 0.5 bit after its peak)": {
            "drop_bits": dt,
            "peak_epochs": {k: compression(tanh[k])["peak_epoch"] for k in narrow_t},
            "pass": max(dt.values()) >= 0.5,
        },
        "ReLU: no 20-unit layer compresses (every drop < 0.5 bit)": {
            "drop_bits": dr,
            "pass": max(dr.values()) < 0.5,
        },
    }


def _noisy_criteria(
    panels: dict[str, dict[str, Curves]], results: Sequence[SeedResult]
) -> dict[str, Any]:
    curves = next(iter(panels.values()))
    h_x = float(results[0]["h_x_bits"])
    highest = max(float(np.max(c["i_xt"])) for c in curves.values())
    all_values = [
        v for r in results for p in r["panels"].values() for c in p.values() for v in c["i_xt"]
    ]
    finite = all(math.isfinite(v) for v in all_values)
    seps = {
        layer: np.mean([r["class_separation"][layer] for r in results], axis=0) for layer in curves
    }
    compressing: dict[str, Any] = {}
    for layer, c in curves.items():
        stats = compression(c)
        if stats["drop"] >= 0.5:
            peak = int(np.argmax(c["i_xt"]))
            compressing[layer] = {
                "drop_bits": stats["drop"],
                "separation_at_peak": float(seps[layer][peak]),
                "separation_at_end": float(seps[layer][-1]),
            }
    return {
        "I(X;T) finite and below H(X) = log2(probe inputs) (every layer, epoch, seed)": {
            "h_x_bits": h_x,
            "max_seed_mean_bits": highest,
            "max_single_bits": max(all_values) / _LN2,
            "pass": finite and max(all_values) / _LN2 < h_x,
        },
        "compression (drop >= 0.5 bit) coincides with class clustering (separation grows)": {
            "compressing_layers": compressing,
            "pass": bool(compressing)
            and all(
                v["separation_at_end"] >= v["separation_at_peak"] for v in compressing.values()
            ),
        },
    }


def _conditional_criteria(
    panels: dict[str, dict[str, Curves]], results: Sequence[SeedResult]
) -> dict[str, Any]:
    configs = [c for r in results for c in r["configs"]]
    values = [v for c in configs for v in c["i_xz_given_y_bits"].values()]
    monotone = all(all(np.diff(list(c["i_xz_bits"].values())) <= 1e-12) for c in configs)
    totals = [sum(c["i_xz_given_y_bits"].values()) for c in configs]
    gaps = [c["gap"] for c in configs]
    from scipy.stats import spearmanr

    rho = float(spearmanr(totals, gaps).statistic) if len(set(gaps)) > 1 else float("nan")
    return {
        "I(X;Z|Y) finite and >= -0.05 bit in every layer, reported with the gap": {
            "per_config": [
                {k: c[k] for k in ("n_train", "gap", "i_xz_given_y_bits", "sigma")} for c in configs
            ],
            "spearman_sum_vs_gap": rho,
            "pass": all(math.isfinite(v) and v >= -0.05 for v in values),
        },
        "sigma selection monotone: I(X;Z_l) never increases with depth": {
            "pass": monotone,
        },
    }


@dataclass(frozen=True)
class RealReproduction:
    """A named real-network reproduction: its runner, criteria and settings per size."""

    name: str
    description: str
    run: Callable[[RealSettings, int, str | Path | None], SeedResult]
    criteria: Callable[[dict[str, dict[str, Curves]], Sequence[SeedResult]], dict[str, Any]]
    sizes: dict[str, RealSettings]


REAL_REPRODUCTIONS: dict[str, RealReproduction] = {
    r.name: r
    for r in (
        RealReproduction(
            "lossy-mnist",
            "R8: Butakov et al., CNN with relative noise 1e-3, lossy-compression estimator",
            run_lossy,
            _lossy_criteria,
            {
                "tiny": RealSettings(
                    epochs=3,
                    points=3,
                    learning_rate=3e-3,
                    probe=300,
                    train=400,
                    extra=(("synthetic_n", 600), ("synthetic_grid", (1.0, 2.5))),
                ),
                "laptop": RealSettings(
                    epochs=100,
                    points=30,
                    learning_rate=1e-3,
                    extra=(("x_method", "autoencoder"), ("ae_epochs", 300)),
                ),
            },
        ),
        RealReproduction(
            "saxe-mnist",
            "R5: Saxe et al., in-1024-20-20-20-10 tanh vs ReLU, KDE upper bound sigma^2 = 0.1",
            run_saxe,
            _saxe_criteria,
            {
                "tiny": RealSettings(epochs=3, points=3, learning_rate=1e-2, probe=200, train=300),
                "laptop": RealSettings(
                    epochs=3000, points=30, learning_rate=1e-2, extra=(("init", "glorot"),)
                ),
            },
        ),
        RealReproduction(
            "noisy",
            "R7: Goldfeld et al., noisy 12-bit tanh network (beta = 0.1), sample propagation",
            run_noisy,
            _noisy_criteria,
            {
                "tiny": RealSettings(
                    epochs=2,
                    points=2,
                    learning_rate=4e-4,
                    batch_size=256,
                    probe=512,
                    extra=(("n_conditional", 4),),
                ),
                "laptop": RealSettings(
                    epochs=1500,
                    points=12,
                    learning_rate=4e-4,
                    batch_size=256,
                    probe=4096,
                    extra=(("n_conditional", 4),),
                ),
            },
        ),
        RealReproduction(
            "conditional",
            "R9: Kawaguchi et al., I(X;Z_l|Y) with held-out sigma beside the generalisation gap",
            run_conditional,
            _conditional_criteria,
            {
                "tiny": RealSettings(
                    epochs=3, points=1, learning_rate=1e-3, extra=(("train_sizes", (60, 200)),)
                ),
                "laptop": RealSettings(
                    epochs=60,
                    points=1,
                    learning_rate=1e-3,
                    extra=(("train_sizes", (100, 200, 400, 800)), ("n_eval", 100)),
                ),
            },
        ),
    )
}


#: Raised when the stored seed results change meaning, so old ones are recomputed, not mixed
#: in (2: the tracker's human layer labels; LossyCompression v2, the chain rule).
RESULT_FORMAT = 2


def _settings_key(settings: RealSettings, data: str | Path | None) -> str:
    text = json.dumps(
        {"settings": asdict(settings), "data": str(data), "format": RESULT_FORMAT},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reproduce_real(
    name: str,
    *,
    size: str = "laptop",
    epochs: int | None = None,
    seeds: int | Sequence[int] = 3,
    out: str | Path | None = None,
    data: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the real-network reproduction ``name`` and return its summary (written to ``out``).

    ``size`` picks the settings (``"tiny"``: seconds, for tests; ``"laptop"``: the recorded
    runs); ``epochs`` overrides their epoch count. Finished seeds are reused on a rerun with
    the same settings; a second process writing into the same ``out`` is refused.
    """
    from infolens._validation import check_choice, check_int
    from infolens.infoplane.reproduce import _locked, _seed_list

    check_choice(name, REAL_REPRODUCTIONS, name="reproduction")
    check_choice(size, SIZES, name="size")
    spec = REAL_REPRODUCTIONS[name]
    settings = spec.sizes[size]
    if epochs is not None:
        check_int(epochs, name="epochs", owner="reproduce", low=1)
        settings = replace(settings, epochs=int(epochs))
    seed_list = _seed_list(seeds)
    if data is not None and name != "noisy" and not Path(data).is_dir():
        raise InvalidInputError(
            f"--data for {name} must be a folder of the MNIST IDX files; {str(data)!r} is not a "
            "folder."
        )
    folder = Path(out) if out is not None else Path("infoplane-" + name)
    folder.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda message: None)
    key = _settings_key(settings, data)
    with _locked(folder / ".lock", wait=False):
        results = []
        seconds = {}
        for seed in seed_list:
            cache = folder / f"{name}-seed{seed}.json"
            if cache.is_file():
                try:
                    stored = json.loads(cache.read_text())
                except (json.JSONDecodeError, UnicodeDecodeError) as err:
                    raise InvalidInputError(
                        f"{cache} is not a seed result written by infolens ({err}); delete it."
                    ) from None
                if isinstance(stored, dict) and stored.get("key") == key:
                    say(f"seed {seed}: reusing {cache.name}")
                    results.append(stored["result"])
                    seconds[seed] = stored.get("seconds", 0.0)
                    continue
            say(f"seed {seed}: training and estimating ({settings.epochs} epochs)")
            start = time.perf_counter()
            torch = _torch()
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                result = spec.run(settings, seed, data)
            finally:
                torch.set_num_threads(threads)
            seconds[seed] = time.perf_counter() - start
            tmp = cache.with_suffix(".tmp")
            tmp.write_text(json.dumps({"key": key, "result": result, "seconds": seconds[seed]}))
            tmp.replace(cache)
            results.append(result)
        panels = {label: seed_curves(results, label) for label in results[0]["panels"]}
        checks = spec.criteria(panels, results)
        summary = {
            "reproduction": name,
            "description": spec.description,
            "size": size,
            "settings": asdict(settings),
            "epochs": settings.epochs,
            "seeds": seeds if isinstance(seeds, int) else seed_list,
            "passed": all(c["pass"] for c in checks.values()),
            "criteria": checks,
            "seconds_per_seed": seconds,
            "samples": results[0]["source"],
            "estimators": {label: {"estimator": label} for label in panels},
            "curves_bits": {
                label: {
                    layer: {
                        "epochs": c["epochs"].tolist(),
                        "i_xt": c["i_xt"].tolist(),
                        "i_ty": c["i_ty"].tolist(),
                        **(
                            {"i_xt_smoothed": smooth(c["i_xt"]), "i_ty_smoothed": smooth(c["i_ty"])}
                            if name == "lossy-mnist"
                            else {}
                        ),
                    }
                    for layer, c in curves.items()
                }
                for label, curves in panels.items()
            },
            "per_seed": [
                {
                    k: v
                    for k, v in r.items()
                    if k not in ("panels", "class_separation", "lossy_terms_nats")
                }
                for r in results
            ],
        }
        (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
        if panels:
            from infolens.infoplane.report import write_report

            write_report(folder, spec.description, panels, summary)
        elif name == "conditional":
            write_gap_report(folder, summary)
        say(f"wrote {folder / 'summary.json'}")
        return summary


def write_gap_report(folder: Path, summary: dict[str, Any]) -> Path:
    """Write ``gap.png`` and ``report.html`` for ``conditional``: I(X;Z|Y) beside the gap.

    Left: the sum over layers of I(X;Z_l|Y) against the generalisation gap, one point per
    training size and seed; right: each layer's I(X;Z_l|Y) against the training-set size (seed
    mean). Both in bits; the criteria table as in every report.
    """
    import base64
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from infolens.infoplane.report import render_report

    configs = [c for r in summary["per_seed"] for c in r["configs"]]
    sizes = sorted({c["n_train"] for c in configs})
    layers = list(configs[0]["i_xz_given_y_bits"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for size, colour in zip(sizes, plt.cm.viridis(np.linspace(0, 0.9, len(sizes))), strict=True):
        mine = [c for c in configs if c["n_train"] == size]
        left.scatter(
            [c["gap"] for c in mine],
            [sum(c["i_xz_given_y_bits"].values()) for c in mine],
            color=colour,
            label=f"{size} training images",
        )
    left.set(xlabel="generalisation gap (train - test accuracy)", ylabel="sum_l I(X;Z_l|Y) [bits]")
    left.legend(fontsize=8)
    for layer in layers:
        means = [
            np.mean([c["i_xz_given_y_bits"][layer] for c in configs if c["n_train"] == size])
            for size in sizes
        ]
        right.plot(sizes, means, marker="o", label=layer)
    right.set(xscale="log", xlabel="training images", ylabel="I(X;Z_l|Y) [bits]")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "gap.png", dpi=110)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    seeds = summary["seeds"]
    intro = (
        f"<p>{summary['epochs']} epochs, {seeds if isinstance(seeds, int) else len(seeds)} "
        f"seed(s); {html.escape(str(summary['samples']))}. I(X;Z_l|Y) in bits on the same "
        "number of training images for every size, sigma per layer by held-out likelihood "
        "under monotonicity (docs/infoplane_real.md).</p>"
        f'<img alt="I(X;Z|Y) and the generalisation gap" '
        f'src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'
    )
    path = folder / "report.html"
    path.write_text(
        render_report(summary["description"], {}, criteria=summary["criteria"], intro=intro)
    )
    return path


def available_real() -> list[str]:
    """Names of the real-network reproductions."""
    return sorted(REAL_REPRODUCTIONS)


__all__ = [
    "REAL_REPRODUCTIONS",
    "RealReproduction",
    "RealSettings",
    "available_real",
    "butakov_cnn",
    "estimation_epochs",
    "load_images",
    "lossy_synthetic_check",
    "reproduce_real",
    "saxe_mlp",
    "smooth",
    "write_gap_report",
]
