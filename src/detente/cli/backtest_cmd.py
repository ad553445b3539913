"""``detente backtest``: model errors on issues with known outcomes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from detente.cli.app import (
    CAPABILITY_HELP,
    MODEL_HELP,
    RECORD_ENV,
    SEED_MAX,
    WORKERS_HELP,
    app,
    console,
    err_console,
    fmt_num,
    parse_model_names,
    print_json,
    record_run,
    styled,
    user_errors,
)
from detente.errors import OptionError
from detente.evaluation.backtest import (
    BacktestResult,
    backtest,
    load_dataset,
    model_presets,
)
from detente.evaluation.crossval import (
    CV_UNITS,
    CVReport,
    check_cross_validation,
    cross_validate_files,
    cv_steps,
)
from detente.evaluation.metrics import BEATS_NOTE
from detente.evaluation.pooling import SCALE, PooledResult, pool, refuse_repeats
from detente.models import get_model
from detente.scenario.capability_table import resolve_capability
from detente.scenario.model import Scenario


@app.command("backtest")
def backtest_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", help="data files with known outcomes; with several, a pooled "
                                "table (errors in percent of each issue's range) follows")],
    fmt: Annotated[str | None, typer.Option("--format", "-f",
                                            help="input format (detected if omitted)")] = None,
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help=MODEL_HELP +
                                                    " (default compromise)")] = None,
    capability: Annotated[str, typer.Option(
        help=CAPABILITY_HELP + "; DEU files have gdp")] = "default",
    preset: Annotated[str | None, typer.Option(
        help="named option set (with --model all: for the models that have it); 'all': "
             "every preset of each model")] = None,
    seed: Annotated[int, typer.Option(
        min=0, max=SEED_MAX, help="seed of the random generator")] = 0,
    cv: Annotated[int | None, typer.Option(
        "--cv", help="also cross-validate K folds grouped by proposal (best refitted per "
                     "fold); reports CV MAE and 80% interval coverage; with several files, "
                     "over their issues pooled")] = None,
    cv_by: Annotated[str, typer.Option(
        "--cv-by", help="what the folds deal: 'proposal', or 'file' (whole files; --cv "
                        "with the number of files predicts each file from the others)")
    ] = "proposal",
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    detail: Annotated[bool, typer.Option(
        "--detail", help="with --json: add preset, share beating compromise, skipped issues "
                         "and per-issue errors")] = False,
    store: Annotated[Path | None, typer.Option(
        help="record the backtest in this DuckDB run store")] = None,
    record: Annotated[bool, typer.Option(
        envvar=RECORD_ENV,
        help="record the backtest in the run store: the one --store names, else "
             "detente.duckdb next to the data file if that store exists")] = True,
    workers: Annotated[int, typer.Option(min=1, max=256, help=WORKERS_HELP)] = 1,
) -> None:
    """Run models on every issue with a known outcome; report MAE, RMSE and median error.

    An issue counts when at least 3 actors have a position and a salience and its outcome is
    on the issue's scale. Rows of a DEU file, and the readings of a case file, run as separate
    one-issue cases. Each model's backtest is recorded (kind 'backtest': metrics, per-issue
    forecast and outcome) in the run store named by --store, or in detente.duckdb next to the
    data file when one is there.
    Several files are backtested one by one, then pooled on a common scale; with --cv they are
    cross-validated as one pool (a proposal found in two files stays in one fold).
    """
    from detente.execution.cases import case_workers
    from detente.store import record_backtests

    with user_errors(), case_workers(workers):
        if cv_by not in CV_UNITS:
            raise OptionError(f"--cv-by takes {' or '.join(CV_UNITS)}, not {cv_by!r}")
        if cv_by == "file" and (cv is None or len(files) < 2):
            raise OptionError("--cv-by file needs --cv K and at least 2 files")
        if detail and not json_out:
            raise OptionError("--detail adds to the JSON: give --json too (the table shows "
                              "the share beating the compromise model and the skipped issues "
                              "already)")
        refuse_repeats([str(f) for f in files], [f.resolve() for f in files])
        names, every = parse_model_names(model or ["compromise"])
        model_presets([get_model(n) for n in names], preset)  # an unknown name: no file's fault
        loaded = [_load_file(file, fmt, capability) for file in files]
        if cv is not None:  # too few proposals for the folds: said before any model runs
            check_cross_validation([(sc, name) for sc, name, _ in loaded], names, cv, seed,
                                   every, cv_by, [str(f) for f in files])
        runs = []
        for file, (sc, name, cases) in zip(files, loaded, strict=True):
            with _in_file(file):
                runs.append((sc, name, backtest(sc, names, preset, name, cases, seed,
                                                str(file))))
        report = None
        if cv is not None:
            with _cv_progress(cv_steps(names, cv, preset, every)) as step:
                report = cross_validate_files([(sc, name) for sc, name, _ in runs], names,
                                              cv, seed, preset, every_model=every,
                                              before_each=step, by=cv_by)
        pooled_over = [str(f) for f in files] if len(files) > 1 else None
        recorded = [record_run(file, store, record,
                               lambda st, sc=sc, res=res, file=file: record_backtests(
                                   st, sc, res, seed, str(file), report, pooled_over),
                               only_existing=True)
                    for file, (sc, _, res) in zip(files, runs, strict=True)]
        pooled = pool([(sc, res) for sc, _, res in runs]) if len(files) > 1 else None
    if json_out:
        print_json(_json(files, runs, len(names) == 1, detail, report, pooled))
        return
    for file, (_, capability_name, results) in zip(files, runs, strict=True):
        _print_table(str(file), capability_name, results)
    if pooled is not None:
        _print_pooled(pooled, capability)
    if report is not None:
        _print_cv(report, files)
    for ids, store_path in recorded:
        if store_path is not None:
            console.print(f"recorded backtest {', '.join(ids)} in {store_path}")


@contextmanager
def _cv_progress(total: int) -> Iterator[Callable[[int, str], None] | None]:
    """A progress bar on stderr over the cross-validation's steps (each fold of a refitted
    model, each other model), shown only on a terminal and cleared when done; stdout (the
    table or the JSON) is untouched."""
    if not err_console.is_terminal:
        yield None
        return
    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                   MofNCompleteColumn(),
                   TimeElapsedColumn(), console=err_console, transient=True)
    task = bar.add_task("cross-validation", total=total)

    def step(j: int, label: str) -> None:
        bar.update(task, completed=j, description=label)

    with bar:
        yield step


@contextmanager
def _in_file(file: Path) -> Iterator[None]:
    """Prefix an option error (a capability coding the file lacks, ...) with the file's name,
    so that with several files it is clear which one it is about."""
    try:
        yield
    except OptionError as exc:
        raise OptionError(f"{file}: {exc}") from None


def _load_file(file: Path, fmt: str | None, capability: str) -> tuple[Scenario, str, bool]:
    """One data file's scenario, the capability coding's name, and whether its issues run as
    separate cases."""
    sc, cases = load_dataset(file, fmt)
    with _in_file(file):
        sc, name = resolve_capability(sc, capability)
    return sc, name, cases


def _json(files: list[Path], runs: list[tuple[Scenario, str, list[BacktestResult]]],
          one_model: bool, detail: bool, report: CVReport | None,
          pooled: list[PooledResult] | None) -> dict[str, Any]:
    """One file: the model's object when one model was named and ran once (one preset), else
    ``models``; several files: ``files`` and ``pooled``."""
    if pooled is not None:
        out = {"files": [{"file": str(file), "models": [r.to_dict(detail) for r in res]}
                         for file, (_, _, res) in zip(files, runs, strict=True)],
               "pooled": {"scale": SCALE, "models": [p.to_dict() for p in pooled]}}
        return out if report is None else out | {"cross_validation": report.to_dict()}
    items = [r.to_dict(detail) for r in runs[0][2]]
    out = items[0] if one_model and len(items) == 1 else {"models": items}
    if report is not None:
        out = out | {"cross_validation": report.to_dict()}
    return out


def _print_cv(report: CVReport, files: list[Path]) -> None:
    pool = "" if report.n_files == 1 else f" over {report.n_files} files pooled"
    unit = "" if report.n_files == 1 else f"; errors in {report.scale}"
    table = Table(title=f"cross-validation{pool}: {report.k} folds grouped by "
                        f"{report.grouped_by}, seed "
                        f"{report.seed} ({report.n_issues} issues, {report.n_proposals} "
                        f"proposals{unit})")
    for name in ("model", "CV MAE", "CV RMSE", f"{100 * report.level:.0f}% coverage",
                 "mean width", "beats compromise"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for m in report.models:
        beats = "—" if m.beats_compromise is None else f"{100 * m.beats_compromise:.0f}%"
        table.add_row(m.label, fmt_num(m.summary.mae), fmt_num(m.summary.rmse),
                      f"{100 * m.coverage:.1f}%", fmt_num(m.mean_width), beats)
    table.caption = _caption(defaults_caption([(m.model, m.preset, m.label)
                                               for m in report.models]))
    console.print(table)
    for name, why in report.left_out.items():
        err_console.print(styled("note", "yellow") + f" {why}; {name} is left out", highlight=False)
    for k, file in enumerate(files if report.n_files > 1 else []):
        console.print(f"CV MAE on {file}: " + ", ".join(
            f"{m.label} {fmt_num(m.mae_by_file[k])} ({100 * m.coverage_by_file[k]:.0f}% "
            f"covered)" for m in report.models
            if m.mae_by_file is not None and m.coverage_by_file is not None))


def _caption(defaults: str | None) -> str:
    return BEATS_NOTE if defaults is None else f"{defaults}; {BEATS_NOTE}"


def defaults_caption(rows: list[tuple[str, str, str]]) -> str | None:
    """When some rows name a preset (``--preset all``), what an unbracketed model runs: its
    default preset, named where that is not called 'default' (``challenge: scholz-code``).
    ``rows`` are (model, preset, label)."""
    if all(label == model for model, _, label in rows):
        return None
    named = sorted({f"{model}: {preset}" for model, preset, label in rows
                    if label == model and preset != "default"})
    return ("a model without a preset in brackets runs its default preset"
            + (f" ({', '.join(named)})" if named else ""))


def _print_table(title: str, capability: str, results: list[BacktestResult]) -> None:
    table = Table(title=f"backtest: {title} (capability {capability})")
    for name in ("model", "issues", "MAE", "RMSE", "median AE", "beats compromise"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for r in results:
        beats = "—" if r.beats_baseline is None else f"{100 * r.beats_baseline:.0f}%"
        s = r.summary
        table.add_row(r.label, str(s.n), fmt_num(s.mae), fmt_num(s.rmse), fmt_num(s.median_ae),
                      beats)
    table.caption = _caption(defaults_caption([(r.model, r.preset, r.label) for r in results]))
    console.print(table)
    for r in results:
        if r.coverage is not None:
            console.print(f"{r.label}: 80% intervals contain {100 * r.coverage:.1f}% of "
                          "outcomes")
        for note in r.notes:
            console.print(f"{r.label}: {note}")
    skipped = results[0].skipped
    if skipped:
        console.print("left out: " + ", ".join(f"{n} issue{'s' * (n != 1)} with {why}"
                                               for why, n in skipped.items()))


def _print_pooled(pooled: list[PooledResult], capability: str) -> None:
    n_files = pooled[0].n_files
    table = Table(title=f"pooled over {n_files} files (capability {capability}): errors in "
                        f"{SCALE}")
    for name in ("model", "issues", "MAE", "RMSE", "median AE", "beats compromise",
                 "80% coverage"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for p in pooled:
        s = p.summary
        beats = "—" if p.beats_baseline is None else f"{100 * p.beats_baseline:.0f}%"
        cover = "—" if p.coverage is None else f"{100 * p.coverage:.1f}%"
        table.add_row(p.label, str(s.n), fmt_num(s.mae), fmt_num(s.rmse), fmt_num(s.median_ae),
                      beats, cover)
    table.caption = _caption(None)
    console.print(table)
