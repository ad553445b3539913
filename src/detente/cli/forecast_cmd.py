"""``detente forecast`` and ``detente models``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from detente.cli.app import (
    CAPABILITY_HELP,
    DEFAULT_QUANTILES_TEXT,
    MODEL_HELP,
    QUANTILES_HELP,
    RECORD_ENV,
    SEED_MAX,
    WORKERS_HELP,
    app,
    console,
    err_console,
    fmt_num,
    parse_model_names,
    parse_options,
    print_json,
    print_workers_hint,
    record_run,
    styled,
    user_errors,
    write_json,
)
from detente.errors import DetenteError, ModelError
from detente.models import get_model, models, rounds_ignored_note, separate_cases_note
from detente.models.base import runs_cases_alone
from detente.result import ForecastResult, fallback_notes, qname
from detente.scenario.capability_table import resolve_capability
from detente.scenario.io import load_scenario


@app.command()
def forecast(
    file: Path,
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help=MODEL_HELP +
                                                    " (default challenge)")] = None,
    preset: Annotated[str | None, typer.Option(
        help="named option set of the model (with several: of those that have it)")] = None,
    rounds: Annotated[int | None, typer.Option(min=0, help="rounds of bargaining")] = None,
    capability: Annotated[str, typer.Option(help=CAPABILITY_HELP)] = "default",
    seed: Annotated[int, typer.Option(
        min=0, max=SEED_MAX, help="seed of the random generator")] = 0,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="model option key=value (repeatable)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="input format")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="also write the JSON to this file")] = None,
    draws: Annotated[int, typer.Option(
        min=1, help="Monte Carlo draws over the scenario's uncertainty block (1: the coded "
                    "inputs, nothing drawn)")] = 1,
    quantiles: Annotated[str | None, typer.Option(help=QUANTILES_HELP)] = None,
    store: Annotated[Path | None, typer.Option(
        help="record the run in this DuckDB run store")] = None,
    record: Annotated[bool, typer.Option(
        envvar=RECORD_ENV,
        help="record the run in the run store (detente.duckdb next to the scenario unless "
             "--store names one)")] = True,
    workers: Annotated[int, typer.Option(min=1, max=256, help=WORKERS_HELP)] = 1,
) -> None:
    """Forecast each issue of a scenario with one model (or all of them).

    With --draws N the model runs on N draws of the inputs' distributions (the scenario's
    'uncertainty' block) and reports per issue the median forecast and quantiles.
    Every run is recorded in the run store ('detente runs list --store ...' reads it back)
    unless --no-record is given.
    """

    from detente.execution.cases import case_workers
    from detente.store import record_result
    from detente.uncertainty.draws import DEFAULT_WIDTHS_NOTE
    from detente.uncertainty.montecarlo import monte_carlo

    with user_errors(), case_workers(workers):
        sc, capability = resolve_capability(load_scenario(file, fmt), capability)
        qs = _parse_quantiles(quantiles)
        names, _ = parse_model_names(model or ["challenge"])
        presets = _presets(names, preset, option)
        for text in ignored_options(names, rounds, quantiles, draws, workers,
                                    (sc.separate_cases, len(sc.issues))):
            err_console.print(f"note: {text}", highlight=False)
        note = (separate_cases_note(str(file), names, len(sc.issues))
                if sc.separate_cases else None)
        if note is not None:
            err_console.print(f"note: {note}", highlight=False)
        print_workers_hint(sc.separate_cases, len(sc.issues), names, draws, workers)
        runs, ran, not_run = [], [], []
        for name, chosen in zip(names, presets, strict=True):
            try:
                runs.append(monte_carlo(sc, name, draws, seed, chosen, rounds, capability, qs,
                                        **parse_options(option, own_flags=RUN_FLAGS)))
                ran.append((name, chosen))
            except DetenteError as exc:  # with several models, the others still run
                if len(names) == 1:
                    raise
                not_run.append({"model": name, "error": str(exc)})
        if not runs:
            raise ModelError("no model ran: " + "; ".join(f"{n['model']}: {n['error']}"
                                                         for n in not_run))
        for n in not_run:
            err_console.print(styled("note", "yellow") + f" {n['model']} did not run: {n['error']}",
                              highlight=False, soft_wrap=True)
        results = [r.result for r in runs]
        if runs[0].default_widths:
            err_console.print(f"note: {DEFAULT_WIDTHS_NOTE}", highlight=False)
        # with draws, each model's forecast at the coded inputs too: the table's "coded"
        # column (one model) and each issue's "coded" in the JSON
        coded = [monte_carlo(sc, name, 1, seed, chosen, rounds, capability, qs,
                             **parse_options(option, own_flags=RUN_FLAGS)).result
                 for name, chosen in ran] if draws > 1 and (
                     json_out or out is not None or len(ran) == 1) else []
        ids, store_path = record_run(
            file, store, record,
            lambda st: [record_result(st, sc, r.arrays, r.output, r.result, seed) for r in runs])
    dicts = [_with_coded(r.to_dict(), c) for r, c in zip(results, coded or [None] * len(results),
                                                          strict=True)]
    data = dicts[0] if len(names) == 1 else {
        "models": dicts, **({"not_run": not_run} if not_run else {})}
    if out is not None:
        write_json(out, data)
    if json_out:
        print_json(data)
        return
    _print_table(sc.name or str(file), results, [i.name for i in sc.issues],
                 coded[0] if coded and len(results) == 1 else None)
    if out is not None:
        console.print(f"wrote {out}")
    if store_path is not None:
        console.print(f"recorded run{'s' * (len(ids) > 1)} {', '.join(ids)} in {store_path}",
                      highlight=False)


def _with_coded(data: dict[str, Any], coded: ForecastResult | None) -> dict[str, Any]:
    """A Monte Carlo result's JSON with each issue's forecast at the coded inputs (``coded``),
    which the table shows beside the draws' quantiles, and ``coded_outside_band``: whether it
    lies outside the band of the quantiles (the table's knife-edge note; null with fewer
    than MIN_DRAWS_FOR_BAND draws or no forecast)."""
    if coded is not None:
        for item, iss in zip(data["issues"], coded.issues, strict=True):
            item["coded"] = iss.forecast
            item["coded_outside_band"] = _knife_edge(iss.forecast, item["quantiles"],
                                                     data["draws"])
    return data


#: settings forecast takes as flags of its own, refused as --option keys
RUN_FLAGS = ("rounds", "preset", "capability", "seed", "draws", "quantiles")


def _presets(names: list[str], preset: str | None,
             option: list[str] | None) -> list[str | None]:
    """Each model's preset: ``preset`` for one model; with several, for those that have it
    (an error when none has it). ``--option`` names one model's options, so several models
    refuse it."""
    from detente.errors import OptionError

    if len(names) == 1:
        return [preset]
    if option:
        raise OptionError("--option sets one model's options: name a single model with -m")
    if preset is not None and not any(preset in get_model(n).presets for n in names):
        raise OptionError(f"none of the models {', '.join(names)} has a preset {preset!r}")
    return [preset if preset in get_model(n).presets else None for n in names]


def ignored_options(names: list[str], rounds: int | None, quantiles: str | None,
                    draws: int | None, workers: int = 1,
                    cases: tuple[bool, int] = (False, 0)) -> list[str]:
    """Notes on options given that change nothing here (they were ignored without a word):
    ``--rounds`` for models without rounds, ``--quantiles`` without draws, ``--workers`` where
    no model runs separate cases (``cases``: whether the file's issues are separate cases, and
    how many issues it has)."""
    notes = []
    linking = [n for n in names if get_model(n).links_issues]
    if workers > 1 and not runs_cases_alone(bool(linking), *cases):
        where = ("here: the issues of this file are not separate cases" if linking else
                 f"for {', '.join(names)}: only {', '.join(_case_models())} run separate "
                 f"cases side by side")
        notes.append(f"--workers changes nothing {where}; the run takes one process")
    rounds_note = rounds_ignored_note("--rounds", names) if rounds is not None else None
    if rounds_note:
        notes.append(rounds_note)
    if quantiles is not None and (draws is None or draws == 1):
        notes.append("--quantiles applies with --draws N (N > 1): a run on the coded inputs "
                     "has no spread to report")
    return notes


def _case_models() -> list[str]:
    """The models that link issues, so run each separate case alone (and can use workers)."""
    return [n for n in models() if get_model(n).links_issues]


# fewer draws than this cannot place a coded forecast against a q10-q90 band (with 2 or 5
# draws the band is two or five points, and most forecasts fall outside it)
MIN_DRAWS_FOR_BAND = 20
MAX_ROUND_LINES = 20  # issues whose medians by round are printed (DEU has 248)


def _parse_quantiles(text: str | None) -> tuple[float, ...]:
    """``--quantiles`` as sorted numbers (None: the default, 0.1,0.5,0.9)."""
    from detente.errors import OptionError

    text = DEFAULT_QUANTILES_TEXT if text is None else text
    try:
        qs = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise OptionError(
            f"--quantiles expects numbers such as 0.1,0.5,0.9, got {text!r}") from None
    if not qs or any(not 0.0 <= q <= 1.0 for q in qs):
        raise OptionError(f"--quantiles must be numbers between 0 and 1, got {text!r}")
    names = [qname(q) for q in qs]
    if len(set(names)) < len(names):
        raise OptionError(f"--quantiles {text!r} names one quantile twice")
    return tuple(sorted(qs))  # the table's band runs from the lowest to the highest


def _print_many(title: str, results: list[ForecastResult], issue_names: list[str]) -> None:
    """Several models side by side: models as rows and issues as columns, or issues as rows
    when there are many more issues than models; columns that do not fit the terminal go to
    further tables below (never cut to "4…")."""
    issues = results[0].issues
    labels = [_label(r) for r in results]
    by_model = [[fmt_num(i.forecast, 1) for i in r.issues] for r in results]
    ids = [iss.id for iss in issues]
    if len(issues) > 2 * len(results):  # issues as rows
        _print_grouped(title, "issue", ids, labels, by_model, "models")
    else:
        by_issue = [list(col) for col in zip(*by_model, strict=True)]
        _print_grouped(title, "model", labels, ids, by_issue, "issues")
    for iss, name in zip(issues, issue_names, strict=True):
        lo, hi = iss.scale
        scale = "" if (lo, hi) == (0.0, 100.0) else f" [{lo:g}-{hi:g}]"
        if scale or name not in ("", iss.id):  # a legend line that says something
            console.print(Text("  ") + styled(iss.id, "bold")
                          + f" {name}{scale}", highlight=False)
    if results[0].draws > 1:
        console.print(f"each figure is the median over {results[0].draws} draws of the inputs "
                      "(one model at a time, or --json, gives the quantiles)", highlight=False)
    _print_intervals(results)
    _print_fallbacks(results)


def _knife_edge(coded: float | None, quantiles: dict[str, float | None],
                draws: int) -> bool | None:
    """Whether the forecast at the coded inputs lies outside the draws' band (None: no
    forecast, or too few draws to tell): the table's note and the JSON's
    ``coded_outside_band``."""
    if coded is None or draws < MIN_DRAWS_FOR_BAND:
        return None
    return _outside(coded, quantiles)


def _outside(x: float, quantiles: dict[str, float | None]) -> bool:
    """Whether ``x`` lies outside the band of the quantiles (False when a quantile is
    undefined: no draw had a forecast)."""
    qs = [q for q in quantiles.values() if q is not None]
    return len(qs) == len(quantiles) and not min(qs) <= x <= max(qs)


def _print_intervals(results: list[ForecastResult]) -> None:
    """The prediction intervals a fitted model gives on the coded inputs
    (``extras[issue]["interval"]``), which the table of point forecasts leaves out; the first
    :data:`MAX_ROUND_LINES` issues (``--json`` has every one). Not with draws: the quantiles
    of the draws are the spread shown then."""
    for r in results:
        spans = [(iss.id, iss.extras["interval"]) for iss in r.issues
                 if isinstance(iss.extras.get("interval"), dict)]
        if not spans or r.draws > 1:
            continue
        shown = ", ".join(f"{issue} {fmt_num(v['low'], 1)}–{fmt_num(v['high'], 1)}"
                          for issue, v in spans[:MAX_ROUND_LINES])
        more = (f" (and {len(spans) - MAX_ROUND_LINES} more issues: --json)"
                if len(spans) > MAX_ROUND_LINES else "")
        console.print(f"{_label(r)}: {100 * spans[0][1]['level']:.0f}% prediction intervals: "
                      f"{shown}{more}", highlight=False)


def _print_fallbacks(results: list[ForecastResult]) -> None:
    """Say where a model gave another model's forecast (``extras[issue]["fallback"]``), and
    where none (—), which a table of figures alone would hide."""
    blank = [iss.id for k, iss in enumerate(results[0].issues)
             if all(r.issues[k].forecast is None for r in results)]
    if blank:
        console.print(styled("note", "yellow")
                      + f" no forecast (—) on {', '.join(blank)}: no actor "
                      "weighs it (capability x salience is 0 for every actor)",
                      highlight=False)
    for r in results:
        for text in fallback_notes(_label(r), [(iss.id, iss.extras) for iss in r.issues]):
            console.print(styled("note", "yellow") + f" {text}", highlight=False)


def _label(result: ForecastResult) -> str:
    """The model's name, with its preset unless that is the default."""
    return result.model if result.preset == "default" else f"{result.model} ({result.preset})"


