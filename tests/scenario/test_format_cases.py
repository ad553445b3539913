"""Case files (JSON ``cases`` with outcome readings): each reading an issue, problems by path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.errors import ScenarioError
from detente.evaluation.backtest import backtest, load_dataset
from detente.scenario.formats.cases_json import read_cases
from detente.scenario.io import detect_format


def case(case_id: str, positions: list[float], readings: dict[str, float]) -> dict:
    return {"case_id": case_id, "title": f"case {case_id}",
            "continuum": {"anchor_0": "closed", "anchor_100": "open"},
            "actors": [{"id": f"a{k}", "name": f"A {k}", "position": p, "capability": 10 + k,
                        "salience": 50 + 10 * k} for k, p in enumerate(positions)],
            "outcomes": {name: {"proposed_value": v, "basis": f"coded {v}"}
                         for name, v in readings.items()}}


GOOD = {"notes": ["ignored"], "cases": [case("one", [0, 40, 100], {"soon": 30, "later": 60}),
                                        case("two", [20, 50, 80, 90], {"soon": 70})]}


def test_each_reading_is_an_issue_holding_its_cases_actors():
    text = json.dumps(GOOD)
    assert detect_format(text, "c.json").name == "cases-json"
    sc = read_cases(text, "c.json")
    assert [i.id for i in sc.issues] == ["one.soon", "one.later", "two.soon"]
    assert sc.issues[1].name == "case one, later (one)"  # the case id is the proposal
    assert sc.issues[0].low == "closed" and sc.issues[2].outcome.value == 70
    assert [a.id for a in sc.actors] == ["a0", "a1", "a2", "a3"]
    a3 = sc.actors[3]
    assert a3.position == {"two.soon": 90} and a3.capability == {"two.soon": 13}
    assert sc.actors[0].position == {"one.soon": 0, "one.later": 0, "two.soon": 20}


def test_compromise_backtest_is_each_cases_weighted_mean(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(GOOD))
    sc, cases = load_dataset(path)
    assert cases  # separate one-issue cases, as DEU rows
    (result,) = backtest(sc, ["compromise"], cases=cases, source=str(path))
    expected = []
    for c in GOOD["cases"]:
        w = np.array([a["capability"] * a["salience"] for a in c["actors"]], dtype=float)
        x = np.array([a["position"] for a in c["actors"]], dtype=float)
        expected += [float(w @ x / w.sum())] * len(c["outcomes"])
    assert [e.forecast for e in result.issues] == pytest.approx(expected)


@pytest.mark.parametrize(("edit", "path", "message"), [
    (lambda d: d.pop("cases"), "cases", "needs a non-empty 'cases' list"),
    (lambda d: d["cases"][1].pop("case_id"), "cases[1].case_id", "no case_id"),
    (lambda d: d["cases"][1].update(case_id=None), "cases[1].case_id", "no case_id"),
    (lambda d: d["cases"][0]["actors"][1].update(id=None), "cases[0].actors[1]",
     "an actor needs an id"),
    (lambda d: d["cases"][1].update(case_id="one"), "cases[1].case_id",
     "'one' appears again (first as cases[0])"),
    (lambda d: d["cases"][0]["actors"][2].update(salience="high"),
     "cases[0].actors[2].salience", "salience 'high' is not a number"),
    (lambda d: d["cases"][0]["actors"][1].update(position=None),
     "cases[0].actors[1].position", "position None is not a number"),
    (lambda d: d["cases"][1]["outcomes"]["soon"].pop("proposed_value"),
     "cases[1].outcomes.soon.proposed_value", "no numeric proposed_value"),
    (lambda d: d["cases"][0].update(outcomes={}), "cases[0].outcomes", "no outcome readings"),
    (lambda d: d["cases"][0]["actors"].append({"id": "a0"}), "cases[0].actors[3].id",
     "'a0' appears twice"),
])
def test_problems_name_their_place(edit, path, message):
    data = json.loads(json.dumps(GOOD))
    edit(data)
    with pytest.raises(ScenarioError) as info:
        read_cases(json.dumps(data), "c.json")
    found = [(p.path, p.message) for p in info.value.problems]
    assert any(p == path and message in m for p, m in found), found


@pytest.mark.parametrize(("key", "value", "message"), [
    ("position", 140, "position 140 is outside 0-100"),
    ("salience", -5, "salience -5 is outside 0-100"),
    ("capability", -1, "capability -1 is negative"),
    ("capability", 1e300, "capability 1e+300 is too large"),
])
def test_out_of_range_values_are_named_at_their_place_in_the_case_file(key, value, message):
    data = json.loads(json.dumps(GOOD))
    data["cases"][1]["actors"][2][key] = value
    with pytest.raises(ScenarioError) as info:
        read_cases(json.dumps(data), "c.json")
    (problem,) = info.value.problems  # once, though the case has readings
    assert problem.path == f"cases[1].actors[2].{key}" and message in problem.message


def test_a_reading_off_the_continuum_is_named():
    data = json.loads(json.dumps(GOOD))
    data["cases"][0]["outcomes"]["later"]["proposed_value"] = 120
    with pytest.raises(ScenarioError, match="proposed_value 120 is outside"):
        read_cases(json.dumps(data), "c.json")


def test_the_ktab_china_readings(anchors):
    path = anchors / "bdm" / "ktab_china_2014_outcomes__schelling.json"
    raw = json.loads(path.read_text())
    sc, cases = load_dataset(path)  # detected from content
    assert cases and len(sc.issues) == 4
    assert [i.outcome.value for i in sc.issues] == [25, 55, 25, 60]
    ids = {a["id"] for c in raw["cases"] for a in c["actors"]}
    assert {a.id for a in sc.actors} == ids
    xi = next(a for a in sc.actors if a.id == "xi_jinping")
    assert xi.position == {"KTAB-CHINA-2014-POLICY.near_term_by_2017": 30,
                           "KTAB-CHINA-2014-POLICY.long_run_by_2020": 30,
                           "KTAB-CHINA-2014-CNPC.near_term_by_2017": 20,
                           "KTAB-CHINA-2014-CNPC.long_run_by_2020": 20}
    comp, best = backtest(sc, ["compromise", "best"], cases=cases, source=str(path))
    # both readings of a case bracket every forecast, so MAE is half the readings' spread
    assert comp.summary.mae == pytest.approx(((55 - 25) + (60 - 25)) / 4)
    (note,) = best.notes
    assert note.startswith(f"{len(ids)} actor(s) not in the data the model was fitted on")
    assert f"and {len(ids) - 6} more" in note
