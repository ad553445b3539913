"""What-if comparisons: intervention files, their located errors, and paired differences."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import ScenarioError
from detente.scenario import load_scenario
from detente.scenario.model import Scenario
from detente.simulation import SimOptions
from detente.simulation.compare import (
    apply_intervention,
    compare,
    load_intervention,
    narrative_only,
    parse_intervention,
)

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "northeast-asia-2004.yaml"
INTERVENTIONS = ROOT / "scenarios" / "interventions"

SMALL = {
    "issues": [{"id": "X"}, {"id": "Y"}],
    "actors": [
        {"id": "P", "position": {"X": 10, "Y": 80}, "salience": {"X": 60, "Y": 40}},
        {"id": "Q", "position": {"X": 90, "Y": 20}, "salience": {"X": 50, "Y": 50}},
        {"id": "R", "position": {"X": 60, "Y": 30}, "salience": {"X": 40, "Y": 60}},
    ],
    "forums": [{"id": "f", "members": ["P", "Q", "R"], "agenda": ["X", "Y"],
                "meetings": [{"date": "2010-02-01", "status": "planned"}]}],
    "calendar": [
        {"id": "act", "date": "2010-01-10", "kind": "unilateral_act", "actors": ["P", "Q"],
         "params": {"consultation": "none"}},
        {"id": "quarrel", "date": "2010-01-05", "kind": "dispute", "actors": ["P", "R"]},
    ],
    "relations": {"trust": [{"a": "P", "b": "Q", "value": 0.7}]},
    "simulation": {"start": "2010-01-01", "end": "2011-06-30", "noise": 0.2},
}


def _small() -> Scenario:
    return Scenario.model_validate(SMALL)


def _errors(text: str, sc: Scenario | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        iv = parse_intervention(text, "iv.yaml")
        apply_intervention(sc or _small(), iv)
    return [str(p) for p in exc.value.problems]


# --- the file format and its errors ---------------------------------------------------------

def test_unknown_event_to_remove_names_file_line_and_field():
    errs = _errors("name: x\nremove: [act, nope]\n")
    assert errs == [e for e in errs if e.startswith("iv.yaml:2: remove[1]")]
    assert "no calendar event 'nope'" in errs[0]


def test_removing_a_meeting_event_cancels_its_forum_meeting():
    # the flagship lists round 3 in the calendar and in the forum's meetings: removing the
    # event alone changed nothing ("no difference above the display threshold")
    from detente.simulation.calendar import forum_meetings

    sc = load_scenario(FLAGSHIP)
    new = apply_intervention(sc, parse_intervention("remove: [six-party-round-3]\n"))
    day = dt.date(2004, 6, 23)
    before = {(s.forum.id, s.date) for s in forum_meetings(sc, day, day)}
    after = {(s.forum.id, s.date) for s in forum_meetings(new, day, day)}
    assert ("six-party", day) in before and ("six-party", day) not in after
    changed = [(f.id, m.date, m.status) for f, g in zip(new.forums, sc.forums, strict=True)
               for m, n in zip(f.meetings, g.meetings, strict=True) if m != n]
    assert changed == [("six-party", day, "cancelled")]  # only that one


def test_removing_the_only_planned_meeting_keeps_the_forums_later_meetings():
    """Round 4 was the Six-Party Talks' only planned meeting: removing it took rounds 5-7
    away too (a forum continues only while it has a planned meeting), so 'cancel round 4'
    dissolved the talks and packages C and D fell back to the status quo."""
    from detente.simulation.calendar import forum_meetings

    sc = load_scenario(FLAGSHIP)
    new = apply_intervention(sc, parse_intervention("remove: [six-party-round-4]\n"))
    start, end = dt.date(2004, 5, 1), dt.date(2005, 12, 31)
    before = [s.date for s in forum_meetings(sc, start, end) if s.forum.id == "six-party"]
    after = [s.date for s in forum_meetings(new, start, end) if s.forum.id == "six-party"]
    assert dt.date(2004, 9, 30) in before
    assert after == [d for d in before if d != dt.date(2004, 9, 30)] and len(after) >= 4


def test_a_scenario_given_as_intervention_says_so():
    errs = _errors(FLAGSHIP.read_text())
    assert len(errs) == 1 and "this is a scenario, not an intervention" in errs[0]


def test_misspelt_field_in_change_is_located_at_the_key_written():
    errs = _errors("change:\n  act:\n    params.consultaton: consulted\n")
    assert len(errs) == 1
    assert errs[0].startswith("iv.yaml:3: change.act.params.consultaton")


def test_bad_value_in_change_is_rejected_with_the_value():
    errs = _errors("change:\n  act: {params.consultation: asked}\n")
    assert "change.act.params.consultation" in errs[0] and "'asked'" in errs[0]


def test_behaviour_of_an_unknown_actor_and_an_unknown_trait():
    errs = _errors("behaviour:\n  Z: {strategy: linear}\n  P: {agilty: 1}\n")
    assert any(e.startswith("iv.yaml:2: behaviour.Z") for e in errs)
    assert any("behaviour.P.agilty" in e for e in errs)


def test_added_event_outside_the_window_is_located_in_the_intervention():
    errs = _errors("add:\n  - {id: late, date: 2015-01-01, kind: shock}\n")
    assert any(e.startswith("iv.yaml:2: add[0].date") and "calendar window" in e
               for e in errs)


def test_empty_and_unknown_top_level_keys_are_errors():
    assert "changes nothing" in _errors("name: nothing\n")[0]
    assert any("adds" in e for e in _errors("adds: []\n"))


def test_change_and_behaviour_edit_only_what_they_name():
    iv = parse_intervention("change: {act: {params.consultation: consulted}}\n"
                            "behaviour: {P: {strategy: reciprocal}}\n")
    sc = apply_intervention(_small(), iv)
    act = next(e for e in sc.calendar if e.id == "act")
    assert act.params.consultation == "consulted" and act.date == dt.date(2010, 1, 10)
    assert sc.actors[0].behaviour.strategy == "reciprocal"
    assert sc.actors[1].behaviour == _small().actors[1].behaviour


# --- paired comparisons ----------------------------------------------------------------------

def test_an_intervention_that_changes_nothing_shows_exactly_zero_differences():
    # same seeds: every paired difference is zero, though the runs themselves are noisy
    iv = parse_intervention("change: {act: {params.consultation: none}}\n")
    out = compare(_small(), [iv], runs=12, seed=3)["interventions"][0]
    rows = out["trust"] + out["support"] + out["conceded"] + out["packages"] + out["positions"]
    assert rows and all(r["diff"] == r["p10"] == r["p90"] == 0 for r in rows)
    assert all(r["ci90"] == [0, 0] for r in rows)
    assert all(o["settled"]["diff"] == 0 for o in out["outcomes"])


def test_an_added_event_the_simulation_does_not_act_on_gets_a_note(tmp_path):
    """'kind: coercion' is a valid narrative event, so compare ran and showed "no difference"
    without saying why; the note names the file, line, event and the kinds that act."""
    text = ("name: sanctions\nadd:\n  - {id: quarrel2, date: 2010-03-01, kind: dispute, "
            "actors: [P, R]}\n  - id: sanctions\n    date: 2010-03-01\n    kind: coercion\n"
            "    actors: [Q, R]\n")
    iv = parse_intervention(text, "iv.yaml")
    notes = narrative_only(iv)
    assert len(notes) == 1
    assert notes[0].startswith("iv.yaml:6: added event 'sanctions' has kind 'coercion', which "
                               "the simulation does not act on")
    assert "policy" in notes[0] and "dispute" in notes[0]
    out = compare(_small(), [parse_intervention(
        "add:\n  - {id: s, date: 2010-03-01, kind: coercion, actors: [Q, R]}\n")], runs=8,
        seed=1)["interventions"][0]  # the note's claim: nothing moves
    # the JSON (and so the Python API) carries the note, not only the CLI's stderr
    assert len(out["notes"]) == 1 and "kind 'coercion'" in out["notes"][0]
    rows = out["trust"] + out["support"] + out["conceded"] + out["packages"] + out["positions"]
    assert rows and all(r["diff"] == 0 for r in rows)
    assert narrative_only(parse_intervention("behaviour: {P: {strategy: coercive}}\n")) == []
    sc_file = tmp_path / "small.json"
    sc_file.write_text(json.dumps(SMALL))
    iv_file = tmp_path / "iv.yaml"
    iv_file.write_text(text)
    res = CliRunner().invoke(app, ["compare", str(sc_file), "-i", str(iv_file), "--runs", "4"])
    assert res.exit_code == 0, res.output
    assert f"note: {iv_file}:6: added event 'sanctions'" in " ".join(res.stderr.split())


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=2, max_size=40),
       st.lists(st.integers(0, 1), min_size=2, max_size=40))
def test_the_confidence_interval_is_the_paired_mean_plus_minus_its_standard_error(a, b):
    """For yes/no outcomes the percentiles over seeds are -1, 0 or 1 (a mean of -0.04 showed
    "[+0.000, +0.000]"); the 90 % interval of the mean difference is what tells an effect."""
    import numpy as np

    from detente.simulation.compare import _stats

    n = min(len(a), len(b))
    base, alt = np.array(a[:n], float), np.array(b[:n], float)
    got = _stats(base, alt)
    d = alt - base
    half = 1.6448536269514722 * d.std(ddof=1) / np.sqrt(n)
    assert got["ci90"] == pytest.approx([max(d.mean() - half, -1), min(d.mean() + half, 1)],
                                        abs=1e-4)
    assert -1 <= got["ci90"][0] <= got["diff"] <= got["ci90"][1] <= 1
    assert _stats(base[:1], alt[:1])["ci90"] is None  # one run: no interval


def test_the_confidence_interval_stays_inside_the_possible_differences():
    """Two runs that moved in opposite directions: the normal approximation reaches +-1.645,
    but a yes/no difference lies in -1..1, and a position's in -span..span."""
    import numpy as np

    from detente.simulation.compare import _stats

    base, alt = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    assert _stats(base, alt)["ci90"] == [-1.0, 1.0]
    assert _stats(base * 10, alt * 10, span=10.0)["ci90"] == [-10.0, 10.0]
    assert _stats(base * 10, alt * 10, span=100.0)["ci90"] == pytest.approx([-16.4485, 16.4485])