def _print_grouped(title: str, row_head: str, rows: list[str], columns: list[str],
                   cells: list[list[str]], what: str) -> None:
    """A table of ``cells`` (one list per column), split into several tables side by side
    in reading order when its columns do not fit the terminal's width."""
    widths = [max(len(c), *map(len, col)) + 3 for c, col in zip(columns, cells, strict=True)]
    groups = column_groups(widths, console.width - max(map(len, [row_head, *rows])) - 4)
    if len(groups) > 1:
        console.print(styled(title, "bold"), highlight=False)
    for n, group in enumerate(groups):
        table = Table(title=title if len(groups) == 1 else
                      f"{what} {group[0] + 1}-{group[-1] + 1} of {len(columns)}")
        table.add_column(row_head, no_wrap=True)
        for k in group:
            table.add_column(columns[k], justify="right", no_wrap=True)
        for m, label in enumerate(rows):
            table.add_row(label, *[cells[k][m] for k in group])
        console.print(table)
        if n + 1 < len(groups):
            console.print()


def column_groups(widths: list[int], available: int) -> list[list[int]]:
    """Consecutive column indices split into groups whose widths add up to at most
    ``available`` (a column wider than that gets a group of its own)."""
    groups: list[list[int]] = []
    used = available + 1
    for k, w in enumerate(widths):
        if groups and used + w <= available:
            groups[-1].append(k)
            used += w
        else:
            groups.append([k])
            used = w
    return groups


