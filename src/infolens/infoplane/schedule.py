"""Which epochs to capture: every epoch, a list, or log-spaced like the original papers."""

from collections.abc import Iterable

import numpy as np

from infolens._validation import check_int
from infolens.exceptions import InvalidParameterError


def idnns_epochs(n_epochs: int, n_points: int = 400) -> list[int]:
    """Shwartz-Ziv & Tishby's log-spaced epochs: ``unique(logspace(0, log2 E, n, base=2)) - 1``.

    Dense early (every epoch up to ~30), sparse late: 279 epochs for ``n_epochs=10_000``.

    Examples
    --------
    >>> idnns_epochs(10)  # like the original, the last epoch (9) is not among them
    [0, 1, 2, 3, 4, 5, 6, 7, 8]
    >>> len(idnns_epochs(10_000))
    279
    """
    check_int(n_epochs, name="n_epochs", owner="idnns_epochs")
    points = np.logspace(0, np.log2(n_epochs), n_points, base=2, dtype=int)
    return [int(e) for e in np.unique(points) - 1]


def ibsgd_epochs(n_epochs: int) -> list[int]:
    """Saxe et al. schedule: each epoch < 20, 5th < 100, 20th < 2000; then 100th.

    Examples
    --------
    >>> ibsgd_epochs(30)[-3:]
    [19, 20, 25]
    """
    check_int(n_epochs, name="n_epochs", owner="ibsgd_epochs")
    epochs = []
    for e in range(n_epochs):
        step = 1 if e < 20 else 5 if e < 100 else 20 if e < 2000 else 100
        if e % step == 0:
            epochs.append(e)
    return epochs


def resolve_schedule(schedule: str | Iterable[int], n_epochs: int) -> list[int]:
    """Turn ``"every"``, ``"log"`` (IDNNs), ``"ibsgd"`` or a list of epochs into sorted epochs.

    Raises
    ------
    ValueError
        On an unknown schedule name or epochs outside ``[0, n_epochs)``.
    """
    check_int(n_epochs, name="n_epochs", owner="resolve_schedule")
    if isinstance(schedule, str):
        named = {
            "every": lambda: list(range(n_epochs)),
            "log": lambda: idnns_epochs(n_epochs),
            "ibsgd": lambda: ibsgd_epochs(n_epochs),
        }
        if schedule not in named:
            raise InvalidParameterError(
                f"Unknown schedule {schedule!r}. Available: 'every', 'ibsgd', 'log', or a list "
                "of epochs."
            )
        return named[schedule]()
    epochs = sorted({int(e) for e in schedule})
    outside = [e for e in epochs if not 0 <= e < n_epochs]
    if outside:
        raise InvalidParameterError(
            f"Scheduled epochs must lie in [0, {n_epochs}) (the training has {n_epochs} epochs); "
            f"got {outside[:5]}."
        )
    return epochs
