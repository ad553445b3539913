"""Static (matplotlib) figures of the simulation and uncertainty parts of a report.

The same numbers as the HTML report's SVG charts: the simulation's timeline of meetings by
forum, domestic support by actor and trust per pair over time; per issue, each model's forecast
distribution (10-90 % band, median, histogram) and the sensitivity tornado; and the meeting
outcomes over the simulated draws.
Used by :func:`detente.report.figures.figures`, which passes the pyplot module in.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

from detente.report.collect import ReportData
from detente.report.sim_svg import EVENT_COLOUR, OUTCOME_STYLE
from detente.report.svg import colour
from detente.report.unc_svg import HIGH_COLOUR, LOW_COLOUR, OUTCOME_FILL, top_swings


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def simulation_figures(plt: Any, data: ReportData) -> list[tuple[str, Any]]:
    """Timeline, support and trust figures of the report's simulated history (if any)."""
    part = data.simulation
    if not part.available or part.data is None:
        return []
    sim = part.data
    sc = data.scenario
    index = {a.id: k for k, a in enumerate(sc.actors)}
    names = {a.id: a.name or a.id for a in sc.actors}
    out: list[tuple[str, Any]] = []

    rows = [f.id for f in sc.forums] + ["other events"]
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.4 * len(rows)))
    for e in sim["events"]:
        y = rows.index(e["forum"]) if e["forum"] in rows else len(rows) - 1
        fill = (OUTCOME_STYLE.get(e["outcome"], ("#9ca3af", ""))[0] if e["outcome"]
                else EVENT_COLOUR)
        ax.scatter([_day(e["date"])], [y], s=60, color=fill, edgecolors="#444", zorder=3,
                   marker="o" if e["outcome"] else "s")
    for fill, label in OUTCOME_STYLE.values():
        ax.scatter([], [], color=fill, edgecolors="#444", label=label)
    ax.scatter([], [], color=EVENT_COLOUR, marker="s", label="other event")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_title(f"Timeline, {sim['start']} to {sim['until']} (seed {sim['seed']})",
                 fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.grid(axis="x", color="#eee")
    fig.autofmt_xdate()
    fig.tight_layout()
    out.append(("simulation-timeline", fig))

    fig, ax = plt.subplots(figsize=(8, 3.2))
    for actor in index:
        pts = [(_day(r["date"]), r["value"]) for r in sim["support"] if r["actor"] == actor]
        if pts:
            ax.step(*zip(*pts, strict=True), where="post", color=colour(index[actor]),
                    label=names[actor], linewidth=1.8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("domestic support")
    ax.set_title("Domestic support by actor", fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.autofmt_xdate()
    fig.tight_layout()
    out.append(("simulation-support", fig))

    pairs = sorted({(r["a"], r["b"]) for r in sim["trust"]},
                   key=lambda p: (index.get(p[0], 0), index.get(p[1], 0)))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    pair_colours = plt.get_cmap("tab20")
    for k, (a, b) in enumerate(pairs):
        pts = [(_day(r["date"]), r["value"]) for r in sim["trust"]
               if (r["a"], r["b"]) == (a, b)]
        ax.step(*zip(*pts, strict=True), where="post", color=pair_colours(k % 20), linewidth=1.2,
                label=f"{a}–{b}")
    ax.set_ylabel("trust")
    ax.set_title("Trust between pairs of actors", fontsize=10, loc="left")
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5), ncol=2)
    fig.autofmt_xdate()
    fig.tight_layout()
    out.append(("simulation-trust", fig))
    return out


def uncertainty_figures(plt: Any, data: ReportData, top: int = 12) -> list[tuple[str, Any]]:
    """Per issue: the forecast distribution of each model and the tornado (if computed)."""
    part = data.uncertainty
    if not part.available or part.data is None:
        return []
    unc = part.data
    ok = [d for d in unc["distributions"] if "error" not in d]
    sens = unc.get("sensitivity") or {}
    out: list[tuple[str, Any]] = []
    for issue in data.scenario.issues:
        lo, hi = issue.bounds
        title = f"{issue.id}: {issue.name}" if issue.name else issue.id
        fig, ax = plt.subplots(figsize=(7, 1.0 + 0.4 * max(len(ok), 1)))
        for j, d in enumerate(ok):
            e = next(i for i in d["issues"] if i["id"] == issue.id)
            y = len(ok) - 1 - j
            if e["median"] is None:
                continue
            peak = max(e["counts"]) or 1
            edges = e["bins"]
            ax.bar(edges[:-1], [0.7 * c / peak for c in e["counts"]],
                   width=[b - a for a, b in pairwise(edges)],
                   bottom=y - 0.35, align="edge", color="#c9d6e3", linewidth=0)
            ax.plot([e["q10"], e["q90"]], [y, y], color="#1f4e79", linewidth=4, alpha=0.7)
            ax.plot([e["q50"]], [y], marker="|", markersize=14, color="#111", mew=2.5)
        if issue.status_quo is not None:
            ax.axvline(issue.status_quo, color="#999", linestyle="--", linewidth=1)
        ax.set_yticks(range(len(ok)), [d["model"] for d in reversed(ok)])
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.6, len(ok) - 0.4)
        ax.set_title(f"{title} — {unc['draws']} draws: median and 10–90 %", fontsize=10,
                     loc="left")
        ax.grid(axis="x", color="#eee")
        fig.tight_layout()
        out.append((f"{issue.id}-distribution", fig))
        if "tornado" not in sens:
            continue
        swings = top_swings(sens, issue.id, top)
        fig, ax = plt.subplots(figsize=(7, 1.2 + 0.28 * max(len(swings), 1)))
        for j, s in enumerate(swings):
            y = len(swings) - 1 - j
            ax.barh([y], [s["low"] - s["base"]], left=s["base"], color=LOW_COLOUR, height=0.7)
            ax.barh([y], [s["high"] - s["base"]], left=s["base"], color=HIGH_COLOUR, height=0.7)
        if swings:
            ax.axvline(swings[0]["base"], color="#111", linewidth=1)
        ax.set_yticks(range(len(swings)), [s["input"] for s in reversed(swings)], fontsize=7)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=LOW_COLOUR, label="input at its 10 % quantile"),
                           Patch(color=HIGH_COLOUR, label="input at its 90 % quantile")],
                  fontsize=7, loc="lower right")
        ax.set_title(f"{sens['model']} — {title}: one-at-a-time swings", fontsize=10,
                     loc="left")
        fig.tight_layout()
        out.append((f"{issue.id}-tornado", fig))
    sim = unc.get("simulation")
    if sim and "error" not in sim and sim["meetings"]:
        out.append(("simulation-draws-outcomes", _outcome_figure(plt, sim)))
    return out


def _outcome_figure(plt: Any, sim: dict[str, Any]) -> Any:
    """Stacked bars: share of the draws in which each meeting ends in each outcome."""
    meetings = sim["meetings"]
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.26 * len(meetings)))
    ys = list(range(len(meetings)))[::-1]
    left = [0.0] * len(meetings)
    for name, fill in OUTCOME_FILL.items():
        widths = [m["probabilities"].get(name, 0.0) for m in meetings]
        ax.barh(ys, widths, left=left, color=fill, height=0.7, label=name.replace("_", " "))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(ys, [f"{m['forum']} {m['date']}" for m in meetings], fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of draws")
    ax.set_title(f"Meeting outcomes over {sim['draws']} simulated histories (seed "
                 f"{sim['seed']})", fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig
