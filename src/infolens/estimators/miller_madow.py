"""Miller–Madow bias-corrected estimator of discrete entropy, MI and CMI."""

from dataclasses import dataclass
from typing import final

from infolens.estimators._discrete import DiscreteEstimator


@final
@dataclass(frozen=True, kw_only=True)
class MillerMadowEstimator(DiscreteEstimator):
    """Plug-in entropy plus the Miller–Madow correction ``(K - 1) / (2 n)`` nats.

    ``K`` is the number of symbols *observed* (not the alphabet size). MI and CMI are sums of
    corrected entropies, e.g. ``I = I_plugin + (K_x + K_y - K_xy - 1) / (2 n)``, so they can be
    slightly negative for independent variables.

    References
    ----------
    .. [1] G. A. Miller, "Note on the bias of information estimates", in Information Theory in
       Psychology (1955).

    Examples
    --------
    >>> round(MillerMadowEstimator().entropy([0, 0, 0, 1, 3, 3, 3, 3]).value, 10)
    1.0993147529
    """

    name = "miller_madow"

    def _corrected(self) -> bool:
        return True
