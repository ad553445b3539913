"""``detente sensitivity``, ``detente sweep`` and ``detente runs list|show|export``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from detente.cli.app import (
    CAPABILITY_HELP,
    EXIT_INTERRUPTED,
    SEED_MAX,
    app,
    console,
    err_console,
    fmt_num,
    format_for,
    parse_options,
    print_json,
    styled,
    user_errors,
)
from detente.errors import DetenteError, OptionError

StoreOpt = Annotated[Path, typer.Option("--store", help="the DuckDB run store")]


@app.command()
def sensitivity(
    file: Path,
    model: Annotated[str, typer.Option("--model", "-m", help="model name (one model: the "
                                       "ranking is the model's own)")] = "compromise",
    preset: Annotated[str | None, typer.Option(help="named option set of the model")] = None,
    rounds: Annotated[int | None, typer.Option(min=0, help="rounds of bargaining")] = None,
    capability: Annotated[str, typer.Option(help=CAPABILITY_HELP)] = "default",
    samples: Annotated[int, typer.Option(
        min=2, help="Sobol base sample N (power of two); runs N(D+2) evaluations")] = 256,
    seed: Annotated[int, typer.Option(
        min=0, max=SEED_MAX, help="seed of the Sobol design and the model")] = 0,
    sobol: Annotated[bool | None, typer.Option(
        help="compute Sobol indices (default: when their runs fit in memory; --sobol "
             "insists, --no-sobol skips them)", show_default=False)] = None,
    top: Annotated[int, typer.Option(min=1, help="inputs shown per issue")] = 10,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="model option key=value (repeatable)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="input format")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Rank the uncertain inputs by their effect on each issue's forecast.

    Tornado: each input alone at its 10 % and 90 % quantile. Sobol (SALib): first-order S1 and
    total ST variance shares. Inputs are the scenario's uncertainty block, or positions ± 5 %
    of the scale, saliences ± 10 % and capabilities ± 20 % when it has none.
    """
    from detente.scenario.capability_table import resolve_capability
    from detente.scenario.io import load_scenario
    from detente.uncertainty.sensitivity import sensitivity as analyse

    with user_errors():
        if model == "all":
            from detente.models import models

            raise OptionError("sensitivity ranks the inputs of one model at a time (each model "
                              "has its own ranking); name one with -m, e.g. -m compromise, or "
                              "run the command once per model: " + ", ".join(models()))
        sc, capability = resolve_capability(load_scenario(file, fmt), capability)
        res = analyse(sc, model, samples, seed, preset, rounds, capability, sobol=sobol,
                      **parse_options(option, own_flags=SENSITIVITY_FLAGS))
    if res.default_widths:
        from detente.uncertainty.draws import DEFAULT_WIDTHS_NOTE

        err_console.print(f"note: {DEFAULT_WIDTHS_NOTE}", highlight=False)
    if json_out:
        print_json(res.to_dict())
        return
    sob = {(s.input, s.issue): s for s in res.sobol}
    for issue in res.issues:
        if issue in res.no_forecast:
            console.print(styled("note", "yellow") + f" issue {issue}: no forecast to vary "
                          f"({res.model} gives none where no actor weighs the issue: "
                          "capability x salience 0 for all, at the coded inputs or in some "
                          "Sobol runs)", highlight=False)
            continue
        table = Table(title=f"{sc.name or file} — issue {issue} ({res.model})")
        for col in ("input", "at q10", "at q90", "swing", "S1", "ST"):
            table.add_column(col, justify="left" if col == "input" else "right")
        ranked = res.ranked(issue)
        for s in ranked[:top]:
            si = sob.get((s.input, issue))
            table.add_row(s.input, fmt_num(s.low), fmt_num(s.high), fmt_num(s.swing),
                          *((_with_conf(si.S1, si.S1_conf), _with_conf(si.ST, si.ST_conf))
                            if si else ("—", "—")))
        console.print(table)
        console.print(f"base forecast {fmt_num(ranked[0].base if ranked else None)}; "
                      f"{len(ranked)} inputs, {max(0, len(ranked) - top)} not shown")
    console.print(f"{res.evaluations} model evaluations"
                  + (f" (Sobol N = {res.sobol_samples}; ± the 95 % confidence half-width of "
                     "each index: where it is as large as the index, raise --samples)"
                     if res.sobol_samples else ""), highlight=False)
    if res.sobol_samples and res.sobol_samples != samples:
        console.print(f"--samples {samples} was rounded up to {res.sobol_samples}: Sobol's "
                      "design takes a power of two", highlight=False)
    if res.sobol_skipped:
        console.print(styled("note", "yellow") + f" no Sobol indices (S1, ST): {res.sobol_skipped}",
                      highlight=False)


#: settings sensitivity takes as flags of its own, refused as --option keys
SENSITIVITY_FLAGS = ("rounds", "preset", "capability", "seed", "samples", "sobol")


def _with_conf(value: float, conf: float) -> str:
    """A Sobol index with its 95 % confidence half-width (SALib's bootstrap)."""
    return f"{value:.2f}±{conf:.2f}" if math.isfinite(conf) else fmt_num(value)


