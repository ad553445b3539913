"""A registered static model as the bargaining step of a forum meeting."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from detente.models import models
from detente.scenario.model import Scenario
from detente.simulation import SimOptions, simulate
from detente.simulation.protocol import AGREEMENT, IMPASSE


def _scenario(aspiration: float = 0.3, outsider: bool = True, reservation: float = 0.3,
              status_quo: tuple[float, float] = (0, 100), continues: bool = False) -> Scenario:
    """Two members; the status quo (0, 100) is worse for both than their weighted mean, and
    the exchange is balanced enough for ``reciprocity``."""
    beh = {"initial_aspiration": aspiration, "reservation": min(aspiration, reservation)}
    actors = [
        {"id": "P", "position": {"X": 20, "Y": 70}, "salience": {"X": 80, "Y": 40},
         "capability": 3, "behaviour": beh},
        {"id": "Q", "position": {"X": 60, "Y": 30}, "salience": {"X": 50, "Y": 50},
         "capability": 1, "behaviour": beh},
    ]
    if outsider:  # not a member of the forum: must not pull the text
        actors.append({"id": "Z", "position": {"X": 100, "Y": 0},
                       "salience": {"X": 100, "Y": 100}, "capability": 50})
    return Scenario.model_validate({
        "issues": [{"id": "X", "status_quo": status_quo[0]},
                   {"id": "Y", "status_quo": status_quo[1]}],
        "actors": actors,
        "forums": [{"id": "f", "members": ["P", "Q"], "agenda": ["X", "Y"],
                    "rule": "bilateral", "meetings": [{"date": "2010-03-01",
                                                       "status": "planned"}]}],
        "simulation": {"start": "2010-01-01", "end": "2010-12-31", "noise": 0,
                       "forums": {"f": {"continues": continues}}},
    })


def _run(sc: Scenario, step: str = "compromise"):
    return simulate(sc, SimOptions(until=dt.date(2010, 12, 31), step=step), seed=0)


def test_compromise_step_agrees_on_the_members_weighted_mean():
    h = _run(_scenario())
    (meeting,) = h.meetings("f")
    # Achen (2006) eq. 4.1 among the members only: capability x salience weights
    w = np.array([[3 * 0.8, 3 * 0.4], [1 * 0.5, 1 * 0.5]])
    pos = np.array([[20, 70], [60, 30]])
    expected = (w * pos).sum(0) / w.sum(0)
    assert meeting.outcome[0] == AGREEMENT
    np.testing.assert_allclose(meeting.package[0], expected, atol=1e-9)
    np.testing.assert_allclose(h.status_quo[0, :2], expected, atol=1e-9)


def test_an_outsider_does_not_move_the_text():
    with_z = _run(_scenario(outsider=True)).meetings("f")[0].package
    without = _run(_scenario(outsider=False)).meetings("f")[0].package
    np.testing.assert_allclose(with_z, without)


def test_members_whose_reservation_the_text_misses_leave_an_impasse_and_the_status_quo():
    h = _run(_scenario(aspiration=0.99, reservation=0.99))
    (meeting,) = h.meetings("f")
    assert meeting.outcome[0] == IMPASSE
    np.testing.assert_allclose(h.status_quo[0, :2], [0, 100])


def test_members_who_open_high_concede_over_the_meetings_and_agree():
    """The step judged the text once against the opening aspirations (0.95 by default), so
    no member ever conceded and every meeting of every scenario ended in an impasse. Members
    opening at 0.99 now come down by their strategy's steps, as in the concession protocol,
    and agree at the third meeting (the forum meets every four months)."""
    outcomes = {}
    for step in ("compromise", "concession"):
        h = _run(_scenario(aspiration=0.99, reservation=0.3, continues=True), step)
        outcomes[step] = [int(m.outcome[0]) for m in h.meetings("f")][:3]
    assert outcomes["compromise"] == outcomes["concession"] == [IMPASSE, IMPASSE, AGREEMENT]


def test_a_text_worse_than_the_status_quo_for_a_member_is_refused():
    """As in the concession protocol: no member accepts less than no agreement is worth (Q
    prefers the status quo (50, 50) to the members' weighted mean)."""
    h = _run(_scenario(status_quo=(50, 50)))
    assert h.meetings("f")[0].outcome[0] != AGREEMENT
    np.testing.assert_allclose(h.status_quo[0, :2], [50, 50])


def test_the_compromise_step_reaches_agreements_on_the_flagship():
    """On the flagship every meeting was an impasse with any static step."""
    from pathlib import Path

    from detente.scenario import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" /
                       "northeast-asia-2004.yaml")
    h = simulate(sc, SimOptions(step="compromise"), seed=0, runs=20)
    outcomes = np.concatenate([m.outcome for m in h.meetings()])
    assert (outcomes > IMPASSE).mean() > 0.2  # partial or agreement


@pytest.mark.parametrize("model", ["median", "nash"])
def test_other_registered_models_run_as_the_step_and_differ_from_compromise(model):
    if model not in models():
        pytest.skip(f"model {model!r} is not registered")
    comp = _run(_scenario()).meetings("f")[0].package[0]
    other = _run(_scenario(), model).meetings("f")[0].package[0]
    assert np.all((other >= 20 - 1e-9) & (other <= 70 + 1e-9))  # within the members' range
    assert not np.allclose(other, comp)
