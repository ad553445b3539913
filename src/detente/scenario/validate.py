"""Turn parsed data into a :class:`Scenario`, or a :class:`ScenarioError` listing every problem."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from detente.errors import Problem, ScenarioError
from detente.scenario.model import Scenario, cross_check

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
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _field_problems(exc, source, lines)
        seen = {p.path for p in problems}
        rest = _without_failed_fields(data, exc)
        if rest is not None:
            problems += [Problem(p.message, p.path, line_of(lines, p.path), source)
                         for p in cross_check(rest) if p.path not in seen]
        raise ScenarioError(problems) from None
    problems = cross_check(sc)
    if problems:
        raise ScenarioError([Problem(p.message, p.path, line_of(lines, p.path), source)
                             for p in problems])
    return sc


def _field_problems(exc: ValidationError, source: str, lines: dict[str, int]) -> list[Problem]:
    errors = exc.errors()
    paths = [field_path(err["loc"]) for err in errors]
    problems, seen = [], set()
    for path, err in zip(paths, errors, strict=True):
        msg = err["msg"].removeprefix("Value error, ")  # pydantic's prefix for our own checks
        if (path, msg) in seen or _other_branch_fits_better(path, err["type"], paths):
            continue
        seen.add((path, msg))
        problems.append(Problem(f"{msg} (got {err.get('input')!r})"
                                if err["type"] not in ("missing", "extra_forbidden")
                                else msg, path, line_of(lines, path), source))
    return _dedupe_union(problems)


def _other_branch_fits_better(path: str, kind: str, paths: list[str]) -> bool:
    """A union branch's type mismatch at ``path`` (``capability``: "should be a valid
    number") when another branch got past the type and found a problem inside the value
    (``capability.a``): only the inner problem says what is wrong."""
    return kind.endswith(("_type", "_parsing")) and any(
        other.startswith((f"{path}.", f"{path}[")) for other in paths)


def _without_failed_fields(data: dict[str, Any], exc: ValidationError) -> Scenario | None:
    """The scenario with every optional value that failed removed, or None if that fails too.

    Values inside mappings (a cell such as ``position.A``, an optional field) can be dropped;
    a failure in a required field or a list item leaves nothing sound to cross-check.
    """
    data = copy.deepcopy(data)
    for err in exc.errors():
        loc = [part for part in err["loc"] if not _is_union_branch(part)]
        parent: Any = data
        try:
            for part in loc[:-1]:
                parent = parent[part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(parent, dict):
            parent.pop(loc[-1], None)
    try:
        return Scenario.model_validate(data)
    except ValidationError:
        return None


def _is_union_branch(part: Any) -> bool:
    return isinstance(part, str) and (part in _UNION_BRANCHES or "[" in part)


def _dedupe_union(problems: list[Problem]) -> list[Problem]:
    """Pydantic reports each branch of a union; keep one message per path."""
    out: dict[str, Problem] = {}
    for p in problems:
        out.setdefault(p.path, p)
    return list(out.values())
