"""The scenario format: one model of a negotiation, validated with pydantic v2.

A scenario lists issues (0-100 dimensions, or an issue's own scale such as years 4-10), actors
with capability, position and salience per issue, forums, a dated calendar of events, relations
between actors (alliances, trust) and sources. Positions are written on each issue's own scale;
saliences on the scale declared once per file (``salience_scale: 100`` or ``1``). The arrays
the models compute on (:mod:`detente.scenario.arrays`) are always 0-100 positions and 0-1
saliences.

Field-level checks happen in pydantic; checks across fields (unknown issue ids, duplicate ids,
values outside an issue's scale) are in :func:`cross_check`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from detente.errors import Problem
from detente.scenario.behaviour import ActorBehaviour, EventParams, SimulationSettings
from detente.uncertainty.spec import Uncertainty, check_against_scenario, range_problems

FORMAT_VERSION = 1

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-+ ]+$")]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

MAX_CAPABILITY = 1e50
MIN_CAPABILITY = 1e-50
"""Positive capabilities lie between these. Capabilities are relative (the models give the
same result when all are multiplied by one factor, KTAB's SMP apart), and products of values
near the float limits (1.8e308, 2.2e-308) overflow to infinity or underflow to 0 in the
models' arithmetic; 0 (no capability) is always accepted."""


def capability_problem(value: float) -> str | None:
    """Why ``value`` (non-negative, finite) is refused as a capability, or None."""
    if value > MAX_CAPABILITY:
        return (f"capability {value:g} is too large (at most {MAX_CAPABILITY:g}); "
                f"capabilities are relative, so divide them all by a common factor")
    if 0 < value < MIN_CAPABILITY:
        return (f"capability {value:g} is too small (0, or at least {MIN_CAPABILITY:g}); "
                f"capabilities are relative, so multiply them all by a common factor")
    return None


def _capability_in_range(value: float) -> float:
    problem = capability_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Capability = Annotated[NonNegative, AfterValidator(_capability_in_range)]

ActorKind = Literal["state", "leader", "faction", "organisation", "bloc", "public"]
DecisionRule = Literal[
    "unanimity", "consensus", "majority", "qualified_majority", "bilateral", "consultation"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


SCALE_LIMIT = 1e12  # an issue scale beyond this loses the 0-100 mapping to rounding (or inf)


class Scale(_Strict):
    """An issue's own scale (e.g. years 4-10); mapped to 0-100 internally and back on output."""

    min: Finite
    max: Finite
    unit: str | None = None

    @field_validator("max")
    @classmethod
    def _max_above_min(cls, v: float, info: Any) -> float:
        lo = info.data.get("min")
        if lo is not None and v <= lo:
            raise ValueError(f"max ({v}) must be greater than min ({lo})")
        if lo is not None and max(abs(lo), abs(v)) > SCALE_LIMIT:
            raise ValueError(f"a scale's ends must lie within +-{SCALE_LIMIT:g} (got {lo:g} to "
                             f"{v:g}); rescale the unit (e.g. billions instead of units)")
        return v


class Outcome(_Strict):
    """A known outcome of an issue, for backtesting."""

    value: Finite
    date: dt.date | None = None
    source: str | None = None


class Issue(_Strict):
    """One issue dimension and the meaning of its ends."""

    id: Id
    name: str = ""
    low: str = Field("", description="what the low end (0, or scale.min) means")
    high: str = Field("", description="what the high end (100, or scale.max) means")
    status_quo: Finite | None = None
    reference_point: Finite | None = Field(
        None, description="the reversion point if no decision is taken (DEU 'rp')"
    )
    scale: Scale | None = None
    outcome: Outcome | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        """The issue's (min, max) on its own scale."""
        return (self.scale.min, self.scale.max) if self.scale else (0.0, 100.0)


class Actor(_Strict):
    """An actor with capability, and per issue a position and a salience.

    ``capability`` is one number or one per issue; ``capabilities`` holds alternative named
    codings (for example a structural proxy) selected with ``--capability NAME``. A missing
    position means the actor is not involved in that issue.
    """

    id: Id
    name: str = ""
    kind: ActorKind = "state"
    parent: Id | None = Field(None, description="the actor this faction or public belongs to")
    capability: Capability | dict[str, Capability] = 1.0
    capabilities: dict[str, Capability | dict[str, Capability]] = Field(default_factory=dict)
    position: dict[str, Finite] = Field(default_factory=dict)
    salience: dict[str, NonNegative] = Field(default_factory=dict)
    behaviour: ActorBehaviour = Field(
        default_factory=ActorBehaviour,
        description="parameters of the dynamic simulation for this actor")


class Meeting(_Strict):
    """A forum meeting: held, planned, or known only by a deadline."""

    date: dt.date
    name: str = ""
    status: Literal["held", "planned", "cancelled"] = Field("planned", description=(
        "held: it took place (nobody refuses it); planned: it is expected; cancelled: it "
        "will not take place, but the forum keeps its schedule (it still continues at its "
        "cadence after this date, as after a planned meeting)"))


class Forum(_Strict):
    """A bargaining forum: members, agenda, decision rule and meetings."""

    id: Id
    name: str = ""
    members: list[Id]
    agenda: list[Id]
    rule: DecisionRule = "unanimity"
    chair: Id | None = None
    meetings: list[Meeting] = Field(default_factory=list)


#: the event kinds the simulation acts on; any other kind is a narrative event, unless it is a
#: near miss of one of these (``concesion``, but not ``by-election``, which holds a kind whole),
#: which validation reports as a likely typo
EVENT_KINDS = ("meeting", "election", "unilateral_act", "concession", "summit", "consultation",
               "coordination", "dispute", "settlement", "policy", "overstretch")


class Event(_Strict):
    """A dated event of the calendar: a meeting, an election, a shock, an act of an actor."""

    id: Id
    date: dt.date | None = Field(None, description="None for an open, unscheduled matter")
    kind: str = Field(..., min_length=1, description=(
        "what happens: one of the kinds the simulation acts on (" + ", ".join(EVENT_KINDS)
        + "), or any other word for an event the narrative only records"))
    description: str = ""
    actors: list[Id] = Field(default_factory=list)
    forum: Id | None = None
    triggered_by: Id | None = None
    params: EventParams = Field(default_factory=EventParams)


class Alliance(_Strict):
    id: Id
    name: str = ""
    members: list[Id]


class Trust(_Strict):
    a: Id
    b: Id
    value: Unit


class Relations(_Strict):
    alliances: list[Alliance] = Field(default_factory=list)
    trust: list[Trust] = Field(default_factory=list)


class Source(_Strict):
    title: str
    url: str | None = None
    note: str | None = None


class Scenario(_Strict):
    """A negotiation: issues, actors, forums, calendar, relations and sources."""

    detente: Literal[1] = Field(FORMAT_VERSION, description="format version")
    name: str = ""
    description: str = ""
    as_of: dt.date | None = Field(None, description="the date the inputs describe")
    salience_scale: Literal[1, 100] = Field(
        100, description="saliences in this file are 0-100 (100) or 0-1 (1)"
    )
    separate_cases: bool = Field(
        False, description="the issues are unrelated one-issue cases (as DEU rows are), not "
                           "negotiated together: models that link issues run on each alone, "
                           "and a backtest runs each case on its own")
    issues: list[Issue] = Field(..., min_length=1)
    actors: list[Actor] = Field(..., min_length=1)
    forums: list[Forum] = Field(default_factory=list)
    calendar: list[Event] = Field(default_factory=list)
    relations: Relations = Field(default_factory=Relations)
    sources: list[str | Source] = Field(default_factory=list)
    simulation: SimulationSettings = Field(
        default_factory=SimulationSettings,
        description="scenario-wide parameters of the dynamic simulation")
    uncertainty: Annotated[Uncertainty, AfterValidator(check_against_scenario)] = Field(
        default_factory=Uncertainty,
        description="distributions over inputs for Monte Carlo runs (detente.uncertainty.spec)")

    def issue(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def with_cases(self, cases: bool | None) -> Scenario:
        """This scenario with ``separate_cases`` set to ``cases`` (itself when None or equal):
        how callers override what a file says about its issues."""
        if cases is None or cases == self.separate_cases:
            return self
        return self.model_copy(update={"separate_cases": cases})

    def capability_codings(self) -> list[str]:
        """Names usable with ``--capability``: 'default', 'equal' and every named coding."""
        names = ["default", "equal"]
        for actor in self.actors:
            names += [n for n in actor.capabilities if n not in names]
        return names


def _duplicates(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    return {i for i in ids if i in seen or seen.add(i)}  # type: ignore[func-returns-value]


def cross_check(sc: Scenario) -> list[Problem]:
    """Every problem that involves more than one field, in file order."""
    problems: list[Problem] = []
    issue_ids = [i.id for i in sc.issues]
    actor_ids = [a.id for a in sc.actors]
    known_issues, known_actors = set(issue_ids), set(actor_ids)
    for dup in sorted(_duplicates(issue_ids)):
        idx = issue_ids.index(dup, issue_ids.index(dup) + 1)
        problems.append(Problem(f"duplicate issue id {dup!r}", f"issues[{idx}].id"))
    for dup in sorted(_duplicates(actor_ids)):
        idx = actor_ids.index(dup, actor_ids.index(dup) + 1)
        problems.append(Problem(f"duplicate actor id {dup!r}", f"actors[{idx}].id"))
    top = float(sc.salience_scale)
    bounds = {i.id: i.bounds for i in sc.issues}

    for k, issue in enumerate(sc.issues):
        lo, hi = issue.bounds
        for field in ("status_quo", "reference_point"):
            v = getattr(issue, field)
            if v is not None and not lo <= v <= hi:
                problems.append(Problem(f"{v} is outside the issue's scale {lo:g}-{hi:g}",
                                        f"issues[{k}].{field}"))

    for k, actor in enumerate(sc.actors):
        where = f"actors[{k}]"
        if actor.parent is not None and actor.parent not in known_actors:
            problems.append(Problem(f"unknown parent actor {actor.parent!r}", f"{where}.parent"))
        for field in ("position", "salience"):
            for issue_id in getattr(actor, field):
                if issue_id not in known_issues:
                    problems.append(Problem(
                        f"unknown issue {issue_id!r} (issues are {', '.join(issue_ids)})",
                        f"{where}.{field}.{issue_id}"))
        for issue_id, x in actor.position.items():
            if issue_id in bounds:
                lo, hi = bounds[issue_id]
                if not lo <= x <= hi:
                    problems.append(Problem(f"position {x:g} is outside the issue's scale "
                                            f"{lo:g}-{hi:g}", f"{where}.position.{issue_id}"))
                if issue_id not in actor.salience:
                    problems.append(Problem("a position needs a salience on the same issue",
                                            f"{where}.salience.{issue_id}"))
        for issue_id, s in actor.salience.items():
            if s > top:
                problems.append(Problem(
                    f"salience {s:g} is above {top:g} (salience_scale is {sc.salience_scale})",
                    f"{where}.salience.{issue_id}"))
        codings = {"capability": actor.capability} | {
            f"capabilities.{n}": c for n, c in actor.capabilities.items()}
        for field, cap in codings.items():
            if isinstance(cap, dict):
                for issue_id in cap:
                    if issue_id not in known_issues:
                        problems.append(Problem(f"unknown issue {issue_id!r}",
                                                f"{where}.{field}.{issue_id}"))
                missing = [i for i in actor.position if i not in cap and i in known_issues]
                if missing:
                    problems.append(Problem(
                        f"per-issue capability lacks issues {', '.join(missing)}",
                        f"{where}.{field}"))

    for k, forum in enumerate(sc.forums):
        where = f"forums[{k}]"
        for j, m in enumerate(forum.members):
            if m not in known_actors:
                problems.append(Problem(f"unknown actor {m!r}", f"{where}.members[{j}]"))
        for j, i in enumerate(forum.agenda):
            if i not in known_issues:
                problems.append(Problem(f"unknown issue {i!r}", f"{where}.agenda[{j}]"))
        if forum.chair is not None and forum.chair not in forum.members:
            problems.append(Problem(f"chair {forum.chair!r} is not a member", f"{where}.chair"))
        if len(set(forum.members)) < 2:
            problems.append(Problem("a forum needs at least two members", f"{where}.members"))
        for field in ("members", "agenda"):
            for dup in sorted(_duplicates(getattr(forum, field))):
                problems.append(Problem(f"{dup!r} is listed twice", f"{where}.{field}"))
    for dup in sorted(_duplicates([f.id for f in sc.forums])):
        problems.append(Problem(f"duplicate forum id {dup!r}", "forums"))

    event_ids = [e.id for e in sc.calendar]
    forum_ids = {f.id for f in sc.forums}
    for dup in sorted(_duplicates(event_ids)):
        problems.append(Problem(f"duplicate event id {dup!r}", "calendar"))
    for k, ev in enumerate(sc.calendar):
        where = f"calendar[{k}]"
        for j, a in enumerate(ev.actors):
            if a not in known_actors:
                problems.append(Problem(f"unknown actor {a!r}", f"{where}.actors[{j}]"))
        if ev.forum is not None and ev.forum not in forum_ids:
            problems.append(Problem(f"unknown forum {ev.forum!r}", f"{where}.forum"))
        if ev.triggered_by is not None and ev.triggered_by not in event_ids:
            problems.append(Problem(f"unknown event {ev.triggered_by!r}", f"{where}.triggered_by"))
        if ev.kind == "election" and not ev.actors:
            problems.append(Problem("an election needs the actors who hold it (actors: [...]); "
                                    "without them it freezes no one's position",
                                    f"{where}.actors"))
        near = difflib.get_close_matches(ev.kind, EVENT_KINDS, n=1, cutoff=0.8)
        # a word holding a known kind whole (by-election, summitry) is a deliberate variant
        if near and not any(known in ev.kind for known in EVENT_KINDS):
            problems.append(Problem(
                f"kind {ev.kind!r} is not one the simulation acts on; did you mean {near[0]!r}? "
                "(other words are kept as narrative-only events)", f"{where}.kind"))
    problems += _trigger_cycles(sc.calendar)
    problems += _simulation_checks(sc)

    for k, al in enumerate(sc.relations.alliances):
        for j, m in enumerate(al.members):
            if m not in known_actors:
                problems.append(Problem(f"unknown actor {m!r}",
                                        f"relations.alliances[{k}].members[{j}]"))
        if len(set(al.members)) < 2:
            problems.append(Problem("an alliance needs at least two different members",
                                    f"relations.alliances[{k}].members"))
        for dup in sorted(_duplicates(al.members)):
            problems.append(Problem(f"{dup!r} is listed twice",
                                    f"relations.alliances[{k}].members"))
    pairs: dict[frozenset[str], int] = {}
    for k, tr in enumerate(sc.relations.trust):
        for field in ("a", "b"):
            if getattr(tr, field) not in known_actors:
                problems.append(Problem(f"unknown actor {getattr(tr, field)!r}",
                                        f"relations.trust[{k}].{field}"))
        pair = frozenset((tr.a, tr.b))
        if tr.a == tr.b:
            problems.append(Problem(f"trust of {tr.a!r} in itself; trust is between two "
                                    "actors", f"relations.trust[{k}].b"))
        elif pair in pairs:
            problems.append(Problem(f"trust between {tr.a!r} and {tr.b!r} is given twice (also "
                                    f"relations.trust[{pairs[pair]}]); it is one value per "
                                    "pair", f"relations.trust[{k}]"))
        else:
            pairs[pair] = k
    problems += range_problems(sc.uncertainty, bounds, top)
    return problems


def _trigger_cycles(calendar: list[Event]) -> list[Problem]:
    parent = {e.id: e.triggered_by for e in calendar}
    problems = []
    for k, ev in enumerate(calendar):
        seen, cur = {ev.id}, parent.get(ev.id)
        while cur is not None and cur in parent:
            if cur in seen:
                problems.append(Problem("'triggered_by' references form a cycle",
                                        f"calendar[{k}].triggered_by"))
                break
            seen.add(cur)
            cur = parent[cur]
    return problems


def _simulation_checks(sc: Scenario) -> list[Problem]:
    """Events inside the calendar window; ids named in behaviour and event params exist;
    the mechanisms named in ``simulation.mechanisms`` and their parameters exist and are
    numbers in range."""
    problems: list[Problem] = []
    sim = sc.simulation
    try:
        from detente.simulation.mechanisms import check_settings
    except ImportError:  # pragma: no cover - the simulation part is not installed
        pass
    else:
        problems += check_settings(sim.mechanisms, "simulation.mechanisms")
    window_ok = not (sim.start and sim.end and sim.end <= sim.start)
    if not window_ok:
        problems.append(Problem(f"end {sim.end} is not after start {sim.start}",
                                "simulation.end"))
    for k, ev in enumerate(sc.calendar):
        if ev.date is None or not window_ok:  # no window: every event fell outside it
            continue
        if sim.start and ev.date < sim.start:
            problems.append(Problem(f"event dated {ev.date}, before the calendar window "
                                    f"starts ({sim.start})", f"calendar[{k}].date"))
        if sim.end and ev.date > sim.end:
            problems.append(Problem(f"event dated {ev.date}, after the calendar window "
                                    f"ends ({sim.end})", f"calendar[{k}].date"))
    actors = {a.id for a in sc.actors}
    events = {e.id for e in sc.calendar}
    forums = {f.id for f in sc.forums}
    for k, ev in enumerate(sc.calendar):
        for field in ("giver", "receiver", "wedge_by", "actor"):
            v = getattr(ev.params, field)
            if v is not None and v not in actors:
                problems.append(Problem(f"unknown actor {v!r}", f"calendar[{k}].params.{field}"))
        if ev.params.settles is not None and ev.params.settles not in events:
            problems.append(Problem(f"unknown event {ev.params.settles!r}",
                                    f"calendar[{k}].params.settles"))
        if ev.params.issue is not None and ev.params.issue not in {i.id for i in sc.issues}:
            problems.append(Problem(f"unknown issue {ev.params.issue!r}",
                                    f"calendar[{k}].params.issue"))
    for k, actor in enumerate(sc.actors):
        ref = actor.behaviour.split_resolved_by
        if ref is not None and ref not in events:
            problems.append(Problem(f"unknown event {ref!r}",
                                    f"actors[{k}].behaviour.split_resolved_by"))
    for fid in sim.forums:
        if fid not in forums:
            problems.append(Problem(f"unknown forum {fid!r}", f"simulation.forums.{fid}"))
    return problems
