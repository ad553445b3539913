"""The native JSON format (same content as YAML)."""

from __future__ import annotations

import json

import yaml

from detente.errors import ScenarioError
from detente.scenario.formats import Format, parse_json, register
from detente.scenario.formats.yaml_format import NoAliasLoader, line_index
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data


def read_json(text: str, source: str) -> Scenario:
    return scenario_from_data(parse_json(text, source), source, json_lines(text))


def json_lines(text: str) -> dict[str, int]:
    """The line of each field path of a JSON document, so that problems in a JSON scenario
    carry a line as in YAML. JSON's flow syntax is YAML too, so YAML's composer (no values
    built) locates the nodes; the values themselves come from the JSON parser. Empty when
    the composer cannot read the text (it is stricter about tabs and control characters)."""
    try:
        loader = NoAliasLoader(text)
        try:
            node = loader.get_single_node()
            return {} if node is None else line_index(node)
        finally:
            loader.dispose()
    except (yaml.YAMLError, ScenarioError, RecursionError):
        return {}


def write_json(sc: Scenario) -> str:
    data = {"detente": 1, **sc.model_dump(mode="json", exclude_defaults=True)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _detect(text: str) -> bool:
    return text.lstrip().startswith("{")


FORMAT = register(Format("json", "detente scenario, JSON", (".json",), _detect,
                         read_json, write_json))
