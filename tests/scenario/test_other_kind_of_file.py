"""A what-if intervention or sweep file given where a scenario is expected says what it is and
which command takes it, instead of listing its keys as unknown scenario fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.execution.spec import SweepSpec
from detente.scenario.io import load_scenario
from detente.scenario.validate import INTERVENTION_KEYS, SWEEP_KEYS, other_kind_of_file
from detente.simulation.compare import Intervention

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize(("folder", "command"), [("interventions", "detente compare"),
                                                 ("sweeps", "detente sweep")])
def test_shipped_intervention_and_sweep_files_are_named_as_such(folder, command):
    files = sorted((SCENARIOS / folder).glob("*.yaml"))
    assert files
    for path in files:
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        (problem,) = info.value.problems
        assert "not a scenario" in problem.message and command in problem.message
        assert problem.file == str(path)


def test_the_key_sets_follow_the_file_formats():
    assert {f for f in Intervention.model_fields
            if f not in ("source", "lines")} == INTERVENTION_KEYS
    assert set(SweepSpec.model_fields) == SWEEP_KEYS


@pytest.mark.parametrize("data", [
    {"name": "x"},  # a broken scenario: its own missing fields are reported
    {"add": [], "issues": []},  # names issues: a scenario with a stray key
    {"scenario": "a.yaml", "parameters": {}, "actors": []},
    {"behaviour": {}, "salience_scale": 100},  # a scenario key: not an intervention
    {"scenario": "a.yaml"},  # nothing a sweep needs besides the scenario
])
def test_scenario_like_data_is_left_to_the_scenario_checks(data):
    assert other_kind_of_file(data) is None


@pytest.mark.parametrize(("text", "kind"), [("[]", "list"), ("[1, 2]", "list"), ('"x"', "str")])
def test_a_json_file_that_is_no_object_is_read_as_a_scenario_not_a_case_file(tmp_path, text,
                                                                             kind):
    """By suffix, a .json file went to the first format registered for it, the case files:
    "a case file needs a non-empty 'cases' list" for a file that never was one."""
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.message == ("a scenario must be a mapping with 'issues' and 'actors', not "
                               f"{kind}")
    path.write_text('{"cases": []}')  # a case file, by its content
    with pytest.raises(ScenarioError, match="a case file needs a non-empty 'cases' list"):
        load_scenario(path)
