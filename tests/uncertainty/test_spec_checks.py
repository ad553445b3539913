"""The uncertainty block's checks: absolute values outside a field's range are refused, and
`validate` lists every problem of the block at once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data

HEAD = """\
issues:
  - {id: A, scale: {min: 0, max: 10}}
  - {id: B}
actors:
  - {id: X, position: {A: 2, B: 30}, salience: {A: 50, B: 50}, capability: 1}
  - {id: Y, position: {A: 8, B: 70}, salience: {A: 50, B: 50}, capability: 2}
uncertainty:
"""


def problems_of(tmp_path, block: str) -> set[tuple[str, int | None]]:
    path = tmp_path / "u.yaml"
    path.write_text(HEAD + block)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return {(p.path, p.line) for p in info.value.problems}


@pytest.mark.parametrize(("cell", "path"), [
    ("{actor: X, field: capability, dist: uniform, low: -5, high: -1}", "low"),
    ("{actor: Y, issue: B, field: position, dist: normal, sd: 5, mean: 120}", "mean"),
    ("{actor: Y, issue: A, field: position, dist: uniform, low: 2, high: 11}", "high"),
    ("{issue: A, field: status_quo, dist: triangular, low: 1, high: 15, mode: 12}", "mode"),
    ("{actor: Y, field: salience, dist: triangular, low: 10, high: 120, mode: 50}", "high"),
    ("{actor: Y, field: support, dist: uniform, low: 0.5, high: 1.5}", "high"),
    ("{actor: Y, field: beta, dist: uniform, low: 0, high: 2}", "low"),
])
def test_absolute_values_outside_the_range_are_refused_where_they_stand(tmp_path, cell, path):
    found = problems_of(tmp_path, f"  cells:\n    - {cell}\n")
    assert (f"uncertainty.cells[0].{path}", 9) in found


def test_a_default_is_checked_on_every_issue_it_covers(tmp_path):
    # 0..50 fits issue B's 0-100 scale but not issue A's 0-10
    found = problems_of(tmp_path, "  default:\n    position: {dist: uniform, low: 0, high: 50}\n")
    assert found == {("uncertainty.default.position.high", 9)}


def test_values_inside_the_range_and_a_truncated_normals_mean_are_accepted(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD + """\
  cells:
    - {actor: X, field: capability, dist: truncnormal, mean: -2, sd: 3}
    - {actor: Y, issue: A, field: position, dist: uniform, low: 0, high: 10}
    - {actor: Y, field: beta, dist: uniform, low: 0.5, high: 4}
    - {actor: X, field: salience, dist: triangular, low: 0, high: 100, mode: 100}
""")
    assert len(load_scenario(path).uncertainty.cells) == 4


SCENARIO = {
    "issues": [{"id": "A"}],
    "actors": [{"id": "X", "position": {"A": 20}, "salience": {"A": 50}, "capability": 1},
               {"id": "Y", "position": {"A": 80}, "salience": {"A": 50}, "capability": 1}],
}


@settings(max_examples=60, deadline=None)
@given(low=st.floats(-50, 150), span=st.floats(0.5, 100))
def test_a_uniform_position_is_accepted_exactly_when_it_lies_on_the_scale(low, span):
    high = low + span
    cell = {"actor": "X", "issue": "A", "field": "position", "dist": "uniform", "low": low,
            "high": high}
    data = {**SCENARIO, "uncertainty": {"cells": [cell]}}
    if low >= 0 and high <= 100:
        assert scenario_from_data(data, "t", {}).uncertainty.cells[0].dist.high == high
    else:
        with pytest.raises(ScenarioError) as info:
            scenario_from_data(data, "t", {})
        assert {p.path for p in info.value.problems} <= {"uncertainty.cells[0].low",
                                                         "uncertainty.cells[0].high"}


def test_validate_lists_every_problem_of_the_block_at_once(tmp_path):
    found = problems_of(tmp_path, """\
  default:
    salience: {dist: normal, sd: -1}
  cells:
    - {actor: X, field: capability, dist: normal, sd: -5}
    - {actor: Z, issue: A, field: position, "±": 5}
    - {actor: X, issue: Q, field: positon, "±": 5}
    - {actor: X, issue: A, field: position, dist: uniform, low: -3, high: 5}
    - 17
""")
    assert {path for path, _ in found} == {
        "uncertainty.default.salience",  # a distribution's own check
        "uncertainty.cells[0].dist",  # the same, in a cell
        "uncertainty.cells[1].actor",  # unknown actor: only checked once the others parse
        "uncertainty.cells[2].field",  # misspelt field
        "uncertainty.cells[2].issue",  # unknown issue in the same cell
        "uncertainty.cells[3].low",  # outside the scale: a check across fields
        "uncertainty.cells[4]",  # not a mapping
    }
    lines = [line for _, line in sorted(found, key=lambda t: t[1])]
    assert lines == [9, 11, 12, 13, 13, 14, 15]


def test_problems_are_listed_in_file_order(tmp_path):
    path = tmp_path / "u.yaml"
    path.write_text(HEAD.replace("capability: 2", "capability: -2") + """\
  cells:
    - {actor: Z, field: capability, "±": 5}
""")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [(p.path, p.line) for p in info.value.problems] == [
        ("actors[1].capability", 6), ("uncertainty.cells[0].actor", 9)]
