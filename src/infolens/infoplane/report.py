"""The self-contained HTML report of information-plane runs (inline SVG and PNG, no network).

:func:`write_report` is what the reproductions write (with their pass criteria);
:func:`write_store_report` makes the same report from any records database (criteria optional:
from a ``summary.json`` beside it, or none). Per estimator and run the report shows an
interactive plane (hover a point for its layer, epoch and values; colour bar of the epoch;
layer labels that never overlap), and I(X;T) and I(T;Y) over epochs side by side with the
criteria's thresholds drawn. The over-epoch curves carry the seed mean ± sd band and, where the
estimator gave per-point intervals (e.g. ``FixedBinning(ci=0.95)``), a bar per point; a caption
under them says what each means.

A criterion (a dict with ``"pass"``) may carry ``"threshold": {"quantity": "i_xt" | "i_ty",
"value": bits, "layer": optional, "panel": optional}`` (or a list of them) to be drawn; the
thresholds of R1's criteria are also read from their names ("... by >= 4.0 bits", "I(T;Y) >=
0.95 bits").
"""

import base64
import html
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from infolens.exceptions import InvalidInputError
from infolens.infoplane.curves import Curves, seed_mean_curves
from infolens.plotting.infoplane import (
    layer_label_positions,
    layer_title,
    plot_information_over_epochs,
    plot_information_plane,
    short_layer_name,
)

_W, _H = 660, 440
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 150, 20, 50
_DROP = re.compile(r"layer (?P<layer>.+?) rises then falls by >= (?P<need>[\d.]+) bits")
_FLOOR = re.compile(r"I\(T;Y\) >= (?P<value>[\d.]+) bits")


_NAMES = {"i_ty": "I(T;Y)", "i_xt": "I(X;T)", "i_xt_given_y": "I(X;T|Y)"}


def _key(key: object) -> tuple[str, str]:
    """Return a criterion key as words, and the unit it names (``rise_bits`` -> rise, bits)."""
    words = str(key)
    unit = ""
    for suffix in ("_bits", "_nats"):
        if words.endswith(suffix):
            words, unit = words[: -len(suffix)], suffix[1:]
    for name, symbol in _NAMES.items():
        words = re.sub(rf"(^|_){re.escape(name)}($|_)", rf"\g<1>{symbol}\g<2>", words)
    return words.replace("_", " "), unit


def readable(value: Any) -> str:
    """Return a criterion value as short text: numbers to 3 significant digits, units kept.

    Examples
    --------
    >>> readable({"rise_bits": 3.14159265, "peak_epoch": 24.0, "pair": (0.123456, 2)})
    'rise 3.14 bits; peak epoch 24; pair (0.123, 2)'
    >>> readable({"final_i_ty": {"1": 0.99912, "3": 0.5}})
    'final I(T;Y): 1 = 0.999, 3 = 0.5'
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return f"{number:.0f}" if number.is_integer() and abs(number) < 1e6 else f"{number:.3g}"
    if isinstance(value, Mapping):
        parts = []
        for k, v in value.items():
            words, unit = _key(k)
            if isinstance(v, Mapping):
                inner = ", ".join(f"{name} = {readable(x)}" for name, x in v.items())
                parts.append(f"{words}: {inner}" + (f" {unit}" if unit else ""))
            else:
                parts.append(f"{words} {readable(v)}" + (f" {unit}" if unit else ""))
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        return "(" + ", ".join(readable(v) for v in value) + ")"
    return str(value)


def estimator_title(config: Mapping[str, Any]) -> str:
    """Return ``"name (setting value, ...)"`` from an estimator's recorded config.

    Examples
    --------
    >>> estimator_title({"estimator": "kde_bound", "noise_variance": 0.1, "bound": "upper",
    ...                  "identity": "kde_bound/v1?..."})
    'kde_bound (noise variance 0.1, bound upper)'
    """
    name = str(config.get("estimator") or str(config.get("identity", "?")).split("/", 1)[0])
    settings = [
        f"{str(k).replace('_', ' ')} {readable(v)}"
        for k, v in config.items()
        if k not in ("estimator", "identity") and v is not None
    ]
    return f"{name} ({', '.join(settings)})" if settings else name


def thresholds_of(
    criteria: Mapping[str, Mapping[str, Any]], panels: Mapping[str, Mapping[str, Curves]]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Return ``panel -> quantity -> [line]``: the thresholds of ``criteria`` to draw."""
    lines: dict[str, dict[str, list[dict[str, Any]]]] = {
        p: {"i_xt": [], "i_ty": []} for p in panels
    }
    for name, check in criteria.items():
        given = check.get("threshold")
        explicit = [given] if isinstance(given, Mapping) else list(given or [])
        for line in explicit:
            for panel in [line["panel"]] if "panel" in line else list(panels):
                if panel in lines:
                    lines[panel][line["quantity"]].append({"label": name, **line})
        if explicit:
            continue
        drop, floor = _DROP.search(name), _FLOOR.search(name)
        for panel, curves in panels.items():
            if drop and drop["layer"] in curves:
                layer, need = drop["layer"], float(drop["need"])
                index = list(curves).index(layer)
                peak = float(np.max(curves[layer]["i_xt"]))
                lines[panel]["i_xt"].append(
                    {
                        "value": peak - need,
                        "layer": layer,
                        "label": f"{short_layer_name(index, layer)}: peak − {need:g} bits",
                    }
                )
            if floor:
                lines[panel]["i_ty"].append({"value": float(floor["value"]), "label": name})
    return lines


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _nice_ticks(low: float, high: float) -> list[float]:
    """Round tick values covering ``[low, high]`` (``low <= 0 < high``), 0 among them.

    Examples
    --------
    >>> _nice_ticks(0.0, 12.9)
    [0.0, 5.0, 10.0]
    >>> _nice_ticks(-0.7, 3.7)
    [-0.5, 0.0, 1.0, 2.0, 3.0]
    """
    span = high - low
    step = 10 ** math.floor(math.log10(span / 4)) if span > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if span / (step * factor) <= 5:
            step *= factor
            break
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    ticks = [k * step for k in range(first, last + 1)]
    half = math.ceil(low / (step / 2)) * step / 2
    if half < 0 and not any(t < 0 for t in ticks):  # a negative range smaller than a step
        ticks.insert(0, half)
    return [float(t) + 0.0 for t in ticks]  # + 0.0: no "-0"


def svg_plane(curves: Mapping[str, Curves], title: str) -> str:
    """Return an interactive SVG plane: hover tooltips, epoch colour bar, layer labels."""
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm, to_hex

    units = next(iter(curves.values())).get("units", "bits")
    xs = np.concatenate([c["i_xt"] for c in curves.values()])
    ys = np.concatenate([c["i_ty"] for c in curves.values()])
    x_max, y_max = max(float(xs.max()), 1e-9) * 1.08, max(float(ys.max()), 1e-9) * 1.08
    x_min, y_min = min(float(xs.min()), 0.0), min(float(ys.min()), 0.0)
    last = max(int(c["epochs"][-1]) for c in curves.values())
    norm, cmap = LogNorm(vmin=1, vmax=max(2, last + 1)), colormaps["viridis"]
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def sx(v: float) -> float:
        return _LEFT + (v - x_min) / (x_max - x_min) * plot_w

    def sy(v: float) -> float:
        return _TOP + plot_h - (v - y_min) / (y_max - y_min) * plot_h

    bottom, right = _TOP + plot_h, _LEFT + plot_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" role="img" '
        f'aria-label="{html.escape(title)}" font-family="sans-serif">',
        f'<rect x="0" y="0" width="{_W}" height="{_H}" fill="white"/>',
        f'<line x1="{_LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{bottom}" stroke="black"/>',
        f'<text x="{_LEFT + plot_w / 2}" y="{_H - 10}" text-anchor="middle" font-size="13">'
        f"I(X;T) [{units}]</text>",
        f'<text x="16" y="{_TOP + plot_h / 2}" transform="rotate(-90 16 {_TOP + plot_h / 2})" '
        f'text-anchor="middle" font-size="13">I(T;Y) [{units}]</text>',
    ]
    for vx in _nice_ticks(x_min, x_max):
        parts.append(
            f'<line x1="{sx(vx):.1f}" y1="{bottom}" x2="{sx(vx):.1f}" y2="{bottom + 4}" '
            f'stroke="black"/><text x="{sx(vx):.1f}" y="{bottom + 17}" font-size="11" '
            f'text-anchor="middle">{vx:g}</text>'
        )
    for vy in _nice_ticks(y_min, y_max):
        parts.append(
            f'<line x1="{_LEFT - 4}" y1="{sy(vy):.1f}" x2="{_LEFT}" y2="{sy(vy):.1f}" '
            f'stroke="black"/><text x="{_LEFT - 7}" y="{sy(vy) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{vy:g}</text>'
        )
    for index, (layer, c) in enumerate(curves.items()):
        path = " ".join(
            f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(c["i_xt"], c["i_ty"], strict=True)
        )
        parts.append(f'<polyline points="{path}" fill="none" stroke="#aaa" stroke-width="0.8"/>')
        for k, (e, a, b) in enumerate(zip(c["epochs"], c["i_xt"], c["i_ty"], strict=True)):
            tip = (
                f"{layer_title(index, layer)}, epoch {int(e)}: I(X;T) = {a:.3f}"
                f"{_interval_text(c, 'i_xt', k)}, I(T;Y) = {b:.3f}{_interval_text(c, 'i_ty', k)} "
                f"{units}"
            )
            parts.append(
                f'<circle class="pt" cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3.5" '
                f'fill="{to_hex(cmap(norm(int(e) + 1)))}"><title>{html.escape(tip)}</title>'
                "</circle>"
            )
    ends = [(sx(float(c["i_xt"][-1])), sy(float(c["i_ty"][-1]))) for c in curves.values()]
    placed = layer_label_positions([-y for _, y in ends], gap=13, low=-bottom + 6, high=-_TOP - 6)
    for index, ((x, y), at) in enumerate(zip(ends, placed, strict=True)):
        label_x, label_y = min(x + 10, right + 4), -at
        parts.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{label_x - 1:.1f}" y2="{label_y - 4:.1f}" '
            'stroke="#555" stroke-width="0.6"/>'
            f'<text x="{label_x:.1f}" y="{label_y:.1f}" font-size="11">'
            f"{html.escape(short_layer_name(index, list(curves)[index]))}</text>"
        )
    bar_x, bar_top, bar_h = _W - 62, _TOP, plot_h
    stops = "".join(
        f'<stop offset="{k / 10:.2f}" stop-color="{to_hex(cmap(1 - k / 10))}"/>' for k in range(11)
    )
    parts.append(
        f'<defs><linearGradient id="epochs" x1="0" y1="0" x2="0" y2="1">{stops}'
        f'</linearGradient></defs><rect x="{bar_x}" y="{bar_top}" width="14" height="{bar_h}" '
        'fill="url(#epochs)" stroke="#333" stroke-width="0.5"/>'
        f'<text x="{bar_x + 44}" y="{bar_top + bar_h / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 {bar_x + 44} {bar_top + bar_h / 2})">epoch + 1</text>'
    )
    top_log = math.log10(max(2, last + 1))
    ticks = [m * 10**p for p in range(int(top_log) + 1) for m in (1, 2, 5)]
    ticks = [t for t in ticks if math.log10(t) <= top_log * 0.97] + [max(2, last + 1)]
    for tick in ticks:
        at = bar_top + bar_h * (1 - math.log10(tick) / top_log)
        parts.append(
            f'<line x1="{bar_x + 14}" y1="{at:.1f}" x2="{bar_x + 18}" y2="{at:.1f}" '
            f'stroke="#333"/><text x="{bar_x + 20}" y="{at + 4:.1f}" font-size="10">'
            f"{tick:g}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _interval_text(curve: Curves, quantity: str, k: int) -> str:
    """Return `` [low, high]`` of point ``k`` when the curve has an interval there, else ``""``."""
    low, high = curve.get(f"{quantity}_low"), curve.get(f"{quantity}_high")
    if low is None or high is None or not (np.isfinite(low[k]) and np.isfinite(high[k])):
        return ""
    return f" [{float(low[k]):.3f}, {float(high[k]):.3f}]"


def _has_intervals(curves: Mapping[str, Curves], quantity: str) -> bool:
    return any(
        np.isfinite(np.asarray(c.get(f"{quantity}_low", []), dtype=float)).any()
        for c in curves.values()
    )


def _interval_kind(curves: Mapping[str, Curves]) -> str:
    """Return e.g. ``"95 % basic bootstrap interval"`` (the words of the curves' intervals)."""
    kinds = {(c.get("ci_level"), c.get("ci_method")) for c in curves.values() if "ci_level" in c}
    level, method = next(iter(kinds)) if len(kinds) == 1 else (None, None)
    if level is None or method is None:
        return "interval"
    return f"{float(level):.0%} {str(method).replace('_', ' ')} interval"


def _caption(curves: Mapping[str, Curves], n_seeds: int) -> str:
    """Return the caption of the over-epoch curves: what the band and the bars mean."""
    band = (
        f"Shaded band: seed mean ± standard deviation over the {n_seeds} seeds (spread over "
        "training runs)."
        if n_seeds > 1
        else "One seed: no seed band."
    )
    if not (_has_intervals(curves, "i_xt") or _has_intervals(curves, "i_ty")):
        return (
            f"<p class='caption'>{band} This estimator gave no per-point intervals (binning "
            "estimators give them with <code>ci=0.95</code>).</p>"
        )
    seeds = " (with several seeds: the mean of the seeds' interval ends)" if n_seeds > 1 else ""
    return (
        f"<p class='caption intervals'>{band} Bars (a hatched band on long runs): the "
        f"estimator's {html.escape(_interval_kind(curves))} of each point{seeds}. It is over "
        "the sampling of the probe inputs, for this network and these bins: it says nothing "
        "about the bias the choice of bins brings, nor about other seeds. A bar can lie beside "
        "its point: the interval corrects for the small-sample bias of the plug-in value (by "
        "its bootstrap estimate), the point does not. Points without a bar have no valid "
        "interval (too many probe samples alone in their bin).</p>"
    )


_STYLE = """body{font-family:sans-serif;margin:24px;max-width:1400px;color:#222}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
table{border-collapse:collapse;margin:8px 0 16px} .ok{color:#060;font-weight:bold}
.bad{color:#b00;font-weight:bold} .row{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
circle.pt:hover{stroke:black;stroke-width:2} code{font-size:12px} .layers{font-size:13px}
h2{margin-top:32px;font-size:18px} img{max-width:100%}
.caption{font-size:13px;color:#444;max-width:1000px}"""


def _panel_html(label: str, curves: Mapping[str, Curves], lines: Mapping[str, Any]) -> str:
    import matplotlib.pyplot as plt

    images = []
    for quantity, name in (("i_xt", "I(X;T)"), ("i_ty", "I(T;Y)")):
        bars = "; bars: per-point interval" if _has_intervals(curves, quantity) else ""
        fig, ax = plot_information_over_epochs(
            dict(curves),
            quantity=quantity,  # type: ignore[arg-type]
            thresholds=lines.get(quantity, []),
            title=f"{name} over epochs (seed mean ± sd{bars})",
        )
        images.append(
            f"<img alt='{name} over epochs, {html.escape(label)}' "
            f"src='data:image/png;base64,{_png(fig)}'>"
        )
        plt.close(fig)
    n_seeds = max(int(c.get("n_seeds", 1)) for c in curves.values())
    names = "".join(
        f"<li>{html.escape(layer_title(i, layer))}</li>" for i, layer in enumerate(curves)
    )
    return (
        f"<h2>{html.escape(label)}</h2><p>{n_seeds} seed(s) averaged. Hover a point for its "
        f"layer, epoch and values.</p><div class='row'>{svg_plane(curves, label)}"
        f"<ul class='layers'>{names}</ul></div><div class='row'>{''.join(images)}</div>"
        f"{_caption(curves, n_seeds)}"
    )


def _criteria_html(criteria: Mapping[str, Mapping[str, Any]]) -> str:
    if not criteria:
        return "<p>No pass criteria were given for these records.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td class='{'ok' if c['pass'] else 'bad'}'>"
        f"{'pass' if c['pass'] else 'fail'}</td><td>"
        f"{html.escape(readable({k: v for k, v in c.items() if k not in ('pass', 'threshold')}))}"
        "</td></tr>"
        for name, c in criteria.items()
    )
    overall = all(c["pass"] for c in criteria.values())
    return (
        f"<p><b>Overall: <span class='{'ok' if overall else 'bad'}'>"
        f"{'pass' if overall else 'fail'}</span></b></p>"
        f"<table><tr><th>criterion</th><th>result</th><th>values (bits, epochs)</th></tr>"
        f"{rows}</table>"
    )


