"""The reservation value bounds concessions; converged offers are agreed; the end is recorded."""

import datetime as dt

from detente.scenario.model import Scenario
from detente.simulation import SimOptions, simulate
from detente.simulation.protocol import AGREEMENT, IMPASSE


def _two(status_quo=None, res_q=0.3, until="2011-06-30"):
    issue = {"id": "X"} if status_quo is None else {"id": "X", "status_quo": status_quo}
    sc = Scenario.model_validate({
        "issues": [issue],
        "actors": [{"id": "P", "position": {"X": 10}, "salience": {"X": 80},
                    "behaviour": {"strategy": "conceder", "reservation": 0.3}},
                   {"id": "Q", "position": {"X": 90}, "salience": {"X": 80},
                    "behaviour": {"strategy": "conceder", "reservation": res_q}}],
        "forums": [{"id": "f", "members": ["P", "Q"], "agenda": ["X"], "rule": "bilateral",
                    "meetings": [{"date": "2010-03-01"}, {"date": "2010-09-01"}]}],
        "calendar": [],
        "simulation": {"start": "2010-01-01", "end": "2011-12-31", "noise": 0}})
    return simulate(sc, SimOptions(until=dt.date.fromisoformat(until)), seed=0)


def test_without_a_status_quo_the_declared_reservation_is_the_floor():
    h = _two()
    first = h.meetings("f")[0]
    assert first.outcome[0] == AGREEMENT
    assert 10 < first.package[0, 0] < 90


def test_nobody_offers_below_the_status_quo_in_force():
    # the status quo 20 is worth 0.4 to Q (ideal 90): Q never offers a text worth less
    h = _two(status_quo=20)
    for r in h.meetings("f"):
        u_q = 1 - abs(90 - r.positions[:, 1, 0]) / 100  # Q's utility on one issue
        assert (u_q >= 1 - (90 - 20) / 100 - 1e-9).all()
        assert r.outcome[0] == IMPASSE  # P would have to give up ground it holds
        assert r.blocker is not None and r.blocker[0] >= 0


def test_a_status_quo_below_a_members_reservation_is_named_as_the_block():
    h = _two(status_quo=20, res_q=0.95)
    r = h.meetings("f")[0]
    assert r.outcome[0] == IMPASSE and r.blocker is not None and r.reason is not None
    assert r.blocker[0] == 1  # Q: the text is below what it demands
    line = h.line(r)
    assert "refuses" in line and "gap closed 100%" not in line


def test_state_at_until_is_recorded_after_the_last_step():
    h = _two(until="2011-06-30")
    last = h.records[-1]
    assert last.date == dt.date(2011, 6, 30) and last.kind == "end"
    assert all("end of run" not in line for line in h.narrative())
    series = h.to_dict()["support"]
    assert series[-1]["date"] == "2011-06-30"


def test_after_a_partial_agreement_the_refusal_is_of_the_whole_text(flagship_path):
    """The narrative named agreed issues among those a member 'refuses on' (Six-Party round 5:
    partial agreement on C, D; North Korea refuses on A, B, C, D): it refused the whole
    text, and accepted C and D as a smaller package."""
    from detente.scenario.io import load_scenario
    from detente.simulation.protocol import PARTIAL

    h = simulate(load_scenario(flagship_path), SimOptions(until=dt.date(2005, 12, 31)), 0)
    partial = [r for r in h.meetings() if r.outcome is not None and r.outcome[0] == PARTIAL]
    assert partial
    for r in partial:
        line = h.line(r)
        assert "partial agreement on" in line and "refuses the whole text" in line
        assert "refuses on" not in line


def test_a_refusal_of_a_text_matching_the_members_offers_says_why(flagship_path):
    """The flagship's last rounds read 'gap closed 98%; North Korea refuses the text: it
    prefers no agreement to the text', which looked contradictory: its offers are the text to
    within COINCIDE, and they sit at its reservation value, which the text misses by a hair."""
    from detente.scenario.io import load_scenario
    from detente.simulation.protocol import COINCIDE, NO_DEAL_BETTER

    h = simulate(load_scenario(flagship_path), SimOptions(until=dt.date(2006, 12, 31)), 0)
    converged = [r for r in h.meetings() if r.blocker is not None and r.reason is not None
                 and r.blocker[0] >= 0 and r.reason[0] == NO_DEAL_BETTER
                 and (abs(r.positions[0, r.blocker[0]] - r.package[0]) <= COINCIDE).all()]
    assert converged
    for r in converged:
        line = h.line(r)
        assert "its own offers, but those stand at its reservation value" in line, line
        assert "away from its position" not in line
