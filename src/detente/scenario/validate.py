"""Turn parsed data into a :class:`Scenario`, or a :class:`ScenarioError` listing every problem."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from detente.errors import Problem, ScenarioError
from detente.scenario.model import Scenario, cross_check


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("float", "dict[str,float]", "str", "Source",
                      "dict[str,constrained-float]", "constrained-float"):
            continue  # union branch names pydantic adds; not part of the user's path
        else:
            out += f".{part}" if out else str(part)
    return out


def _line(lines: dict[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def scenario_from_data(data: Any, source: str, lines: dict[str, int]) -> Scenario:
    """Validate ``data`` (from YAML/JSON) as a scenario, locating problems by line."""
    if not isinstance(data, dict):
        raise ScenarioError([Problem(
            f"a scenario must be a mapping with 'issues' and 'actors', not {type(data).__name__}",
            file=source)])
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        problems, seen = [], set()
        for err in exc.errors():
            path = _path(err["loc"])
            msg = err["msg"]
            if (path, msg) in seen:
                continue
            seen.add((path, msg))
            problems.append(Problem(f"{msg} (got {err.get('input')!r})"
                                    if err["type"] not in ("missing", "extra_forbidden")
                                    else msg, path, _line(lines, path), source))
        raise ScenarioError(_dedupe_union(problems)) from None
    problems = cross_check(sc)
    if problems:
        raise ScenarioError([Problem(p.message, p.path, _line(lines, p.path), source)
                             for p in problems])
    return sc


def _dedupe_union(problems: list[Problem]) -> list[Problem]:
    """Pydantic reports each branch of a union; keep one message per path."""
    out: dict[str, Problem] = {}
    for p in problems:
        out.setdefault(p.path, p)
    return list(out.values())
