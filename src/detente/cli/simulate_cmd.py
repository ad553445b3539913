"""``detente simulate`` and ``detente compare``: the dynamic simulation on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from detente.cli.app import (
    CAPABILITY_HELP,
    QUANTILES_HELP,
    RECORD_ENV,
    SEED_MAX,
    app,
    console,
    err_console,
    parse_options,
    print_json,
    record_run,
    styled,
    user_errors,
    write_json,
)
from detente.errors import DetenteError, ScenarioError
from detente.result import qname
from detente.scenario.capability_table import resolve_capability
from detente.scenario.io import load_scenario
from detente.simulation import SimOptions, simulate
from detente.simulation.calendar import parse_until
from detente.simulation.compare import compare, load_intervention, narrative_only
from detente.simulation.compare_tables import DiffTable, difference_tables, left_out_note

#: the compare JSON's outcome keys and what the table calls them


def _mechanisms(off: list[str] | None, option: list[str] | None) -> dict:
    out: dict = {name: False for name in off or []}
    for key, value in parse_options(option, "--param").items():
        name, _, param = key.partition(".")
        if not param:
            raise DetenteError(f"--param expects mechanism.parameter=value (e.g. "
                               f"wedge.erosion_per_month=0.02): {key!r} names no parameter "
                               f"(to switch a mechanism off: --off {name})")
        out.setdefault(name, {})
        if out[name] is False:
            raise DetenteError(f"--param {key} changes nothing: --off {name} switches that "
                               f"mechanism off; give one or the other")
        out[name][param] = value
    return out


@app.command("simulate")
def simulate_cmd(
    file: Path,
    until: Annotated[str | None, typer.Option(help="last date simulated, YYYY-MM-DD")] = None,
    seed: Annotated[int, typer.Option(
        min=0, max=SEED_MAX, help="seed of the random generator")] = 0,
    step: Annotated[str, typer.Option(
        help="bargaining step: 'concession' or a static model name")] = "concession",
    off: Annotated[list[str] | None, typer.Option(
        "--off", help="switch a mechanism off (repeatable)")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="mechanism.parameter=value (repeatable)")] = None,
    capability: Annotated[str, typer.Option(help=CAPABILITY_HELP)] = "default",
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="also write the JSON to this file")] = None,
    draws: Annotated[int | None, typer.Option(
        min=1, help="Monte Carlo draws over the scenario's uncertainty block (the default "
                    "widths when it has none)")] = None,
    fixed_inputs: Annotated[bool, typer.Option(
        "--fixed-inputs", help="with --draws: hold the inputs at their coded values, so "
                               "draws differ only by the simulation's own randomness")] = False,
    quantiles: Annotated[str | None, typer.Option(help=QUANTILES_HELP)] = None,
    store: Annotated[Path | None, typer.Option(
        help="record the run in this DuckDB run store")] = None,
    record: Annotated[bool, typer.Option(
        envvar=RECORD_ENV,
        help="record the run in the run store (detente.duckdb next to the scenario unless "
             "--store names one)")] = True,
) -> None:
    """Walk a scenario's calendar: forum meetings, events, trust and support over time.

    With --draws N the simulation runs on N draws of the inputs (the scenario's
    'uncertainty' block, or the default widths when it has none, as forecast --draws draws
    them; --fixed-inputs keeps the coded values, so draws differ only by the simulation's own
    random choices) in one batch, and reports the probability of each outcome of every forum
    meeting, and quantiles of the package in force, trust and support at the end. Every run
    is recorded in the run store unless --no-record is given (a single run as a run of one
    draw: each meeting's outcome, the package in force, trust and support at the end).
    """
    if draws is not None:
        _simulate_draws(file, until, seed, step, off, param, capability, json_out, out,
                        draws, quantiles, store, record, fixed_inputs)
        return
    if fixed_inputs:
        with user_errors():
            raise DetenteError("--fixed-inputs needs --draws N (a single run always uses the "
                               "coded inputs)")
    from detente.cli.forecast_cmd import _parse_quantiles, ignored_options
    from detente.uncertainty.simulation import record_simulation, single_run

    with user_errors():
        qs = _parse_quantiles(quantiles)  # checked and recorded as given, as with --draws
        for text in ignored_options([], None, quantiles, None):
            err_console.print(f"note: {text}", highlight=False)
        sc, capability = resolve_capability(load_scenario(file), capability)
        opts = SimOptions(until=parse_until(until, "--until"), step=step, capability=capability,
                          mechanisms=_mechanisms(off, param))
        history = simulate(sc, opts, seed)
        data = history.to_dict()
        ids, store_path = record_run(
            file, store, record,
            lambda st: [record_simulation(st, single_run(sc, opts, seed, history, qs))])
    if out is not None:
        write_json(out, data)
    if json_out:
        print_json(data)
        return
    console.print(styled(str(sc.name or file), "bold") + f": {history.start} to {history.until}, "
                  f"seed {seed}")
    for line in history.narrative():
        console.print(line, highlight=False, soft_wrap=True)
    if out is not None:
        console.print(f"wrote {out}")
    if store_path is not None:
        console.print(f"recorded run {ids[0]} in {store_path}", highlight=False)


def _simulate_draws(file: Path, until: str | None, seed: int, step: str,
                    off: list[str] | None, param: list[str] | None, capability: str,
                    json_out: bool, out: Path | None, draws: int, quantiles: str | None,
                    store: Path | None, record: bool, fixed_inputs: bool) -> None:
    from detente.cli.forecast_cmd import _parse_quantiles
    from detente.uncertainty.draws import DEFAULT_WIDTHS_NOTE
    from detente.uncertainty.simulation import record_simulation, simulate_mc

    with user_errors():
        sc, capability = resolve_capability(load_scenario(file), capability)
        qs = _parse_quantiles(quantiles)
        opts = SimOptions(until=parse_until(until, "--until"), step=step, capability=capability,
                          mechanisms=_mechanisms(off, param))
        mc = simulate_mc(sc, opts, draws, seed, qs, fixed_inputs=fixed_inputs)
        if mc.default_widths:
            err_console.print(f"note: {DEFAULT_WIDTHS_NOTE}", highlight=False)
        data = mc.to_dict()
        ids, store_path = record_run(file, store, record,
                                     lambda st: [record_simulation(st, mc)])
    if out is not None:
        write_json(out, data)
    if json_out:
        print_json(data)
        return
    print_simulation_summary(data, sc.name or str(file))
    if out is not None:
        console.print(f"wrote {out}")
    if store_path is not None:
        console.print(f"recorded run {ids[0]} in {store_path}", highlight=False)


def print_simulation_summary(data: dict, title: str) -> None:
    """The tables of a simulation Monte Carlo summary (:meth:`SimulationMC.to_dict`), as
    ``simulate --draws`` prints them and ``runs show`` shows a recorded simulation (a single
    run, one draw, as outcomes and values rather than probabilities and quantiles)."""
    single = data["draws"] == 1
    qnames = [] if single else [qname(q) for q in data["quantiles"]]
    what = (f"{len(data['uncertain_inputs'])} uncertain inputs drawn"
            + (" with the default widths" if data["default_widths"] else "")
            if data["uncertain_inputs"] else
            "a single run with the coded inputs" if single else
            "inputs held at their coded values: draws differ only by the simulation's own "
            "randomness")
    console.print(styled(title, "bold") + f": {data['start']} to {data['until']}, "
                  f"{data['draws']} draw{'' if single else 's'}, seed {data['seed']} ({what})",
                  highlight=False)
    names = ("agreement", "partial", "impasse", "no_meeting")
    t = Table(title="forum meetings: " + ("outcome" if single else
                                          "probability of each outcome"), title_justify="left")
    for col in ("date", "meeting", *(("outcome",) if single else names)):
        t.add_column(col.replace("_", " "), justify="left" if single or col in ("date", "meeting")
                     else "right")
    for m in data["meetings"]:
        p = m["probabilities"]
        t.add_row(m["date"], m["label"],
                  *([max(names, key=p.__getitem__).replace("_", " ")] if single
                    else [f"{p[k]:.3f}" for k in names]))
    console.print(t)

    def num(x: float | None, digits: int) -> str:
        return "-" if x is None else f"{x:.{digits}f}"

    stat = ("value",) if single else ("mean", *qnames)
    t = Table(title="package in force at the end (issue scale)", title_justify="left")
    for col in ("issue", "agreed" if single else "P(agreed)", *stat):
        t.add_column(col, justify="left" if col == "issue" else "right")
    for p in data["packages"]:
        agreed = ("yes" if p["p_agreed"] else "no") if single else f"{p['p_agreed']:.3f}"
        t.add_row(p["issue"], agreed, num(p["mean"], 2),
                  *[num(p["quantiles"][q], 2) for q in qnames])
    console.print(t)
    for title_, key, rows in (("trust at the end", ("a", "b"), data["trust"]),
                              ("domestic support at the end", ("actor",), data["support"])):
        t = Table(title=title_, title_justify="left")
        for col in (*key, *stat):
            t.add_column(col, justify="left" if col in key else "right")
        for r in rows:
            t.add_row(*[r[k] for k in key], num(r["mean"], 3),
                      *[num(r["quantiles"][q], 3) for q in qnames])
        console.print(t)


def _interval(row: dict, digits: int) -> str:
    ci = row.get("ci90")
    return f"{row['diff']:+.{digits}f}" + (f" [{ci[0]:+.{digits}f}, {ci[1]:+.{digits}f}]"
                                            if ci else "")


def _table(diff: DiffTable) -> Table:
    """A rich table of the rows kept (:mod:`detente.simulation.compare_tables`)."""
    t = Table(title=diff.title, title_justify="left")
    for k in diff.keys:
        t.add_column(k)
    for col in ("baseline", "with", "difference [90% CI]"):
        t.add_column(col, justify="right")
    for r in diff.rows:
        t.add_row(*[str(r[k]) for k in diff.keys], f"{r['baseline']:.{diff.digits}f}",
                  f"{r['intervention']:.{diff.digits}f}", _interval(r, diff.digits))
    return t


def _print_comparison(data: dict) -> None:
    console.print(styled(str(data['scenario']), "bold") + f": {data['start']} to {data['until']}, "
                  f"{data['runs']} run{'s' * (data['runs'] != 1)} paired by seed "
                  f"(seed {data['seed']}); differences are intervention minus baseline: the "
                  "mean over seeds [its 90 % confidence "
                  "interval]; an interval that holds 0 is no effect these runs can tell "
                  "(--runs for more); --json also gives the 10th and 90th percentiles",
                  highlight=False)
    for iv in data["interventions"]:
        console.print(Text("\n") + styled(str(iv['name']), "bold") + f" ({iv['file']})",
                      highlight=False)
        tables = difference_tables(iv)
        for diff in tables:
            if diff.rows:
                console.print(_table(diff))
        for u in iv["unmatched_meetings"]:
            console.print(f"{u['date']} {u['label']}: only in the {u['only_in']}",
                          highlight=False)
        note = left_out_note(tables, "--json")
        if note:
            console.print(note, highlight=False)


@app.command("compare")
def compare_cmd(
    file: Path,
    intervention: Annotated[list[Path], typer.Option(
        "--intervention", "-i", help="intervention YAML file (repeatable)")],
    runs: Annotated[int, typer.Option(help="seeded runs, the same for each variant")] = 100,
    seed: Annotated[int, typer.Option(
        min=0, max=SEED_MAX, help="seed of the random streams")] = 0,
    until: Annotated[str | None, typer.Option(help="last date simulated, YYYY-MM-DD")] = None,
    step: Annotated[str, typer.Option(
        help="bargaining step: 'concession' or a static model name")] = "concession",
    off: Annotated[list[str] | None, typer.Option(
        "--off", help="switch a mechanism off (repeatable)")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="mechanism.parameter=value (repeatable)")] = None,
    capability: Annotated[str, typer.Option(help=CAPABILITY_HELP)] = "default",
    batch_size: Annotated[int | None, typer.Option(
        help="runs simulated at once (results do not depend on it)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="also write the JSON to this file")] = None,
) -> None:
    """What-if: the same seeds with and without each intervention, and the differences."""
    with user_errors():
        sc, capability = resolve_capability(load_scenario(file), capability)
        problems, ivs = [], []
        for path in intervention:
            try:
                ivs.append(load_intervention(path))
            except ScenarioError as exc:
                problems += exc.problems
        if problems:
            raise ScenarioError(problems)
        for text in (note for iv in ivs for note in narrative_only(iv)):
            err_console.print(f"note: {text}", highlight=False)
        opts = SimOptions(until=parse_until(until, "--until"), step=step, capability=capability,
                          mechanisms=_mechanisms(off, param))
        data = compare(sc, ivs, opts, runs=runs, seed=seed, batch_size=batch_size)
    if out is not None:
        write_json(out, data)
    if json_out:
        print_json(data)
        return
    _print_comparison(data)
