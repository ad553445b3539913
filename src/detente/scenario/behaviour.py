"""Typed parameters of the dynamic simulation inside a scenario file.

Three blocks of the scenario format are read by :mod:`detente.simulation`:

* ``simulation:`` (:class:`SimulationSettings`): the calendar window, the cadence of further
  meetings, the rounds of a meeting, noise, and which behaviours (mechanisms) are on, with
  their parameters (``mechanisms: {wedge: false, freeze: {days_before_election: 90}}``).
* ``actors[].behaviour:`` (:class:`ActorBehaviour`): an actor's bargaining strategy and the
  traits the mechanisms read (agility, overstretch, domestic support, split factions).
* ``calendar[].params:`` (:class:`EventParams`): what a dated event does (who gives what to
  whom, how an act was consulted, which dispute a settlement ends).

Every field has a default, so an empty block is valid; unknown keys are errors that name the
field. Mechanism names and parameters are checked against the simulation's registry when a
simulation starts (the scenario format does not import the simulation).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-+ ]+$")]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Signed = Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

StrategyName = Literal["boulware", "linear", "conceder", "reciprocal", "coercive", "inducement"]
Consultation = Literal["none", "informed", "consulted"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ActorBehaviour(_Strict):
    """How one actor bargains and what the mechanisms know about it."""

    strategy: StrategyName = Field(
        "linear", description="concession strategy at the start (tactics may change by learning)")
    beta: Positive | None = Field(
        None, description="Faratin et al. (1998) concession exponent; default by strategy "
                          "(boulware 0.3, linear 1, conceder 3)")
    reservation: Unit = Field(
        0.35, description="the lowest utility (0-1, own salience-weighted) it will accept")
    initial_aspiration: Unit = Field(0.95, description="the utility it demands at the start")
    agility: Unit = Field(0.0, description="how well it sidesteps pressure (claim 4)")
    overstretch: Unit = Field(0.0, description="share of its coercive capacity committed "
                                               "elsewhere (claim 8)")
    support: Unit = Field(0.5, description="domestic support of its leadership at the start")
    factions_split: bool = Field(False, description="its government is split (claim 7)")
    split_resolved_by: Id | None = Field(
        None, description="the calendar event after which the split is resolved")
    refuses_when_frozen: bool = Field(
        False, description="stays away from a meeting while its main opponent is frozen")


class EventParams(_Strict):
    """What a calendar event does; each kind reads the fields it needs (see the engine)."""

    issue: Id | None = Field(None, description="the issue an act concerns")
    consultation: Consultation | None = Field(
        None, description="unilateral act: how the affected ally was involved (claim 9)")
    image: Signed | None = Field(
        None, description="how the act looks to the affected public, -1 villain to +1 friend "
                          "(claim 10)")
    giver: Id | None = Field(None, description="concession: the actor that gives")
    receiver: Id | None = Field(None, description="concession: the actor that receives")
    value: Unit | None = Field(None, description="concession: its value to the receiver")
    returned: Unit | None = Field(
        None, description="concession: value of what the receiver gave back to the giver")
    wedge_by: Id | None = Field(None, description="dispute: the adversary that created it")
    settles: Id | None = Field(None, description="settlement: the dispute event it ends")
    actor: Id | None = Field(None, description="policy or overstretch: the actor concerned")
    strategy: StrategyName | None = Field(None, description="policy: the new strategy")
    amount: Unit | None = Field(None, description="overstretch: the new overstretch share")
    delay_days: int = Field(0, ge=0, description="triggered event: days after its trigger")
    on: Literal["any", "agreement", "partial", "impasse", "no_meeting"] = Field(
        "any", description="triggered event: the trigger's outcome it needs (meetings)")


class ForumSettings(_Strict):
    """Per-forum simulation settings."""

    continues: bool | None = Field(
        None, description="meet again at the cadence after the last dated meeting "
                          "(default: only forums with a planned meeting)")
    cadence_days: int | None = Field(None, ge=14, le=3650)


class SimulationSettings(_Strict):
    """Scenario-wide settings of the dynamic simulation."""

    start: dt.date | None = Field(
        None, description="the first date simulated; default the earliest dated event")
    end: dt.date | None = Field(
        None, description="the end of the calendar window (events must fall in "
                          "[start, end]); the default --until")
    cadence_days: int = Field(
        120, ge=14, le=3650, description="days between further meetings of a continuing forum")
    rounds_per_meeting: int = Field(8, ge=1, le=100, description="offer rounds in a meeting")
    horizon_meetings: float = Field(
        5, gt=0, le=100, description="meetings over which a time-dependent strategy concedes "
                                     "from its initial aspiration to its reservation")
    noise: float = Field(
        0.1, ge=0, le=2, description="sd of the log of a random factor on each actor's "
                                     "concession step in each meeting (0 turns it off)")
    forums: dict[str, ForumSettings] = Field(default_factory=dict)
    mechanisms: dict[str, bool | dict[str, Any]] = Field(
        default_factory=dict,
        description="mechanism name -> false (off), true (on) or its parameters (on)")
