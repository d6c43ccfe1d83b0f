"""The 12-bit task of Shwartz-Ziv & Tishby (2017): data, network and a resumable training run."""

import dataclasses
import hashlib
import pickle
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from infolens._typing import FloatArray, IntArray
from infolens._validation import check_choice
from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane.tracker import InformationPlane

VAR_U_SHA256 = "0ba9551878a855396a8de0cbaae620788ede1e7b1eb2b8373bbe017d5ea02036"
#: Where var_u.mat is looked for by default: ``../shared/data`` beside the working directory, then
#: beside this source tree (editable installs).
DEFAULT_DATA_CANDIDATES = (
    Path("..") / "shared" / "data" / "var_u.mat",
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "var_u.mat",
)
WIDTHS = (12, 10, 7, 5, 4, 3, 2)
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU}


def load_var_u(path: str | Path | None = None) -> tuple[FloatArray, IntArray]:
    """Load ``var_u.mat``: inputs ``F`` (4096, 12) as float32 and labels ``y`` (4096,) as int.

    The file is research data of Shwartz-Ziv & Tishby (github.com/ravidziv/IDNNs, data/var_u.mat,
    non-commercial licence); infolens does not ship it. Its SHA-256 is checked.
    """
    if path is None:
        found = [p for p in DEFAULT_DATA_CANDIDATES if p.is_file()]
        file = found[0] if found else DEFAULT_DATA_CANDIDATES[0]
    else:
        file = Path(path)
    if not file.is_file():
        raise InvalidInputError(
            f"The 12-bit dataset was not found at {str(file)!r}. Get var_u.mat from "
            "https://github.com/ravidziv/IDNNs (data/var_u.mat) and pass its path with --data."
        )
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if digest != VAR_U_SHA256:
        raise InvalidInputError(
            f"{file} is not the expected var_u.mat (SHA-256 {digest[:12]}..., expected "
            f"{VAR_U_SHA256[:12]}...)."
        )
    from scipy.io import loadmat

    mat = loadmat(str(file))
    return mat["F"].astype(np.float64), mat["y"].reshape(-1).astype(np.intp)


class TishbyNet(nn.Sequential):
    """12-10-7-5-4-3-2 fully connected network with a softmax output (hooks: the activations)."""

    def __init__(self, activation: str, generator: torch.Generator) -> None:
        layers: list[nn.Module] = []
        for i, (fan_in, fan_out) in enumerate(zip(WIDTHS[:-1], WIDTHS[1:], strict=True)):
            linear = nn.Linear(fan_in, fan_out)
            nn.init.trunc_normal_(
                linear.weight,
                std=fan_in**-0.5,
                a=-2 * fan_in**-0.5,
                b=2 * fan_in**-0.5,
                generator=generator,
            )
            nn.init.zeros_(linear.bias)
            last = i == len(WIDTHS) - 2
            layers += [linear, nn.Softmax(dim=1) if last else ACTIVATIONS[activation]()]
        super().__init__(*layers)

    @property
    def representation_layers(self) -> list[str]:
        """Names of the modules whose outputs are the layers T_1..T_6."""
        return [str(i) for i in range(1, len(self), 2)]


def layer_labels(activation: str) -> dict[str, str]:
    """Return the human label of each layer T_1..T_6, keyed by its module name.

    E.g. ``{"1": "T1 (Tanh, 10)", ..., "11": "T6 (Softmax, 2)"}``, in the tracker's
    ``"name (Activation, width)"`` form: what criteria, plots and reports show. The records
    and saved activations stay keyed by module name, so earlier runs resume unchanged.
    """
    check_choice(activation, ACTIVATIONS, name="activation")
    kinds = [ACTIVATIONS[activation].__name__] * (len(WIDTHS) - 2) + ["Softmax"]
    return {
        str(2 * i + 1): f"T{i + 1} ({kind}, {width})"
        for i, (kind, width) in enumerate(zip(kinds, WIDTHS[1:], strict=True))
    }


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    """Settings of one run (the IDNNs/ibsgd code-level settings by default).

    ``inputs="signed"`` feeds the 12 bits as -1/+1, ``"binary"`` as 0/1 (what IDNNs' code
    does). With 0/1 inputs the layers start less saturated and the fitting phase of the narrow
    layers lasts ~500 epochs instead of ~25; the reference numbers of our reproduction spec
    (epoch-0 I(X;T) of 10.8 / 8.0 / 2.7 bits in the last three layers, peaks near epoch 25)
    are matched by -1/+1 inputs, hence the default. The choice is recorded in every summary.
    """

    activation: str = "tanh"
    inputs: str = "signed"
    epochs: int = 10_000
    learning_rate: float = 4e-4
    batch_size: int = 256
    train_fraction: float = 0.8
    checkpoint_every: int = 200

    def __post_init__(self) -> None:
        if self.inputs not in ("signed", "binary"):
            raise InvalidParameterError(
                f"Unknown inputs {self.inputs!r}. Available: 'binary', 'signed'."
            )
        if self.activation not in ACTIVATIONS:
            raise InvalidParameterError(
                f"Unknown activation {self.activation!r}. Available: "
                f"{', '.join(repr(a) for a in sorted(ACTIVATIONS))}."
            )


