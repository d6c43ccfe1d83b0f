"""Pictures of the information plane: matplotlib figures and a self-contained HTML report."""

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from infolens.infoplane.curves import Curves

_W, _H, _PAD = 560, 420, 52


def plot_information_plane(
    curves: dict[str, Curves], ax: Any = None, *, title: str | None = None
) -> tuple[Any, Any]:
    """Draw the canonical plane: one trajectory per layer, points coloured by epoch, layers linked.

    Parameters
    ----------
    curves : dict
        Output of :func:`infolens.infoplane.curves.seed_mean_curves` (bits).
    ax : matplotlib Axes or None
        Where to draw; a new figure is made when None.
    title : str or None
        Title; state the estimator and its assumptions here.

    Returns
    -------
    (fig, ax)
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
    else:
        fig = ax.figure
    layers = list(curves)
    last_epoch = max(int(c["epochs"][-1]) for c in curves.values())
    norm = LogNorm(vmin=1, vmax=max(2, last_epoch + 1))
    common = sorted(set.intersection(*(set(c["epochs"].tolist()) for c in curves.values())))
    for epoch in common[:: max(1, len(common) // 40)]:
        points = [
            (c["i_xt"][c["epochs"] == epoch][0], c["i_ty"][c["epochs"] == epoch][0])
            for c in curves.values()
        ]
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color=plt.cm.viridis(norm(epoch + 1)), lw=0.4, alpha=0.5)
    scatter = None
    for index, layer in enumerate(layers):
        c = curves[layer]
        ax.plot(c["i_xt"], c["i_ty"], color="0.6", lw=0.6, zorder=1)
        scatter = ax.scatter(
            c["i_xt"],
            c["i_ty"],
            c=c["epochs"] + 1,
            cmap="viridis",
            norm=norm,
            s=14,
            zorder=2,
            edgecolors="none",
        )
        ax.annotate(
            f"L{index + 1}",
            (c["i_xt"][-1], c["i_ty"][-1]),
            fontsize=8,
            xytext=(3, -9),
            textcoords="offset points",
        )
    if scatter is not None:
        fig.colorbar(scatter, ax=ax, label="epoch + 1")
    ax.set_xlabel("I(X;T) [bits]")
    ax.set_ylabel("I(T;Y) [bits]")
    if title:
        ax.set_title(title, fontsize=9)
    return fig, ax


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _svg_plane(curves: dict[str, Curves], title: str) -> str:
    """Return an SVG plane whose points show layer, epoch and values on hover (no scripts)."""
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm, to_hex

    xs = np.concatenate([c["i_xt"] for c in curves.values()])
    ys = np.concatenate([c["i_ty"] for c in curves.values()])
    x_max, y_max = max(float(xs.max()), 1e-9) * 1.05, max(float(ys.max()), 1e-9) * 1.05
    last = max(int(c["epochs"][-1]) for c in curves.values())
    norm, cmap = LogNorm(vmin=1, vmax=max(2, last + 1)), colormaps["viridis"]

    def sx(v: float) -> float:
        return _PAD + v / x_max * (_W - 2 * _PAD)

    def sy(v: float) -> float:
        return _H - _PAD - v / y_max * (_H - 2 * _PAD)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<rect x="0" y="0" width="{_W}" height="{_H}" fill="white"/>',
        f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="black"/>',
        f'<line x1="{_PAD}" y1="{_PAD}" x2="{_PAD}" y2="{_H - _PAD}" stroke="black"/>',
        f'<text x="{_W / 2}" y="{_H - 12}" text-anchor="middle">I(X;T) [bits]</text>',
        f'<text x="14" y="{_H / 2}" transform="rotate(-90 14 {_H / 2})" '
        'text-anchor="middle">I(T;Y) [bits]</text>',
    ]
    for k in range(5):
        vx, vy = x_max * k / 4, y_max * k / 4
        parts.append(
            f'<text x="{sx(vx):.1f}" y="{_H - _PAD + 16}" font-size="11" '
            f'text-anchor="middle">{vx:.2g}</text>'
        )
        parts.append(
            f'<text x="{_PAD - 6}" y="{sy(vy) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{vy:.2g}</text>'
        )
    for index, (layer, c) in enumerate(curves.items()):
        path = " ".join(
            f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(c["i_xt"], c["i_ty"], strict=True)
        )
        parts.append(f'<polyline points="{path}" fill="none" stroke="#999" stroke-width="0.8"/>')
        for e, a, b in zip(c["epochs"], c["i_xt"], c["i_ty"], strict=True):
            color = to_hex(cmap(norm(int(e) + 1)))
            tip = (
                f"layer L{index + 1} ({layer}), epoch {int(e)}: "
                f"I(X;T) = {a:.3f}, I(T;Y) = {b:.3f} bits"
            )
            parts.append(
                f'<circle class="pt" cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3.5" '
                f'fill="{color}"><title>{html.escape(tip)}</title></circle>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def write_report(
    folder: Path, title: str, panels: dict[str, dict[str, Curves]], summary: dict[str, Any]
) -> None:
    """Write ``plane.png`` and a self-contained ``report.html`` (inline SVG and PNG, no network)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 4.8), squeeze=False)
    for ax, (label, curves) in zip(axes[0], panels.items(), strict=True):
        plot_information_plane(curves, ax, title=f"{label} (mean of {summary['seeds']} seeds)")
    fig.tight_layout()
    fig.savefig(folder / "plane.png", dpi=110)
    plane_png = _png(fig)
    plt.close(fig)
    sections = []
    for label, curves in panels.items():
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        for index, (layer, c) in enumerate(curves.items()):
            ax.plot(c["epochs"] + 1, c["i_xt"], label=f"L{index + 1} ({layer})")
            ax.fill_between(
                c["epochs"] + 1, c["i_xt"] - c["i_xt_sd"], c["i_xt"] + c["i_xt_sd"], alpha=0.2
            )
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_ylabel("I(X;T) [bits]")
        ax.legend(fontsize=7, ncol=2)
        ax.set_title(f"{label}: seed mean ± sd", fontsize=9)
        curve_png = _png(fig)
        plt.close(fig)
        sections.append(
            f"<h2>{html.escape(label)}</h2><div class='row'>{_svg_plane(curves, label)}"
            f"<img alt='I(X;T) over epochs, {html.escape(label)}' "
            f"src='data:image/png;base64,{curve_png}'></div>"
        )
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td class='{'ok' if c['pass'] else 'bad'}'>"
        f"{'pass' if c['pass'] else 'fail'}</td><td><code>"
        f"{html.escape(json.dumps({k: v for k, v in c.items() if k != 'pass'}, default=float))}"
        "</code></td></tr>"
        for name, c in summary["criteria"].items()
    )
    estimators = "".join(
        f"<li>{html.escape(k)}: <code>{html.escape(json.dumps(v))}</code></li>"
        for k, v in summary["estimators"].items()
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:24px;max-width:1300px}} td,th{{border:1px solid #ccc;
padding:4px 8px;text-align:left}} table{{border-collapse:collapse}} .ok{{color:#060}}
.bad{{color:#b00}} .row{{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}}
circle.pt:hover{{stroke:black;stroke-width:2}} code{{font-size:12px}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{summary["epochs"]} epochs, {summary["seeds"]} seed(s); MI in bits on
{html.escape(summary["samples"])}.
Every value depends on the estimator and its assumptions:</p><ul>{estimators}</ul>
<p><b>Overall: {"pass" if summary["passed"] else "fail"}</b></p>
<table><tr><th>criterion</th><th>result</th><th>values</th></tr>{rows}</table>
<img alt="information plane" src="data:image/png;base64,{plane_png}" style="max-width:100%">
{"".join(sections)}
<p>Hover a point of the planes above for its layer, epoch and values.</p></body></html>
"""
    (folder / "report.html").write_text(page)
