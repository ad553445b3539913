"""Question files: one question on a continuum, each actor's inputs as a range estimate.

Layout (the game specs of the schelling case library, such as
``shared/anchors/bdm/emission_bdm1994__schelling.json``)::

    {"question_id": "...", "frozen_at": "YYYY-MM-DD",
     "continuum": {"label": "...", "anchor_0": "... (position 4)",
                   "anchor_100": "... (position 10)"},
     "actors": [{"id": "...", "name": "...",
                 "position": {"low": 4, "mode": 4, "high": 4},
                 "salience": {"low": 80, "mode": 80, "high": 80},
                 "capability": {"low": 0.08, "mode": 0.08, "high": 0.08}}, ...],
     "notes": "..."}

The question is one issue (id: the question id); each input is a plain number or a
``{low, mode, high}`` estimate, read as its mode, and a range (low < high) becomes a triangular
cell of the scenario's ``uncertainty`` block, so ``forecast --draws`` and ``sensitivity`` draw
it. The scale is 0-100 unless both anchors name a position, as in ``"latest introduction
(position 10)"``: then it runs between those two positions (the emission case: years 4-10).
Saliences are 0-100 when any exceeds 1, else 0-1. ``frozen_at`` becomes ``as_of``, ``notes``
the description; other keys (template, horizon, evidence) are ignored. There is no outcome.

Problems name the place in the file as a path (``actors[3].salience.mode``): no actors, an
actor without id or listed twice, an input that is neither a number nor a low/mode/high
estimate with low <= mode <= high, a position outside the scale, a salience outside 0-100 or
a capability out of bounds.
"""

from __future__ import annotations

import re
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, parse_json, register, sniff_json_object
from detente.scenario.formats.json_fields import each_actor, ident, number
from detente.scenario.model import Scenario, capability_problem
from detente.scenario.validate import scenario_from_data

_ANCHOR_POSITION = re.compile(r"\(\s*position\s+(-?[0-9]+(?:\.[0-9]+)?)\s*\)", re.IGNORECASE)
_INPUTS = ("position", "salience", "capability")
Estimates = dict[str, tuple[float, float, float]]  # (low, mode, high) by input


def _scale(continuum: dict[str, Any]) -> tuple[float, float]:
    """The positions named by the two anchors, or 0-100."""
    at_0, at_100 = (_ANCHOR_POSITION.search(str(continuum.get(k, "")))
                    for k in ("anchor_0", "anchor_100"))
    if at_0 is None or at_100 is None or float(at_0[1]) == float(at_100[1]):
        return 0.0, 100.0
    lo, hi = sorted((float(at_0[1]), float(at_100[1])))
    return lo, hi


class _Reader:
    """Collects a question file's problems while building the scenario's data."""

    def __init__(self, source: str, scale: tuple[float, float]) -> None:
        self.source = source
        self.scale = scale
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, path, file=self.source))

    def estimate(self, where: str, raw: object) -> tuple[float, float, float] | None:
        """(low, mode, high) of a number or a low/mode/high object."""
        value = number(raw)
        if value is not None:
            return value, value, value
        if not isinstance(raw, dict):
            self.problem(where, f"{raw!r} is neither a number nor a {{low, mode, high}} "
                                "estimate")
            return None
        low, mode, high = (number(raw.get(k)) for k in ("low", "mode", "high"))
        for k, v in (("low", low), ("mode", mode), ("high", high)):
            if v is None:
                self.problem(f"{where}.{k}", f"{k} {raw.get(k)!r} is not a number")
        if low is None or mode is None or high is None:
            return None
        if not low <= mode <= high:
            self.problem(where, f"needs low <= mode <= high, got {low:g}, {mode:g}, {high:g}")
            return None
        return low, mode, high

    def estimates(self, where: str, actor: dict[str, Any]) -> Estimates | None:
        """The actor's position, salience and capability estimates; None if one is bad."""
        ests = {key: self.estimate(f"{where}.{key}", actor.get(key)) for key in _INPUTS}
        if any(e is None for e in ests.values()):
            return None
        return {key: e for key, e in ests.items() if e is not None}

    def in_range(self, where: str, key: str, est: tuple[float, float, float],
                 salience_max: float) -> bool:
        """Report an estimate outside its bounds (at the file's own path); True when none."""
        low, _, high = est
        shown = f"{low:g}" if low == high else f"{low:g}..{high:g}"
        if key == "capability":
            why = (f"capability {shown} is negative; capabilities must be 0 or more"
                   if low < 0 else capability_problem(low) or capability_problem(high))
        else:
            lo, hi = self.scale if key == "position" else (0.0, salience_max)
            why = None if lo <= low and high <= hi else f"{key} {shown} is outside {lo:g}-{hi:g}"
        if why is not None:
            self.problem(f"{where}.{key}", why)
        return why is None


