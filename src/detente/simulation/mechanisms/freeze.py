"""Claim 7, elections and internal debates freeze positions.

Sources: Putnam (1988) (a divided or campaigning government cannot ratify); G. Tsebelis
(2002), *Veto Players* (more internal veto players, less change). An actor is frozen, and makes
no concession, in the ``days_before_election`` before one of its elections, and while its
factions are split (``behaviour.factions_split``) until the event named in
``behaviour.split_resolved_by``. A member with ``behaviour.refuses_when_frozen`` stays away from a
meeting while its main opponent (the member with the largest capability x distance from it)
is frozen and their distance is at least ``refusal_gap`` (0-1 salience-weighted): it waits
out the election.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    days_before_election: float = 60.0
    refusal_gap: float = 0.6


MECHANISM = Mechanism("freeze", 7, "before an election or while factions are split an actor "
                      "makes no concessions", "Putnam (1988); Tsebelis (2002)", Params)


def frozen_by_election(days_to_next_election: float | None, p: Params) -> bool:
    return days_to_next_election is not None and 0 <= days_to_next_election <= \
        p.days_before_election
