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
    counts = [f"{what} ({len(b)} written as {len(a)})" for what, b, a in (
        ("issues", before.issues, after.issues), ("actors", before.actors, after.actors))
        if len(b) != len(a)]
    if counts:  # issues and actors are matched by order: nothing more to compare
        return lost + counts
    ids = {b.id: a.id for b, a in zip(before.issues, after.issues, strict=True)}
    lost += [f"issue {field.replace('_', ' ')}" for field in Issue.model_fields
             if any(not _same(_issue_value(b, field), _issue_value(a, field))
                    for b, a in zip(before.issues, after.issues, strict=True))]
    lost += [f"actor {field}" for field in Actor.model_fields
             if any(not _same(_actor_value(b, field, ids, before.salience_scale),
                              _actor_value(a, field, {}, after.salience_scale))
                    for b, a in zip(before.actors, after.actors, strict=True))]
    return lost


def _actor_value(actor: Actor, field: str, ids: dict[str, str], salience_scale: float) -> Any:
    """An actor's field as a conversion must keep it: per-issue values under the written
    file's issue ids (``ids``), saliences on a 0-1 scale."""
    value = _dump(getattr(actor, field))
    if field in ("position", "salience", "capability"):
        return _per_issue(value, ids, float(salience_scale) if field == "salience" else 1.0)
    return value


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
