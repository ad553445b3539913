"""The native JSON format (same content as YAML)."""

from __future__ import annotations

import json

from detente.errors import ScenarioError
from detente.scenario.formats import Format, parse_json, register
from detente.scenario.formats.yaml_format import parse_yaml
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data


def read_json(text: str, source: str) -> Scenario:
    data = parse_json(text, source)
    try:
        return scenario_from_data(data, source, {})
    except ScenarioError:
        # the same problems again, located: the lines cost a YAML parse (0.4 s for a 300 kB
        # file, ten times the JSON parse and the checks), so only a file with problems pays it
        return scenario_from_data(data, source, json_lines(text))


def json_lines(text: str) -> dict[str, int]:
    """The line of each field path of a JSON document, so that problems in a JSON scenario
    carry a line as in YAML. JSON's flow syntax is YAML too, so the YAML reader
    (:func:`~detente.scenario.formats.yaml_format.parse_yaml`) locates the nodes; the values
    themselves come from the JSON parser. Empty when the YAML reader cannot read the text (it
    is stricter about tabs and control characters)."""
    try:
        return parse_yaml(text, "")[1]
    except (ScenarioError, RecursionError):
        return {}


def write_json(sc: Scenario) -> str:
    data = {"detente": 1, **sc.model_dump(mode="json", exclude_defaults=True)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _detect(text: str) -> bool:
    return text.lstrip().startswith("{")


FORMAT = register(Format("json", "detente scenario, JSON", (".json",), _detect,
                         read_json, write_json))
