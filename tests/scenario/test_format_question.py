"""Question files (one question, range estimates): scale from the anchors, ranges drawn as
triangular cells, problems by path; the BDM emission spec forecasts as the shipped scenario."""

from __future__ import annotations

import json

import pytest

from detente.api import forecast
from detente.errors import ScenarioError
from detente.scenario.formats.question_json import read_question
from detente.scenario.io import detect_format, load_scenario


def est(low: float, mode: float, high: float) -> dict:
    return {"low": low, "mode": mode, "high": high}


def question(**extra) -> dict:
    return {"question_id": "Q-1", "frozen_at": "2001-02-03", "template": "ignored",
            "continuum": {"label": "When", "anchor_0": "soon (position 2)",
                          "anchor_100": "late (position 12)"},
            "notes": "made up",
            "actors": [{"id": "a", "name": "A", "position": est(2, 4, 6),
                        "salience": est(50, 50, 50), "capability": 3, "evidence": []},
                       {"id": "b", "position": 10, "salience": 80,
                        "capability": est(1, 2, 4)}], **extra}


def test_modes_are_the_inputs_and_ranges_triangular_cells():
    text = json.dumps(question())
    assert detect_format(text, "q.json").name == "question-json"
    sc = read_question(text, "q.json")
    (issue,) = sc.issues
    assert issue.id == "Q-1" and issue.name == "When" and issue.low == "soon (position 2)"
    assert (issue.scale.min, issue.scale.max) == (2, 12)
    assert sc.salience_scale == 100 and str(sc.as_of) == "2001-02-03"
    assert sc.description == "made up"
    a, b = sc.actors
    assert a.position == {"Q-1": 4} and a.salience == {"Q-1": 50} and a.capability == 3
    assert b.name == "b" and b.capability == 2
    cells = [c.model_dump(exclude_none=True, exclude_defaults=True)
             for c in sc.uncertainty.cells]
    assert [(c["actor"], c["field"]) for c in cells] == [("a", "position"),
                                                          ("b", "capability")]
    d = cells[0]["dist"]
    assert (d["dist"], d["low"], d["mode"], d["high"]) == ("triangular", 2, 4, 6)


def test_without_positions_in_the_anchors_the_scale_is_0_100_and_saliences_0_1():
    data = question()
    data["continuum"] = {"anchor_0": "no", "anchor_100": "yes"}
    for actor in data["actors"]:
        actor["salience"] = 0.5
    sc = read_question(json.dumps(data), "q.json")
    assert sc.issues[0].scale is None  # the format's default, 0-100
    assert sc.salience_scale == 1


@pytest.mark.parametrize(("edit", "path", "message"), [
    (lambda d: d["actors"].clear(), "actors", "no actors"),
    (lambda d: d["actors"][1].pop("id"), "actors[1]", "needs an id"),
    (lambda d: d["actors"][1].update(id="a"), "actors[1].id", "appears again"),
    (lambda d: d["actors"][0].update(position=est(2, 7, 6)), "actors[0].position",
     "low <= mode <= high"),
    (lambda d: d["actors"][0].update(position={"low": 2, "high": 6}), "actors[0].position.mode",
     "not a number"),
    (lambda d: d["actors"][0].update(position="x"), "actors[0].position", "neither a number"),
    (lambda d: d["actors"][1].update(position=13), "actors[1].position", "outside 2-12"),
    (lambda d: d["actors"][1].update(salience=120), "actors[1].salience", "outside 0-100"),
    (lambda d: d["actors"][1].update(capability=est(-1, 2, 4)), "actors[1].capability",
     "negative"),
])
def test_problems_name_the_place_in_the_file(edit, path, message):
    data = question()
    edit(data)
    with pytest.raises(ScenarioError) as err:
        read_question(json.dumps(data), "q.json")
    found = [(p.path, p.message) for p in err.value.problems]
    assert any(p == path and message in m for p, m in found), found
    assert all(p.file == "q.json" for p in err.value.problems)


def test_the_emission_spec_forecasts_as_the_shipped_scenario(anchors, emission_path):
    """The BDM (1994) table as a question file: same forecast as the EC scenario, every
    model."""
    spec = load_scenario(anchors / "bdm" / "emission_bdm1994__schelling.json")
    shipped = load_scenario(emission_path)
    assert (spec.issues[0].scale.min, spec.issues[0].scale.max) == (4, 10)
    assert spec.uncertainty.is_empty()  # its estimates are point values
    for model in ("compromise", "median", "challenge", "exchange", "smp", "best"):
        ours = forecast(spec, model=model).issues[0].forecast
        theirs = forecast(shipped, model=model).issues[0].forecast
        assert ours == pytest.approx(theirs, abs=1e-9), model


def test_a_question_without_a_continuum_is_still_read_as_a_question(tmp_path):
    """Without 'continuum' it was read as a scenario JSON: sixteen problems about missing
    issues and extra fields instead of the question's own reading (0-100)."""
    data = {"question_id": "q1", "actors": [
        {"id": "a", "position": 20, "salience": 0.5, "capability": 1},
        {"id": "b", "position": 80, "salience": 0.5, "capability": 1}]}
    path = tmp_path / "q.json"
    path.write_text(json.dumps(data))
    sc = load_scenario(path)
    assert [i.id for i in sc.issues] == ["q1"] and sc.issues[0].bounds == (0, 100)
