"""TensorBoard logging and a Lightning callback for the information plane.

Both are optional: TensorBoard's ``SummaryWriter`` needs the ``tensorboard`` package and the
callback needs ``lightning``; each is imported only when used. Everywhere the step is the
epoch, the tags use the layer labels of the records (``I_XT/fc1 (ReLU, 1024)``), values are
in bits (converted from the records' nats, like the papers' planes), and there is one plane
figure per estimator.
"""

import math
from collections.abc import Sequence
from typing import Any

from infolens.infoplane.curves import seed_mean_curves
from infolens.infoplane.store import PlaneRecord
from infolens.infoplane.tracker import InformationPlane

_LN2 = math.log(2.0)
_QUANTITIES = (("I_XT", "i_xt"), ("I_TY", "i_ty"), ("I_XT_given_Y", "i_xt_given_y"))


def _bits(value: float | None, units: str) -> float:
    """Return a record's value in bits, the unit of the papers' planes (records: nats)."""
    number = float(value)  # type: ignore[arg-type]  # only "ok" records reach here
    return number if units == "bits" else number / _LN2


def _estimator_names(records: Sequence[PlaneRecord]) -> dict[str, str]:
    """Identity -> the short name used in tags: the registry name, or the identity if shared."""
    identities = sorted({r.estimator for r in records})
    names = {i: i.split("/", 1)[0] for i in identities}
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    return {i: (i if n in shared else n) for i, n in names.items()}


def scalars(records: Sequence[PlaneRecord]) -> dict[str, tuple[float, int]]:
    """Return ``tag -> (value in bits, epoch)`` for the records' I(X;T), I(T;Y), I(X;T|Y).

    Tags are ``I_XT/<layer>`` (plus `` @ <estimator>`` when the records hold several).
    """
    names = _estimator_names(records)
    values = {}
    for r in records:
        if r.status != "ok":
            continue
        suffix = "" if len(names) == 1 else f" @ {names[r.estimator]}"
        for tag, field in _QUANTITIES:
            value = getattr(r, field)
            if value is not None:
                values[f"{tag}/{r.layer}{suffix}"] = (_bits(value, r.units), r.epoch)
    return values


def plane_figures(history: Sequence[PlaneRecord], epoch: int) -> dict[str, Any]:
    """Return ``tag -> figure``: one information plane per estimator, up to ``epoch``."""
    from infolens.infoplane.report import estimator_title
    from infolens.plotting import plot_information_plane

    upto = [r for r in history if r.epoch <= epoch and r.status == "ok"]
    names = _estimator_names(upto)
    figures = {}
    for identity, name in names.items():
        mine = [r for r in upto if r.estimator == identity]
        curves = seed_mean_curves(mine, estimator=identity)
        if not curves:
            continue
        title = f"Information plane, {estimator_title(mine[0].config)}, epoch {epoch}"
        fig, _ = plot_information_plane(curves, title=title)
        figures[f"information_plane/{name}"] = fig
    return figures


def log_to_tensorboard(
    writer: Any, records: Sequence[PlaneRecord], *, history: Sequence[PlaneRecord] = ()
) -> None:
    """Write per-layer scalars and one information-plane figure per estimator to TensorBoard.

    Scalars ``I_XT/<layer>``, ``I_TY/<layer>`` and ``I_XT_given_Y/<layer>`` (in bits) are
    logged at ``global_step = epoch`` (suffix `` @ <estimator>`` when several estimators are
    tracked). With ``history`` (all records so far), the figures
    ``information_plane/<estimator>`` show the trajectories up to this epoch, titled with the
    estimator and its settings.
    """
    for tag, (value, epoch) in scalars(records).items():
        writer.add_scalar(tag, value, global_step=epoch)
    if history and records:
        import matplotlib.pyplot as plt

        epoch = max(r.epoch for r in records)
        for tag, fig in plane_figures(history, epoch).items():
            writer.add_figure(tag, fig, global_step=epoch)
            plt.close(fig)


def _tensorboard_of(trainer: Any) -> Any:
    """Return the ``SummaryWriter`` of the trainer's first TensorBoard logger, or None."""
    for logger in getattr(trainer, "loggers", []):
        if type(logger).__name__ == "TensorBoardLogger":
            return logger.experiment
    return None


def lightning_callback(
    plane: InformationPlane, *, writer: Any = None, capture: str = "after", figures: bool = True
) -> Any:
    """Return a Lightning ``Callback`` that steps ``plane`` every training epoch.

    Scalars go, with the epoch as their step, to every logger of the trainer
    (``log_metrics(..., step=epoch)``) and to ``callback_metrics`` (for early stopping or
    checkpointing on them). The TensorBoard writer is ``writer`` or, by default, the one of the
    trainer's ``TensorBoardLogger``, so everything lands in Lightning's own run directory; it
    also gets one plane figure per estimator (``figures=False``: none). ``capture="before"``
    measures each epoch before its updates, ``"after"`` after them.
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
            epoch = trainer.current_epoch
            records = plane.step(epoch)
            if not records:
                return
            self.history += records
            values = {tag: value for tag, (value, _) in scalars(records).items()}
            pl_module.log_dict(values, on_epoch=True, logger=False)  # callback_metrics only
            board = writer if writer is not None else _tensorboard_of(trainer)
            for logger in getattr(trainer, "loggers", []):
                if board is None or getattr(logger, "experiment", None) is not board:
                    logger.log_metrics(values, step=epoch)
            if board is not None:
                log_to_tensorboard(board, records, history=self.history if figures else ())

        def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
            if capture == "before":
                self._step(trainer, pl_module)

        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            if capture == "after":
                self._step(trainer, pl_module)

        def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
            plane.close()

    return InformationPlaneCallback()
