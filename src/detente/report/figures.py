"""Static figures for papers, drawn with matplotlib: PNG files or one multi-page PDF.

Per issue: the comparison of every model's forecast with the actors' positions, and for each
model that bargains over rounds, the trajectory of positions (on the first
:data:`~detente.report.charts.TRAJECTORY_ISSUES` issues, as the HTML report); then the
simulation's timeline, support and trust, and per issue the forecast distributions and the
tornado (:mod:`detente.report.more_figures`). matplotlib is imported lazily with
the non-interactive Agg backend so the library never opens a window.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from detente.errors import OptionError
from detente.report.charts import TRAJECTORY_ISSUES, actor_weights
from detente.report.collect import ReportData
from detente.report.more_figures import simulation_figures, uncertainty_figures
from detente.report.svg import colour
from detente.scenario.io import write_atomic

FIGURE_FORMATS = ("png", "pdf")


def _pyplot() -> Any:
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise OptionError("static figures need matplotlib: pip install 'detente[web]' "
                          "or pip install matplotlib") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    # a report holds dozens of figures, all closed by write_figures once saved
    plt.rcParams["figure.max_open_warning"] = 0
    return plt


def figures(data: ReportData) -> list[tuple[str, Any]]:
    """``(slug, matplotlib Figure)`` for every chart of the report, in report order."""
    plt = _pyplot()
    sc = data.scenario
    index = {a.id: k for k, a in enumerate(sc.actors)}
    table = data.forecast_table()
    ran = [m for m in data.models if m.result is not None]
    out: list[tuple[str, Any]] = []
    for n, issue in enumerate(sc.issues):
        lo, hi = issue.bounds
        title = f"{issue.id}: {issue.name}" if issue.name else issue.id
        fig, ax = plt.subplots(figsize=(7, 1.2 + 0.35 * (len(ran) + 2)))
        weights = actor_weights(sc, issue.id)
        top = max((w for _, _, w in weights), default=1.0) or 1.0
        y_actor = len(ran)
        for a, pos, w in weights:
            ax.scatter([pos], [y_actor], s=30 + 250 * w / top, color=colour(index[a]),
                       alpha=0.75, zorder=3)
            ax.annotate(a, (pos, y_actor), textcoords="offset points", xytext=(0, 9),
                        ha="center", fontsize=8, color=colour(index[a]))
        for j, m in enumerate(ran):
            v = table[issue.id].get(m.name)
            if v is not None:
                ax.scatter([v], [len(ran) - 1 - j], marker="D", color="#333", zorder=3)
        if issue.status_quo is not None:
            ax.axvline(issue.status_quo, color="#999", linestyle="--", linewidth=1)
        ax.set_yticks(range(len(ran) + 1), [m.name for m in reversed(ran)] + ["actors"])
        ax.set_xlim(lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))
        ax.set_ylim(-0.7, len(ran) + 0.9)
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(axis="x", color="#eee")
        fig.tight_layout()
        out.append((f"{issue.id}-comparison", fig))
        for m in ran if n < TRAJECTORY_ISSUES else ():  # as the HTML report draws them
            iss = next(i for i in m.result["issues"] if i["id"] == issue.id)  # type: ignore[index]
            rounds = iss["rounds"]
            if len(rounds) < 2:
                continue
            fig, ax = plt.subplots(figsize=(7, 3.2))
            for a in rounds[0]["positions"]:
                ys = [r["positions"].get(a) for r in rounds]
                ax.plot(range(len(rounds)), [float("nan") if y is None else y for y in ys],
                        color=colour(index.get(a, 0)), label=a, linewidth=1.8)
            ax.plot(range(len(rounds)),
                    [float("nan") if r["median"] is None else r["median"] for r in rounds],
                    color="#000", linestyle="--", linewidth=1.2, label="median")
            ax.set_ylim(lo, hi)
            ax.set_xlabel("round")
            ax.set_title(f"{m.name} — {title}", fontsize=10, loc="left")
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
            fig.tight_layout()
            out.append((f"{issue.id}-{m.name}-trajectory", fig))
    return out + simulation_figures(plt, data) + uncertainty_figures(plt, data)


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s)


def write_figures(data: ReportData, path: str | Path, fmt: str) -> list[Path]:
    """Write the figures: ``png`` into the directory ``path`` (one file per chart), ``pdf`` as
    one multi-page file at ``path``. Returns the files written."""
    if fmt not in FIGURE_FORMATS:
        raise OptionError(f"unknown figure format {fmt!r}; use one of {', '.join(FIGURE_FORMATS)}")
    plt = _pyplot()
    target = Path(path)
    figs = figures(data)
    written: list[Path] = []
    try:
        if fmt == "pdf":
            from matplotlib.backends.backend_pdf import PdfPages

            buf = io.BytesIO()
            with PdfPages(buf) as pdf:
                for _, fig in figs:
                    pdf.savefig(fig)
            write_atomic(target, buf.getvalue())
            written.append(target)
        else:
            if target.exists() and not target.is_dir():
                raise OptionError(f"{target}: --format png writes one file per chart into a "
                                  "directory; this path is a file")
            for slug, fig in figs:
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=150)
                file = target / f"{_slug(slug)}.png"
                write_atomic(file, buf.getvalue())
                written.append(file)
    finally:
        for _, fig in figs:
            plt.close(fig)
    return written