def render_report(
    title: str,
    panels: Mapping[str, Mapping[str, Curves]],
    *,
    criteria: Mapping[str, Mapping[str, Any]] | None = None,
    intro: str = "",
) -> str:
    """Return the report page for ``panels`` (label -> curves) and optional ``criteria``."""
    lines = thresholds_of(criteria or {}, panels)
    sections = "".join(_panel_html(label, c, lines[label]) for label, c in panels.items())
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{intro}{_criteria_html(criteria or {})}{sections}"
        "</body></html>\n"
    )


def write_report(
    folder: Path, title: str, panels: dict[str, dict[str, Curves]], summary: dict[str, Any]
) -> None:
    """Write ``plane.png`` and a self-contained ``report.html`` for a reproduction."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 4.8), squeeze=False)
    for ax, (label, curves) in zip(axes[0], panels.items(), strict=True):
        plot_information_plane(curves, ax, title=f"{label} (mean of {summary['seeds']} seeds)")
    fig.tight_layout()
    fig.savefig(folder / "plane.png", dpi=110)
    plt.close(fig)
    described = {label: estimator_title(c) for label, c in summary["estimators"].items()}
    estimators = "".join(
        f"<li>{html.escape(label if title == label else f'{label}: {title}')}</li>"
        for label, title in described.items()
    )
    seeds = summary["seeds"]
    intro = (
        f"<p>{summary['epochs']} epochs, {seeds if isinstance(seeds, int) else len(seeds)} "
        f"seed(s); MI in bits on {html.escape(str(summary['samples']))}. Every value depends "
        f"on the estimator and its assumptions:</p><ul>{estimators}</ul>"
    )
    page = render_report(title, panels, criteria=summary["criteria"], intro=intro)
    (folder / "report.html").write_text(page)


def store_panels(
    records_db: str | Path, *, summary: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Curves]]:
    """Return ``label -> curves`` for every run and estimator in a records database.

    Seeds are averaged per run and estimator (never across estimators). A panel is named by
    the ``summary``'s label for its estimator when exactly one label has that identity, else
    ``"<run_id>: <estimator (settings)>"``.
    """
    from infolens.infoplane.store import PlaneStore

    path = Path(records_db)
    if not path.is_file():
        raise InvalidInputError(
            f"No records database at {path}; pass the records.db a run wrote (e.g. "
            "infoplane-tishby/records.db)."
        )
    with PlaneStore(path) as store:
        records = store.records()
    if not records:
        raise InvalidInputError(f"{path} holds no information-plane records.")
    labels: dict[str, list[str]] = {}
    for label, config in (summary or {}).get("estimators", {}).items():
        labels.setdefault(str(config.get("identity")), []).append(label)
    groups: dict[tuple[str, str], list[Any]] = {}
    for r in records:
        groups.setdefault((r.run_id, r.estimator), []).append(r)
    panels: dict[str, dict[str, Curves]] = {}
    for (run_id, identity), group in groups.items():
        named = labels.get(identity, [])
        label = (
            named[0]
            if len(named) == 1
            else f"{run_id}: {estimator_title({**group[0].config, 'identity': identity})}"
        )
        curves = seed_mean_curves(group, estimator=identity)
        if curves:
            panels[label] = curves
    return panels


def write_store_report(
    records_db: str | Path,
    output: str | Path,
    *,
    title: str | None = None,
    summary: Mapping[str, Any] | str | Path | None = None,
) -> Path:
    """Write the HTML report of every run in ``records_db`` to ``output``; return its path.

    ``summary`` (a dict or the path of a ``summary.json``) supplies pass criteria and panel
    names; by default a ``summary.json`` beside the database is used when there is one, and
    the report has no criteria otherwise.
    """
    import matplotlib

    matplotlib.use("Agg")
    db = Path(records_db)
    if summary is None and (db.parent / "summary.json").is_file():
        summary = db.parent / "summary.json"
    if isinstance(summary, str | Path):
        try:
            summary = json.loads(Path(summary).read_text())
        except (OSError, ValueError) as err:
            raise InvalidInputError(
                f"{summary} is not a summary.json written by infolens ({err})."
            ) from None
    if summary is not None and not isinstance(summary, Mapping):
        raise InvalidInputError(
            f"The summary must be a JSON object with 'criteria'; got {type(summary).__name__}."
        )
    panels = store_panels(db, summary=summary)
    criteria = dict((summary or {}).get("criteria", {}))
    heading = title or str((summary or {}).get("description") or f"Information plane: {db}")
    seeds = sorted({int(c["n_seeds"]) for p in panels.values() for c in p.values()})
    intro = (
        f"<p>Records of {html.escape(str(db))}: {len(panels)} run/estimator panel(s), "
        f"{', '.join(map(str, seeds))} seed(s) each; MI in bits.</p>"
    )
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(heading, panels, criteria=criteria, intro=intro))
    return out


def plot_panels(panels: Mapping[str, Mapping[str, Curves]]) -> Sequence[Any]:
    """Return one plane figure per panel (titles: the panel labels)."""
    return [plot_information_plane(dict(c), title=label)[0] for label, c in panels.items()]


__all__ = [
    "estimator_title",
    "plot_information_plane",
    "plot_panels",
    "readable",
    "render_report",
    "store_panels",
    "svg_plane",
    "thresholds_of",
    "write_report",
    "write_store_report",
]
