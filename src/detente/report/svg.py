"""Charts as inline SVG text, drawn by hand so reports and the web app need no JavaScript library
and no network.

Two charts: :func:`forecast_chart` puts the actors' positions and every model's forecast for one
issue on a common axis (the side-by-side comparison), and :func:`trajectory_chart` draws each
actor's position round by round for one model. Output omits the ``xmlns`` attribute because it is
meant to sit inside HTML5, where the SVG namespace is implied (and the report then holds no
``http`` string at all).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22")
MODEL_COLOUR = "#333333"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


def colour(k: int) -> str:
    """The colour of the ``k``-th actor, stable across every chart of a report."""
    return PALETTE[k % len(PALETTE)]


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = hi - lo
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step) * step
    out, v = [], first
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _text(x: float, y: float, s: str, anchor: str = "middle", size: int = 11,
          fill: str = "#333", weight: str = "normal") -> str:
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}" font-weight="{weight}" {FONT}>{escape(s)}</text>')


def _open(width: int, height: int, label: str, css_class: str) -> str:
    return (f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(label)}">'
            f'<title>{escape(label)}</title>')


def forecast_chart(title: str, scale: tuple[float, float],
                   actors: Sequence[tuple[str, float, float]],
                   forecasts: Sequence[tuple[str, float | None]],
                   status_quo: float | None = None, colours: Sequence[str] | None = None,
                   width: int = 680) -> str:
    """Actors and model forecasts for one issue on the issue's own scale.

    ``actors`` are ``(label, position, weight)`` with weight = capability x salience (the
    circle's area is proportional to it); ``forecasts`` are ``(model, value)``, one row each.
    """
    lo, hi = scale
    left, right, top = 110, 30, 34
    row = 24
    actor_band = 64
    height = top + actor_band + row * max(1, len(forecasts)) + 40
    plot_w = width - left - right

    def x_of(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    parts = [_open(width, height, f"Forecasts: {title}", "chart forecast-chart"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(left, 18, title, "start", 13, "#111", "bold")]
    axis_y = height - 30
    for t in _ticks(lo, hi):
        x = x_of(t)
        parts.append(f'<line x1="{_f(x)}" y1="{top}" x2="{_f(x)}" y2="{_f(axis_y)}" '
                     f'stroke="#eee"/>')
        parts.append(_text(x, axis_y + 16, f"{t:g}", size=10, fill="#666"))
    parts.append(f'<line x1="{left}" y1="{_f(axis_y)}" x2="{width - right}" y2="{_f(axis_y)}" '
                 f'stroke="#999"/>')
    if status_quo is not None:
        x = x_of(status_quo)
        parts.append(f'<line class="status-quo" x1="{_f(x)}" y1="{top}" x2="{_f(x)}" '
                     f'y2="{_f(axis_y)}" stroke="#999" stroke-dasharray="4 3"/>')
        parts.append(_text(x, axis_y + 28, "status quo", size=9, fill="#888"))
    ay = top + actor_band / 2 + 6
    parts.append(_text(left - 10, ay + 4, "actors", "end", 11, "#555"))
    top_weight = max((w for _, _, w in actors), default=1.0) or 1.0
    order = sorted(range(len(actors)), key=lambda k: actors[k][1])
    for rank, k in enumerate(order):
        label, pos, weight = actors[k]
        c = colours[k] if colours else colour(k)
        x = x_of(pos)
        r = 3 + 9 * math.sqrt(max(weight, 0.0) / top_weight)
        parts.append(f'<circle class="actor" data-actor="{escape(label)}" cx="{_f(x)}" '
                     f'cy="{_f(ay)}" r="{_f(r)}" fill="{c}" fill-opacity="0.75" '
                     f'stroke="#fff"><title>{escape(label)}: {_fmt(pos)}</title></circle>')
        dy = -16 if rank % 2 == 0 else 22
        parts.append(_text(x, ay + dy, label, size=10, fill=c))
    for j, (model, value) in enumerate(forecasts):
        y = top + actor_band + row * j + row / 2
        parts.append(f'<line x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}" '
                     f'stroke="#f3f3f3"/>')
        parts.append(_text(left - 10, y + 4, model, "end", 11, "#333"))
        if value is None:
            parts.append(_text(left + 4, y + 4, "no forecast", "start", 10, "#a00"))
            continue
        x = x_of(value)
        parts.append(f'<path class="model-forecast" data-model="{escape(model)}" '
                     f'data-value="{value:.4f}" d="M{_f(x)} {_f(y - 6)} L{_f(x + 6)} {_f(y)} '
                     f'L{_f(x)} {_f(y + 6)} L{_f(x - 6)} {_f(y)} Z" fill="{MODEL_COLOUR}">'
                     f'<title>{escape(model)}: {_fmt(value)}</title></path>')
        anchor, dx = ("end", -10) if x > left + plot_w * 0.85 else ("start", 10)
        parts.append(_text(x + dx, y + 4, _fmt(value), anchor, 10, "#333"))
    parts.append("</svg>")
    return "".join(parts)


def trajectory_chart(title: str, scale: tuple[float, float],
                     series: Sequence[tuple[str, Sequence[float | None]]],
                     median: Sequence[float | None] | None = None,
                     colours: Sequence[str] | None = None, width: int = 680,
                     height: int = 260) -> str:
    """Positions by round: one line per actor (``(label, values by round)``), median dashed."""
    lo, hi = scale
    left, right, top, bottom = 46, 130, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n_rounds = max((len(v) for _, v in series), default=1)
    last = max(n_rounds - 1, 1)

    def x_of(t: float) -> float:
        return left + t / last * plot_w

    def y_of(v: float) -> float:
        return top + (1 - (v - lo) / (hi - lo)) * plot_h

    parts = [_open(width, height, f"Trajectory: {title}", "chart trajectory-chart"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(left, 18, title, "start", 13, "#111", "bold")]
    for t in _ticks(lo, hi, 4):
        y = y_of(t)
        parts.append(f'<line x1="{left}" y1="{_f(y)}" x2="{left + plot_w}" y2="{_f(y)}" '
                     f'stroke="#eee"/>')
        parts.append(_text(left - 6, y + 4, f"{t:g}", "end", 10, "#666"))
    for t in _ticks(0, last, min(last, 8)) if last > 1 else [0, 1]:
        if abs(t - round(t)) > 1e-9:
            continue
        parts.append(_text(x_of(t), top + plot_h + 16, f"{round(t)}", size=10, fill="#666"))
    parts.append(_text(left + plot_w / 2, height - 4, "round", size=10, fill="#666"))
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
                 f'stroke="#ccc"/>')

    def line(values: Sequence[float | None], stroke: str, extra: str, label: str) -> str:
        pts = [(x_of(t), y_of(v)) for t, v in enumerate(values) if v is not None]
        if not pts:
            return ""
        if len(pts) == 1:
            x, y = pts[0]
            return (f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3" fill="{stroke}">'
                    f'<title>{escape(label)}</title></circle>')
        d = " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
        return (f'<polyline points="{d}" fill="none" stroke="{stroke}" {extra}>'
                f'<title>{escape(label)}</title></polyline>')

    legend_y = top + 4
    for k, (label, values) in enumerate(series):
        c = colours[k] if colours else colour(k)
        end = next((v for v in reversed(values) if v is not None), None)
        parts.append(line(values, c, 'stroke-width="2" class="actor-line"',
                          f"{label}: {_fmt(values[0] if values else None)} → {_fmt(end)}"))
        parts.append(f'<rect x="{left + plot_w + 12}" y="{legend_y + 14 * k}" width="10" '
                     f'height="10" fill="{c}"/>')
        parts.append(_text(left + plot_w + 26, legend_y + 14 * k + 9, label, "start", 10))
    if median is not None:
        parts.append(line(median, "#000", 'stroke-width="1.5" stroke-dasharray="5 4" '
                          'class="median-line"', "weighted median"))
        k = len(series)
        parts.append(f'<line x1="{left + plot_w + 12}" y1="{legend_y + 14 * k + 5}" '
                     f'x2="{left + plot_w + 22}" y2="{legend_y + 14 * k + 5}" stroke="#000" '
                     f'stroke-dasharray="3 2"/>')
        parts.append(_text(left + plot_w + 26, legend_y + 14 * k + 9, "median", "start", 10))
    parts.append("</svg>")
    return "".join(parts)
