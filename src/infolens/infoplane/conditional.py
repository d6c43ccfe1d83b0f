"""Conditional information I(X; Z_l | Y) of Kawaguchi et al. 2023 (specs §5.2, R9), in nats.

Each layer is read as ``Z_l = f_l(X) + N(0, sigma_l^2 I)``; I(X; Z_l | Y) (the "unnecessary
information" a layer keeps about its input beyond the label) is the class-weighted mean of
I(X; Z_l | Y = y), each a Gaussian-mixture Monte-Carlo estimate
(:func:`infolens.infoplane.noisy.mixture_information`; inputs distinct and equally likely).

``sigma_l`` is chosen per layer from a grid by **held-out log-likelihood**: the activations are
split deterministically (even rows are the kernel centres, odd rows are held out) and the
``sigma`` maximising the mean held-out log density of the mixture wins. The **monotonicity
constraint** (data processing, read layer by layer in network order): only a ``sigma_l`` whose
I(X; Z_l) does not exceed the previous layer's chosen I(X; Z_{l-1}) is admissible; if none is,
the grid's largest ``sigma`` (the smallest I) is taken. Our reading of the constraint; the
selection code of xu-ji/information-bottleneck (``main_multiseed.py``) was not available.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from infolens._typing import FloatArray, IntArray, RNGLike
from infolens._validation import check_positive_real
from infolens.exceptions import InvalidParameterError
from infolens.infoplane._base import (
    LayerEstimator,
    LayerInformation,
    SavedEpochs,
    check_activations,
    make_identity,
)
from infolens.infoplane.noisy import log_mixture_density, mixture_information

#: The sigma grid (log-spaced 0.01 .. 21, as the range in Kawaguchi et al.'s code).
DEFAULT_GRID: tuple[float, ...] = tuple(float(v) for v in np.geomspace(0.01, 21.0, 12))
#: Monte-Carlo seed of the selection (selection is deterministic given the activations).
_SELECTION_SEED = 0


def held_out_log_likelihood(t: FloatArray, sigma: float) -> float:
    """Mean log density of the odd rows of ``t`` under the mixture ``N(t_even, sigma^2 I)``.

    Examples
    --------
    >>> t = np.random.default_rng(0).standard_normal((400, 1))
    >>> held_out_log_likelihood(t, 0.3) > held_out_log_likelihood(t, 5.0)
    True
    """
    return float(np.mean(log_mixture_density(t[1::2], t[0::2], sigma)))


def select_sigmas(
    layers: Mapping[str, FloatArray],
    y: IntArray,
    grid: Sequence[float] = DEFAULT_GRID,
    *,
    monotone: bool = True,
) -> dict[str, dict[str, float]]:
    """Choose ``sigma`` per layer (in the mapping's order) by held-out likelihood.

    Returns, per layer, ``sigma``, its held-out ``log_likelihood``, the layer's ``i_xz`` at that
    sigma and ``constrained`` (1.0 when the monotonicity constraint moved the choice away from
    the likelihood's best). With ``monotone=True`` the chosen ``i_xz`` never increase with depth.
    """
    values = sorted(check_positive_real(s, name="grid", owner="select_sigmas") for s in grid)
    if not values:
        raise InvalidParameterError("The 'grid' parameter of select_sigmas must not be empty.")
    chosen: dict[str, dict[str, float]] = {}
    previous = np.inf
    for layer, t in layers.items():
        t, labels = check_activations(t, y, owner="select_sigmas")
        scores = [held_out_log_likelihood(t, s) for s in values]
        infos = [mixture_information(t, labels, s, rng=_SELECTION_SEED).i_xt for s in values]
        order = np.argsort(scores)[::-1]
        best = int(order[0])
        pick = best
        if monotone:
            admissible = [int(i) for i in order if infos[int(i)] <= previous]
            pick = admissible[0] if admissible else int(np.argmin(infos))
        chosen[layer] = {
            "sigma": values[pick],
            "log_likelihood": float(scores[pick]),
            "i_xz": float(infos[pick]),
            "constrained": float(pick != best),
        }
        previous = infos[pick]
    return chosen


@dataclass(frozen=True, kw_only=True)
class ConditionalInformation:
    """I(X; Z | Y) with ``Z = T + N(0, sigma^2 I)`` (Kawaguchi et al.), nats.

    ``i_xt_given_y`` is the quantity; ``i_xt`` and ``i_ty`` come from the same draws.
    ``sigma=None`` selects sigma by held-out likelihood: post hoc, :meth:`fit` picks one per
    layer on the **last** saved epoch (the trained network) under the monotonicity constraint
    (module doc); applied directly it selects on the activations given (no constraint).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 500)
    >>> t = rng.standard_normal((1000, 1)) + 3.0 * y[:, None]  # within class X ~ N(., 1)
    >>> info = ConditionalInformation(sigma=0.5).estimate(t, y, rng=1)
    >>> bool(abs(info.i_xt_given_y - 0.5 * np.log(1 + 1 / 0.25)) < 0.1)
    True
    """

    name: ClassVar[str] = "conditional_information"
    version: ClassVar[int] = 1
    sigma: float | None = None
    grid: tuple[float, ...] = field(default=DEFAULT_GRID)
    n_draws: int = 1

    def __post_init__(self) -> None:
        if self.sigma is not None:
            check_positive_real(self.sigma, name="sigma", owner="ConditionalInformation")
        for value in self.grid:
            check_positive_real(value, name="grid", owner="ConditionalInformation")
        if not self.grid:
            raise InvalidParameterError(
                "The 'grid' parameter of ConditionalInformation must be a non-empty sequence of "
                "floats > 0. Got () instead."
            )

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(
            self.name, self.version, sigma=self.sigma, grid=self.grid, n_draws=self.n_draws
        )

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {
            "estimator": self.name,
            "sigma": self.sigma if self.sigma is not None else "held-out likelihood",
            "n_grid": len(self.grid),
        }

    def fit(self, activations: SavedEpochs) -> Mapping[str, LayerEstimator]:
        """Choose sigma per layer on the last saved epoch, under the monotonicity constraint.

        The labels are not part of :data:`SavedEpochs`; the likelihood and the constraint on
        I(X; Z_l) need none (all rows are used as one class).
        """
        if self.sigma is not None:
            return {}
        last: Mapping[str, FloatArray] | None = None
        for epoch in activations:
            last = epoch
        if not last:
            return {}
        anything = {k: np.asarray(v) for k, v in last.items()}
        y = np.zeros(len(next(iter(anything.values()))), dtype=np.intp)
        picks = select_sigmas(anything, y, self.grid)
        return {
            layer: ConditionalInformation(sigma=p["sigma"], grid=self.grid, n_draws=self.n_draws)
            for layer, p in picks.items()
        }

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats; the Monte-Carlo noise is drawn from ``rng``."""
        t, y = check_activations(t, y, owner="ConditionalInformation")
        sigma = self.sigma
        if sigma is None:
            sigma = select_sigmas({"layer": t}, y, self.grid, monotone=False)["layer"]["sigma"]
        return mixture_information(t, y, sigma, n_draws=self.n_draws, rng=rng)


__all__ = ["DEFAULT_GRID", "ConditionalInformation", "held_out_log_likelihood", "select_sigmas"]
