"""A registered static model (detente.models) as the bargaining step of a meeting.

The model is run among the meeting's members on the forum's agenda, from their offers at the
opening of the meeting; its forecast is the negotiating text, in place of the chair's weighted
mean of the offers (:mod:`detente.simulation.protocol`). The text stays on the table for the
meeting's rounds: the members concede towards it by their strategies, under pressure and
inducements, and accept it or not under the same rules as in the concession protocol
(``stalling``, ``reciprocity``, no deal worse than the status quo); without agreement, the
largest sub-package all prefer to the status quo is a partial agreement. At the next meeting
the model is run again from the offers the members have restated.

Why the rounds: with a text judged once against the members' opening aspirations (0.95 by
default) nobody ever conceded, so no meeting of any scenario could agree unless the text was
worth 95 % of every member's ideal, and every meeting ended in an impasse.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from detente.models import get_model
from detente.scenario.arrays import ScenarioArrays
from detente.simulation.mechanisms import ActiveMechanisms
from detente.simulation.protocol import MeetingInput, MeetingResult, bargain
from detente.simulation.state import SimState


def static_bargain(st: SimState, mi: MeetingInput, mech: ActiveMechanisms,
                   arrays: ScenarioArrays, model: str, rng: np.random.Generator) -> MeetingResult:
    """One meeting for every draw, on the text ``model`` forecasts from the members' offers."""
    spec = get_model(model)
    m, j = mi.members, mi.agenda
    sub = replace(arrays, position=st.offer.copy(), salience=st.salience.copy(),
                  capability=st.capability.copy(), status_quo=st.status_quo.copy())
    sub = sub.subset_actors([arrays.actor_ids[a] for a in m]).subset_issues(
        [arrays.issue_ids[i] for i in j])
    out = spec.run(sub, spec.options(), spec.default_rounds, rng)
    return bargain(st, mi, mech, proposal=out.forecast)