def test_consulting_raises_the_pairs_trust_and_removing_a_dispute_helps_the_other_pair():
    iv1 = parse_intervention("change: {act: {params.consultation: consulted}}\n")
    iv2 = parse_intervention("remove: [quarrel]\n")
    out = compare(_small(), [iv1, iv2], runs=10, seed=1)["interventions"]
    pq = next(t for t in out[0]["trust"] if (t["a"], t["b"]) == ("P", "Q"))
    assert pq["p10"] > 0
    pr = next(t for t in out[1]["trust"] if (t["a"], t["b"]) == ("P", "R"))
    assert pr["p10"] > 0


# --- the three shipped interventions on the flagship ------------------------------------------

@pytest.fixture(scope="module")
def flagship():
    sc = load_scenario(FLAGSHIP)
    ivs = [load_intervention(INTERVENTIONS / f"{n}.yaml")
           for n in ("us-consults-rok", "jenkins-amnesty", "japan-reciprocity")]
    out = compare(sc, ivs, SimOptions(until=dt.date(2005, 12, 31)), runs=10, seed=0)
    return {Path(r["file"]).stem: r for r in out["interventions"]}


def _pair(rows, a, b):
    return next(r for r in rows if {r["a"], r["b"]} == {a, b})


def test_consulting_rok_raises_us_rok_trust(flagship):
    t = _pair(flagship["us-consults-rok"]["trust"], "US", "KR")
    assert t["diff"] > 0.02 and t["p10"] > 0


