"""An unknown field is named with the fields its block has and the nearest one."""

from __future__ import annotations

import pytest

from detente.errors import ScenarioError
from detente.scenario.behaviour import ActorBehaviour, EventParams, ForumSettings
from detente.scenario.fields import model_at, unknown_field_hint
from detente.scenario.model import Event, Issue, Scenario
from detente.scenario.validate import scenario_from_data
from detente.simulation.compare import Intervention, apply_intervention, parse_intervention

SMALL = {"detente": 1, "issues": [{"id": "X"}],
         "actors": [{"id": "a", "capability": 1, "position": {"X": 0}, "salience": {"X": 50}},
                    {"id": "b", "capability": 1, "position": {"X": 90}, "salience": {"X": 50}}],
         "calendar": [{"id": "e", "date": "2004-08-01", "kind": "unilateral_act",
                       "actors": ["a"], "params": {"consultation": "informed"}}]}


@pytest.mark.parametrize(("model", "loc", "block"), [
    (Scenario, ("colour",), Scenario),
    (Scenario, ("issues", 0, "statu_quo"), Issue),
    (Scenario, ("calendar", 3, "params", "freeze_days"), EventParams),
    (Scenario, ("actors", 1, "behaviour", "agilty"), ActorBehaviour),
    (Scenario, ("simulation", "forums", "six-party", "cadance"), ForumSettings),
    (Intervention, ("add", 0, "parms"), Event),
    (Scenario, ("actors", 0, "position", "X", "deep"), None),  # a plain mapping of numbers
    (Scenario, ("no_such_block", "x"), None),
])
def test_the_block_of_a_location_is_found(model, loc, block):
    assert model_at(model, loc) is block


def test_the_hint_names_the_nearest_field_and_every_field():
    hint = unknown_field_hint(Scenario, ("calendar", 0, "params", "consultaton"))
    assert hint.startswith("; did you mean 'consultation'? (fields here: issue, consultation,")
    assert "did you mean" not in unknown_field_hint(Scenario, ("colour",))
    assert unknown_field_hint(Scenario, ("no_such_block", "x")) == ""


def test_a_scenario_and_an_intervention_say_it():
    data = {**SMALL, "issues": [{"id": "X", "statu_quo": 3}]}
    with pytest.raises(ScenarioError) as exc:
        scenario_from_data(data, "s.yaml", {})
    (problem,) = exc.value.problems
    assert problem.path == "issues[0].statu_quo"
    assert "did you mean 'status_quo'?" in problem.message
    sc = scenario_from_data(SMALL, "s.yaml", {})
    iv = parse_intervention("change:\n  e:\n    params.consultaton: consulted\n"
                            "behaviour:\n  a: {stratgy: coercive}\n", "iv.yaml")
    with pytest.raises(ScenarioError) as exc:
        apply_intervention(sc, iv)
    messages = [p.message for p in exc.value.problems]
    assert any("did you mean 'consultation'?" in m for m in messages)
    assert any("did you mean 'strategy'?" in m for m in messages)