def read_question(text: str, source: str) -> Scenario:
    """Read a question file (see the module docstring)."""
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise ScenarioError([Problem("a question file is a JSON object", file=source)])
    continuum = data.get("continuum") if isinstance(data.get("continuum"), dict) else {}
    actors = data.get("actors")
    if not isinstance(actors, list) or not actors:
        raise ScenarioError([Problem("the question has no actors (a list of objects with id, "
                                     "position, salience and capability)", "actors",
                                     file=source)])
    issue_id = ident(data.get("question_id", "")) or "question"
    scale = _scale(continuum)
    reader = _Reader(source, scale)
    parsed = [(where, actor, actor_id, ests)
              for where, actor, actor_id in each_actor(
                  actors, "actors", reader.problem,
                  "actor {id!r} appears again (first as {first})")
              if (ests := reader.estimates(where, actor)) is not None]
    salience_scale = 100 if any(e["salience"][2] > 1 for *_, e in parsed) else 1
    out_actors, cells = [], []
    for where, actor, actor_id, ests in parsed:
        fine = [reader.in_range(where, key, est, salience_scale)  # each one reported
                for key, est in ests.items()]
        if not all(fine):
            continue
        out_actors.append({"id": actor_id, "name": str(actor.get("name") or actor_id),
                           "capability": ests["capability"][1],
                           "position": {issue_id: ests["position"][1]},
                           "salience": {issue_id: ests["salience"][1]}})
        for key, (low, mode, high) in ests.items():
            if low < high:
                cells.append({"actor": actor_id, "field": key, "dist": "triangular",
                              "low": low, "mode": mode, "high": high}
                             | ({"issue": issue_id} if key != "capability" else {}))
    if reader.problems:
        raise ScenarioError(reader.problems)
    issue = {"id": issue_id, "name": str(continuum.get("label") or issue_id),
             "low": str(continuum.get("anchor_0", "")),
             "high": str(continuum.get("anchor_100", ""))}
    if scale != (0.0, 100.0):
        issue["scale"] = {"min": scale[0], "max": scale[1]}
    scenario: dict[str, Any] = {"name": str(data.get("question_id") or issue_id),
                                "description": str(data.get("notes") or ""),
                                "salience_scale": salience_scale, "issues": [issue],
                                "actors": out_actors}
    if isinstance(data.get("frozen_at"), str):
        scenario["as_of"] = data["frozen_at"]
    if cells:
        scenario["uncertainty"] = {"cells": cells}
    return scenario_from_data(scenario, source, {})


def _detect(text: str) -> bool:
    # the continuum is optional (0-100 without it): a file lacking it is still a question
    # file, not a scenario with sixteen problems
    data = sniff_json_object(text, "question_id")
    return (data is not None and all(k in data for k in ("question_id", "actors"))
            and "issues" not in data and "cases" not in data)


FORMAT = register(Format("question-json", "one question with range estimates (JSON "
                                          "'question_id', 'continuum', 'actors')",
                         (".json",), _detect, read_question))
