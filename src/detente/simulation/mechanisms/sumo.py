"""Claim 4, "sumo" diplomacy: coercion against a small agile actor fails; inducements work.

Sources: Schelling (1966), *Arms and Influence* (compellence is harder than deterrence);
Baldwin (1971), "The power of positive power"; Drezner (1999), *The Sanctions Paradox*.
Per offer round, pressure ``p`` on a target with agility ``g`` (0-1, ``behaviour.agility``)
converts into a concession ``p (1 - g)`` only; the sidestepped part ``p g`` stiffens the target
(aspiration + ``backlash x p g``) and frustrates the coercer, whose pressure grows by the
factor ``1 + escalation x frustration`` (it presses harder). An inducement ``v`` is added to
the target's valuation of the package and answered with a concession ``reciprocation x v``.
Switched off (classical power politics): pressure converts fully into concession, nothing is
sidestepped or escalated, and inducements are only side payments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    backlash: float = 0.5  # aspiration rise of the target per unit of sidestepped pressure
    escalation: float = 2.0  # growth of the coercer's pressure per unit of frustration
    reciprocation: float = 1.0  # target's concession per unit of inducement received


MECHANISM = Mechanism("sumo", 4, "pressure on an agile weak actor is sidestepped and "
                      "escalates; inducements win cooperation",
                      "Schelling (1966); Baldwin (1971); Drezner (1999)", Params)


@dataclass(frozen=True)
class Response:
    step: np.ndarray  # (B, M) extra aspiration drop of each target
    stiffen: np.ndarray  # (B, M) aspiration rise of each target
    bonus: np.ndarray  # (B, M) side payment added to the target's valuation
    sidestepped: np.ndarray  # (B, M) pressure each coercer saw sidestepped


def respond(pressure_on: np.ndarray, inducement_on: np.ndarray, agility: np.ndarray,
            pressure_by: np.ndarray, target_of: np.ndarray, p: Params | None) -> Response:
    """Targets' answers to the pressure and inducements they received this round.

    ``pressure_on``/``inducement_on`` (B, M) are totals received by each member;
    ``pressure_by`` (B, M) what each member exerted on its target ``target_of`` (B, M);
    ``agility`` (B, M) of each member.
    """
    if p is None:
        return Response(pressure_on, np.zeros_like(pressure_on), inducement_on,
                        np.zeros_like(pressure_on))
    g = agility
    stiff = p.backlash * pressure_on * g
    sidestepped = pressure_by * np.take_along_axis(agility, target_of, axis=1)
    return Response(pressure_on * (1 - g) + p.reciprocation * inducement_on, stiff,
                    inducement_on, sidestepped)


def escalate(pressure: np.ndarray, frustration: np.ndarray, p: Params | None) -> np.ndarray:
    """A frustrated coercer presses harder."""
    return pressure if p is None else pressure * (1 + p.escalation * frustration)
