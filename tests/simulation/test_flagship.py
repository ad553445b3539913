"""The flagship run reproduces the essays' predictions (SYSTEM.md claim 15) from its inputs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from detente.scenario import load_scenario
from detente.simulation import SimOptions, simulate
from detente.simulation.protocol import AGREEMENT, NO_MEETING, PARTIAL

SRC = Path(__file__).resolve().parents[2] / "src" / "detente" / "simulation"
RUNS = 20


@pytest.fixture(scope="module")
def history():
    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios"
                       / "northeast-asia-2004.yaml")
    return simulate(sc, SimOptions(until=dt.date(2005, 12, 31)), seed=1, runs=RUNS)


def test_code_names_no_flagship_actor_forum_or_date():
    pattern = re.compile(r"\b(US|KP|JP|KR|CN|RU|six-party|japan-dprk|tcog|us-rok|"
                         r"Koizumi|Bush|Jenkins|Pyongyang|200[45]-[01][0-9])\b")
    hits = [f"{p.name}: {m.group(0)}" for p in SRC.rglob("*.py")
            for m in pattern.finditer(p.read_text())]
    assert hits == []


def _meeting(history, forum, date):
    return next(r for r in history.meetings(forum) if r.date == date)


def test_japan_gains_before_its_election(history):
    before = history.support_at("JP", dt.date(2004, 5, 21))
    at_vote = history.support_at("JP", dt.date(2004, 7, 11))
    assert (at_vote > before).all()


def test_round_three_constructive_but_no_comprehensive_agreement(history):
    r = _meeting(history, "six-party", dt.date(2004, 6, 23))
    assert (r.outcome != AGREEMENT).all() and (r.outcome != NO_MEETING).all()
    assert (r.progress > 0.1).mean() >= 0.9


def test_no_progress_at_next_round_before_us_election(history):
    r = _meeting(history, "six-party", dt.date(2004, 9, 30))
    assert ((r.outcome == NO_MEETING) | (r.progress < 0.1)).all()
    assert not (r.outcome == AGREEMENT).any()


def test_prospects_improve_later(history):
    later = [r for r in history.meetings("six-party") if r.date.year == 2005]
    settled = np.any([(r.outcome == AGREEMENT) | (r.outcome == PARTIAL) for r in later], 0)
    assert settled.mean() >= 0.5


def test_trust_and_support_series_start_at_the_coded_values(history):
    """The series began after the first step (the troop move of 2004-05-17), so the report
    read 'US-KR: 0.42 -> 0.42' and never showed the coded 0.55 that the move cut."""
    data = history.to_dict()
    us_kr = [t for t in data["trust"] if (t["a"], t["b"]) == ("US", "KR")]
    assert us_kr[0] == {"date": data["start"], "a": "US", "b": "KR", "value": 0.55}
    assert us_kr[1]["date"] == "2004-05-17" and us_kr[1]["value"] < 0.55
    assert [s["value"] for s in data["support"] if s["date"] == data["start"]] == [0.5] * 6
    assert history.trust_at("US", "KR", dt.date(2004, 5, 10))[0] == 0.55
    assert all(e["date"] > data["start"] for e in data["events"])  # no event at the start
