"""The native JSON format (same content as YAML)."""

from __future__ import annotations

import json

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, register
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data


def read_json(text: str, source: str) -> Scenario:
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=source)])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem(f"not valid JSON: {exc.msg} (column {exc.colno})",
                                     line=exc.lineno, file=source)]) from None
    return scenario_from_data(data, source, {})


def write_json(sc: Scenario) -> str:
    data = {"detente": 1, **sc.model_dump(mode="json", exclude_defaults=True)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _detect(text: str) -> bool:
    return text.lstrip().startswith("{")


FORMAT = register(Format("json", "detente scenario, JSON", (".json",), _detect,
                         read_json, write_json))
