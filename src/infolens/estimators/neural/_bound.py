r"""The bounds a :class:`~infolens.estimators.neural.estimator.NeuralEstimator` trains, as records.

A :class:`Bound` says everything the one training loop needs to know about a bound: what the
optimiser maximises, what is reported on the held-out split, whether it is a lower or an upper
bound, its ceiling, which critics it accepts and any per-run state (such as MINE's moving
average). Adding a bound is one record (and its tests); the estimator never branches on a name.

===========  =====  ==================================  ===========  ===============  =======
name         kind   trained with                        reported     critics          ceiling
===========  =====  ==================================  ===========  ===============  =======
``club``     upper  log-likelihood of ``q(y | x)``      ``club``     gaussian         --
``dv``       lower  ``dv``                              ``dv``       score            --
``infonce``  lower  ``infonce``                         ``infonce``  score            log n
``js``       lower  ``js_fgan``                         ``dv``       score            --
``mine``     lower  ``mine`` (moving-average gradient)  ``dv``       score            --
``nwj``      lower  ``nwj``                             ``nwj``      score            --
``smile``    other  ``smile`` (JS gradient, ``clip``)   ``smile``    score            --
``wdm``      lower  ``infonce``                         ``infonce``  concat (1-Lip.)  log n
===========  =====  ==================================  ===========  ===============  =======

The functions are those of :mod:`~infolens.estimators.neural.bounds`; "score" critics are
``separable`` (the default), ``bilinear`` and ``concat``; ``n`` is the (held-out) batch size.
SMILE's clipped DV is biased, not a bound, hence kind ``other``. WDM also reports the
Wasserstein objective (``details["wasserstein_dependency"]``, a distance, not in nats).

Examples
--------
A new bound is one record (here TUBA, the NWJ bound without its shift of the scores):

>>> from infolens.estimators.neural import bounds
>>> tuba = Bound(name="tuba", summary="TUBA lower bound (NWJ without the shift).",
...              kind="lower", objective=lambda scores, state: bounds.tuba(scores),
...              value=lambda scores, state: bounds.tuba(scores))
>>> tuba.kind, tuba.default_critic, sorted(tuba.critics)
('lower', 'separable', ['bilinear', 'concat', 'separable'])
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal, cast

import torch
from torch import nn

from infolens.estimators.neural import bounds
from infolens.estimators.neural.critics import (
    BilinearCritic,
    ConcatCritic,
    GaussianConditional,
    SeparableCritic,
)
from infolens.exceptions import InvalidParameterError

__all__ = ["BOUNDS", "SCORE_CRITICS", "Bound", "CriticFactory"]

#: ``factory(dim_x, dim_y, hidden, embed_dim, generator)`` builds a critic from ``generator``.
CriticFactory = Callable[[int, int, Sequence[int], int, torch.Generator], nn.Module]
#: ``objective(output, state)``: what the optimiser maximises on a training batch, a 0-d tensor.
Objective = Callable[[torch.Tensor, Any], torch.Tensor]
#: ``output(critic, x, y)``: what a critic produces for a batch (by default its score matrix).
CriticOutput = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
Kind = Literal["lower", "upper", "other"]

KINDS: Final = ("lower", "upper", "other")


def scores(critic: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return the critic's score matrix ``S[i, j] = f(x_i, y_j)`` (the default critic output)."""
    out: torch.Tensor = critic(x, y)
    return out


