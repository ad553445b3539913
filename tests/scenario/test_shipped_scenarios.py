"""The shipped scenarios load, and hold the numbers of their sources."""

from __future__ import annotations

import numpy as np
import pytest

from detente.scenario import load_scenario, to_arrays

# Positions and saliences from shared/design/northeast-asia-2004.md (issues A-F).
FLAGSHIP_POSITIONS = {
    "US": [95, 20, 25, 80, 45, 100], "CN": [55, 70, 65, 10, 10, 60],
    "JP": [90, 40, 35, 60, 85, 20], "KR": [80, 65, 60, 15, 20, 35],
    "RU": [50, 70, 70, 15, 10, 60], "KP": [15, 95, 95, 0, 5, 100],
}
FLAGSHIP_SALIENCE = {
    "US": [95, 70, 50, 60, 25, 50], "CN": [70, 60, 55, 75, 5, 15],
    "JP": [80, 50, 35, 55, 90, 20], "KR": [80, 75, 55, 85, 15, 80],
    "RU": [50, 45, 45, 45, 5, 5], "KP": [95, 90, 95, 85, 45, 30],
}
# judgement (A-E, F) and structural proxy
FLAGSHIP_CAPABILITY = {
    "US": (100, 100, 78), "CN": (80, 5, 100), "JP": (45, 15, 22),
    "KR": (40, 50, 12), "RU": (25, 2, 22), "KP": (35, 5, 6),
}


def test_flagship_matches_design_page(flagship_path):
    sc = load_scenario(flagship_path)
    arr = to_arrays(sc)
    ids = list(arr.actor_ids)
    assert ids == list(FLAGSHIP_POSITIONS)
    assert [i.id for i in sc.issues] == list("ABCDEF")
    assert [i.status_quo for i in sc.issues] == [5, 0, 10, 40, 65, 29]
    for a, actor in enumerate(ids):
        np.testing.assert_allclose(arr.position[0, a], FLAGSHIP_POSITIONS[actor])
        np.testing.assert_allclose(arr.salience[0, a], np.array(FLAGSHIP_SALIENCE[actor]) / 100)
        judgement_ae, judgement_f, _ = FLAGSHIP_CAPABILITY[actor]
        np.testing.assert_allclose(arr.capability[0, a], [judgement_ae] * 5 + [judgement_f])
    structural = to_arrays(sc, "structural")
    for a, actor in enumerate(ids):
        np.testing.assert_allclose(structural.capability[0, a], FLAGSHIP_CAPABILITY[actor][2])


def test_flagship_forums_and_calendar(flagship_path):
    sc = load_scenario(flagship_path)
    forums = {f.id: f for f in sc.forums}
    assert set(forums["six-party"].members) == set(FLAGSHIP_POSITIONS)
    assert forums["six-party"].agenda == ["A", "B", "C", "D"]
    assert forums["six-party"].rule == "unanimity" and forums["six-party"].chair == "CN"
    assert forums["japan-dprk"].rule == "bilateral"
    dates = {e.id: e.date for e in sc.calendar}
    assert str(dates["japan-upper-house-election"]) == "2004-07-11"
    assert str(dates["us-presidential-election"]) == "2004-11-02"
    # nothing after early July 2004 is an input, except dates already agreed by then
    held = [m.date for f in sc.forums for m in f.meetings if m.status == "held"]
    assert max(held).isoformat() <= "2004-07-01"


def test_emission_case_reads_on_its_own_scale(emission_path):
    sc = load_scenario(emission_path)
    arr = to_arrays(sc)
    assert sc.issues[0].bounds == (4, 10)
    assert arr.outcome[0] == pytest.approx((8.833 - 4) / 6 * 100)
    np.testing.assert_allclose(arr.to_issue_scale(arr.position[0], axis=-1)[:, 0],
                               [4, 7, 4, 4, 10, 10, 10, 7, 4, 7])
    assert arr.capability[0, :, 0].sum() == pytest.approx(1.01)