def _save_checkpoint(path: Path, state: dict[str, object]) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def _load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint with ``weights_only=True`` (never arbitrary pickles); clear errors."""
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickle protocols
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(path, weights_only=True)
        if not isinstance(state, dict) or not {"model", "optimizer", "epoch"} <= set(state):
            raise ValueError("not a dict with model, optimizer and epoch")
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as err:
        why = " ".join(str(err).split())[:160]
        raise InvalidInputError(
            f"{path} is not a training checkpoint written by infolens ({type(err).__name__}: "
            f"{why}). Delete it to train that seed from the start, or use another output folder."
        ) from None
    return state


def train(
    config: TrainingConfig,
    *,
    seed: int,
    run_dir: str | Path,
    plane_factory: Callable[[TishbyNet, torch.Tensor, IntArray], InformationPlane],
    data: str | Path | None = None,
    capture: str = "before",
) -> dict[str, float]:
    """Train one seed, calling ``plane.step(epoch)`` at every epoch; resumable after a kill.

    The model, optimiser, epoch and generator state are checkpointed atomically every
    ``checkpoint_every`` epochs in ``run_dir/checkpoint.pt`` (loaded with ``weights_only=True``);
    a rerun continues from there and the plane skips epochs it has recorded already.
    ``capture="before"`` measures each epoch before its updates (IDNNs), ``"after"`` after them.

    Returns
    -------
    dict
        Final train and test accuracy and the wall time of this call.
    """
    if capture not in ("before", "after"):
        raise InvalidParameterError(f"capture must be 'before' or 'after'; got {capture!r}.")
    start_time = time.perf_counter()
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    features, labels = load_var_u(data)
    if config.inputs == "signed":
        features = 2.0 * features - 1.0
    order = np.random.default_rng(seed).permutation(len(features))
    n_train = int(round(config.train_fraction * len(features)))
    x_all = torch.from_numpy(features.astype(np.float32))
    y_all = torch.from_numpy(labels.astype(np.int64))
    x_train, y_train = x_all[order[:n_train]], y_all[order[:n_train]]
    x_test, y_test = x_all[order[n_train:]], y_all[order[n_train:]]
    generator = torch.Generator().manual_seed(seed)
    model = TishbyNet(config.activation, generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate, fused=True)
    checkpoint = run / "checkpoint.pt"
    first_epoch = 0
    settings = dataclasses.asdict(config)
    if checkpoint.exists():
        state = _load_checkpoint(checkpoint)
        if state.get("config") != {k: v for k, v in settings.items() if k != "checkpoint_every"}:
            raise InvalidInputError(
                f"{checkpoint} belongs to a run with other settings ({state.get('config')}); "
                "use another output folder to train with these settings."
            )
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        generator.set_state(state["generator"])
        first_epoch = int(state["epoch"]) + 1
    with plane_factory(model, x_all, labels) as plane:
        for epoch in range(first_epoch, config.epochs):
            if capture == "before":
                plane.step(epoch)
            model.train()
            permutation = torch.randperm(n_train, generator=generator)
            for batch in torch.split(permutation, config.batch_size):
                probabilities = model(x_train[batch])
                loss = (
                    -torch.log(probabilities.clamp_min(1e-30))
                    .gather(1, y_train[batch, None])
                    .mean()
                )
                optimizer.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimizer.step()
            if capture == "after":
                plane.step(epoch)
            if (epoch + 1) % config.checkpoint_every == 0 or epoch + 1 == config.epochs:
                _save_checkpoint(
                    checkpoint,
                    {
                        "model": model.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "generator": generator.get_state(),
                        "epoch": epoch,
                        "config": {k: v for k, v in settings.items() if k != "checkpoint_every"},
                    },
                )
    model.eval()
    with torch.no_grad():
        train_acc = float((model(x_train).argmax(1) == y_train).float().mean())
        test_acc = float((model(x_test).argmax(1) == y_test).float().mean())
    return {
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
        "seconds": time.perf_counter() - start_time,
    }
