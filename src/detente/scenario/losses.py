"""What a conversion left behind: the fields of a scenario that a written file does not carry.

Why. The foreign formats carry less than the native one: a BDM table has no issue names, no
outcome and no forums; KTAB positions are 0-100 without units. ``detente convert`` reads the
file it wrote back and names what differs, so a user does not find out only when a backtest
on the converted file says there is no outcome.

Issues and actors are matched by order (a format may rename them); numbers are compared to a
relative 1e-6 (formats write rounded decimals) and saliences on a 0-1 scale (a format may
write them 0-100).
"""

from __future__ import annotations

import math
from typing import Any

from detente.scenario.model import Actor, Issue, Scenario

TOP_LEVEL = ("name", "description", "as_of", "separate_cases", "forums", "calendar",
             "relations", "sources", "simulation", "uncertainty")
REL_TOL = 1e-6


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _per_issue(d: dict[str, Any], ids: dict[str, str], scale: float = 1.0) -> dict[str, Any]:
    """An actor's per-issue dict with the issue ids translated and values divided by
    ``scale``; a single number stays a number."""
    if not isinstance(d, dict):
        return d
    return {ids.get(k, k): (v / scale if isinstance(v, float | int) else v)
            for k, v in d.items()}


def conversion_losses(before: Scenario, after: Scenario) -> list[str]:
    """The fields of ``before`` that ``after`` (the written file read back) lacks or holds
    differently, e.g. ``["issue name", "issue outcome", "forums"]``; empty when nothing was
    lost."""
    lost = [f for f in TOP_LEVEL
            if not _same(_dump(getattr(before, f)), _dump(getattr(after, f)))]
    if len(before.issues) != len(after.issues):
        lost.append(f"issues ({len(before.issues)} written as {len(after.issues)})")
    if len(before.actors) != len(after.actors):
        lost.append(f"actors ({len(before.actors)} written as {len(after.actors)})")
    if lost and lost[-1].startswith(("issues (", "actors (")):
        return lost
    ids = {b.id: a.id for b, a in zip(before.issues, after.issues, strict=True)}
    for field in Issue.model_fields:
        if any(not _same(_issue_value(b, field), _issue_value(a, field))
               for b, a in zip(before.issues, after.issues, strict=True)):
            lost.append(f"issue {field.replace('_', ' ')}")
    scales = (float(before.salience_scale), float(after.salience_scale))
    for field in Actor.model_fields:
        differs = False
        for b, a in zip(before.actors, after.actors, strict=True):
            old, new = _dump(getattr(b, field)), _dump(getattr(a, field))
            if field in ("position", "salience", "capability"):
                div = scales if field == "salience" else (1.0, 1.0)
                old, new = _per_issue(old, ids, div[0]), _per_issue(new, {}, div[1])
            differs |= not _same(old, new)
        if differs:
            lost.append(f"actor {field}")
    return lost


def _issue_value(issue: Issue, field: str) -> Any:
    """An issue's field as a conversion must keep it: a scale by its ends and unit (no scale
    is 0-100)."""
    if field == "scale":
        return [*issue.bounds, issue.scale.unit if issue.scale else None]
    return _dump(getattr(issue, field))


def _dump(value: Any) -> Any:
    """Plain data; text without surrounding whitespace (YAML's folded text ends in a
    newline that other formats drop)."""
    if isinstance(value, str):
        return value.strip()
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else (
        [_dump(v) for v in value] if isinstance(value, list) else value)
