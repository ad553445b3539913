"""``detente serve`` (the local web app) and ``detente report`` (HTML report or figures)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.cli.app import (
    CAPABILITY_HELP,
    MODEL_HELP,
    SEED_MAX,
    WORKERS_HELP,
    app,
    console,
    err_console,
    format_for,
    parse_model_names,
    print_workers_hint,
    styled,
    user_errors,
)
from detente.errors import DetenteError
from detente.simulation.calendar import parse_until


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    host: Annotated[str, typer.Option(
        help="address to bind; the default serves this machine only")] = "127.0.0.1",
    scenarios: Annotated[Path | None, typer.Option(
        help="directory of shipped scenarios (default: ./scenarios)")] = None,
    max_upload_kib: Annotated[int, typer.Option(min=1, help="upload size limit in KiB")] = 2048,
    store: Annotated[Path | None, typer.Option(
        help="record every finished model run, simulation, Monte Carlo run and backtest in "
             "this DuckDB run store (created if missing)")]
        = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help=WORKERS_HELP)] = 1,
) -> None:
    """Start the local web app: scenario library, editor, model comparison, reports."""
    try:
        import uvicorn

        from detente.web import create_app
    except ModuleNotFoundError as exc:
        err_console.print(styled("error", "red") + f" the web app needs {exc.name}: "
                          "pip install 'detente[web]'", highlight=False)
        raise typer.Exit(2) from None
    if scenarios is not None and not scenarios.is_dir():
        err_console.print(styled("error", "red")
                          + f" {scenarios}: not a directory", highlight=False)
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(styled("warning", "yellow") + f" serving on {host}: other machines can "
                          "reach this app, which has no authentication", highlight=False)
    from detente.store import StoreError

    try:
        web = create_app(scenarios, max_upload_bytes=max_upload_kib * 1024, store=store,
                         case_workers=workers)
    except StoreError as exc:
        err_console.print(styled("error", "red") + f" {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for problem in web.state.library.load_errors:
        err_console.print(styled("skipped", "yellow") + f" {problem}", highlight=False)
    if store is not None:
        console.print(f"model runs, simulations, Monte Carlo runs and backtests are recorded in "
                      f"{store}")
    console.print(f"detente web app on http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(web, host=host, port=port, log_level="warning")


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".png": "png"}


def _report_format(out: Path, fmt: str | None) -> str:
    """The report's format: ``fmt`` when given (and the suffix of ``out`` does not contradict
    it), else the one the suffix names."""
    if fmt is not None and fmt not in ("html", "png", "pdf"):
        raise DetenteError(f"unknown report format {fmt!r}; use html, png or pdf")
    fmt = format_for(out, fmt, REPORT_SUFFIXES, "png")
    assert fmt is not None
    if fmt != "png" and out.is_dir():  # before the models run, not after
        raise DetenteError(f"cannot write {out}: it is a folder; name a .{fmt} file")
    if fmt == "png" and out.suffix and not out.is_dir():  # -o x.png made a folder x.png
        raise DetenteError(f"cannot write PNG figures to {out}: they go to a folder, one file "
                           f"per figure; name a folder without a suffix (-o {out.with_suffix('')}"
                           f"), or a .html or .pdf file")
    return fmt


@app.command()
def report(
    file: Path,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file, PDF file, or a "
                                      "directory for PNG figures")] = Path("report.html"),
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="html, png or pdf (default: from --out: .pdf a PDF, .html a "
                               "report, anything else a folder of PNG figures)")] = None,
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help=MODEL_HELP + " (default all)")] = None,
    capability: Annotated[str, typer.Option(help=CAPABILITY_HELP)] = "default",
    seed: Annotated[int, typer.Option(
        min=0, max=SEED_MAX, help="seed of the random generator")] = 0,
    until: Annotated[str | None, typer.Option(
        help="last date simulated, YYYY-MM-DD (default: the scenario's simulation.end, else "
             "the later of the end of the year after as_of and its last dated event)")] = None,
    simulation: Annotated[bool, typer.Option(help="include the dynamic simulation")] = True,
    draws: Annotated[int, typer.Option(
        min=0, max=20_000, help="Monte Carlo draws per model for the uncertainty section "
                                "(0 leaves it out)")] = 500,
    sensitivity_model: Annotated[str, typer.Option(
        "--sensitivity-model", help="model whose sensitivity (tornado, Sobol) is shown")]
        = "compromise",
    sobol_samples: Annotated[int, typer.Option(
        min=2, max=1024, help="Sobol base sample N of the sensitivity")] = 64,
    sensitivity: Annotated[bool, typer.Option(help="include the sensitivity ranking")] = True,
    input_format: Annotated[str | None, typer.Option("--input-format",
                                                     help="input format")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help=WORKERS_HELP)] = 1,
) -> None:
    """Write a report of a scenario: one self-contained HTML file, or PNG/PDF figures."""
    from detente.execution.cases import case_workers
    from detente.models import get_model
    from detente.report import collect, render_report, write_figures
    from detente.report.charts import TRAJECTORY_ISSUES
    from detente.report.collect import simulation_available
    from detente.report.simulation import check_until
    from detente.scenario.capability_table import resolve_capability
    from detente.scenario.io import load_scenario, write_atomic

    with user_errors(), case_workers(workers):
        fmt = _report_format(out, fmt)
        if sensitivity and draws:
            try:  # an unknown name fails now, not inside the report
                get_model(sensitivity_model)
            except DetenteError as exc:
                raise DetenteError(f"--sensitivity-model: {exc}") from None
        end = parse_until(until, "--until")
        names = parse_model_names(model)[0] if model else None  # 'all' lists every model
        sc, capability = resolve_capability(load_scenario(file, input_format), capability)
        if simulation and simulation_available():
            check_until(sc, end)
        print_workers_hint(sc.separate_cases, len(sc.issues), names, draws, workers)
        # what runs now, on a terminal only (a transient line; nothing in pipes or logs)
        with err_console.status("report: starting") as status:
            data = collect(sc, names, capability, seed,
                           lambda done, total, step: status.update(
                               f"report: {step} ({done}/{total} done)"),
                           until=end, simulation=simulation, draws=draws,
                           sensitivity_model=sensitivity_model if sensitivity else None,
                           sobol_samples=sobol_samples)
        if fmt == "html":
            write_atomic(out, render_report(data))
            console.print(f"wrote {out}")
        else:
            written = write_figures(data, out, fmt)
            what = (f"{len(written)} figure{'s' * (len(written) != 1)}" if fmt != "pdf" else
                    "the figures")
            console.print(f"wrote {what} to {out}")
            if len(sc.issues) > TRAJECTORY_ISSUES:
                console.print(f"trajectories of the first {TRAJECTORY_ISSUES} of "
                              f"{len(sc.issues)} issues; detente forecast FILE -m MODEL --json "
                              "gives every issue's rounds", highlight=False)
    if simulation and not data.simulation.available:
        err_console.print(styled("note", "yellow") + f" {data.simulation.note}", highlight=False)
    for m in data.models:
        if m.error:
            err_console.print(styled("note", "yellow") + f" {m.name} did not run: {m.error}",
                              highlight=False)