def log_likelihood(critic: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return ``mean_i log q(y_i | x_i)`` of a variational critic such as CLUB's."""
    method = cast(Callable[[torch.Tensor, torch.Tensor], torch.Tensor], critic.log_likelihood)
    return method(x, y)


#: The critics of the score-based bounds, by name.
SCORE_CRITICS: Final[Mapping[str, CriticFactory]] = MappingProxyType(
    {
        "separable": lambda dx, dy, hidden, embed, g: SeparableCritic(
            dx, dy, hidden, embed, generator=g
        ),
        "bilinear": lambda dx, dy, hidden, embed, g: BilinearCritic(
            dx, dy, hidden, embed, generator=g
        ),
        "concat": lambda dx, dy, hidden, embed, g: ConcatCritic(dx, dy, hidden, generator=g),
    }
)


@dataclass(frozen=True, kw_only=True)
class Bound:
    """A variational bound on mutual information, as the neural estimator trains and reports it.

    Parameters
    ----------
    name : str
        Its name, reported as ``Estimate.method`` and ``details["bound"]``.
    summary : str
        One line describing it.
    kind : {"lower", "upper", "other"}
        Whether the reported value is a lower or an upper bound on I(X; Y), or neither.
    objective : callable
        ``objective(output, state) -> 0-d tensor``, maximised on each training batch; ``output``
        is ``train_output(critic, x, batch_y)`` (the score matrix by default), in nats.
    value : callable
        ``value(scores, state) -> 0-d tensor``: the estimate on one held-out batch, in nats; the
        estimate is its mean over the held-out batches.
    critics : mapping of str to callable, default=SCORE_CRITICS
        The critics the bound accepts, by name, each a :data:`CriticFactory`.
    default_critic : str, default="separable"
        The critic used for ``critic="auto"`` (a key of ``critics``).
    ceiling : callable or None, default=None
        ``ceiling(batch_size) -> float``, the largest value the bound can report on a batch of
        that size (InfoNCE: ``math.log``); None when it is not capped.
    options : mapping of str to object, default={}
        The estimator parameters the bound reads (``clip``, ``ema_decay``,
        ``ema_bias_correction``) with their defaults; any other such parameter is rejected.
    state : callable, default=dict
        ``state(options) -> object``: the per-run state passed to ``objective`` and ``value``,
        made once per fit from the resolved options (by default a dict of them).
    train_output : callable, default=scores
        ``train_output(critic, x, y) -> tensor``, what ``objective`` receives.
    monitor : callable or None, default=None
        ``monitor(critic, x, y) -> 0-d tensor``, the held-out criterion for early stopping and
        choosing the best checkpoint; None monitors ``value`` itself.
    diagnostics : mapping of str to callable, default={}
        ``{key: fn(scores)}``, more held-out means reported in ``Estimate.details``.
    batch_size : int, default=256
        The default mini-batch size.
    """

    name: str
    summary: str
    kind: Kind
    objective: Objective
    value: Objective
    critics: Mapping[str, CriticFactory] = field(default_factory=lambda: SCORE_CRITICS)
    default_critic: str = "separable"
    ceiling: Callable[[int], float] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    state: Callable[[dict[str, Any]], Any] = dict
    train_output: CriticOutput = scores
    monitor: CriticOutput | None = None
    diagnostics: Mapping[str, Callable[[torch.Tensor], torch.Tensor]] = field(default_factory=dict)
    batch_size: int = 256

    def __post_init__(self) -> None:
        where = f"Bound {self.name!r}"
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise InvalidParameterError(
                f"The 'name' of a Bound must be an identifier-like str. Got {self.name!r} instead."
            )
        if self.kind not in KINDS:
            raise InvalidParameterError(
                f"The 'kind' of {where} must be one of 'lower', 'upper', 'other'. "
                f"Got {self.kind!r} instead."
            )
        if self.default_critic not in self.critics:
            raise InvalidParameterError(
                f"The 'default_critic' of {where} must be one of its critics "
                f"({', '.join(repr(c) for c in sorted(self.critics))}). "
                f"Got {self.default_critic!r} instead."
            )
        size = self.batch_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            raise InvalidParameterError(
                f"The 'batch_size' of {where} must be an int in the range [2, inf). "
                f"Got {size!r} instead."
            )
        for name in ("critics", "options", "diagnostics"):  # read-only, like the record itself
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


@dataclass
class _MovingAverage:
    """MINE's state: a moving average of ``B = mean_{i!=j} exp(S_ij)`` over the training steps."""

    ema_decay: float
    ema_bias_correction: bool
    average: float = 0.0
    steps: int = 0

    def objective(self, scores: torch.Tensor) -> torch.Tensor:
        """Update the average with this batch; return :func:`bounds.mine` with it."""
        with torch.no_grad():  # B = mean_{i!=j} exp(S_ij) = exp(mean_i S_ii - DV)
            batch = float(torch.exp(scores.diagonal().mean() - bounds.dv(scores)))
        self.average = self.ema_decay * self.average + (1.0 - self.ema_decay) * batch
        self.steps += 1
        denominator = self.average
        if self.ema_bias_correction:
            denominator /= 1.0 - self.ema_decay**self.steps
        return bounds.mine(scores, max(denominator, 1e-12))


def _on_scores(fn: Callable[[torch.Tensor], torch.Tensor]) -> Objective:
    """Lift a bound of the scores alone to the ``(scores, state)`` signature."""
    return lambda s, state: fn(s)


def _club_objective(mean_log_likelihood: torch.Tensor, state: object) -> torch.Tensor:
    return mean_log_likelihood  # maximum likelihood of q(y | x)


_GAUSSIAN: Final[Mapping[str, CriticFactory]] = {
    "gaussian": lambda dx, dy, hidden, embed, g: GaussianConditional(dx, dy, hidden, generator=g)
}
_LIPSCHITZ_CONCAT: Final[Mapping[str, CriticFactory]] = {
    "concat": lambda dx, dy, hidden, embed, g: ConcatCritic(
        dx, dy, hidden, lipschitz=True, generator=g
    )
}

_RECORDS: Final = (
    Bound(
        name="club",
        summary="CLUB upper bound with a variational Gaussian q(y | x).",
        kind="upper",
        objective=_club_objective,
        value=_on_scores(bounds.club),
        critics=_GAUSSIAN,
        default_critic="gaussian",
        train_output=log_likelihood,
        monitor=log_likelihood,
    ),
    Bound(
        name="dv",
        summary="Donsker–Varadhan lower bound.",
        kind="lower",
        objective=_on_scores(bounds.dv),
        value=_on_scores(bounds.dv),
    ),
    Bound(
        name="infonce",
        summary="InfoNCE (CPC) lower bound; at most log(batch_size).",
        kind="lower",
        objective=_on_scores(bounds.infonce),
        value=_on_scores(bounds.infonce),
        ceiling=math.log,
    ),
    Bound(
        name="js",
        summary="Critic trained with the Jensen–Shannon (f-GAN) objective; reports its DV value.",
        kind="lower",
        objective=_on_scores(bounds.js_fgan),
        value=_on_scores(bounds.dv),
    ),
    Bound(
        name="mine",
        summary="MINE: the DV bound trained with a moving-average gradient.",
        kind="lower",
        objective=lambda s, average: average.objective(s),
        value=_on_scores(bounds.dv),
        options={"ema_decay": 0.9, "ema_bias_correction": True},
        state=lambda options: _MovingAverage(**options),
    ),
    Bound(
        name="nwj",
        summary="NWJ (f-divergence) lower bound.",
        kind="lower",
        objective=_on_scores(bounds.nwj),
        value=_on_scores(bounds.nwj),
    ),
    Bound(
        name="smile",
        summary="SMILE: DV with clipped negatives, trained with the JS gradient (biased).",
        kind="other",
        objective=lambda s, options: bounds.smile(s, options["clip"]),
        value=lambda s, options: bounds.smile(s, options["clip"]),
        options={"clip": 5.0},
    ),
    Bound(
        name="wdm",
        summary="Wasserstein dependency measure: InfoNCE with a 1-Lipschitz concatenated critic.",
        kind="lower",
        objective=_on_scores(bounds.infonce),
        value=_on_scores(bounds.infonce),
        critics=_LIPSCHITZ_CONCAT,
        default_critic="concat",
        ceiling=math.log,
        diagnostics={"wasserstein_dependency": bounds.wdm},
        batch_size=64,  # the concatenated critic costs batch_size**2 evaluations per step
    ),
)

#: The bounds :class:`~infolens.estimators.neural.estimator.NeuralEstimator` knows by name.
BOUNDS: Final[Mapping[str, Bound]] = MappingProxyType({b.name: b for b in _RECORDS})
