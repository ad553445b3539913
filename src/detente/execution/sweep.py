"""Run a sweep: every cell of the design, recorded in the run store, resumable.

The parent process owns the store; workers only compute. Each finished cell is recorded in one
transaction together with its key, and the store's unique (sweep_id, cell_key) constraint
holds. Started again with the same spec (after a crash or ``kill -9``), the sweep reads the
keys already recorded and runs only the missing cells: nothing is recomputed, duplicated or
lost. A cell's seed depends only on the spec and the cell, so the results do not depend on the
executor or the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from detente.errors import OptionError, Problem, ScenarioError
from detente.execution.executors import Executor, SerialExecutor
from detente.execution.spec import (
    Cell,
    ParameterPathError,
    SweepSpec,
    cell_scenario_data,
    cell_seed,
    expand,
    parameter_at,
    parse_path,
    read_spec_and_lines,
    sweep_id,
)
from detente.models import get_model, rounds_ignored_note
from detente.models.base import check_rounds
from detente.scenario.arrays import check_coding
from detente.scenario.io import load_scenario
from detente.scenario.model import Scenario
from detente.scenario.validate import line_of, scenario_from_data
from detente.store import RunStore, record_result, scenario_hash
from detente.uncertainty.montecarlo import check_size, one_issue_at_a_time

Progress = Callable[[int, int], None]  # (cells finished in this run, cells to run)


@dataclass(frozen=True)
class CellTask:
    """What a worker needs for one cell (plain, picklable data)."""

    cell: Cell
    scenario: dict[str, Any]
    preset: str | None
    capability: str
    draws: int
    seed: int
    all_trajectories: bool = False  # the spec's trajectories: all (else draw 0's only)


@dataclass(frozen=True)
class SweepPlan:
    spec: SweepSpec
    sweep_id: str
    scenario: Scenario
    cells: list[Cell]
    tasks: dict[str, CellTask]


@dataclass(frozen=True)
class SweepSummary:
    sweep_id: str
    cells: int
    already_done: int
    computed: int
    store: Path


def run_cell(task: CellTask) -> tuple[CellTask, Any]:
    """Run one cell (in a worker): Monte Carlo over ``draws`` of the cell's scenario."""
    from detente.uncertainty.montecarlo import monte_carlo

    sc = scenario_from_data(task.scenario, f"cell {task.cell.index}", {})
    opts = dict(task.cell.options)
    rounds = opts.pop("rounds", None)
    preset = opts.pop("preset", task.preset)
    capability = opts.pop("capability", task.capability)
    return task, monte_carlo(sc, task.cell.model, task.draws, task.seed, preset, rounds,
                             capability, all_trajectories=None if task.all_trajectories else False,
                             **opts)


def plan(spec_path: str | Path) -> SweepPlan:
    """Read a spec, expand its design and check every cell before anything runs."""
    spec, lines = read_spec_and_lines(spec_path)
    scenario_path = Path(spec_path).resolve().parent / spec.scenario
    sc = load_scenario(scenario_path)
    base = sc.model_dump(mode="json", by_alias=True)
    try:
        cells = expand(spec)
    except ScenarioError as exc:  # the design's problems, located in the spec file
        raise ScenarioError([replace(p, file=str(spec_path), line=p.line or line_of(
            lines, p.path)) for p in exc.problems]) from None
    problems: list[Problem] = []
    models_at = "models" if spec.models is not None else "model"  # as the spec names them
    for name in spec.model_names():
        try:
            get_model(name)
        except OptionError as exc:
            problems.append(Problem(str(exc), models_at, line_of(lines, models_at),
                                    str(spec_path)))
    models_known = not problems
    tasks: dict[str, CellTask] = {}
    reported: set[tuple[str, str]] = set()

    def report(message: str, where: str = "parameters", seen: str | None = None) -> None:
        """One problem, once (``seen``: what makes it the same; default the message)."""
        if (where, seen or message) not in reported:
            reported.add((where, seen or message))
            problems.append(Problem(message, where, line_of(lines, where), str(spec_path)))

    unknown: set[str] = set()  # parameter paths that name nothing: said once, and the cells are
    for key, value in cells[0].params.items():  # still checked without them
        try:
            cell_scenario_data(base, replace(cells[0], params={key: value}))
        except ParameterPathError as exc:
            report(str(exc), f"parameters.{exc.key}")
            unknown.add(key)
    for cell in cells:
        data: dict[str, Any] = {}
        try:
            data = cell_scenario_data(base, replace(cell, params={
                k: v for k, v in cell.params.items() if k not in unknown}))
            cell_sc = scenario_from_data(data, str(scenario_path), {})
            if models_known:
                found = _option_problems(spec, cell, cell_sc)
                for where, exc in found:  # each at the option (or field) it comes from
                    report(f"cell {cell.index} ({_cell_text(cell)}): {exc}", where, str(exc))
                if found:
                    continue
                check_size(cell.model, spec.draws, cell.options.get("rounds"),
                           len(cell_sc.actors), len(cell_sc.issues),
                           None if spec.trajectories == "all"
                           else one_issue_at_a_time(cell.model, cell_sc))
        except ScenarioError as exc:  # a value the scenario refuses: located at its parameter
            for p in exc.problems:
                key = parameter_at(data, p.path, list(cell.params))
                if key is None:
                    report(f"cell {cell.index} ({_cell_text(cell)}): {p}", seen=str(p))
                else:
                    report(f"{_value_text(cell.params[key])} (cell {cell.index}) is refused: "
                           f"{p.message}", f"parameters.{key}", p.message)
            continue
        except (OptionError, ValueError) as exc:
            report(f"cell {cell.index} ({_cell_text(cell)}): {exc}", seen=str(exc))
            continue
        tasks[cell.key] = CellTask(cell, data, spec.preset, spec.capability, spec.draws,
                                   cell_seed(spec, cell), spec.trajectories == "all")
    if problems:  # in the spec file's order
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    return SweepPlan(spec, sweep_id(spec, scenario_hash(sc)), sc, cells, tasks)