def test_jenkins_amnesty_raises_us_japan_trust(flagship):
    t = _pair(flagship["jenkins-amnesty"]["trust"], "US", "JP")
    assert t["diff"] > 0.05 and t["p10"] > 0


def test_japanese_reciprocity_changes_japans_concessions_and_support(flagship):
    r = flagship["japan-reciprocity"]
    conceded = next(x for x in r["conceded"] if x["actor"] == "JP")
    support = next(x for x in r["support"] if x["actor"] == "JP")
    # Since nobody concedes below the status quo in force, Japan's own concessions move
    # little (about +0.005, 10-90% range straddling 0); its support at home moves clearly.
    assert conceded["p10"] <= conceded["diff"] <= conceded["p90"]
    assert abs(support["diff"]) > 0.01 and support["p10"] * support["p90"] > 0


def test_every_shipped_intervention_is_valid_for_the_flagship():
    sc = load_scenario(FLAGSHIP)
    for path in sorted(INTERVENTIONS.glob("*.yaml")):
        assert apply_intervention(sc, load_intervention(path)) != sc


# --- the command line ---------------------------------------------------------------------------

def test_cli_compare_json_has_one_entry_per_intervention(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("name: consult\nchange: {act: {params.consultation: consulted}}\n")
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(SMALL))
    res = CliRunner().invoke(app, ["compare", str(scen), "-i", str(a), "-i", str(a),
                                   "--runs", "4", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["name"] for r in data["interventions"]] == ["consult", "consult"]
    assert data["runs"] == 4 and data["interval"] == [10, 90]
    text = CliRunner().invoke(app, ["compare", str(scen), "-i", str(a), "--runs", "4"])
    row = data["interventions"][0]["trust"][0]  # P-Q, +0.13: the mean difference and its CI
    ci = row["ci90"]
    assert row["diff"] > 0.1 and f"{row['diff']:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]" in text.stdout
    assert "its 90 % confidence interval" in " ".join(text.stdout.split())


def test_cli_compare_bad_intervention_exits_2_with_the_line(tmp_path):
    a = tmp_path / "bad.yaml"
    a.write_text("name: bad\nremove:\n  - nope\n")
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(SMALL))
    res = CliRunner().invoke(app, ["compare", str(scen), "-i", str(a)])
    assert res.exit_code == 2
    assert f"{a}:3: remove[0]" in res.output


