"""Neural estimators of mutual information: train a critic on one split, evaluate on the other.

One algorithm, many bounds: :class:`NeuralEstimator` takes a :class:`Bound` record, or the name
of one in :data:`BOUNDS` (see :mod:`~infolens.estimators.neural._bound` for the table), and never
branches on it. The named methods of the registry (``"infonce"``, ``"nwj"``, ...) are presets
``NeuralEstimator(bound=name)``. The old per-bound classes (:class:`InfoNCEEstimator`, ...)
remain as deprecated aliases.
"""

import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, Final, final

import numpy as np
import torch

from infolens._preprocess import standardize
from infolens._typing import ArrayLike, RNGLike
from infolens._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_int,
    check_positive_real,
    check_rng,
)
from infolens.estimators._base import Estimate, Estimator
from infolens.estimators.neural._bound import BOUNDS, Bound
from infolens.exceptions import (
    BoundSaturationWarning,
    InvalidParameterError,
    TrainingDivergedError,
    TrainingDivergedWarning,
)

__all__ = [
    "BOUNDS",
    "Bound",
    "CLUBEstimator",
    "DVEstimator",
    "InfoNCEEstimator",
    "JSEstimator",
    "MINEEstimator",
    "NWJEstimator",
    "NeuralEstimator",
    "SMILEEstimator",
    "WDMEstimator",
]

#: An estimate within this fraction of a capped bound's ceiling is flagged (and warned about).
SATURATION_MARGIN: Final = 0.05
_DEVICE_PATTERN: Final = re.compile(r"auto|cpu|cuda(:\d+)?")


def _check_clip(clip: object, owner: str) -> None:
    if clip != math.inf:
        check_positive_real(clip, name="clip", owner=owner)


def _check_ema_decay(decay: object, owner: str) -> None:
    if isinstance(decay, bool) or not isinstance(decay, int | float) or not 0.0 <= decay < 1.0:
        raise InvalidParameterError(
            f"The 'ema_decay' parameter of {owner} must be a float in the range [0, 1). "
            f"Got {decay!r} instead."
        )


def _check_ema_bias_correction(value: object, owner: str) -> None:
    if not isinstance(value, bool):
        raise InvalidParameterError(
            f"The 'ema_bias_correction' parameter of {owner} must be a bool. Got {value!r} instead."
        )


#: The parameters a bound may read (``Bound.options``), each with its check.
_OPTION_CHECKS: Final[dict[str, Callable[[object, str], None]]] = {
    "clip": _check_clip,
    "ema_decay": _check_ema_decay,
    "ema_bias_correction": _check_ema_bias_correction,
}


def _resolve_bound(bound: object) -> Bound:
    if isinstance(bound, Bound):
        return bound
    return BOUNDS[check_choice(bound, BOUNDS, name="bound")]


