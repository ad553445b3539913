"""A registered static model (detente.models) as the bargaining step of a meeting.

The model is run among the meeting's members on the forum's agenda, from their current offers;
its forecast is the text. Members accept it under the same acceptance rule as the concession
protocol (``stalling``); there are no concessions within the meeting.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from detente.models import get_model
from detente.scenario.arrays import ScenarioArrays
from detente.simulation.indexing import block
from detente.simulation.mechanisms import ActiveMechanisms, stalling
from detente.simulation.protocol import (
    AGREEMENT,
    BELOW_ASPIRATION,
    IMPASSE,
    NO_MEETING,
    NONE,
    MeetingInput,
    MeetingResult,
    utility,
)
from detente.simulation.state import SimState


def static_bargain(st: SimState, mi: MeetingInput, mech: ActiveMechanisms,
                   arrays: ScenarioArrays, model: str, rng: np.random.Generator) -> MeetingResult:
    spec = get_model(model)
    m, j = mi.members, mi.agenda
    sub = replace(arrays, position=st.offer.copy(), salience=st.salience.copy(),
                  capability=st.capability.copy(), status_quo=st.status_quo.copy())
    sub = sub.subset_actors([arrays.actor_ids[a] for a in m]).subset_issues(
        [arrays.issue_ids[i] for i in j])
    out = spec.run(sub, spec.options(), spec.default_rounds, rng)
    text = out.forecast  # (B, J)
    ideal = block(st.ideal, m, j)
    sal = block(st.salience, m, j)
    sq = st.status_quo[:, j]
    u_sq = utility(sq[:, None], ideal, sal)
    u = utility(text[:, None], ideal, sal)
    acc = stalling.accepts(u, st.aspiration[:, m] - mi.shift, u_sq, mech.get("stalling"))
    agreed = acc.all(1) & mi.held
    outcome = np.where(~mi.held, NO_MEETING, np.where(agreed, AGREEMENT, IMPASSE))
    issues = np.repeat(agreed[:, None], len(j), axis=1)
    st.status_quo[:, j] = np.where(issues, text, sq)
    st.settled[:, j] |= issues
    gained = np.where(agreed[:, None], u - u_sq, 0.0)
    gap = (1 - utility(text[:, None], block(st.offer, m, j), sal)).mean(1)
    holdout = np.argmax(st.aspiration[:, m] - u, axis=1)
    zeros = np.zeros_like(gained)
    blocked = mi.held & ~agreed
    return MeetingResult(outcome, text, issues, gap, gap, holdout, gained, zeros, zeros,
                         np.where(blocked, holdout, -1),
                         np.where(blocked, BELOW_ASPIRATION, NONE))
