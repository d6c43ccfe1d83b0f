"""TensorBoard logging and a Lightning callback for the information plane.

Both are optional: TensorBoard's ``SummaryWriter`` needs the ``tensorboard`` package and the
callback needs ``lightning``; each is imported only when used.
"""

import math
from collections.abc import Sequence
from typing import Any

from infolens.infoplane.curves import seed_mean_curves
from infolens.infoplane.store import PlaneRecord
from infolens.infoplane.tracker import InformationPlane

_LN2 = math.log(2.0)


def _bits(value: float | None, units: str) -> float:
    """Return a record's value in bits, the unit of the papers' planes (records: nats)."""
    number = float(value)  # type: ignore[arg-type]  # only "ok" records reach here
    return number if units == "bits" else number / _LN2


def log_to_tensorboard(
    writer: Any, records: Sequence[PlaneRecord], *, history: Sequence[PlaneRecord] = ()
) -> None:
    """Write per-layer scalars and the information-plane figure to a TensorBoard writer.

    Scalars ``I_XT/<layer>``, ``I_TY/<layer>`` and ``I_XT_given_Y/<layer>`` (in bits, converted
    from the records' nats) are logged
    at ``global_step = epoch``, one series per estimator when several are tracked (suffix
    ``@<estimator>``). With ``history`` (all records so far), the figure ``information_plane``
    shows the trajectories up to this epoch, its title naming the estimator.
    """
    estimators = {r.estimator for r in records}
    for r in records:
        if r.status != "ok":
            continue
        suffix = "" if len(estimators) == 1 else f"@{r.config.get('estimator', r.estimator)}"
        for name, value in (("I_XT", r.i_xt), ("I_TY", r.i_ty), ("I_XT_given_Y", r.i_xt_given_y)):
            writer.add_scalar(
                f"{name}/{r.layer}{suffix}", _bits(value, r.units), global_step=r.epoch
            )
    if history and records:
        import matplotlib.pyplot as plt

        from infolens.infoplane.report import plot_information_plane

        first = records[0]
        curves = seed_mean_curves([r for r in history if r.estimator == first.estimator])
        fig, _ = plot_information_plane(curves, title=str(first.config))
        writer.add_figure("information_plane", fig, global_step=first.epoch)
        plt.close(fig)


def lightning_callback(
    plane: InformationPlane, *, writer: Any = None, capture: str = "after"
) -> Any:
    """Return a Lightning ``Callback`` that steps ``plane`` every training epoch.

    The records are logged with ``pl_module.log_dict`` (so they reach any Lightning logger) and,
    with ``writer``, to TensorBoard with the plane figure. ``capture="before"`` measures each
    epoch before its updates, ``"after"`` after them.
    """
    try:
        from lightning.pytorch import Callback
    except ImportError as err:
        raise ImportError("The Lightning callback needs lightning: pip install lightning") from err
    if capture not in ("before", "after"):
        raise ValueError(f"capture must be 'before' or 'after'; got {capture!r}.")

    class InformationPlaneCallback(Callback):
        def __init__(self) -> None:
            self.history: list[PlaneRecord] = []

        def _step(self, trainer: Any, pl_module: Any) -> None:
            records = plane.step(trainer.current_epoch)
            self.history += records
            values = {
                f"{name}/{r.layer}": _bits(value, r.units)
                for r in records
                if r.status == "ok"
                for name, value in (("I_XT", r.i_xt), ("I_TY", r.i_ty))
                if value is not None
            }
            if values:
                pl_module.log_dict(values, on_epoch=True)
            if writer is not None and records:
                log_to_tensorboard(writer, records, history=self.history)

        def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
            if capture == "before":
                self._step(trainer, pl_module)

        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            if capture == "after":
                self._step(trainer, pl_module)

        def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
            plane.close()

    return InformationPlaneCallback()