def _print_table(title: str, results: list[ForecastResult], issue_names: list[str],
                 coded: ForecastResult | None = None) -> None:
    """One model: issues as rows; with draws, the quantiles and (``coded``) the forecast at
    the coded values, with a note where that lies outside the quantiles' band."""
    if len(results) > 1:
        _print_many(title, results, issue_names)
        return
    table = Table(title=title)
    table.add_column("issue")
    for r in results:
        table.add_column(_label(r),
                         justify="right")
    first = results[0]
    qnames = list(first.issues[0].quantiles) if len(results) == 1 and first.issues else []
    for q in qnames:
        table.add_column(q, justify="right")
    if coded is not None:
        table.add_column("coded", justify="right")
    for k, iss in enumerate(first.issues):
        label = f"{iss.id} {issue_names[k]}".strip()
        table.add_row(label, *[fmt_num(r.issues[k].forecast) for r in results],
                      *[fmt_num(iss.quantiles[q]) for q in qnames],
                      *([fmt_num(coded.issues[k].forecast)] if coded is not None else []))
    console.print(table)
    if first.draws > 1:
        console.print(f"median over {first.draws} draws; a column qP is the P % quantile of "
                      "the draws" + ("; coded = forecast at the coded values, no draws"
                                     if coded else ""))
    if coded is not None and qnames and first.draws < MIN_DRAWS_FOR_BAND:
        console.print(styled("note", "yellow")
                      + f" {first.draws} draws are too few to tell whether "
                      "the forecast at the coded values lies outside the band; ask for "
                      f"--draws {MIN_DRAWS_FOR_BAND} or more (100 or more for a steady band)",
                      highlight=False)
    elif coded is not None and qnames:
        outside = [iss.id for iss, c in zip(first.issues, coded.issues, strict=True)
                   if _knife_edge(c.forecast, iss.quantiles, first.draws)]
        if outside:
            console.print(styled("note", "yellow")
                          + f" on {', '.join(outside)} the forecast at the "
                          f"coded values lies outside the {qnames[0]}-{qnames[-1]} band: "
                          "small changes of the inputs move it (a knife-edge); read the "
                          "band rather than the single figure",
                          highlight=False)
    _print_intervals(results)
    _print_fallbacks(results)
    if len(results) == 1 and first.issues and len(first.issues[0].rounds) > 1:
        which = " (the first draw)" if first.draws > 1 else ""
        for iss in first.issues[:MAX_ROUND_LINES]:
            meds = " → ".join(fmt_num(r.median) for r in iss.rounds)
            console.print(styled(iss.id, "bold") + f" median by round{which}: {meds}")
        more = len(first.issues) - MAX_ROUND_LINES
        if more > 0:
            console.print(f"(the medians by round of {more} more issues: --json)")