def test_cli_compare_shows_clear_small_effects_and_counts_the_rows_left_out():
    """A clear effect under the display threshold (US on A, +0.30 [+0.29, +0.32]) was left
    out of the table while a noisier one was shown, and the rule was never said."""
    args = ["compare", str(FLAGSHIP), "-i", str(INTERVENTIONS / "us-consults-rok.yaml"),
            "--runs", "20", "--until", "2005-06-30"]
    data = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)["interventions"][0]
    text = CliRunner().invoke(app, args).stdout
    rows = [("positions", r, 0.5) for r in data["positions"]] + [
        (part, r, 0.005) for part in ("trust", "support", "conceded") for r in data[part]]
    clear = [(part, r) for part, r, t in rows if abs(r["diff"]) < t
             and max(abs(r["p10"]), abs(r["p90"])) < t and abs(r["diff"]) >= t / 10
             and (r["ci90"][0] > 0 or r["ci90"][1] < 0)]
    assert clear  # the case this test is about exists at these runs
    lines = text.splitlines()
    for part, r in clear:
        digits = 2 if part == "positions" else 3
        shown = f"{r['diff']:+.{digits}f} [{r['ci90'][0]:+.{digits}f}, {r['ci90'][1]:+.{digits}f}]"
        assert any(shown in line for line in lines), (part, r)
    hidden = [r for _, r, t in rows if max(abs(r["diff"]), abs(r["p10"]), abs(r["p90"])) < t
              and not (abs(r["diff"]) >= t / 10 and (r["ci90"][0] > 0 or r["ci90"][1] < 0))]
    assert hidden and "left out:" in text  # the rule and the count are said
    assert "--json has every row" in " ".join(text.split())