@final
@dataclass(frozen=True, kw_only=True)
class NeuralEstimator(Estimator):
    """Neural estimator of I(X; Y) with a variational bound: a name or a :class:`Bound` record.

    Parameters
    ----------
    bound : str or Bound, default="infonce"
        The bound to train and report: one of ``"club"``, ``"dv"``, ``"infonce"``, ``"js"``,
        ``"mine"``, ``"nwj"``, ``"smile"``, ``"wdm"`` (:data:`BOUNDS`, see Notes), or a
        :class:`Bound` record of your own.
    critic : str, default="auto"
        The critic (:mod:`~infolens.estimators.neural.critics`), one of the bound's critics:
        ``"separable"`` (the default of the score bounds), ``"bilinear"`` or ``"concat"``;
        ``club`` takes only ``"gaussian"`` (a Gaussian ``q(y | x)``) and ``wdm`` only
        ``"concat"`` (made 1-Lipschitz). ``"auto"`` is the bound's default.
    hidden : tuple of int, default=(64, 64)
        Hidden widths of the MLP bodies.
    embed_dim : int, default=16
        Embedding size of the separable and bilinear critics.
    batch_size : int or None, default=None
        Mini-batch size (at least 2, at most the training split); None is the bound's default:
        256, and 64 for ``wdm``.
    max_steps : int, default=3000
        Maximum number of optimiser steps.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    test_fraction : float, default=0.5
        Fraction of the samples held out to evaluate the bound.
    eval_every : int, default=25
        Steps between held-out evaluations.
    patience : int, default=10
        Evaluations without improvement before stopping early.
    standardize : bool, default=True
        Centre each column and scale it to unit variance first.
    device : {"auto", "cpu", "cuda", "cuda:<index>"}, default="auto"
        Where to train; ``"auto"`` is CUDA when available.
    verbose : bool, default=True
        Show a progress bar (rich, on stderr).
    n_threads : int or None, default=1
        CPU threads torch may use during training (restored afterwards); one is fastest for
        these small critics. None leaves torch's setting unchanged.
    clip : float or None, default=None
        SMILE's clipping threshold tau (``smile`` only; None is 5.0, ``math.inf`` is DV).
    ema_decay : float or None, default=None
        MINE's moving-average decay in [0, 1) (``mine`` only; None is 0.9).
    ema_bias_correction : bool or None, default=None
        Divide MINE's moving average by ``1 - ema_decay**t`` (``mine`` only; None is True).

    Notes
    -----
    **Procedure.** The samples are shuffled and split once: ``1 - test_fraction`` of them train
    the critic with Adam on mini-batches of ``batch_size`` (reshuffled every epoch), the rest are
    held out. Every ``eval_every`` steps (and before training) the bound is evaluated on the
    held-out split, cut into ``max(1, n_test // batch_size)`` near-equal batches and averaged
    over them, so the InfoNCE ceiling is ``log`` of the test batch size (about
    ``log batch_size``), the same as in training. Training stops after ``max_steps`` or when the
    held-out value (for ``club``, the held-out likelihood of ``q``) has not improved for
    ``patience`` evaluations; the critic is restored to its best checkpoint and **the estimate
    is that checkpoint's held-out value**. Choosing the best of several held-out values gives a
    small optimistic selection bias (of the order of the value's standard error across
    checkpoints).

    **Bounds.** ``infonce``, ``nwj``, ``dv``, ``smile`` train and report the bound of that name
    (:mod:`~infolens.estimators.neural.bounds`); ``mine`` reports DV and trains with the
    moving-average gradient (decay ``ema_decay``, Adam-style bias correction by default; without
    it the average starts at 0 and inflates the first steps' gradient, as in the bmi code);
    ``js`` trains with the f-GAN Jensen–Shannon objective and reports DV of the trained critic
    (exact at the JS optimum, where the NWJ value of the reference code is low by ``1/e``);
    ``club`` fits a Gaussian ``q(y | x)`` by maximum likelihood and reports the CLUB **upper**
    bound; ``wdm`` is the practical Wasserstein dependency measure (WPC): the InfoNCE objective
    with a 1-Lipschitz concatenated critic made so by exact **spectral normalisation** of every
    layer (no gradient penalty). It reports the InfoNCE value, a lower bound on MI that the
    Lipschitz constraint makes looser, and the Wasserstein objective in
    ``details["wasserstein_dependency"]`` (a distance, not in nats). SMILE's clipped DV is
    biased, not a bound (``details["bound_kind"]`` is ``"other"``).

    **Honesty.** For a bound with a ceiling (``infonce``, ``wdm``), ``details["ceiling"]`` is the
    ceiling and ``details["saturated"]`` is True (with a
    :class:`~infolens.exceptions.BoundSaturationWarning`) when the estimate is within 5 % of it.
    A non-finite training loss ends training: the estimate falls back to the best checkpoint
    before it, with a :class:`~infolens.exceptions.TrainingDivergedWarning`
    (``details["diverged_at_step"]``); if no finite held-out value exists at all,
    :class:`~infolens.exceptions.TrainingDivergedError` is raised.

    **Details.** ``critic`` (the trained ``torch.nn.Module``, in eval mode, for reuse),
    ``learning_curve`` (``{"step", "train", "test"}`` lists: mean training objective since the
    last evaluation and held-out value, nats), ``best_step``, ``n_steps``, ``stopped_early``,
    ``n_train``, ``n_test``, ``test_batch_sizes``, ``held_out_batch_values`` (the reported
    value of each held-out batch at the chosen checkpoint, nats; ``ci=`` builds on it),
    ``device``, ``bound`` (its name),
    ``bound_kind`` (``"lower"``, ``"upper"`` or ``"other"``) and the bound's diagnostics.
    ``Estimate.method`` is the bound's name; ``Estimate.params`` holds the parameters as used
    (``bound`` by name, ``batch_size`` resolved, and only the options the bound reads).

    **Randomness.** ``rng`` seeds one :class:`torch.Generator` used for the split, the initial
    weights and the batches; the global torch seed is never touched, so the same ``rng`` gives
    the same number on the CPU (GPU kernels may differ in the last bits).

    Examples
    --------
    >>> import math, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(1000)
    >>> y = x + rng.standard_normal(1000)
    >>> est = NeuralEstimator(bound="infonce", hidden=(16,), batch_size=100, max_steps=200,
    ...                       verbose=False).mutual_information(x, y, rng=0)
    >>> est.method, 0.1 < est.value < math.log(2) / 2 + 0.05  # truth ln(2)/2 = 0.347 nats
    ('infonce', True)
    """

    name: ClassVar[str] = "neural"
    bound: str | Bound = "infonce"
    critic: str = "auto"
    hidden: tuple[int, ...] = (64, 64)
    embed_dim: int = 16
    batch_size: int | None = None
    max_steps: int = 3000
    learning_rate: float = 1e-3
    test_fraction: float = 0.5
    eval_every: int = 25
    patience: int = 10
    standardize: bool = True
    device: str = "auto"
    verbose: bool = True
    n_threads: int | None = 1
    clip: float | None = None
    ema_decay: float | None = None
    ema_bias_correction: bool | None = None

    # -- validation ----------------------------------------------------------------------------

    def __post_init__(self) -> None:
        owner = type(self).__name__
        record = _resolve_bound(self.bound)
        allowed = ("auto", *sorted(record.critics))
        known = {c for b in (*BOUNDS.values(), record) for c in b.critics}  # some bound's critic
        if self.critic in known and self.critic not in allowed:
            raise InvalidParameterError(
                f"The 'critic' parameter of {owner} must be one of "
                f"{', '.join(repr(c) for c in allowed)} for the {record.name!r} bound. "
                f"Got {self.critic!r} instead."
            )
        check_choice(self.critic, allowed, name="critic")
        for option in record.options:
            if option not in _OPTION_CHECKS:
                raise InvalidParameterError(
                    f"Bound {record.name!r} reads the option {option!r}, which {owner} does not "
                    f"have (its options: {', '.join(map(repr, _OPTION_CHECKS))}); fix the value "
                    "inside the bound's functions instead."
                )
        for option, check in _OPTION_CHECKS.items():
            value = getattr(self, option)
            if value is None:
                continue
            if option not in record.options:
                takes = ", ".join(map(repr, record.options)) or "none"
                raise InvalidParameterError(
                    f"The {option!r} parameter of {owner} is not used by the {record.name!r} "
                    f"bound (its options: {takes}). Got {value!r} instead."
                )
            check(value, owner)
        if not isinstance(self.hidden, tuple | list) or any(
            isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in self.hidden
        ):
            raise InvalidParameterError(
                f"The 'hidden' parameter of {owner} must be a tuple of ints in the range "
                f"[1, inf). Got {self.hidden!r} instead."
            )
        check_int(self.embed_dim, name="embed_dim", owner=owner)
        if self.batch_size is not None:
            check_int(self.batch_size, name="batch_size", owner=owner, low=2)
        check_int(self.max_steps, name="max_steps", owner=owner)
        check_positive_real(self.learning_rate, name="learning_rate", owner=owner)
        if (
            isinstance(self.test_fraction, bool)
            or not isinstance(self.test_fraction, int | float)
            or not 0.0 < self.test_fraction < 1.0
        ):
            raise InvalidParameterError(
                f"The 'test_fraction' parameter of {owner} must be a float in the range (0, 1). "
                f"Got {self.test_fraction!r} instead."
            )
        if self.n_threads is not None:
            check_int(self.n_threads, name="n_threads", owner=owner)
        check_int(self.eval_every, name="eval_every", owner=owner)
        check_int(self.patience, name="patience", owner=owner)
        if not isinstance(self.device, str) or not _DEVICE_PATTERN.fullmatch(self.device):
            raise InvalidParameterError(
                f"The 'device' parameter of {owner} must be 'auto', 'cpu', 'cuda' or "
                f"'cuda:<index>'. Got {self.device!r} instead."
            )

    # -- what the bound makes of the parameters --------------------------------------------------

    @property
    def _record(self) -> Bound:
        return _resolve_bound(self.bound)

    @property
    def _batch_size(self) -> int:
        return self._record.batch_size if self.batch_size is None else self.batch_size

    def _options(self) -> dict[str, Any]:
        """Return the bound's options, resolved (the parameter if given, else its default)."""
        return {
            name: default if getattr(self, name) is None else getattr(self, name)
            for name, default in self._record.options.items()
        }

    def _params(self) -> dict[str, Any]:
        """Return the parameters as used: the bound by name, only the options it reads."""
        params: dict[str, Any] = {}
        for f in fields(self):
            if f.name not in _OPTION_CHECKS:
                params[f.name] = getattr(self, f.name)
        params.update(bound=self._record.name, batch_size=self._batch_size, **self._options())
        return params

    # -- estimation ----------------------------------------------------------------------------

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Estimate I(X; Y) in nats from paired samples of shape ``(n_samples, dim)``.

        Parameters
        ----------
        x : array-like of shape (n_samples, dim_x) or (n_samples,)
            Samples of X.
        y : array-like of shape (n_samples, dim_y) or (n_samples,)
            Samples of Y, paired with ``x``.
        rng : int, numpy.random.Generator or None, default=None
            Seeds the :class:`torch.Generator` behind the split, the initial weights and the
            batches: the same seed gives the same number on the CPU.

        Returns
        -------
        Estimate
            The bound evaluated on the held-out split, in nats. ``details`` holds the trained
            ``critic``, the ``learning_curve`` and the diagnostics described in the class notes.

        Raises
        ------
        ValueError
            If the data are invalid or the training split is smaller than ``batch_size``.
        TrainingDivergedError
            If no finite held-out value could ever be computed.
        """
        owner = type(self).__name__
        generator = check_rng(rng)
        xa, ya = check_array(x, name="x"), check_array(y, name="y")
        n = check_consistent_length([xa, ya])
        batch_size = self._batch_size
        n_test = int(round(n * self.test_fraction))
        n_train = n - n_test
        if n_train < batch_size or n_test < 2:
            raise InvalidParameterError(
                f"The 'batch_size' parameter of {owner} must be at most the number of training "
                f"samples ({n_train} of {n} with test_fraction={self.test_fraction}), and the "
                f"test split needs at least 2 samples ({n_test}). Got {batch_size!r} "
                "instead."
            )
        if self.standardize:
            xa, ya = standardize(xa), standardize(ya)
        device = _resolve_device(self.device, owner)
        torch_generator = torch.Generator().manual_seed(int(generator.integers(2**63 - 1)))
        run = _Run(self, xa, ya, n_train, device, torch_generator)
        label = f"{self._record.name} ({owner})"
        with _threads(self.n_threads), _progress(self.verbose, self.max_steps, label) as advance:
            run.train(advance)
        return self._finish(run, n)

    def _finish(self, run: "_Run", n: int) -> Estimate:
        record = self._record
        if run.best is None:
            raise TrainingDivergedError(
                f"{type(self).__name__} diverged: no finite held-out {record.name} value was "
                "ever computed. Lower learning_rate or check the scale of the data "
                "(standardize=True)."
            )
        if run.diverged_at is not None:
            _warn(
                TrainingDivergedWarning(
                    f"Training diverged (non-finite loss) at step {run.diverged_at}; the estimate "
                    f"uses the best checkpoint before it (step {run.best.step}). Consider a lower "
                    "learning_rate."
                )
            )
        value = run.best.value
        details: dict[str, Any] = {
            "bound": record.name,
            "bound_kind": record.kind,
            "critic": run.critic,
            "learning_curve": run.curve,
            "best_step": run.best.step,
            "n_steps": run.steps_done,
            "stopped_early": run.stopped_early,
            "diverged_at_step": run.diverged_at,
            "n_train": run.n_train,
            "n_test": run.n_test,
            "test_batch_sizes": run.test_batch_sizes,
            "held_out_batch_values": run.best.batch_values,
            "device": str(run.device),
        }
        details.update(run.best.extra)
        if record.ceiling is not None:
            ceiling = float(np.mean([record.ceiling(size) for size in run.test_batch_sizes]))
            saturated = value >= (1.0 - SATURATION_MARGIN) * ceiling
            details.update(ceiling=ceiling, saturated=saturated)
            if saturated:
                _warn(
                    BoundSaturationWarning(
                        f"The {record.name} estimate {value:.4g} nats is within "
                        f"{SATURATION_MARGIN:.0%} of its ceiling {ceiling:.4g} nats (for "
                        f"held-out batches of {run.test_batch_sizes[0]}): the true mutual "
                        "information may be much larger. Increase batch_size or use another "
                        "bound."
                    )
                )
        estimate = self._estimate(value, n_samples=n, quantity="mutual_information", **details)
        return replace(estimate, method=record.name, params=self._params())


def _warn(warning: Warning) -> None:
    warnings.warn(warning, stacklevel=4)


def _resolve_device(device: str, owner: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"The 'device' parameter of {owner} asks for {device!r}, but CUDA is not available. "
            "Use device='cpu' or 'auto'."
        )
    return torch.device(device)


@contextmanager
def _threads(n_threads: int | None) -> Iterator[None]:
    """Let torch use ``n_threads`` CPU threads inside the block, then restore its setting.

    Small critics train fastest on one thread; with more, torch's thread pool can spin-wait
    (tens of times slower on a loaded 2-core machine). ``None`` leaves torch's setting alone.
    """
    previous = torch.get_num_threads()
    if n_threads is not None:
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def _progress(verbose: bool, total: int, label: str) -> Iterator[Callable[[int, str], None]]:
    """Yield ``advance(steps, text)``: a rich progress bar on stderr, or a no-op."""
    if not verbose:
        yield lambda steps, text: None
        return
    # rich is a core dependency but banned outside infolens.cli by ruff; a progress bar during
    # training is the one other place it is wanted, imported lazily here.
    from rich.console import Console  # noqa: TID251
    from rich.progress import Progress  # noqa: TID251

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(steps: int, text: str) -> None:
            bar.update(task, advance=steps, description=f"{label} {text}")

        yield advance


@dataclass
class _Checkpoint:
    step: int
    monitored: float
    value: float
    state: dict[str, torch.Tensor]
    extra: dict[str, float] = field(default_factory=dict)
    batch_values: list[float] = field(default_factory=list)


class _Run:
    """The mutable state of one training run (private; the estimator itself stays frozen)."""

    def __init__(
        self,
        owner: NeuralEstimator,
        x: np.ndarray[Any, Any],
        y: np.ndarray[Any, Any],
        n_train: int,
        device: torch.device,
        generator: torch.Generator,
    ) -> None:
        self.owner, self.record, self.device, self.generator = (
            owner,
            owner._record,
            device,
            generator,
        )
        self.batch_size = owner._batch_size
        n = len(x)
        order = torch.randperm(n, generator=generator)
        xt = torch.as_tensor(x, dtype=torch.float32)[order].to(device)
        yt = torch.as_tensor(y, dtype=torch.float32)[order].to(device)
        self.n_train, self.n_test = n_train, n - n_train
        self.x_train, self.y_train = xt[:n_train], yt[:n_train]
        chunks = max(1, self.n_test // self.batch_size)
        self.test_batches = list(
            zip(
                torch.tensor_split(xt[n_train:], chunks),
                torch.tensor_split(yt[n_train:], chunks),
                strict=True,
            )
        )
        self.test_batch_sizes = [int(b.shape[0]) for b, _ in self.test_batches]
        critic = owner.critic if owner.critic != "auto" else self.record.default_critic
        factory = self.record.critics[critic]
        hidden = tuple(owner.hidden)
        self.critic = factory(x.shape[1], y.shape[1], hidden, owner.embed_dim, generator)
        self.critic = self.critic.to(device)
        self.optimizer = torch.optim.Adam(self.critic.parameters(), lr=owner.learning_rate)
        self.curve: dict[str, list[float | None]] = {"step": [], "train": [], "test": []}
        self.best: _Checkpoint | None = None
        self.steps_done, self.stopped_early = 0, False
        self.diverged_at: int | None = None
        self.state = self.record.state(owner._options())

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return what the optimiser maximises on a training batch."""
        return self.record.objective(self.record.train_output(self.critic, x, y), self.state)

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float, dict[str, float], list[float]]:
        """Return the held-out means (monitored, reported, extra) and each batch's value."""
        record = self.record
        self.critic.eval()
        monitored: list[float] = []
        reported: list[float] = []
        extra: dict[str, list[float]] = {key: [] for key in record.diagnostics}
        for x, y in self.test_batches:
            if record.monitor is not None:
                monitored.append(float(record.monitor(self.critic, x, y)))
            scores = self.critic(x, y)
            reported.append(float(record.value(scores, self.state)))
            for key, diagnostic in record.diagnostics.items():
                extra[key].append(float(diagnostic(scores)))
        self.critic.train()
        value = float(np.mean(reported))
        means = {key: float(np.mean(values)) for key, values in extra.items()}
        return (float(np.mean(monitored)) if monitored else value), value, means, reported

    def checkpoint(self, step: int, train_value: float | None) -> bool:
        """Evaluate, record the curve, keep the best state; return True to stop early."""
        monitored, value, extra, batch_values = self.evaluate()
        self.curve["step"].append(step)
        self.curve["train"].append(train_value)
        self.curve["test"].append(value)
        if not (math.isfinite(monitored) and math.isfinite(value)):
            return self.best is not None and step - self.best.step >= self._patience_steps()
        if self.best is None or monitored > self.best.monitored:
            state = {k: v.detach().clone() for k, v in self.critic.state_dict().items()}
            self.best = _Checkpoint(step, monitored, value, state, extra, batch_values)
        return step - self.best.step >= self._patience_steps()

    def _patience_steps(self) -> int:
        return self.owner.patience * self.owner.eval_every

    def train(self, advance: Callable[[int, str], None]) -> None:
        owner = self.owner
        batch_size, n_train = self.batch_size, self.n_train
        self.checkpoint(0, None)
        order, position, running = torch.randperm(n_train, generator=self.generator), 0, []
        shown = 0
        for step in range(1, owner.max_steps + 1):
            if position + batch_size > n_train:
                order, position = torch.randperm(n_train, generator=self.generator), 0
            index = order[position : position + batch_size].to(self.device)
            position += batch_size
            objective = self.objective(self.x_train[index], self.y_train[index])
            if not torch.isfinite(objective):
                self.diverged_at = step
                break
            self.optimizer.zero_grad(set_to_none=True)
            (-objective).backward()  # type: ignore[no-untyped-call]
            self.optimizer.step()
            running.append(objective.item())
            self.steps_done = step
            if step % owner.eval_every == 0 or step == owner.max_steps:
                stop = self.checkpoint(step, float(np.mean(running)))
                running = []
                best = self.best.value if self.best is not None else float("nan")
                advance(step - shown, f"held-out {best:.4f} nats")
                shown = step
                if stop and step < owner.max_steps:
                    self.stopped_early = True
                    break
        if self.best is not None:
            self.critic.load_state_dict(self.best.state)
        self.critic.eval()


# -- deprecated aliases: the per-bound classes of earlier versions ---------------------------------


def _deprecated(class_name: str, bound: str) -> Callable[..., NeuralEstimator]:
    message = (
        f"{class_name} is deprecated; use NeuralEstimator(bound={bound!r}) or "
        f"infolens.mutual_information(..., method={bound!r})"
    )

    def make(**params: Any) -> NeuralEstimator:
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return NeuralEstimator(bound=bound, **params)

    make.__name__ = make.__qualname__ = class_name
    make.__doc__ = f"Deprecated: {BOUNDS[bound].summary} Use ``NeuralEstimator(bound={bound!r})``."
    make.name = bound  # type: ignore[attr-defined]
    return make


CLUBEstimator = _deprecated("CLUBEstimator", "club")
DVEstimator = _deprecated("DVEstimator", "dv")
InfoNCEEstimator = _deprecated("InfoNCEEstimator", "infonce")
JSEstimator = _deprecated("JSEstimator", "js")
MINEEstimator = _deprecated("MINEEstimator", "mine")
NWJEstimator = _deprecated("NWJEstimator", "nwj")
SMILEEstimator = _deprecated("SMILEEstimator", "smile")
WDMEstimator = _deprecated("WDMEstimator", "wdm")
