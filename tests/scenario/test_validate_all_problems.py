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


CAPABILITIES = """\
salience_scale: 100
issues: [{id: A}, {id: B}]
actors:
  - {id: X, capability: {A: -1, B: 2}, position: {A: 10, B: 10}, salience: {A: 50, B: 50}}
  - {id: Y, capability: 1.0e+300, position: {A: 80, B: 80}, salience: {A: 50, B: 50}}
  - {id: Z, capabilities: {gdp: {A: 1.0e+51, B: 1}}, position: {A: 80, B: 80},
     salience: {A: 50, B: 50}}
  - {id: W, capability: 1.0e+50, position: {A: 80, B: 80}, salience: {A: 50, B: 50}}
  - {id: V, capability: {A: 0, B: 1.0e-50}, position: {A: 80, B: 80}, salience: {A: 50, B: 50}}
  - {id: U, capability: 1.0e-51, position: {A: 80, B: 80}, salience: {A: 50, B: 50}}
"""


def test_capability_problems_are_named_once_at_the_cell(tmp_path):
    # a per-issue capability with a bad cell is a mapping: the "should be a valid number"
    # of the union's other branch would only mislead
    path = tmp_path / "bad.yaml"
    path.write_text(CAPABILITIES)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {p.path: p.message for p in info.value.problems}
    assert set(found) == {"actors[0].capability.A", "actors[1].capability",
                          "actors[2].capabilities.gdp.A", "actors[5].capability"}
    assert "too small (0, or at least 1e-50)" in found["actors[5].capability"]
    assert "greater than or equal to 0" in found["actors[0].capability.A"]
    for path_ in ("actors[1].capability", "actors[2].capabilities.gdp.A"):
        assert "too large (at most 1e+50)" in found[path_]
        assert "divide them all by a common factor" in found[path_]
        assert not found[path_].startswith("Value error")


RELATIONS = """\
detente: 1
issues: [{id: A}, {id: B}]
actors:
  - {id: X, position: {A: 10}, salience: {A: 0.5}}
  - {id: Y, position: {A: 90}, salience: {A: 0.5}}
forums:
  - {id: f, members: [X, Y, Y], agenda: []}
  - {id: g, members: [X, Y], agenda: [A, A]}
relations:
  alliances: [{id: solo, members: [X]}]
  trust: [{a: X, b: Y, value: 0.8}, {a: Y, b: X, value: 0.1}, {a: X, b: X, value: 1}]
simulation:
  mechanisms:
    wedge: {erosion_per_month: .nan, exploited: fast}
    wedgee: false
    stalling: {tolerence: 0.1}
    freeze: sometimes
"""


def test_forums_relations_and_mechanisms_are_checked_before_a_run(tmp_path):
    """Each of these validated and then changed the simulation silently (a member listed
    twice, trust given twice) or failed only when run (an unknown mechanism, a NaN or a word
    as a parameter)."""
    path = tmp_path / "rel.yaml"
    path.write_text(RELATIONS)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {p.path: p.message for p in info.value.problems}
    for path_, words in (
            ("forums[0].members", "'Y' is listed twice"),
            ("forums[1].agenda", "'A' is listed twice"),
            ("relations.alliances[0].members", "at least two different members"),
            ("relations.trust[1]", "given twice"),
            ("relations.trust[2].b", "in itself"),
            ("simulation.mechanisms.wedge.erosion_per_month", "nan is not a number"),
            ("simulation.mechanisms.wedge.exploited", "'fast' is not a number"),
            ("simulation.mechanisms.wedgee", "unknown mechanism 'wedgee'"),
            ("simulation.mechanisms.stalling.tolerence", "has no parameter 'tolerence'"),
            ("simulation.mechanisms.freeze.bool", "valid boolean")):
        assert words in found.get(path_, ""), (path_, found)
    assert all(p.line is not None for p in info.value.problems), info.value.problems


def test_a_scale_near_the_float_limit_is_refused(tmp_path):
    """A scale of +-1e308 validated, then the 0-100 mapping overflowed to inf: models gave
    argmax-of-empty tracebacks or silent blanks."""
    path = tmp_path / "huge.yaml"
    path.write_text(RELATIONS.split("forums:")[0].replace(
        "issues: [{id: A}, {id: B}]", "issues: [{id: A, scale: {min: -1.0e+308, max: 1.0e+308}}]"
    ).replace("{A: 10}", "{A: 0}").replace("{A: 90}", "{A: 1}"))
    with pytest.raises(ScenarioError, match=r"issues\[0\]\.scale\.max: a scale's ends must lie "
                                            r"within \+-1e\+12"):
        load_scenario(path)


def test_a_near_miss_of_an_event_kind_is_reported_other_words_are_narrative(flagship_path):
    """'concesion' was accepted as a narrative event: the concession silently did nothing."""
    from detente.scenario.formats.yaml_format import read_yaml
    from detente.scenario.model import EVENT_KINDS
    from detente.simulation.engine import TALK_KINDS

    assert set(TALK_KINDS) <= set(EVENT_KINDS)
    text = flagship_path.read_text()
    assert "kind: concession" in text and "kind: latent_pressure" in text
    with pytest.raises(ScenarioError) as info:
        read_yaml(text.replace("kind: concession", "kind: concesion"), "f.yaml")
    (p,) = info.value.problems
    assert p.path.endswith(".kind") and "did you mean 'concession'?" in p.message
    load_scenario(flagship_path)  # latent_pressure, a narrative kind, stays valid
    for word in ("by-election", "re-election", "elections", "summitry"):  # variants, not typos
        read_yaml(text.replace("kind: concession", f"kind: {word}"), "f.yaml")


def test_a_value_that_cannot_be_read_is_reported_once(tmp_path):
    # setting the bad date aside to cross-check the rest added "date: Field required"
    path = tmp_path / "bad.yaml"
    path.write_text("issues: [{id: A}]\nactors:\n"
                    "  - {id: X, position: {A: 10}, salience: {A: 50}}\n"
                    "  - {id: Y, position: {A: 90}, salience: {A: 50}}\n"
                    "forums:\n  - {id: f, members: [X, Y], agenda: [A], "
                    "meetings: [{date: 2024-02-30}]}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.path == "forums[0].meetings[0].date" and "day value" in problem.message


@pytest.mark.parametrize(("value", "message"), [
    ("'±0'", "the width (±) must be positive, got 0"),  # was "..., got 0 (got '±0')"
    ("{dist: normal, sd: -1}", "sd must be positive, got -1"),
    ("'±abc'", "cannot read '±abc' as a distribution; write '±5', '±10%' or a mapping such "
               "as {dist: normal, sd: 5}"),  # the text was quoted twice
    ("[1]", "Input should be a valid dictionary (got [1])"),  # "or instance of <class>"
    ("{dist: uniform, low: 3, high: 1}", "low (3) must be below high (1) (got {'dist': "
                                         "'uniform', 'low': 3, 'high': 1})"),
])
def test_a_refused_value_is_quoted_once_and_no_class_of_ours_is_named(tmp_path, value,
                                                                       message):
    path = tmp_path / "bad.yaml"
    path.write_text("issues: [{id: A}]\nactors:\n"
                    "  - {id: X, position: {A: 10}, salience: {A: 50}}\n"
                    "  - {id: Y, position: {A: 90}, salience: {A: 50}}\n"
                    f"uncertainty:\n  default: {{position: {value}}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.path == "uncertainty.default.position" and problem.line == 6
    assert problem.message == message
