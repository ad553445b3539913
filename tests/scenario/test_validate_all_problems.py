"""`detente validate` lists field errors and cross-field errors of one file together."""

from __future__ import annotations

import pytest

from detente.errors import ScenarioError
from detente.scenario.io import load_scenario

BAD = """\
detente: 1
salience_scale: 100
issues:
  - {id: A, name: a}
  - {id: A, name: dup}
actors:
  - {id: X, capability: 1, position: {A: 50, Z: 3}, salience: {A: 150}}
  - {id: Y, capability: -1, position: {A: abc}, salience: {A: 50}}
forums:
  - {id: f, members: [X, Q], agenda: [A]}
"""


def test_field_and_cross_field_problems_are_reported_together(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {(p.path, p.line) for p in info.value.problems}
    assert found == {
        ("actors[1].capability", 8),  # a field's own check
        ("actors[1].position.A", 8),  # non-numeric cell
        ("issues[1].id", 5),  # duplicate id
        ("actors[0].position.Z", 7),  # unknown issue
        ("actors[0].salience.A", 7),  # salience out of range
        ("forums[0].members[1]", 10),  # unknown actor in a forum
    }
    assert all(p.file == str(path) for p in info.value.problems)


def test_a_broken_required_field_still_reports_its_own_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("issues: 3\nactors: []\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert {p.path for p in info.value.problems} == {"issues", "actors"}
