"""The native JSON format (same content as YAML)."""

from __future__ import annotations

import json

from detente.scenario.formats import Format, parse_json, register
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data


def read_json(text: str, source: str) -> Scenario:
    return scenario_from_data(parse_json(text, source), source, {})


def write_json(sc: Scenario) -> str:
    data = {"detente": 1, **sc.model_dump(mode="json", exclude_defaults=True)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _detect(text: str) -> bool:
    return text.lstrip().startswith("{")


FORMAT = register(Format("json", "detente scenario, JSON", (".json",), _detect,
                         read_json, write_json))
