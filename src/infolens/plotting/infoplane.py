"""Information-plane plots: the plane, and I(X;T) or I(T;Y) over epochs (matplotlib, lazily).

``data`` is either the output of :func:`infolens.infoplane.seed_mean_curves` (layer -> curve) or
a sequence of :class:`~infolens.infoplane.PlaneRecord` of one estimator (averaged over seeds
here). Layers are called ``L1, L2, ...`` in model order everywhere, beside their labels.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from infolens._typing import Units
from infolens.exceptions import InvalidInputError, InvalidParameterError, MissingExtraError

_QUANTITIES = {"i_xt": "I(X;T)", "i_ty": "I(T;Y)"}
#: Smallest vertical distance between two layer labels, in axes fraction (8-pt text).
LABEL_GAP = 0.045


def _curves(data: Any, estimator: Any, units: Units) -> dict[str, Any]:
    from infolens.infoplane.curves import seed_mean_curves
    from infolens.infoplane.store import PlaneRecord

    if isinstance(data, Mapping):
        curves = dict(data)
    elif isinstance(data, Sequence) and all(isinstance(r, PlaneRecord) for r in data):
        curves = seed_mean_curves(data, estimator=estimator, units=units)
    else:
        raise InvalidInputError(
            "data must be the curves of seed_mean_curves (a dict layer -> curve) or a sequence "
            f"of PlaneRecord. Got {type(data).__name__} instead."
        )
    if not curves:
        raise InvalidInputError("There is nothing to plot: the curves hold no layer.")
    return curves


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise MissingExtraError(
            "Plotting needs matplotlib, which is not installed: pip install 'infolens[plot]'."
        ) from err
    return plt


def _figure(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax


def short_layer_name(index: int, layer: str) -> str:
    """Return ``"L<index+1>"``, the name of the layer in plots (beside its label).

    Examples
    --------
    >>> short_layer_name(0, "fc1 (ReLU, 1024)")
    'L1'
    """
    return f"L{index + 1}"


def layer_title(index: int, layer: str) -> str:
    """Return ``"L1: fc1 (ReLU, 1024)"`` (or just ``"L1"`` when the label is that already).

    Examples
    --------
    >>> layer_title(2, "5"), layer_title(0, "L1")
    ('L3: 5', 'L1')
    """
    short = short_layer_name(index, layer)
    return short if layer == short else f"{short}: {layer}"


def layer_label_positions(
    wanted: Sequence[float], *, gap: float = LABEL_GAP, low: float = 0.0, high: float = 1.0
) -> list[float]:
    """Return label positions as close to ``wanted`` as possible, at least ``gap`` apart.

    Labels keep their order; they are pushed up from ``low`` and, if the top one passes
    ``high``, the whole stack is pushed back down (it never ends below ``low`` unless the
    labels do not fit at all).

    Examples
    --------
    >>> layer_label_positions([0.5, 0.5, 0.51], gap=0.1)
    [0.5, 0.6, 0.7]
    >>> [round(p, 2) for p in layer_label_positions([0.95, 0.96], gap=0.1)]
    [0.9, 1.0]
    """
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    previous = -np.inf
    for i in order:
        placed[i] = max(float(wanted[i]), low, previous + gap)
        previous = placed[i]
    excess = previous - high
    if order and excess > 0:
        ceiling = high
        for i in reversed(order):  # push down from the top, keeping the gaps
            placed[i] = min(placed[i], ceiling)
            ceiling = placed[i] - gap
        shift = low - min(placed)
        if shift > 0:  # it does not fit: keep the gaps, start at the bottom
            placed = [p + shift for p in placed]
    return placed


def plot_information_plane(
    data: Any,
    ax: Any = None,
    *,
    title: str | None = None,
    estimator: Any = None,
    units: Units = "bits",
) -> tuple[Any, Any]:
    """Draw the information plane: one trajectory per layer, points coloured by epoch.

    Parameters
    ----------
    data : dict or sequence of PlaneRecord
        Curves of :func:`~infolens.infoplane.seed_mean_curves` or records of one estimator.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure is made when None.
    title : str or None, default=None
        The title; name the estimator and its assumptions in it.
    estimator : layer estimator, identity or None, default=None
        Which estimator's records to draw (records only; see ``seed_mean_curves``).
    units : {"bits", "nats"}, default="bits"
        Units of the curves made from records (curves carry their own).

    Returns
    -------
    (fig, ax)
        The figure (with a colour bar of the epoch) and the axes; each trajectory's last point
        is labelled ``L1, L2, ...`` without overlaps, and the epochs common to all layers are
        linked across layers.

    Examples
    --------
    >>> curves = {"fc1": {"epochs": np.arange(3), "i_xt": np.array([1.0, 2.0, 1.5]),
    ...                   "i_ty": np.array([0.1, 0.5, 0.9]), "units": "bits"}}
    >>> fig, ax = plot_information_plane(curves, title="demo")
    >>> ax.get_xlabel(), [t.get_text() for t in ax.texts]
    ('I(X;T) [bits]', ['L1'])
    """
    curves = _curves(data, estimator, units)
    plt = _pyplot()
    from matplotlib.colors import LogNorm

    fig, ax = _figure(ax, (6.4, 4.8))
    shown = next(iter(curves.values())).get("units", units)
    last_epoch = max(int(c["epochs"][-1]) for c in curves.values())
    norm = LogNorm(vmin=1, vmax=max(2, last_epoch + 1))
    common = sorted(set.intersection(*(set(c["epochs"].tolist()) for c in curves.values())))
    if len(curves) > 1:
        for epoch in common[:: max(1, len(common) // 40)]:
            xs = [c["i_xt"][c["epochs"] == epoch][0] for c in curves.values()]
            ys = [c["i_ty"][c["epochs"] == epoch][0] for c in curves.values()]
            ax.plot(xs, ys, color=plt.cm.viridis(norm(epoch + 1)), lw=0.4, alpha=0.5)
    scatter = None
    for c in curves.values():
        ax.plot(c["i_xt"], c["i_ty"], color="0.6", lw=0.6, zorder=1)
        scatter = ax.scatter(c["i_xt"], c["i_ty"], c=c["epochs"] + 1, cmap="viridis", norm=norm,
                             s=14, zorder=2, edgecolors="none")  # fmt: skip
    if scatter is not None:
        fig.colorbar(scatter, ax=ax, label="epoch + 1")
    ax.set_xlabel(f"I(X;T) [{shown}]")
    ax.set_ylabel(f"I(T;Y) [{shown}]")
    ax.margins(x=0.12, y=0.08)
    fig.canvas.draw_idle()
    y_low, y_high = ax.get_ylim()
    x_low, x_high = ax.get_xlim()
    ends = [(float(c["i_xt"][-1]), float(c["i_ty"][-1])) for c in curves.values()]
    span = (y_high - y_low) or 1.0
    wanted = [(y - y_low) / span for _, y in ends]
    placed = layer_label_positions(wanted, gap=LABEL_GAP, low=0.02, high=0.98)
    for index, ((x, y), at) in enumerate(zip(ends, placed, strict=True)):
        moved = abs(at - wanted[index]) > 1e-9
        ax.annotate(
            short_layer_name(index, list(curves)[index]),
            (x, y),
            xytext=(x + 0.02 * (x_high - x_low), y_low + at * span),
            textcoords="data",
            fontsize=8,
            va="center",
            arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.5} if moved else None,
        )
    if title:
        ax.set_title(title, fontsize=9)
    return fig, ax


#: Per-point intervals are drawn as bars up to this many points of a layer, as a band beyond.
MAX_BARS = 60


def _draw_intervals(ax: Any, x: Any, low: Any, high: Any, colour: Any, layer: str) -> None:
    """Draw the per-point intervals ``[low, high]`` (NaN: none) of one layer."""
    if low is None or high is None:
        return
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    has = np.isfinite(low) & np.isfinite(high)
    if not has.any():
        return
    if has.sum() <= MAX_BARS:
        bars = ax.vlines(x[has], low[has], high[has], color=colour, lw=1.0, zorder=3)
        ends = ax.scatter(np.concatenate([x[has], x[has]]), np.concatenate([low[has], high[has]]),
                          marker="_", s=16, color=colour, lw=1.0, zorder=3)  # fmt: skip
        ends.set_gid(f"interval-ends:{layer}")
    else:
        bars = ax.fill_between(x, low, high, where=has, facecolor="none", edgecolor=colour,
                               hatch="////", lw=0.0, alpha=0.55, zorder=3)  # fmt: skip
    bars.set_gid(f"interval:{layer}")


def plot_information_over_epochs(
    data: Any,
    ax: Any = None,
    *,
    quantity: Literal["i_xt", "i_ty"] = "i_xt",
    title: str | None = None,
    thresholds: Sequence[Mapping[str, Any]] = (),
    estimator: Any = None,
    units: Units = "bits",
) -> tuple[Any, Any]:
    """Draw I(X;T) or I(T;Y) of every layer over epochs (log axis), seed mean ± sd.

    The shaded band is the seed mean ± the standard deviation over seeds. Where the curves
    carry per-point intervals (``i_xt_low`` / ``i_xt_high``, from an estimator asked for them,
    e.g. ``FixedBinning(ci=0.95)``), each point also gets a vertical bar from the low to the high
    end (up to :data:`MAX_BARS` points per layer; a hatched band beyond), in the layer's colour.

    Parameters
    ----------
    data : dict or sequence of PlaneRecord
        As for :func:`plot_information_plane`.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure is made when None.
    quantity : {"i_xt", "i_ty"}, default="i_xt"
        Which information to draw.
    title : str or None, default=None
        The title.
    thresholds : sequence of mappings, default=()
        Dashed horizontal lines ``{"value": v, "label": text}``, optionally with ``"layer"``
        (drawn in that layer's colour).
    estimator, units
        As for :func:`plot_information_plane`.

    Returns
    -------
    (fig, ax)

    Examples
    --------
    >>> curves = {"fc1": {"epochs": np.arange(3), "i_xt": np.ones(3), "i_ty": np.ones(3),
    ...                   "units": "bits"}}
    >>> fig, ax = plot_information_over_epochs(curves, quantity="i_ty",
    ...                                        thresholds=[{"value": 0.95, "label": "pass"}])
    >>> ax.get_ylabel(), len(ax.lines)
    ('I(T;Y) [bits]', 2)
    >>> curves["fc1"].update(i_ty_low=np.array([0.9, np.nan, 0.8]), i_ty_high=np.full(3, 1.1))
    >>> fig, ax = plot_information_over_epochs(curves, quantity="i_ty")
    >>> [c.get_gid() for c in ax.collections]  # the bars of the two points that have one
    ['interval:fc1', 'interval-ends:fc1']
    >>> len(ax.collections[0].get_segments())
    2
    """
    if quantity not in _QUANTITIES:
        raise InvalidParameterError(
            f"The 'quantity' parameter of plot_information_over_epochs must be one of 'i_xt', "
            f"'i_ty'. Got {quantity!r} instead."
        )
    curves = _curves(data, estimator, units)
    plt = _pyplot()
    fig, ax = _figure(ax, (6.4, 3.6))
    shown = next(iter(curves.values())).get("units", units)
    colours = {layer: plt.cm.tab10(i % 10) for i, layer in enumerate(curves)}
    for index, (layer, c) in enumerate(curves.items()):
        x = np.asarray(c["epochs"]) + 1
        y = np.asarray(c[quantity], dtype=float)
        ax.plot(x, y, color=colours[layer], label=layer_title(index, layer), lw=1.2)
        sd = c.get(f"{quantity}_sd")
        if sd is not None:
            ax.fill_between(x, y - sd, y + sd, color=colours[layer], alpha=0.18, lw=0)
        _draw_intervals(ax, x, c.get(f"{quantity}_low"), c.get(f"{quantity}_high"),
                        colours[layer], layer)  # fmt: skip
    for line in thresholds:
        colour = colours.get(line.get("layer", ""), "0.25")
        ax.axhline(float(line["value"]), color=colour, ls="--", lw=0.9)
        ax.annotate(str(line.get("label", "")), (0.01, float(line["value"])), fontsize=7,
                    xycoords=("axes fraction", "data"), va="bottom", color=colour,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                          "alpha": 0.75})  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("epoch + 1")
    ax.set_ylabel(f"{_QUANTITIES[quantity]} [{shown}]")
    # below the axes: a legend inside would hide the curves it names
    ax.legend(fontsize=7, ncol=min(3, len(curves)), loc="upper center",
              bbox_to_anchor=(0.5, -0.2), frameon=False)  # fmt: skip
    if title:
        ax.set_title(title, fontsize=9)
    return fig, ax


__all__ = [
    "LABEL_GAP",
    "MAX_BARS",
    "layer_label_positions",
    "layer_title",
    "plot_information_over_epochs",
    "plot_information_plane",
    "short_layer_name",
]
