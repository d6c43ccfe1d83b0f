"""Plug-in (maximum-likelihood) estimator of discrete entropy, MI and CMI."""

from dataclasses import dataclass
from typing import final

from infolens.estimators._discrete import DiscreteEstimator


@final
@dataclass(frozen=True, kw_only=True)
class PluginEstimator(DiscreteEstimator):
    """Plug-in estimates from empirical frequencies: ``H = -sum_k p_k ln p_k``.

    Accepts integers, booleans, strings and categoricals; each distinct row is a symbol.
    MI and CMI are sums of plug-in entropies (``I = H(X) + H(Y) - H(X, Y)``). Biased low for
    entropy and high for MI when the number of symbols is not small against ``n_samples``.

    Examples
    --------
    >>> round(PluginEstimator().entropy([0, 0, 0, 1, 3, 3, 3, 3]).value, 10)
    0.9743147529
    """

    name = "plugin"

    def _corrected(self) -> bool:
        return False
