"""Case files: one-issue cases with dated outcome readings, in one JSON file.

Layout (the ``cases`` files of the schelling case library, such as
``shared/anchors/bdm/ktab_china_2014_outcomes__schelling.json``)::

    {"cases": [{"case_id": "...", "title": "...",
                "continuum": {"label": "...", "anchor_0": "...", "anchor_100": "..."},
                "actors": [{"id": "...", "name": "...", "position": 0-100,
                            "capability": >= 0, "salience": 0-100}, ...],
                "outcomes": {"<reading>": {"proposed_value": 0-100, "basis": "..."}, ...}},
               ...]}

Other keys (provenance, notes, published forecasts, the readings' ranges) are ignored. Each
case is one issue on a 0-100 continuum; each outcome reading of a case (``near_term_by_2017``,
``long_run_by_2020``) becomes its own issue with id ``<case_id>.<reading>`` and name
``<title>, <reading> (<case_id>)``, holding that case's actors, so that a backtest scores every
reading and a cross-validation keeps the readings of one case in one fold (the case id is their
proposal). Actors are matched by id across cases; an actor's capability is per issue. Saliences
are 0-100. The cases of a file are separate one-issue cases in a backtest, as DEU rows are.

Problems name the place in the file as a path (``cases[1].actors[4].salience``): a missing
``cases`` list, a case without ``case_id``, actors or outcome readings, an actor without id or
with a position, capability or salience that is not a number or out of range (positions and
saliences 0-100, capabilities 0 or 1e-50..1e50), a reading without a ``proposed_value`` in
0-100, and two cases with one id.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, parse_json, register, sniff_json_object
from detente.scenario.formats.json_fields import each_actor, ident, number
from detente.scenario.model import Scenario, capability_problem
from detente.scenario.validate import scenario_from_data

_ACTOR_NUMBERS = ("position", "capability", "salience")


class _Reader:
    """Collects a case file's problems while building the scenario's data."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.issues: list[dict[str, Any]] = []
        self.actors: dict[str, dict[str, Any]] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, path, file=self.source))

    def case(self, k: int, case: object, seen: dict[str, int]) -> None:
        at = f"cases[{k}]"
        if not isinstance(case, dict):
            self.problem(at, "a case must be an object with case_id, actors and outcomes")
            return
        case_id = ident(case.get("case_id", ""))
        if not case_id:
            self.problem(f"{at}.case_id", "the case has no case_id")
            return
        if case_id in seen:
            self.problem(f"{at}.case_id", f"case {case_id!r} appears again (first as "
                                          f"cases[{seen[case_id]}])")
            return
        seen[case_id] = k
        readings = self.readings(at, case.get("outcomes"))
        actors = self.case_actors(at, case.get("actors"))
        continuum = case.get("continuum") if isinstance(case.get("continuum"), dict) else {}
        title = str(case.get("title") or case_id)
        for reading, value, basis in readings:
            issue_id = f"{case_id}.{reading}"[:64]
            self.issues.append({
                "id": issue_id, "name": f"{title}, {reading} ({case_id})",
                "low": str(continuum.get("anchor_0", "")),
                "high": str(continuum.get("anchor_100", "")),
                "outcome": {"value": value} | ({"source": basis} if basis else {})})
            for actor_id, name, numbers in actors:
                entry = self.actors.setdefault(actor_id, {
                    "id": actor_id, "name": name, "capability": {}, "position": {},
                    "salience": {}})
                entry["capability"][issue_id] = numbers["capability"]
                entry["position"][issue_id] = numbers["position"]
                entry["salience"][issue_id] = numbers["salience"]

    def readings(self, at: str, outcomes: object) -> list[tuple[str, float, str]]:
        if not isinstance(outcomes, dict) or not outcomes:
            self.problem(f"{at}.outcomes", "the case has no outcome readings (an object of "
                                           "readings, each with a proposed_value)")
            return []
        out = []
        for name, reading in outcomes.items():
            value = number(reading.get("proposed_value")) if isinstance(reading, dict) else None
            if value is None:
                self.problem(f"{at}.outcomes.{name}.proposed_value",
                             "the reading has no numeric proposed_value")
                continue
            if not 0 <= value <= 100:
                self.problem(f"{at}.outcomes.{name}.proposed_value",
                             f"proposed_value {value:g} is outside the continuum's 0-100")
                continue
            out.append((ident(name), value, str(reading.get("basis") or "")))
        return out

    def case_actors(self, at: str, actors: object) -> list[tuple[str, str, dict[str, float]]]:
        if not isinstance(actors, list) or not actors:
            self.problem(f"{at}.actors", "the case has no actors (a list of objects with id, "
                                         "position, capability and salience)")
            return []
        out = []
        for where, actor, actor_id in each_actor(actors, f"{at}.actors", self.problem,
                                                 "actor {id!r} appears twice in the case"):
            numbers = {key: number(actor.get(key)) for key in _ACTOR_NUMBERS}
            bad = [key for key, v in numbers.items() if v is None]
            for key in bad:
                value = actor.get(key)
                kind = "finite number" if isinstance(value, float) else "number"
                self.problem(f"{where}.{key}", f"{key} {value!r} is not a {kind}")
            values = {k: v for k, v in numbers.items() if v is not None}
            if not bad and not self.out_of_range(where, values):
                out.append((actor_id, str(actor.get("name") or actor_id), values))
        return out

    def out_of_range(self, where: str, values: dict[str, float]) -> bool:
        """Report (at the case file's own path) a position or salience outside 0-100 or a
        capability out of bounds; True when there was one."""
        found = False
        for key in ("position", "salience"):
            if not 0 <= values[key] <= 100:
                self.problem(f"{where}.{key}", f"{key} {values[key]:g} is outside 0-100")
                found = True
        cap = values["capability"]
        why = (f"capability {cap:g} is negative; capabilities must be 0 or more" if cap < 0
               else capability_problem(cap))
        if why is not None:
            self.problem(f"{where}.capability", why)
            found = True
        return found


def read_cases(text: str, source: str) -> Scenario:
    """Read a case file (see the module docstring)."""
    data = parse_json(text, source)
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        raise ScenarioError([Problem("a case file needs a non-empty 'cases' list", "cases",
                                     file=source)])
    reader = _Reader(source)
    seen: dict[str, int] = {}
    for k, case in enumerate(cases):
        reader.case(k, case, seen)
    if reader.problems:
        raise ScenarioError(reader.problems)
    return scenario_from_data({"name": str(data.get("title") or PurePath(source).stem),
                               "salience_scale": 100, "separate_cases": True,
                               "issues": reader.issues,
                               "actors": list(reader.actors.values())}, source, {})


def _detect(text: str) -> bool:
    data = sniff_json_object(text, "cases")
    return data is not None and isinstance(data.get("cases"), list) and "issues" not in data


FORMAT = register(Format("cases-json", "one-issue cases with outcome readings (JSON 'cases')",
                         (".json",), _detect, read_cases))