@app.command("models")
def list_models(model: Annotated[str | None, typer.Argument(
        help="one model: its options and their values in each preset")] = None) -> None:
    """List the models and their presets; with a model's name, its options (-o key=value)."""
    if model is not None:
        with user_errors():
            _print_options(get_model(model))
        return
    table = Table(title="models", caption="detente models NAME lists a model's options "
                                          "(forecast -o key=value, sweep options:)")
    table.add_column("model")
    table.add_column("presets")
    table.add_column("what it is")
    for spec in models().values():
        table.add_row(spec.name, ", ".join(spec.presets), spec.summary)
    console.print(table)


def _print_options(spec: Any) -> None:
    """A model's options as rows, its presets as columns (the default preset first)."""
    names = [spec.default_preset, *(p for p in spec.presets if p != spec.default_preset)]
    presets = {name: dataclasses.asdict(spec.presets[name]) for name in names}
    fields = list(presets[names[0]])
    console.print(f"{spec.name}: {spec.summary}", highlight=False)
    if not fields:
        console.print(f"{spec.name} takes no options", highlight=False)
        return
    table = Table(title=f"options of {spec.name} by preset (default: {spec.default_preset})")
    table.add_column("option")
    for name in names:
        table.add_column(name, justify="right")
    for field in fields:
        table.add_row(field, *(_option_text(presets[name][field]) for name in names))
    console.print(table)


def _option_text(value: Any) -> str:
    """An option's value; a long one (best's fitted coefficients) cut to its start."""
    text = "—" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return text if len(text) <= OPTION_WIDTH else text[:OPTION_WIDTH - 1] + "…"


OPTION_WIDTH = 24  # characters of an option's value in `detente models NAME`
