"""Turn parsed data into a :class:`Scenario`, or a :class:`ScenarioError` listing every problem."""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from detente.errors import Problem, ScenarioError
from detente.scenario.fields import unknown_field_hint
from detente.scenario.model import Scenario, cross_check
from detente.uncertainty.spec import BEHAVIOUR_FIELDS, FIELD_NAMES

_UNION_BRANCHES = ("float", "dict[str,float]", "str", "Source", "dict[str,constrained-float]",
                   "constrained-float")


def field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_union_branch(part):
            continue  # union branch names pydantic adds; not part of the user's path
        else:
            out += f".{part}" if out else str(part)
    return out


def line_of(lines: dict[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def scenario_from_data(data: Any, source: str, lines: dict[str, int]) -> Scenario:
    """Validate ``data`` (from YAML/JSON) as a scenario, locating problems by line.

    Every problem is reported at once: when some fields fail their own checks, those values
    are set aside and the checks across fields (unknown ids, duplicates, ranges) still run on
    the rest, so one ``detente validate`` lists everything that needs fixing.
    """
    if not isinstance(data, dict):
        raise ScenarioError([Problem(
            f"a scenario must be a mapping with 'issues' and 'actors', not {type(data).__name__}",
            file=source)])
    other = other_kind_of_file(data)
    if other is not None:
        raise ScenarioError([Problem(other, file=source)])
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _field_problems(exc, source, lines)
        rest, later = _without_failed_fields(data, exc)
        for more in later:  # checks that could only run once the first failures were set aside
            # not a value set aside itself ("Field required" where a bad date was dropped)
            known = {p.path for p in problems}
            problems += [p for p in _field_problems(more, source, lines)
                         if not _within(p.path, known)]
        seen = {p.path for p in problems}
        if rest is not None:
            problems += [Problem(p.message, p.path, line_of(lines, p.path), source)
                         for p in cross_check(rest) if p.path not in seen]
        raise ScenarioError(sorted(problems, key=_file_order)) from None
    problems = cross_check(sc)
    if problems:
        raise ScenarioError([Problem(p.message, p.path, line_of(lines, p.path), source)
                             for p in problems])
    return sc


#: the keys of the other YAML files detente reads (detente.simulation.compare.Intervention and
#: detente.execution.spec.SweepSpec; a test keeps these in step with them)
INTERVENTION_KEYS = frozenset({"name", "description", "add", "remove", "change", "behaviour"})
SWEEP_KEYS = frozenset({"scenario", "model", "models", "preset", "capability", "design",
                        "samples", "seed", "draws", "trajectories", "parameters", "options"})


def other_kind_of_file(data: dict[str, Any]) -> str | None:
    """What to do with a what-if intervention or a sweep file given where a scenario is
    expected, or None when ``data`` may be a scenario (or names issues or actors)."""
    keys = set(data)
    if "issues" in keys or "actors" in keys:
        return None
    if keys & {"add", "remove", "change", "behaviour"} and keys <= INTERVENTION_KEYS:
        return ("this is a what-if intervention file, not a scenario (a scenario has issues and "
                "actors): use it with detente compare SCENARIO --intervention FILE")
    if "scenario" in keys and keys & {"parameters", "options", "design"} and keys <= SWEEP_KEYS:
        return ("this is a sweep file, not a scenario (a scenario has issues and actors): run "
                "it with detente sweep FILE")
    return None


def _within(path: str, paths: set[str]) -> bool:
    """Whether ``path`` is one of ``paths`` or lies inside one of them."""
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in paths)


def _file_order(p: Problem) -> float:
    return float("inf") if p.line is None else p.line


def _field_problems(exc: ValidationError, source: str, lines: dict[str, int]) -> list[Problem]:
    errors = exc.errors()
    paths = [field_path(err["loc"]) for err in errors]
    problems, seen = [], set()
    for path, err in zip(paths, errors, strict=True):
        msg = err["msg"].removeprefix("Value error, ")
        if (path, msg) in seen or _other_branch_fits_better(path, err["type"], paths):
            continue
        seen.add((path, msg))
        problems.append(Problem(error_message(err, Scenario), path, line_of(lines, path),
                                source))
    return _dedupe_union(problems)


def error_message(err: Any, model: type[BaseModel] | None = None) -> str:
    """A pydantic error's message for a scenario author: with the value it refused, unless it
    names it already (our own checks say "got 0" or quote the text), without pydantic's
    "Value error, " prefix on our own checks and its "or instance of <class>" (a class of
    ours, not anything an author writes). An unknown field under ``model`` (the class
    validated) gets the fields its block has and the nearest one."""
    msg = err["msg"].removeprefix("Value error, ")
    msg = re.sub(r" or instance of \w+", "", msg)
    if err["type"] == "extra_forbidden" and model is not None:
        return msg + unknown_field_hint(model, tuple(err["loc"]))
    if err["type"] in ("missing", "extra_forbidden"):
        return msg
    shown = repr(err.get("input"))
    return msg if ", got " in msg or shown in msg else f"{msg} (got {shown})"


def _other_branch_fits_better(path: str, kind: str, paths: list[str]) -> bool:
    """A union branch's type mismatch at ``path`` (``capability``: "should be a valid
    number") when another branch got past the type and found a problem inside the value
    (``capability.a``): only the inner problem says what is wrong."""
    return kind.endswith(("_type", "_parsing")) and any(
        other.startswith((f"{path}.", f"{path}[")) for other in paths)


def _without_failed_fields(data: dict[str, Any], exc: ValidationError,
                           rounds: int = 3) -> tuple[Scenario | None, list[ValidationError]]:
    """The scenario with every optional value that failed removed (None if that fails too),
    and the failures found on the way.

    Values inside mappings (a cell such as ``position.A``, an optional field) can be dropped;
    a failure in a required field or a list item leaves nothing sound to cross-check. Checks
    that run after a field has parsed (an uncertainty cell naming an unknown actor) only fail
    once the first failures are set aside: up to ``rounds`` times, those are set aside too.
    """
    data = copy.deepcopy(data)
    later: list[ValidationError] = []
    for _ in range(rounds):
        for err in exc.errors():
            _set_aside(data, [part for part in err["loc"] if not _is_union_branch(part)])
        try:
            return Scenario.model_validate(data), later
        except ValidationError as again:
            exc = again
            later.append(again)
    return None, later


def _set_aside(data: dict[str, Any], loc: list[Any]) -> None:
    """Drop the value at ``loc`` where it sits in a mapping (see :func:`_set_aside_uncertainty`
    for the uncertainty block)."""
    if _set_aside_uncertainty(data, loc):
        return
    parent: Any = data
    try:
        for part in loc[:-1]:
            parent = parent[part]
    except (KeyError, IndexError, TypeError):
        return
    if isinstance(parent, dict):
        parent.pop(loc[-1], None)


def _set_aside_uncertainty(data: dict[str, Any], loc: list[Any]) -> bool:
    """Set aside the uncertainty default or cell that holds a failure at ``loc`` (True if
    ``loc`` lies in one), so the other cells are still cross-checked.

    A failed default is dropped. A failed cell is replaced by a plain ``±1`` cell on the same
    actor, issue and field where those are well formed: its index stays (so later cells keep
    their paths) and an unknown actor or issue in it is still reported.
    """
    block = data.get("uncertainty")
    if len(loc) < 3 or loc[0] != "uncertainty" or not isinstance(block, dict):
        return False
    if loc[1] == "default" and isinstance(block.get("default"), dict):
        block["default"].pop(loc[2], None)
        return True
    cells = block.get("cells")
    if loc[1] != "cells" or not isinstance(loc[2], int) or not isinstance(cells, list):
        return False
    cell = cells[loc[2]] if loc[2] < len(cells) else None
    cell = cell if isinstance(cell, dict) else {}
    names = {k: v for k, v in cell.items() if k in ("actor", "issue") and (
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v)))}
    if len(loc) > 3:
        names.pop(loc[3], None)  # the actor or issue that failed
    field = cell.get("field")
    if field not in FIELD_NAMES or (field == "status_quo" and "actor" in names) or (
            field in BEHAVIOUR_FIELDS and "issue" in names):
        field = "capability" if "issue" not in names else "position"
    if loc[2] < len(cells):
        cells[loc[2]] = {**names, "field": field, "±": 1}
    return True


def _is_union_branch(part: Any) -> bool:
    return isinstance(part, str) and (part in _UNION_BRANCHES or "[" in part)


def _dedupe_union(problems: list[Problem]) -> list[Problem]:
    """Pydantic reports each branch of a union; keep one message per path."""
    out: dict[str, Problem] = {}
    for p in problems:
        out.setdefault(p.path, p)
    return list(out.values())
