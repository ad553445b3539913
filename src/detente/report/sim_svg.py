"""The simulation's charts as inline SVG, drawn from the JSON of ``detente simulate --json``.

Four pictures of one simulated history, shared by the HTML report and the web app:

- :func:`timeline_chart`: one row per forum, each meeting a marker coloured by its outcome
  (agreement, partial, impasse, no meeting), and the other dated events on a row of their own;
- :func:`support_chart`: domestic support (0-1) of each actor over time;
- :func:`trust_multiples`: trust (0-1) between actor pairs over time, one small panel per actor;
- :func:`trust_network`: the actors on a circle, each edge's width and colour its trust on
  one date (small multiples or a date slider show it changing).

Each function takes the history dict (``History.to_dict()``) so that what is drawn is exactly
what ``detente simulate --json`` prints for the same seed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from detente.report.svg import _f, _open, _text, colour

OUTCOME_STYLE = {  # outcome -> (fill, label)
    "agreement": ("#1e7d32", "agreement"),
    "partial": ("#e0a800", "partial agreement"),
    "impasse": ("#c62828", "impasse"),
    "no_meeting": ("#ffffff", "no meeting"),
}
EVENT_COLOUR = "#6b7280"
SimData = dict[str, Any]


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class _TimeAxis:
    """Dates from ``start`` to ``until`` mapped onto ``[left, left + width]``."""

    def __init__(self, start: str, until: str, left: float, width: float) -> None:
        self.start, self.until = _date(start), _date(until)
        self.days = max((self.until - self.start).days, 1)
        self.left, self.width = left, width

    def x(self, date: str | dt.date) -> float:
        d = _date(date) if isinstance(date, str) else date
        return self.left + (d - self.start).days / self.days * self.width

    def ticks(self) -> list[tuple[dt.date, str]]:
        """Year starts (labelled with the year) or, for short spans, quarter starts."""
        quarterly = self.days < 800
        out, y, m = [], self.start.year, 1
        while True:
            d = dt.date(y, m, 1)
            if d > self.until:
                return out
            if d >= self.start:
                out.append((d, str(y) if m == 1 else d.strftime("%b")))
            if quarterly:
                m += 3
                if m > 12:
                    y, m = y + 1, 1
            else:
                y += 1

    def draw(self, top: float, bottom: float) -> list[str]:
        parts = []
        for d, label in self.ticks():
            x = self.x(d)
            strong = label.isdigit()
            parts.append(f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(bottom)}" '
                         f'stroke="{"#d4d7dc" if strong else "#eef0f2"}"/>')
            parts.append(_text(x, bottom + 14, label, size=10,
                               fill="#333" if strong else "#777"))
        return parts


def _actor_names(sc: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a.get("name") or a["id"] for a in sc.get("actors", [])}


def _actor_order(data: SimData) -> list[str]:
    seen: list[str] = []
    for row in data["support"]:
        if row["actor"] not in seen:
            seen.append(row["actor"])
    return seen


def timeline_chart(data: SimData, forum_names: dict[str, str] | None = None,
                   width: int = 900) -> str:
    """Forum meetings and their outcomes over time; other events on their own row."""
    names = forum_names or {}
    meetings = [e for e in data["events"] if e["kind"] == "meeting" and e["forum"]]
    others = [e for e in data["events"] if not (e["kind"] == "meeting" and e["forum"])]
    forums: list[str] = []
    for e in meetings:
        if e["forum"] not in forums:
            forums.append(e["forum"])
    rows = [*forums, "__events__"] if others else forums
    left, right, top, row_h = 215, 24, 34, 34
    height = top + row_h * max(len(rows), 1) + 62
    axis = _TimeAxis(data["start"], data["until"], left, width - left - right)
    bottom = top + row_h * max(len(rows), 1)
    parts = [_open(width, height, "Timeline of forum meetings and outcomes",
                   "chart sim-timeline"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(left, 18, f"Forum meetings, {data['start']} to {data['until']}", "start",
                   13, "#111", "bold")]
    parts += axis.draw(top, bottom)
    for k, row in enumerate(rows):
        y = top + row_h * k + row_h / 2
        label = "other events" if row == "__events__" else names.get(row, row)
        if len(label) > 32:
            label = label[:31] + "…"
        parts.append(f'<line x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}" '
                     f'stroke="#e5e7eb" stroke-width="6" stroke-linecap="round"/>')
        parts.append(_text(left - 10, y + 4, label, "end", 11, "#333"))
    for e in meetings:
        y = top + row_h * rows.index(e["forum"]) + row_h / 2
        x = axis.x(e["date"])
        outcome = e["outcome"] or "coordination"
        fill, _ = OUTCOME_STYLE.get(outcome, ("#9ca3af", outcome))
        stroke = "#6b7280" if outcome == "no_meeting" else "#fff"
        parts.append(f'<circle class="sim-meeting" data-date="{e["date"]}" '
                     f'data-forum="{escape(e["forum"])}" data-outcome="{escape(outcome)}" '
                     f'cx="{_f(x)}" cy="{_f(y)}" r="8" fill="{fill}" stroke="{stroke}" '
                     f'stroke-width="2"><title>{escape(e["narrative"])}</title></circle>')
    if others:
        y = top + row_h * rows.index("__events__") + row_h / 2
        for e in others:
            x = axis.x(e["date"])
            parts.append(f'<path class="sim-event" data-date="{e["date"]}" '
                         f'data-kind="{escape(e["kind"])}" d="M{_f(x)} {_f(y - 7)} '
                         f'L{_f(x + 6)} {_f(y + 5)} L{_f(x - 6)} {_f(y + 5)} Z" '
                         f'fill="{EVENT_COLOUR}"><title>{escape(e["narrative"])}</title></path>')
    ly = height - 16
    lx = float(left)
    for outcome, (fill, label) in OUTCOME_STYLE.items():
        stroke = "#6b7280" if outcome == "no_meeting" else fill
        parts.append(f'<circle cx="{_f(lx)}" cy="{_f(ly - 4)}" r="6" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="1.5"/>')
        parts.append(_text(lx + 10, ly, label, "start", 11, "#333"))
        lx += 22 + 7 * len(label)
    if others:
        parts.append(f'<path d="M{_f(lx)} {_f(ly - 10)} L{_f(lx + 6)} {_f(ly + 1)} '
                     f'L{_f(lx - 6)} {_f(ly + 1)} Z" fill="{EVENT_COLOUR}"/>')
        parts.append(_text(lx + 10, ly, "other event (election, act, summit…)", "start", 11,
                           "#333"))
    parts.append("</svg>")
    return "".join(parts)


def _series_chart(title: str, css: str, axis: _TimeAxis, width: int, height: int,
                  top: float, plot_h: float, lines: Sequence[tuple[str, str, list[tuple[str,
                                                                                    float]]]],
                  legend: bool, y_label: str, data_attr: str) -> list[str]:
    """A 0-1 line chart over dates: ``lines`` are ``(label, colour, [(date, value)])``."""
    left = axis.left
    plot_w = axis.width

    def y_of(v: float) -> float:
        return top + (1 - v) * plot_h

    parts = [_open(width, height, title, css), f'<rect width="{width}" height="{height}" '
             f'fill="#fff"/>', _text(left, top - 12, title, "start", 12, "#111", "bold")]
    parts += axis.draw(top, top + plot_h)
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y_of(v)
        parts.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(left + plot_w)}" '
                     f'y2="{_f(y)}" stroke="#eee"/>')
        parts.append(_text(left - 5, y + 4, f"{v:g}", "end", 9, "#666"))
    parts.append(f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(plot_w)}" '
                 f'height="{_f(plot_h)}" fill="none" stroke="#ccc"/>')
    if y_label:
        parts.append(f'<text x="12" y="{_f(top + plot_h / 2)}" font-size="10" fill="#666" '
                     f'text-anchor="middle" transform="rotate(-90 12 {_f(top + plot_h / 2)})">'
                     f'{escape(y_label)}</text>')
    for k, (label, stroke, points) in enumerate(lines):
        if not points:
            continue
        # a step line: the value holds until the next dated step changes it
        coords: list[tuple[float, float]] = []
        for j, (d, v) in enumerate(points):
            x, y = axis.x(d), y_of(v)
            if j:
                coords.append((x, coords[-1][1]))
            coords.append((x, y))
        coords.append((left + plot_w, coords[-1][1]))
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in coords)
        first, last = points[0][1], points[-1][1]
        parts.append(f'<polyline class="sim-line" {data_attr}="{escape(label)}" '
                     f'data-last="{last:.4f}" points="{pts}" fill="none" stroke="{stroke}" '
                     f'stroke-width="2"><title>{escape(label)}: {first:.2f} → {last:.2f}'
                     f'</title></polyline>')
        if legend:
            ly = top + 4 + 15 * k
            parts.append(f'<rect x="{_f(left + plot_w + 12)}" y="{_f(ly)}" width="10" '
                         f'height="10" fill="{stroke}"/>')
            parts.append(_text(left + plot_w + 26, ly + 9, f"{label} ({last:.2f})", "start",
                               10))
    return parts


def support_chart(data: SimData, actor_names: dict[str, str] | None = None,
                  width: int = 900, height: int = 280) -> str:
    """Domestic support (0-1) of each actor after each dated step."""
    names = actor_names or {}
    order = _actor_order(data)
    left, right, top, bottom = 44, 190, 30, 30
    axis = _TimeAxis(data["start"], data["until"], left, width - left - right)
    lines = [(names.get(a, a), colour(k),
              [(r["date"], r["value"]) for r in data["support"] if r["actor"] == a])
             for k, a in enumerate(order)]
    parts = _series_chart("Domestic support by actor", "chart sim-support", axis, width,
                          height, top, height - top - bottom, lines, True, "support",
                          "data-actor")
    parts.append("</svg>")
    return "".join(parts)


def trust_multiples(data: SimData, actor_names: dict[str, str] | None = None,
                    columns: int = 3, width: int = 900) -> str:
    """Trust between pairs over time: a panel per actor, a line per partner (its colour)."""
    names = actor_names or {}
    order = _actor_order(data)
    index = {a: k for k, a in enumerate(order)}
    n_rows = math.ceil(len(order) / columns)
    panel_w, panel_h = width / columns, 190
    height = int(30 + panel_h * n_rows + 10)
    parts = [_open(width, height, "Trust between actors over time", "chart sim-trust"),
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             _text(10, 18, "Trust between actors over time (0 = none, 1 = full); one panel "
                   "per actor, a line per partner in the partner's colour", "start", 12,
                   "#111", "bold")]
    for k, a in enumerate(order):
        ox, oy = panel_w * (k % columns), 30 + panel_h * (k // columns)
        axis = _TimeAxis(data["start"], data["until"], ox + 34, panel_w - 48)
        lines = []
        for b in order:
            if b == a:
                continue
            pts = [(r["date"], r["value"]) for r in data["trust"]
                   if {r["a"], r["b"]} == {a, b}]
            lines.append((f"{a}–{b}", colour(index[b]), pts))
        inner = _series_chart(f"{names.get(a, a)}", "", axis, width, height, oy + 26,
                              panel_h - 56, lines, False, "", "data-pair")
        parts += inner[2:]  # the panel shares the outer <svg> and background
    parts.append("</svg>")
    return "".join(parts)


def trust_at(data: SimData, date: str) -> dict[tuple[str, str], float]:
    """Trust of every pair after the last step on or before ``date`` (empty before any)."""
    out: dict[tuple[str, str], float] = {}
    for r in data["trust"]:
        if r["date"] <= date:
            out[(r["a"], r["b"])] = r["value"]
    return out


def trust_colour(v: float) -> str:
    """Red (no trust) through grey (0.5) to blue (full trust)."""
    v = min(max(v, 0.0), 1.0)
    lo, mid, hi = (198, 40, 40), (170, 170, 170), (31, 78, 121)
    a, b, t = (lo, mid, v * 2) if v < 0.5 else (mid, hi, (v - 0.5) * 2)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def trust_network(data: SimData, date: str, actor_names: dict[str, str] | None = None,
                  size: int = 300) -> str:
    """The actors on a circle; each edge's width and colour is its trust on ``date``."""
    names = actor_names or {}
    order = _actor_order(data)
    values = trust_at(data, date)
    cx, cy, r = size / 2, size / 2 + 8, size / 2 - 52
    pos = {a: (cx + r * math.sin(2 * math.pi * k / len(order)),
               cy - r * math.cos(2 * math.pi * k / len(order))) for k, a in enumerate(order)}
    parts = [_open(size, size + 16, f"Trust network on {date}", "chart sim-network"),
             f'<rect width="{size}" height="{size + 16}" fill="#fff"/>',
             _text(size / 2, 16, date, "middle", 12, "#111", "bold")]
    for (a, b), v in sorted(values.items(), key=lambda kv: kv[1]):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        parts.append(f'<line class="trust-edge" data-a="{escape(a)}" data-b="{escape(b)}" '
                     f'data-value="{v:.4f}" x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" '
                     f'y2="{_f(y2)}" stroke="{trust_colour(v)}" stroke-width="{_f(1 + 9 * v)}" '
                     f'stroke-linecap="round" stroke-opacity="0.85"><title>{escape(a)}–'
                     f'{escape(b)}: trust {v:.2f}</title></line>')
    for k, a in enumerate(order):
        x, y = pos[a]
        parts.append(f'<circle class="trust-node" data-actor="{escape(a)}" cx="{_f(x)}" '
                     f'cy="{_f(y)}" r="15" fill="{colour(k)}" stroke="#fff" stroke-width="2">'
                     f'<title>{escape(names.get(a, a))}</title></circle>')
        parts.append(_text(x, y + 4, a, size=10, fill="#fff", weight="bold"))
    parts.append("</svg>")
    return "".join(parts)


def network_legend(width: int = 300) -> str:
    """The colour and width key of :func:`trust_network`."""
    parts = [_open(width, 34, "Trust colour key", "sim-network-key")]
    for k in range(11):
        v = k / 10
        x = 20 + k * (width - 40) / 10
        parts.append(f'<line x1="{_f(x)}" y1="12" x2="{_f(x + (width - 40) / 10)}" y2="12" '
                     f'stroke="{trust_colour(v)}" stroke-width="{_f(1 + 9 * v)}"/>')
    parts.append(_text(20, 31, "trust 0", "start", 10, "#555"))
    parts.append(_text(width - 20, 31, "1", "end", 10, "#555"))
    parts.append("</svg>")
    return "".join(parts)


def network_dates(data: SimData, n: int = 4) -> list[str]:
    """``n`` step dates spread over the run (first, last and evenly between)."""
    dates = sorted({r["date"] for r in data["trust"]})
    if len(dates) <= n:
        return dates
    return [dates[round(k * (len(dates) - 1) / (n - 1))] for k in range(n)]


def actor_names(scenario: dict[str, Any]) -> dict[str, str]:
    """``{actor id: display name}`` from the scenario JSON."""
    return _actor_names(scenario)
