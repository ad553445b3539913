"""Reports a colleague can open: one self-contained HTML file, or static figures for papers.

    data = collect(scenario)                       # run every model (and what else exists)
    write_atomic("report.html", render_report(data))
    write_figures(data, "figures/", "png")
"""

from detente.report.collect import ModelRun, ReportData, RunCancelled, collect, run_models
from detente.report.figures import write_figures
from detente.report.html import render_report

__all__ = ["ModelRun", "ReportData", "RunCancelled", "collect", "render_report", "run_models",
           "write_figures"]
