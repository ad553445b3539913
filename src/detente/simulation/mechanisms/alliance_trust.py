"""Claim 9, unilateral acts erode alliance trust; consultation preserves it.

Sources: G. H. Snyder (1984), "The security dilemma in alliance politics", World Politics
36(4) (abandonment fears); A. Kydd (2005), *Trust and Mistrust in International Relations*.
An act of one actor that affects another lowers their trust by ``drop_none``,
``drop_informed`` or ``drop_consulted`` (the act taken without notice, announced to the ally,
or agreed with it beforehand), times the affected actor's salience on the act's issue
relative to its mean salience (1 if the act names no issue), capped at 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    drop_none: float = 0.15
    drop_informed: float = 0.08
    drop_consulted: float = 0.02


MECHANISM = Mechanism("alliance_trust", 9, "trust falls most for an act without notice, less "
                      "when informed, least when consulted", "Snyder (1984); Kydd (2005)",
                      Params)


def drop(consultation: str | None, p: Params) -> float:
    return {"none": p.drop_none, "informed": p.drop_informed,
            "consulted": p.drop_consulted}[consultation or "none"]