@app.command()
def sweep(
    spec: Path,
    workers: Annotated[int, typer.Option(min=1, help="local worker processes")] = 1,
    executor: Annotated[str, typer.Option(
        help="local (processes), dask (needs --address) or dask-local")] = "local",
    address: Annotated[str | None, typer.Option(
        help="Dask scheduler, tcp://HOST:PORT")] = None,
    store: Annotated[Path | None, typer.Option(
        help="run store (default: detente.duckdb next to the spec)")] = None,
    plain: Annotated[bool, typer.Option(
        help="one line per finished cell instead of a progress bar")] = False,
) -> None:
    """Run a grid or random design over scenario parameters and model options.

    Each cell is recorded in the run store as it finishes; run the same command again after
    an interruption and only the missing cells are computed.
    """
    from detente.execution.executors import make_executor
    from detente.execution.spec import read_spec
    from detente.execution.sweep import ignored_settings, run_sweep

    bar = Progress(TextColumn("[bold]sweep"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                   console=console, disable=plain)
    task = bar.add_task("cells", total=None)

    def on_start(total: int, done: int) -> None:
        console.print(f"{total} cells, {done} already in the store, {total - done} to run")
        bar.update(task, total=total - done)
        bar.start()  # only now: a spec or store error prints without a bar

    def on_progress(finished: int, todo: int) -> None:
        if plain:
            print(f"cell {finished}/{todo} done", flush=True)
        bar.update(task, completed=finished)

    with user_errors():
        checked = read_spec(spec)  # check the spec before any worker starts
        for note in ignored_settings(checked):
            err_console.print(f"note: {note}", highlight=False)
        ex = make_executor(executor, workers, address)
        try:
            summary = run_sweep(spec, store, ex, on_progress, on_start)
        except KeyboardInterrupt:
            bar.stop()
            err_console.print("interrupted: the cells finished so far are in the store (the "
                              "ones under way finish first, and are not recorded); run the "
                              "same command again to compute only the rest", highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        finally:
            bar.stop()
            ex.close()
    console.print(f"sweep {summary.sweep_id}: {summary.computed} cells computed, "
                  f"{summary.already_done} already done; store {summary.store}")


runs_app = typer.Typer(help="Read the run store: list, show and export runs.",
                       no_args_is_help=True)
app.add_typer(runs_app, name="runs")


RUN_KINDS = ("forecast", "simulation", "sweep", "backtest")
SEED_WIDTH = 8  # a sweep cell's 19-digit seed is cut in the list (runs show gives it whole)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _existing(store: Path) -> Path:
    """``store`` if it exists; else an error naming the run stores in this folder and the
    folders below it (runs are recorded next to their scenario, so a plain ``detente runs
    list`` in the project folder finds none at ./detente.duckdb)."""
    if store.exists():
        return store
    skip = {".venv", ".git", "node_modules", "__pycache__"}
    found = sorted(str(p) for pattern in ("*.duckdb", "*/*.duckdb", "*/*/*.duckdb")
                   for p in Path().glob(pattern) if not skip & set(p.parts))[:8]
    hint = (f"; stores here: {', '.join(found)} (name one with --store)" if found else
            "; runs are recorded in detente.duckdb next to their scenario unless --store "
            "names another")
    raise DetenteError(f"no run store at {store}{hint}")


def _model_shown(run: dict[str, Any]) -> str:
    """The model column of ``runs list``: a simulation's model is stored as
    ``simulation:<protocol>``; the kind column already says ``simulation``."""
    model = str(run["model"])
    prefix = f"{run['kind']}:"
    return model[len(prefix):] if model.startswith(prefix) else model


@runs_app.command("list")
def runs_list(store: StoreOpt = Path("detente.duckdb"),
              sweep_id: Annotated[str | None, typer.Option(
                  "--sweep", help="only the cells of this sweep")] = None,
              kind: Annotated[str | None, typer.Option(
                  help="only runs of this kind: forecast, simulation, sweep or backtest")] = None,
              limit: Annotated[int, typer.Option(min=1, help="newest runs shown")] = 50,
              json_out: Annotated[bool, typer.Option(
                  "--json", help="print JSON, with each run's summary")] = False) -> None:
    """List recorded runs, newest first (--json gives each run's kind and summary)."""
    from detente.store import RunStore
    from detente.store.runstore import unknown_sweep

    with user_errors(), RunStore(_existing(store), read_only=True) as st:
        if kind is not None and kind not in RUN_KINDS:
            raise DetenteError(f"unknown kind {kind!r}; kinds: {', '.join(RUN_KINDS)}")
        rows = st.runs(limit, sweep_id, kind)
        if sweep_id is not None and not rows:
            raise unknown_sweep(sweep_id, store)
    if json_out:
        print_json(rows)
        return
    if not rows:  # an empty table said nothing
        console.print(f"no {kind + ' ' if kind else ''}runs in {store}"
                      + ("" if kind != "sweep" else "; a sweep records its cells in the store "
                         "next to its spec (the path its last line names) unless --store "
                         "says otherwise"))
        return
    # a kind column where the rows' kinds differ; else the title names the one kind
    kinds = sorted({r["kind"] for r in rows})
    table = Table(title=f"{kinds[0] + ' ' if len(kinds) == 1 else ''}runs in {store}",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True,
                  caption="a sweep cell's run id is the sweep id and the cell number"
                  if any(r.get("sweep_id") for r in rows) else None)
    cells = [(r["run_id"], str(r["created"])[:16].replace("T", " "),
              *([r["kind"]] if len(kinds) > 1 else []), _model_shown(r),
              _short(str(r["seed"]), SEED_WIDTH), str(r["draws"]), r["scenario_name"] or "")
             for r in rows]
    # one line per run: every column keeps its width, the scenario name gives way (and on a
    # narrow terminal the year of the time, the first to go)
    fixed = ("run", "time", *(["kind"] if len(kinds) > 1 else []), "model", "seed", "draws")

    def widths_of(cells: list[tuple[str, ...]]) -> list[int]:
        return [max([len(col), *(len(c[k]) for c in cells)]) for k, col in enumerate(fixed)]

    def room_of(widths: list[int]) -> int:
        return console.width - sum(widths) - 2 * len(widths) - 1  # 2: the column gaps

    if room_of(widths_of(cells)) < 16:
        cells = [(c[0], c[1][5:], *c[2:]) for c in cells]
    widths = widths_of(cells)
    for col, width in zip(fixed, widths, strict=True):
        table.add_column(col, no_wrap=True, min_width=width,
                         justify="right" if col in ("seed", "draws") else "left")
    table.add_column("scenario", no_wrap=True)
    room = max(room_of(widths), 8)
    for c in cells:
        table.add_row(*c[:-1], _short(c[-1], room))
    console.print(table)


@runs_app.command("show")
def runs_show(run_id: str, store: StoreOpt = Path("detente.duckdb"),
              json_out: Annotated[bool, typer.Option(
                  "--json", help="print the run's record and summary as JSON")] = False,
              ) -> None:
    """Show one run (by id or a unique prefix): metadata and per-issue forecast."""
    from detente.store import RunStore

    with user_errors(), RunStore(_existing(store), read_only=True) as st:
        run = st.run(run_id)
    if json_out:
        print_json(run)
        return
    for key in ("run_id", "created", "kind", "scenario_name", "scenario_hash", "model",
                "preset", "capability", "options", "seed", "draws", "rounds", "version",
                "sweep_id", "cell_index", "params"):
        if run.get(key) is not None:
            value = run[key]
            text = json.dumps(value) if isinstance(value, dict | list) else str(value)
            console.print(styled(key, "bold") + f": {text}", highlight=False)
    summary = run.get("summary") or {}
    if run.get("kind") == "simulation":
        from detente.cli.simulate_cmd import print_simulation_summary

        print_simulation_summary(summary, run.get("scenario_name") or run["run_id"])
        return
    for key, value in summary.get("backtest", {}).items():
        if key not in run:  # model, preset and capability are printed above
            console.print(styled(key, "bold") + f": {_plain(value)}", highlight=False)
    issues = summary.get("issues", {})
    table = Table(title="forecast")
    qnames = sorted({k for v in issues.values() for k in v if k != "forecast"})
    for col in ("issue", "forecast", *qnames):
        table.add_column(col, justify="left" if col == "issue" else "right")
    for iid, v in issues.items():
        table.add_row(iid, fmt_num(v.get("forecast")), *[fmt_num(v.get(q)) for q in qnames])
    console.print(table)


def _plain(value: object) -> str:
    """A summary value for the terminal: numbers to 2 decimals, dicts as ``key value, ...``."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    return fmt_num(value) if isinstance(value, float) else str(value)


EXPORT_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@runs_app.command("export")
def runs_export(out: Annotated[Path, typer.Option("--out", "-o", help="file to write")],
                run_id: Annotated[str | None, typer.Argument(
                    help="one run (default: all)")] = None,
                store: StoreOpt = Path("detente.duckdb"),
                fmt: Annotated[str | None, typer.Option(
                    "--format", "-f", help="parquet or csv (default: from the suffix of "
                                           "--out, .csv or .parquet)")] = None,
                sweep_id: Annotated[str | None, typer.Option(
                    "--sweep", help="only the cells of this sweep")] = None) -> None:
    """Export results in long format (run, draw, round, actor, issue, value) with run data
    (kind, model, preset, capability, seed, sweep cell); a backtest's rows also give each
    issue's observed outcome. A simulation's rows are its final package and positions; its
    meetings, trust and support are in `detente runs show RUN --json` (summary)."""
    from detente.store import RunStore

    with user_errors():
        chosen = format_for(out, fmt, EXPORT_SUFFIXES, None)
        if chosen is None:
            raise OptionError(f"cannot tell the format of {out.name!r}: name the file .csv "
                              "or .parquet, or give --format csv|parquet")
    with user_errors(), RunStore(_existing(store), read_only=True) as st:
        n = st.export(out, chosen, run_id, sweep_id)
    console.print(f"wrote {n} rows to {out}")
