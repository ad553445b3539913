"""The calendar of a simulation: the dated steps the engine walks, in order.

Steps are forum meetings (from ``forums[].meetings`` and ``calendar`` events of kind
``meeting`` with a ``forum``) and every other dated calendar event. A calendar event of another
kind that names a forum and falls on the date of one of its meetings is the known record of
that meeting and replaces the bargaining step. A forum that continues (one with a planned
or cancelled meeting, or ``simulation.forums.<id>.continues``) meets again every
``cadence_days`` after its last dated meeting until the end date; a cancelled meeting is no
step, but the schedule runs on from its date. Undated events without a trigger are open matters,
active from the start; triggered events are scheduled by the engine when their trigger occurs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from detente.errors import OptionError, Problem, ScenarioError
from detente.scenario.model import Event, Forum, Scenario


@dataclass(frozen=True)
class Step:
    date: dt.date
    kind: str  # "meeting" or the event's kind
    label: str
    forum: Forum | None = None
    event: Event | None = None
    known_held: bool = False  # a meeting the inputs record as held: nobody refuses it


def _next_name(name: str, n: int) -> str:
    m = re.search(r"round (\d+)", name)
    if m:
        return f"round {int(m.group(1)) + 1}"
    return f"meeting {n}"


def forum_meetings(sc: Scenario, start: dt.date, until: dt.date) -> list[Step]:
    """Every meeting of every forum between ``start`` and ``until`` (inclusive). A forum
    with nothing on its agenda (the editor removed its last issue) has nothing to bargain
    over: its meetings are left out."""
    sim = sc.simulation
    steps = []
    replaced = {(e.forum, e.date) for e in sc.calendar
                if e.forum and e.date and e.kind != "meeting"}
    for forum in sc.forums:
        if not forum.agenda:
            continue
        dated = {m.date: m.name for m in forum.meetings}
        held = {m.date for m in forum.meetings if m.status == "held"}
        recorded: dict[dt.date, Event] = {}  # the calendar's meeting events: their triggers
        for e in sc.calendar:
            if e.forum == forum.id and e.kind == "meeting" and e.date:
                dated.setdefault(e.date, meeting_name(e))
                recorded.setdefault(e.date, e)
        settings = sim.forums.get(forum.id)
        cancelled = {m.date for m in forum.meetings if m.status == "cancelled"}
        continues = any(m.status in ("planned", "cancelled") for m in forum.meetings)
        if settings is not None and settings.continues is not None:
            continues = settings.continues
        cadence = (settings.cadence_days if settings and settings.cadence_days
                   else sim.cadence_days)
        if continues and dated:
            last = max(dated)
            name = dated[last]
            n = len(dated)
            d = last + dt.timedelta(days=cadence)
            while d <= until:
                n += 1
                name = _next_name(name, n)
                dated[d] = name
                d += dt.timedelta(days=cadence)
        for date, name in sorted(dated.items()):
            if start <= date <= until and (forum.id, date) not in replaced and (
                    date not in cancelled):
                steps.append(Step(date, "meeting", _label(forum, name), forum=forum,
                                  event=recorded.get(date), known_held=date in held))
    return steps


def _label(forum: Forum, name: str) -> str:
    """How the narrative names a meeting: the forum, then the meeting's own name."""
    return f"{forum.name or forum.id} {name}".strip()


def meeting_name(e: Event) -> str:
    """The name of a meeting given as a calendar event: its description up to a colon."""
    return e.description.split(":")[0].strip()[:60] or e.id


def triggered_step(e: Event, date: dt.date, forums: dict[str, Forum]) -> Step:
    """The step of an event its trigger scheduled on ``date``: a meeting of its forum when it
    is one (the forum bargains), else the event itself."""
    forum = forums.get(e.forum or "")
    if e.kind == "meeting" and forum is not None:
        return Step(date, "meeting", _label(forum, meeting_name(e)), forum=forum, event=e)
    return Step(date, e.kind, e.id, event=e)


def build(sc: Scenario, start: dt.date, until: dt.date) -> tuple[list[Step], list[Event]]:
    """(dated steps in order, open undated events). Triggered events are left out."""
    forums = {f.id: f for f in sc.forums}
    steps = forum_meetings(sc, start, until)
    open_events = []
    for e in sc.calendar:
        if e.triggered_by is not None or (e.kind == "meeting" and e.forum):
            continue
        if e.date is None:
            open_events.append(e)
        elif start <= e.date <= until:
            steps.append(Step(e.date, e.kind, e.id, forum=forums.get(e.forum or ""), event=e))
    order = {"meeting": 1}
    steps.sort(key=lambda s: (s.date, order.get(s.kind, 0)))
    return steps, open_events


def parse_until(value: dt.date | str | None, name: str = "until") -> dt.date | None:
    """An end date given as a date or as ``YYYY-MM-DD`` text; ``name`` is how the caller
    takes it (``--until`` on the command line), for the message."""
    if not isinstance(value, str):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise OptionError(f"{name} expects a date YYYY-MM-DD, got {value!r}") from None


MAX_YEARS = 100  # the longest span simulated (recurring meetings are laid out to the end)


def check_window(start: dt.date, until: dt.date) -> None:
    """Refuse an end date (``--until``, the web app's ``until``) before ``start`` or more
    than MAX_YEARS after it. The message names no flag: the web app shows it too."""
    if until < start:
        raise OptionError(f"the end date {until} is before the simulation's start {start}")
    if (until - start).days > MAX_YEARS * 366:
        raise OptionError(f"the end date {until} is {(until - start).days // 365} "
                          f"years after the start {start}; a simulation covers at most "
                          f"{MAX_YEARS} years of meetings")


def default_start(sc: Scenario) -> dt.date:
    """The first date simulated: ``simulation.start``, else the earliest dated event or planned
    meeting, else the scenario's ``as_of``.

    Never today's date: a run must not depend on when it is made, so a scenario with none of
    these is an error that says what to add.
    """
    if sc.simulation.start:
        return sc.simulation.start
    dates = [e.date for e in sc.calendar if e.date] + [
        m.date for f in sc.forums for m in f.meetings if m.status == "planned"]
    if dates:
        return min(dates)
    if sc.as_of:
        return sc.as_of
    raise ScenarioError([Problem(
        "the simulation has no start date: the scenario has no dated event, no planned "
        "meeting and no 'as_of'; set simulation.start (or as_of) so that runs do not depend "
        "on today's date", "simulation.start")])


def default_until(sc: Scenario, start: dt.date) -> dt.date:
    if sc.simulation.end:
        return sc.simulation.end
    return start + dt.timedelta(days=540)
