"""Uncertainty charts as inline SVG: forecast distributions by model, and the tornado.

:func:`distribution_chart` draws, for one issue, a row per model: a histogram strip of the
forecasts over the draws (bar height proportional to the share of draws in the bin), the band
from the 10 % to the 90 % quantile and a tick at the median. :func:`tornado_chart` draws the
one-at-a-time swings of the inputs that move one issue's forecast most, each bar spanning the
forecasts with the input at its low and its high quantile, around the base forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from detente.report.svg import _f, _fmt, _open, _text, _ticks
from detente.scenario.model import Scenario

BAND = "#1f4e79"
LOW_COLOUR = "#5b8db8"
HIGH_COLOUR = "#e07b39"


def _axis(parts: list[str], lo: float, hi: float, x_of: Any, top: float, bottom: float,
          right: float, left: float) -> None:
    for t in _ticks(lo, hi):
        x = x_of(t)
        parts.append(f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(bottom)}" '
                     f'stroke="#eee"/>')
        parts.append(_text(x, bottom + 16, f"{t:g}", size=10, fill="#666"))
    parts.append(f'<line x1="{_f(left)}" y1="{_f(bottom)}" x2="{_f(right)}" y2="{_f(bottom)}" '
                 f'stroke="#999"/>')


def distribution_chart(title: str, scale: tuple[float, float],
                       rows: Sequence[tuple[str, dict[str, Any] | None]],
                       status_quo: float | None = None, width: int = 680) -> str:
    """One issue's forecast distribution for each model.

    ``rows`` are ``(model, issue entry of :func:`detente.report.uncertainty.distribution`)``;
    an entry of None is drawn as "no forecast".
    """
    lo, hi = scale
    left, right, top, row = 110, 120, 30, 34
    plot_w = width - left - right
    height = top + row * max(1, len(rows)) + 36
    axis_y = height - 30

    def x_of(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w

    parts = [_open(width, height, f"Forecast distribution: {title}", "chart dist-chart"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(8, 18, title, "start", 13, "#111", "bold"),
             _text(width - 8, 18, "median [q10–q90]", "end", 10, "#666")]
    _axis(parts, lo, hi, x_of, top, axis_y, left + plot_w, left)
    if status_quo is not None:
        x = x_of(status_quo)
        parts.append(f'<line class="status-quo" x1="{_f(x)}" y1="{top}" x2="{_f(x)}" '
                     f'y2="{_f(axis_y)}" stroke="#999" stroke-dasharray="4 3"/>')
        parts.append(_text(x, axis_y + 28, "status quo", size=9, fill="#888"))
    for j, (model, entry) in enumerate(rows):
        y0 = top + row * j
        mid = y0 + row / 2
        parts.append(_text(left - 10, mid + 4, model, "end", 11, "#333"))
        if entry is None or entry.get("median") is None:
            parts.append(_text(left + 4, mid + 4, "no forecast", "start", 10, "#a00"))
            continue
        counts, edges = entry["counts"], entry["bins"]
        peak = max(counts) or 1
        for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
            if c == 0:
                continue
            h = (row - 8) * c / peak
            parts.append(f'<rect class="hist-bar" x="{_f(x_of(a))}" y="{_f(y0 + row - 4 - h)}" '
                         f'width="{_f(max(x_of(b) - x_of(a) - 0.5, 0.5))}" height="{_f(h)}" '
                         f'fill="#c9d6e3"><title>{round(a, 2):g}–{round(b, 2):g}: {c} '
                         f'draw{"s" * (c != 1)}</title></rect>')
        q10, q50, q90 = entry["q10"], entry["q50"], entry["q90"]
        x1, x2 = x_of(q10), x_of(q90)
        parts.append(f'<rect class="q-band" data-model="{escape(model)}" '
                     f'data-q10="{q10:.4f}" data-q90="{q90:.4f}" x="{_f(x1)}" '
                     f'y="{_f(mid - 3)}" width="{_f(max(x2 - x1, 1.0))}" height="6" '
                     f'fill="{BAND}" fill-opacity="0.55"><title>{escape(model)}: 10–90 %: '
                     f'{_fmt(q10)}–{_fmt(q90)}</title></rect>')
        xm = x_of(q50)
        parts.append(f'<line class="q-median" data-model="{escape(model)}" '
                     f'data-value="{q50:.4f}" x1="{_f(xm)}" y1="{_f(mid - 9)}" x2="{_f(xm)}" '
                     f'y2="{_f(mid + 9)}" stroke="#111" stroke-width="2.5">'
                     f'<title>{escape(model)}: median {_fmt(q50)}</title></line>')
        parts.append(_text(left + plot_w + 8, mid + 4,
                           f"{_fmt(q50)} [{_fmt(q10)}–{_fmt(q90)}]", "start", 10, "#333"))
    parts.append("</svg>")
    return "".join(parts)


def tornado_chart(title: str, swings: Sequence[dict[str, Any]], width: int = 680,
                  empty: str = "no uncertain inputs") -> str:
    """Bars from the forecast at the input's low quantile to that at its high quantile.

    ``swings`` are tornado entries (``input, base, low, high, swing``), largest first;
    ``empty`` is what the chart says when there are none.
    """
    left, right, top, row = 150, 30, 44, 20
    plot_w = width - left - right
    height = top + row * max(1, len(swings)) + 36
    axis_y = height - 30
    parts = [_open(width, height, f"Tornado: {title}", "chart tornado-chart"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(8, 18, title, "start", 13, "#111", "bold")]
    legend = [(LOW_COLOUR, "input at its 10 % quantile"),
              (HIGH_COLOUR, "input at its 90 % quantile")]
    for k, (c, label) in enumerate(legend):
        x = left + 230 * k
        parts.append(f'<rect x="{x}" y="27" width="10" height="10" fill="{c}"/>')
        parts.append(_text(x + 14, 36, label, "start", 10, "#555"))
    if not swings:
        parts.append(_text(left, top + 14, empty, "start", 11, "#a00"))
        parts.append("</svg>")
        return "".join(parts)
    base = swings[0]["base"]
    values = [base] + [v for s in swings for v in (s["low"], s["high"])]
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.08, 1e-6)
    lo, hi = lo - pad, hi + pad

    def x_of(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    _axis(parts, lo, hi, x_of, top, axis_y, left + plot_w, left)
    for j, s in enumerate(swings):
        y = top + row * j + 3
        parts.append(_text(left - 8, y + 11, s["input"], "end", 10, "#333"))
        for value, c in ((s["low"], LOW_COLOUR), (s["high"], HIGH_COLOUR)):
            a, b = sorted((x_of(base), x_of(value)))
            parts.append(f'<rect class="swing" data-input="{escape(s["input"])}" '
                         f'x="{_f(a)}" y="{_f(y)}" width="{_f(max(b - a, 0.8))}" '
                         f'height="{row - 6}" fill="{c}"><title>{escape(s["input"])}: '
                         f'{_fmt(s["low"])} to {_fmt(s["high"])} (swing '
                         f'{s["swing"]:.2f})</title></rect>')
    xb = x_of(base)
    parts.append(f'<line class="base" x1="{_f(xb)}" y1="{top - 4}" x2="{_f(xb)}" '
                 f'y2="{_f(axis_y)}" stroke="#111" stroke-width="1.5"/>')
    parts.append(_text(xb, axis_y + 28, f"base {_fmt(base)}", size=9, fill="#333"))
    parts.append("</svg>")
    return "".join(parts)


OUTCOME_FILL = {"agreement": "#1e7d32", "partial": "#e0a800", "impasse": "#c62828",
                "no_meeting": "#d1d5db"}


def outcome_chart(meetings: Sequence[dict[str, Any]], forums: dict[str, str] | None = None,
                  width: int = 680) -> str:
    """Per forum meeting, the share of draws ending in each outcome, as one stacked bar.

    ``meetings`` are the ``meetings`` of ``SimulationMC.to_dict()``.
    """
    forums = forums or {}
    left, right, top, row = 190, 20, 44, 20
    plot_w = width - left - right
    height = top + row * max(1, len(meetings)) + 30
    parts = [_open(width, height, "Outcome probabilities by meeting", "chart outcome-chart"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(left, 18, "Outcome of each meeting over the draws", "start", 13, "#111",
                   "bold")]
    x = left
    for name, fill in OUTCOME_FILL.items():
        parts.append(f'<rect x="{x}" y="27" width="10" height="10" fill="{fill}"/>')
        label = name.replace("_", " ")
        parts.append(_text(x + 14, 36, label, "start", 10, "#555"))
        x += 24 + 7 * len(label)
    for j, m in enumerate(meetings):
        y = top + row * j + 3
        name = forums.get(m["forum"], m["forum"])
        label = f"{name if len(name) <= 24 else m['forum']} {m['date']}"
        parts.append(_text(left - 8, y + 11, label, "end", 10, "#333"))
        x0 = float(left)
        for name, fill in OUTCOME_FILL.items():
            p = float(m["probabilities"].get(name, 0.0))
            if p <= 0:
                continue
            w = p * plot_w
            parts.append(f'<rect class="outcome" data-outcome="{name}" data-p="{p:.6f}" '
                         f'x="{_f(x0)}" y="{_f(y)}" width="{_f(w)}" height="{row - 6}" '
                         f'fill="{fill}"><title>{escape(label)}: {name.replace("_", " ")} '
                         f'{100 * p:.0f} %</title></rect>')
            x0 += w
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        xt = left + t * plot_w
        parts.append(_text(xt, height - 10, f"{100 * t:.0f} %", size=10, fill="#666"))
    parts.append("</svg>")
    return "".join(parts)


def top_swings(sens: dict[str, Any], issue: str, top: int = 12) -> list[dict[str, Any]]:
    """The ``top`` largest swings of one issue from ``SensitivityResult.to_dict()``."""
    rows = [s for s in sens["tornado"] if s["issue"] == issue]
    return sorted(rows, key=lambda s: -s["swing"])[:top]


def issue_uncertainty_charts(data: dict[str, Any], sc: Scenario,
                             top: int = 12) -> list[dict[str, Any]]:
    """Per issue: the distribution chart and (when the sensitivity ran) the tornado chart.

    ``data`` is :func:`detente.report.uncertainty.uncertainty_data` for the scenario ``sc``.
    """
    out = []
    sens = data.get("sensitivity") or {}
    for issue in sc.issues:
        title = f"{issue.id}: {issue.name}" if issue.name else issue.id
        rows = []
        for d in data["distributions"]:
            entry = None if "error" in d else next(
                (i for i in d["issues"] if i["id"] == issue.id), None)
            rows.append((d["model"], entry))
        dist = distribution_chart(title, issue.bounds, rows, issue.status_quo)
        empty = ("no forecast to vary: no actor weighs this issue"
                 if issue.id in sens.get("no_forecast", []) else "no uncertain inputs")
        tor = (tornado_chart(f"{sens['model']} — {title}", top_swings(sens, issue.id, top),
                             empty=empty) if "tornado" in sens else None)
        out.append({"issue": issue.id, "distribution": dist, "tornado": tor})
    return out