def _option_problems(spec: SweepSpec, cell: Cell,
                     cell_sc: Scenario) -> list[tuple[str, OptionError | ValueError]]:
    """Every option of ``cell`` its model or scenario refuses, with the spec field it comes
    from: ``options.KEY`` where the options axis sets it, else the spec's own field."""
    def at(key: str) -> str:
        return f"options.{key}" if key in spec.options else key

    found: list[tuple[str, OptionError | ValueError]] = []
    model = get_model(cell.model)
    preset = cell.options.get("preset", spec.preset)
    try:
        model.options(preset)
    except OptionError as exc:
        found.append((at("preset"), exc))
        preset = None  # the other options are checked against the default preset
    opts = {k: v for k, v in cell.options.items() if k not in ("rounds", "preset",
                                                                "capability")}
    for key, value in opts.items():
        try:
            model.options(preset, **{key: value})
        except (OptionError, ValueError) as exc:
            found.append((at(key), exc))
    if not found and len(opts) > 1:  # each alone passed; together (a check across fields)
        try:
            model.options(preset, **opts)
        except (OptionError, ValueError) as exc:
            found.append(("options", exc))
    try:
        if cell.options.get("rounds") is not None:
            check_rounds(cell.options["rounds"], cell.model)
    except OptionError as exc:
        found.append((at("rounds"), exc))
    coding = cell.options.get("capability", spec.capability)
    try:
        check_coding(cell_sc, coding)
    except OptionError as exc:
        found.append((at("capability"), exc))
    else:
        other = "" if coding == "equal" else f", or sweep actors[ID].capabilities.{coding}"
        for key in _capability_params_unread(cell, cell_sc, coding):
            found.append((f"parameters.{key}", OptionError(
                f"sets the actor's own capability, which the capability coding {coding!r} "
                "does not read: the cells would repeat the same figures; sweep it under "
                f"capability 'default'{other}")))
    return found


def _capability_params_unread(cell: Cell, sc: Scenario, coding: str) -> list[str]:
    """The cell's parameters setting ``actors[ID].capability`` (or ``.ISSUE``) that
    ``coding`` does not read: every one under ``equal``; under a named coding, those of
    actors that have that coding (the others fall back to their own capability)."""
    if coding == "default":
        return []
    out = []
    for key in cell.params:
        tokens = parse_path(key)  # read once the design was expanded: the paths are valid
        if tokens[0] != "actors" or tokens[2:3] != ["capability"]:
            continue
        ref = tokens[1]
        actor = (sc.actors[ref] if isinstance(ref, int)
                 else next(a for a in sc.actors if (a.id,) == ref))
        if coding == "equal" or coding in actor.capabilities:
            out.append(key)
    return out


def ignored_settings(spec: SweepSpec) -> list[str]:
    """Notes on settings of ``spec`` that change nothing (the cells still run, and repeat the
    same figures): ``rounds`` for models without rounds of bargaining."""
    note = rounds_ignored_note("options.rounds", spec.model_names()) if (
        "rounds" in spec.options) else None
    return [f"{note}; cells that differ only in rounds give the same figures"] if note else []


def _value_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def _cell_text(cell: Cell) -> str:
    """A cell's parameter values and options, as the spec writes them."""
    return ", ".join(f"{k} = {_value_text(v)}" for k, v in {**cell.params,
                                                          **cell.options}.items())


def run_sweep(spec_path: str | Path, store_path: str | Path | None = None,
              executor: Executor | None = None,
              progress: Progress | None = None,
              on_start: Callable[[int, int], None] | None = None) -> SweepSummary:
    """Run the cells of a sweep that the store does not have yet.

    ``store_path`` defaults to ``detente.duckdb`` next to the spec file. ``on_start(total,
    already_done)`` is called once before computing; ``progress(finished, to_run)`` after each
    recorded cell.
    """
    p = plan(spec_path)
    path = Path(store_path) if store_path else Path(spec_path).resolve().parent / (
        "detente.duckdb")
    ex = executor or SerialExecutor()
    with RunStore(path) as store:
        store.register_sweep(p.sweep_id, p.spec.model_dump(mode="json"), len(p.cells))
        done = store.done_cells(p.sweep_id)
        todo = [p.tasks[c.key] for c in p.cells if c.key not in done]
        already = len(p.cells) - len(todo)
        if on_start is not None:
            on_start(len(p.cells), already)
        finished = 0
        for task, mc in ex.imap_unordered(run_cell, todo):
            sc = scenario_from_data(task.scenario, "cell", {})
            record_result(store, sc, mc.arrays, mc.output, mc.result, task.seed, kind="sweep",
                          all_trajectories=p.spec.trajectories == "all",
                          sweep_id=p.sweep_id, cell_key=task.cell.key,
                          cell_index=task.cell.index,
                          params={"params": task.cell.params, "options": task.cell.options},
                          run_id=f"{p.sweep_id}-{task.cell.index:06d}")
            finished += 1
            if progress is not None:
                progress(finished, len(todo))
    return SweepSummary(p.sweep_id, len(p.cells), already, finished, path)
