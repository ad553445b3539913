"""The native YAML format: located problems, aliases refused, the JSON Schema."""

from __future__ import annotations

import json

import pytest
import yaml

from detente.errors import ScenarioError
from detente.scenario.formats.yaml_format import read_yaml, write_yaml
from detente.scenario.model import Scenario

FOUR_ACTORS = """detente: 1
salience_scale: 1
issues:
  - id: A
  - id: B
actors:
  - {id: w, position: {A: 1}, salience: {A: 0.5}}
  - {id: x, position: {A: 2}, salience: {A: 0.5}}
  - {id: y, position: {A: 3}, salience: {A: 0.5}}
  - id: z
    position: {A: 4}
    salience:
      A: 3
"""


def test_problem_names_field_path_and_line():
    with pytest.raises(ScenarioError) as exc:
        read_yaml(FOUR_ACTORS, "s.yaml")
    (p,) = exc.value.problems
    assert (p.path, p.line, p.file) == ("actors[3].salience.A", 13, "s.yaml")
    assert "salience 3 is above 1" in p.message


def test_pydantic_problems_are_located_too():
    bad = FOUR_ACTORS.replace("{id: x, position: {A: 2}", "{id: x, position: {A: two}")
    with pytest.raises(ScenarioError) as exc:
        read_yaml(bad, "s.yaml")
    assert any(p.path == "actors[1].position.A" and p.line == 8 for p in exc.value.problems)


def test_duplicate_ids():
    bad = FOUR_ACTORS.replace("id: z", "id: w")
    with pytest.raises(ScenarioError, match=r"actors\[3\].id: duplicate actor id 'w'"):
        read_yaml(bad, "s.yaml")


def test_alias_bomb_is_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    with pytest.raises(ScenarioError) as exc:
        read_yaml(bomb, "bomb.yaml")
    (p,) = exc.value.problems
    assert "aliases" in p.message and p.line == 2 and p.file == "bomb.yaml"


def test_written_yaml_reads_back_the_same(emission_path, flagship_path):
    for path in (emission_path, flagship_path):
        sc = read_yaml(path.read_text(), str(path))
        assert read_yaml(write_yaml(sc), "again.yaml") == sc


def test_schema_validates_the_shipped_scenarios(emission_path, flagship_path):
    from typer.testing import CliRunner

    from detente.cli import app

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["required"] == ["issues", "actors"] or set(schema["required"]) >= {
        "issues", "actors"}
    # an editor's user sees the event kinds themselves, not the name of a Python constant
    from detente.scenario.model import EVENT_KINDS

    kind = schema["$defs"]["Event"]["properties"]["kind"]["description"]
    assert "EVENT_KINDS" not in kind and all(k in kind for k in EVENT_KINDS)
    # as an editor sees it: YAML dates are strings in JSON
    docs = [json.loads(json.dumps(yaml.safe_load(p.read_text()), default=str))
            for p in (emission_path, flagship_path)]
    try:
        import jsonschema
    except ImportError:  # structure check only
        for doc in docs:
            assert set(doc) <= set(schema["properties"])
        return
    validator = jsonschema.Draft202012Validator(schema)
    for doc in docs:
        assert list(validator.iter_errors(doc)) == []
    bad = dict(docs[0], salience_scale=7)
    assert list(validator.iter_errors(bad))
    assert Scenario.model_validate(docs[0])


EVENT = "calendar:\n  - id: vote\n    date: {}\n    kind: election\n    actors: [w]\n"


@pytest.mark.parametrize("date", ["2004-13-02", "2004-11-31"])
def test_an_impossible_date_is_a_located_problem_beside_the_others(date):
    """YAML reads 2004-13-02 as a timestamp and its parser raised ValueError (a traceback,
    every other problem unreported); now it is a problem of its field, with its line."""
    text = FOUR_ACTORS.replace("{id: x, position: {A: 2}", "{id: x, position: {A: two}")
    with pytest.raises(ScenarioError) as exc:
        read_yaml(text + EVENT.format(date), "s.yaml")
    found = {p.path: p for p in exc.value.problems}
    assert "actors[1].position.A" in found  # the other problem is still reported
    p = found["calendar[0].date"]
    assert p.line == 16 and date in p.message and p.file == "s.yaml"


def test_real_dates_still_load_as_dates():
    text = FOUR_ACTORS.replace("A: 3", "A: 0.3") + EVENT.format("2004-11-02")
    assert str(read_yaml(text, "s.yaml").calendar[0].date) == "2004-11-02"


def test_a_key_written_twice_is_an_error_at_its_line():
    """YAML keeps the last of two equal keys without a word: a repeated capability or
    salience_scale silently changed the numbers."""
    text = FOUR_ACTORS.replace("A: 3", "A: 0.3").replace("salience_scale: 1",
                                                         "salience_scale: 1\nsalience_scale: 100")
    with pytest.raises(ScenarioError) as exc:
        read_yaml(text, "s.yaml")
    (p,) = exc.value.problems
    assert p.line == 3 and p.file == "s.yaml" and "'salience_scale' is written twice" in p.message
    nested = FOUR_ACTORS.replace("A: 3", "A: 0.3").replace("{A: 1}, salience", "{A: 1, A: 2}, "
                                                           "salience")
    with pytest.raises(ScenarioError, match="'A' is written twice"):
        read_yaml(nested, "s.yaml")


def test_a_json_key_written_twice_is_an_error_too(tmp_path):
    from detente.scenario.io import load_scenario

    path = tmp_path / "s.json"
    path.write_text('{"detente": 1, "name": "A", "name": "Dup", "issues": [{"id": "X"}], '
                    '"actors": [{"id": "a"}]}')
    with pytest.raises(ScenarioError, match="'name' is written twice"):
        load_scenario(path)


def test_yes_no_on_off_are_text_as_in_yaml_1_2_and_true_false_stay_booleans():
    """YAML 1.1 read Norway's code NO as False and an issue 'on' as True, so the scenario
    failed with "Input should be a valid string (got False)"."""
    text = """\
separate_cases: false
issues: [{id: on, status_quo: 30}, {id: off}]
actors:
  - {id: NO, position: {on: 40, off: 10}, salience: {on: 50, off: 50},
     behaviour: {refuses_when_frozen: no}}
  - {id: yes, position: {on: 60, off: 90}, salience: {on: 50, off: 50},
     behaviour: {refuses_when_frozen: True}}
forums: [{id: nordic, members: [NO, yes], agenda: [on, off]}]
"""
    sc = read_yaml(text, "nordic.yaml")
    assert [a.id for a in sc.actors] == ["NO", "yes"]
    assert [i.id for i in sc.issues] == ["on", "off"]
    assert sc.actors[0].position == {"on": 40, "off": 10}
    assert sc.forums[0].members == ["NO", "yes"]
    # a boolean field still reads yes/no (pydantic), and true/false are YAML booleans
    assert [a.behaviour.refuses_when_frozen for a in sc.actors] == [False, True]
    assert sc.separate_cases is False
    assert read_yaml(write_yaml(sc), "again.yaml") == sc  # written back, read the same
