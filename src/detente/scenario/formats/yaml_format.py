"""The native YAML format: safe loading only, no aliases, problems located by line."""

from __future__ import annotations

import re
from typing import Any

import yaml

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, register
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data

MAX_NODES = 200_000


class NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors/aliases (the 'billion laughs' attack) outright."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ScenarioError([Problem(
                "YAML aliases (*name) are not allowed here; write the values out",
                line=event.start_mark.line + 1)])
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # type: ignore[override]
        """A mapping; a key written twice is an error at its second line (YAML keeps the
        last value without a word, so a repeated ``capability:`` changed the numbers)."""
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                    if key in seen:
                        raise ScenarioError([Problem(
                            f"the key {key!r} is written twice in one mapping (also line "
                            f"{seen[key]}); keep one", line=key_node.start_mark.line + 1)])
                    seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A date or time as YAML reads it, or, where it looks like one but is not a real date
    (2004-13-02, 2004-11-31), the text itself: the scenario's validation then reports it at
    its field and line, with every other problem, instead of the parser stopping there."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
# Booleans as YAML 1.2 reads them: only true and false. YAML 1.1 (PyYAML's default) also read
# yes/no/on/off, so Norway's code NO became False ("actors[0].id: Input should be a valid
# string (got False)"); a boolean field still takes "yes" or "off" (pydantic reads them).
NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
NoAliasLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


def line_index(node: yaml.Node, path: str = "", out: dict[str, int] | None = None,
                budget: list[int] | None = None) -> dict[str, int]:
    """Map field paths such as ``actors[3].salience.A`` to 1-based line numbers."""
    out = {} if out is None else out
    budget = [MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ScenarioError([Problem(f"the file has more than {MAX_NODES} YAML nodes")])
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = f"{path}.{key.value}" if path else str(key.value)
            out[sub] = key.start_mark.line + 1
            line_index(value, sub, out, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_index(item, f"{path}[{i}]", out, budget)
    return out


def parse_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """Safe-load one YAML document with no anchors or aliases, and map each field path to its
    line, so any reader of YAML (scenarios, interventions, sweep specs) can locate problems."""
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=source)])
    try:
        loader = NoAliasLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ScenarioError([Problem("the file is empty", file=source)])
            return loader.construct_document(node), line_index(node)
        finally:
            loader.dispose()
    except ScenarioError as exc:
        raise ScenarioError(
            [Problem(p.message, p.path, p.line, source) for p in exc.problems]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        raise ScenarioError([Problem(msg, line=line, file=source)]) from None


def read_yaml(text: str, source: str) -> Scenario:
    data, lines = parse_yaml(text, source)
    return scenario_from_data(data, source, lines)


def write_yaml(sc: Scenario) -> str:
    data = sc.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data = {"detente": 1, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _detect(text: str) -> bool:
    head = text.lstrip()[:4096]
    return not head.startswith(("{", "[")) and ("issues:" in head or "actors:" in head
                                                or "detente:" in head)


FORMAT = register(Format("yaml", "detente scenario, YAML", (".yaml", ".yml"),
                         _detect, read_yaml, write_yaml))
