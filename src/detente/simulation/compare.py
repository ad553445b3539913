"""What-if: run the same seeds with and without an intervention and report the differences.

An intervention is a small YAML file that edits a scenario's calendar and behaviour::

    name: P consults Q before the act
    description: free text shown in reports
    add:                 # events appended to the calendar, in the scenario's event format
      - {id: amnesty, date: 2010-07-15, kind: settlement, actors: [P, Q],
         params: {settles: dispute-1}}
    remove: [event-id]   # calendar events taken out, by id (a meeting event: its forum meeting
                         # is cancelled too; the forum keeps its schedule)
    change:              # calendar event id -> fields to override; a dotted key reaches into
      act-1:             # a block (``params.consultation``); other fields stay as they were
        params.consultation: consulted
    behaviour:           # actor id -> ``behaviour`` fields to override
      P: {strategy: reciprocal}

At least one of ``add``, ``remove``, ``change`` or ``behaviour`` is needed. Every problem is
reported with the intervention file, the line and the field (``change.act-1.params.consultaton``),
including problems that only show once the edited scenario is checked as a whole (an added event
outside the calendar window, a settlement of a dispute that was removed).

:func:`compare` runs the baseline and each intervention on the same seeds: draw ``k`` of both
uses the random stream keyed by (seed, k) (:class:`~detente.simulation.state.DrawStreams`), so
each difference is paired by seed and what remains is the effect of the intervention, plus the
noise of streams that diverge once the calendars differ. For every quantity it reports the
baseline mean, the mean with the intervention, the mean paired difference, the 10th and 90th
percentiles of the paired differences over seeds and a 90 % confidence interval of the mean
difference (``ci90``): the outcome of each forum meeting (matched
by forum and date), the package in force and every actor's last position at the end (issue
scale), trust between every pair and support of every actor at the end, and how much utility
each actor has conceded from its ideal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from detente.errors import Problem, ScenarioError
from detente.scenario.behaviour import ActorBehaviour
from detente.scenario.formats.yaml_format import parse_yaml
from detente.scenario.io import read_text
from detente.scenario.model import EVENT_KINDS, Event, Forum, Scenario, cross_check
from detente.scenario.validate import error_message, field_path, line_of
from detente.simulation.engine import SimOptions, simulate
from detente.simulation.history import History
from detente.simulation.protocol import AGREEMENT, NO_MEETING, PARTIAL

LOW_Q, HIGH_Q = 10, 90  # the interval reported: percentiles of the paired differences
CI_Z = 1.6448536269514722  # the normal quantile of a two-sided 90 % confidence interval

__all__ = ["Intervention", "apply_intervention", "compare", "load_intervention",
           "narrative_only"]


class Intervention(BaseModel):
    """A what-if edit of a scenario (see the module docstring for the file format)."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    add: list[Event] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)
    change: dict[str, dict[str, Any]] = Field(default_factory=dict)
    behaviour: dict[str, dict[str, Any]] = Field(default_factory=dict)
    source: str = Field("", exclude=True)
    lines: dict[str, int] = Field(default_factory=dict, exclude=True)

    def located(self, message: str, path: str) -> Problem:
        return Problem(message, path, line_of(self.lines, path), self.source or None)

    @property
    def label(self) -> str:
        return self.name or (Path(self.source).stem if self.source else "intervention")


def parse_intervention(text: str, source: str = "<intervention>") -> Intervention:
    """Validate the text of an intervention file; problems name the file, line and field."""
    data, lines = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(
            "an intervention must be a mapping with add, remove, change or behaviour, not "
            f"{type(data).__name__}", file=source)])
    if "issues" in data or "actors" in data:
        raise ScenarioError([Problem(
            "this is a scenario, not an intervention: an intervention file holds add, remove, "
            "change or behaviour (see scenarios/interventions/); the scenario is compare's "
            "first argument", file=source)])
    try:
        iv = Intervention.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = field_path(err["loc"])
            problems.append(Problem(error_message(err, Intervention), path,
                                    line_of(lines, path), source))
        raise ScenarioError(problems) from None
    iv = iv.model_copy(update={"source": source, "lines": lines})
    if not (iv.add or iv.remove or iv.change or iv.behaviour):
        raise ScenarioError([iv.located(
            "the intervention changes nothing: give add, remove, change or behaviour", "")])
    return iv


def load_intervention(path: str | Path) -> Intervention:
    """Read and validate an intervention file."""
    text = read_text(path, "an intervention")
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=str(path))])
    return parse_intervention(text, str(path))


def narrative_only(iv: Intervention) -> list[str]:
    """Notes on the events ``iv`` adds whose kind the simulation does not act on. Such an event
    is valid (a scenario's calendar may record history the simulation only narrates), but in
    an intervention it changes nothing, which the comparison alone shows as "no difference"."""
    notes = []
    for n, ev in enumerate(iv.add):
        if ev.kind in EVENT_KINDS:
            continue
        line = line_of(iv.lines, f"add[{n}].kind")
        where = f"{iv.source or iv.label}{f':{line}' if line else ''}"
        notes.append(
            f"{where}: added event {ev.id!r} has kind {ev.kind!r}, which the simulation does "
            f"not act on: it is kept as narrative and changes nothing. Kinds it acts on: "
            f"{', '.join(EVENT_KINDS)}; an actor's change of strategy (coercive, ...) is a "
            f"'policy' event with params actor and strategy, or the intervention's behaviour")
    return notes


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> str | None:
    """Set ``a.b.c`` in nested dicts; return what is wrong, or None."""
    parts = key.split(".")
    here = data
    for n, part in enumerate(parts[:-1]):
        nxt = here.get(part)
        if nxt is None:
            nxt = here[part] = {}
        if not isinstance(nxt, dict):
            return f"{'.'.join(parts[:n + 1])} is not a block with fields"
        here = nxt
    here[parts[-1]] = value
    return None


def _validation_problems(iv: Intervention, exc: ValidationError, where: str,
                         keys: dict[str, str] | None = None) -> list[Problem]:
    out = []
    for err in exc.errors():
        path = field_path(err["loc"])
        # report at the key the user wrote (dotted) when the error is under it
        shown = next((k for k in sorted(keys or {}, key=len, reverse=True)
                      if path == k or path.startswith(k + ".")), None)
        at = f"{where}.{shown}" if shown else (f"{where}.{path}" if path else where)
        out.append(iv.located(error_message(err, Event), at))
    return out


def apply_intervention(sc: Scenario, iv: Intervention) -> Scenario:
    """The scenario with the intervention's edits, checked as a whole.

    Raises :class:`ScenarioError` with every problem, located in the intervention file.
    """
    problems: list[Problem] = []
    ids = [e.id for e in sc.calendar]
    for k, rid in enumerate(iv.remove):
        if rid not in ids:
            problems.append(iv.located(f"no calendar event {rid!r} to remove; events: "
                                       f"{', '.join(ids)}", f"remove[{k}]"))
    for cid in iv.change:
        if cid not in ids:
            problems.append(iv.located(f"no calendar event {cid!r} to change; events: "
                                       f"{', '.join(ids)}", f"change.{cid}"))
        elif cid in iv.remove:
            problems.append(iv.located(f"event {cid!r} is both removed and changed",
                                       f"change.{cid}"))
    events: list[Event] = []
    origin: list[str] = []  # where each event of the new calendar comes from
    for e in sc.calendar:
        if e.id in iv.remove:
            continue
        if e.id in iv.change:
            data = e.model_dump(mode="json", exclude_none=True)
            data["params"] = e.params.model_dump(mode="json", exclude_none=True)
            bad = False
            for key, value in iv.change[e.id].items():
                what = _set_dotted(data, key, value)
                if what:
                    problems.append(iv.located(what, f"change.{e.id}.{key}"))
                    bad = True
            if bad:
                continue
            try:
                e = Event.model_validate(data)
            except ValidationError as exc:
                problems += _validation_problems(iv, exc, f"change.{e.id}",
                                                 dict.fromkeys(iv.change[e.id], ""))
                continue
            origin.append(f"change.{e.id}")
        else:
            origin.append(f"calendar event {e.id!r}")
        events.append(e)
    for k, e in enumerate(iv.add):
        events.append(e)
        origin.append(f"add[{k}]")
    actors = []
    known = {a.id for a in sc.actors}
    for aid in iv.behaviour:
        if aid not in known:
            problems.append(iv.located(f"no actor {aid!r}; actors: {', '.join(sorted(known))}",
                                       f"behaviour.{aid}"))
    for a in sc.actors:
        if a.id in iv.behaviour:
            data = {**a.behaviour.model_dump(), **iv.behaviour[a.id]}
            try:
                a = a.model_copy(update={"behaviour": ActorBehaviour.model_validate(data)})
            except ValidationError as exc:
                for err in exc.errors():
                    path = field_path(err["loc"])
                    problems.append(iv.located(error_message(err, ActorBehaviour),
                                               f"behaviour.{a.id}.{path}"))
        actors.append(a)
    if problems:
        raise ScenarioError(problems)
    new = sc.model_copy(update={"calendar": events, "actors": actors,
                                "forums": _cancel_meetings(sc, iv.remove)})
    checked = []
    for p in cross_check(new):
        path, where = p.path, ""
        if path.startswith("calendar["):
            n = int(path[len("calendar["):path.index("]")])
            rest = path[path.index("]") + 1:]
            where = origin[n]
            if where.startswith(("add[", "change.")):
                loc = where + rest
                checked.append(iv.located(f"{p.message} (after the intervention)", loc))
                continue
        prefix = f"{where}: " if where else ""
        checked.append(iv.located(f"after the intervention, the scenario's {path or 'file'}: "
                                  f"{prefix}{p.message}", ""))
    if checked:
        raise ScenarioError(checked)
    return new


def _cancel_meetings(sc: Scenario, removed: list[str]) -> list[Forum]:
    """The forums with the meetings that removed ``meeting`` events record cancelled: a
    meeting listed both in the calendar and in its forum's ``meetings`` (as the flagship's
    rounds are) is one step of the simulation, so removing the event must cancel it there too.
    Cancelled, not dropped: the forum keeps its schedule (dropping its only planned meeting
    stopped a forum for good, so 'cancel round 4' also took away rounds 5, 6 and 7)."""
    gone = {(e.forum, e.date) for e in sc.calendar
            if e.id in removed and e.kind == "meeting" and e.forum and e.date}
    return [f.model_copy(update={"meetings": [
        m.model_copy(update={"status": "cancelled"}) if (f.id, m.date) in gone else m
        for m in f.meetings]}) for f in sc.forums]


# --- the comparison ----------------------------------------------------------------------------

def _stats(base: np.ndarray, alt: np.ndarray, digits: int = 4,
           span: float = 1.0) -> dict[str, Any]:
    """Means and the paired difference: its mean, its 10th and 90th percentile over seeds,
    and a 90 % confidence interval of the mean difference (normal approximation, mean +-
    1.645 sd / sqrt(n); null with one run). The percentiles describe how the effect varies
    between seeds (for a yes/no outcome they are -1, 0 or 1); the interval says whether the
    mean effect is told apart from zero by this many runs.

    ``span`` is the width of the quantity's possible range (1 for a yes/no outcome, trust,
    support and utility conceded; the issue's scale for a position): no difference can exceed
    it, so the interval is clipped to -span..span (with few runs the normal approximation
    reaches past it)."""
    d = alt.astype(float) - base.astype(float)
    lo, hi = np.percentile(d, [LOW_Q, HIGH_Q], axis=0)

    def r(x: Any) -> float:
        return round(float(x), digits)

    mean = d.mean(0)
    n = d.shape[0]
    half = CI_Z * d.std(0, ddof=1) / np.sqrt(n) if n > 1 else None
    return {"baseline": r(base.mean(0)), "intervention": r(alt.mean(0)),
            "diff": r(mean), "p10": r(lo), "p90": r(hi),
            "ci90": None if half is None else [r(max(mean - half, -span)),
                                               r(min(mean + half, span))]}


def _to_scale(h: History, x: np.ndarray, issue: int) -> np.ndarray:
    lo, hi = h.arrays.scale_min[issue], h.arrays.scale_max[issue]
    return lo + x * (hi - lo) / 100.0


def _scale_stats(base: History, alt: History, b: np.ndarray, a: np.ndarray,
                 issue: int) -> dict[str, Any]:
    """:func:`_stats` of (B,) points on the 0-100 model scale, reported on the issue's scale."""
    span = float(abs(base.arrays.scale_max[issue] - base.arrays.scale_min[issue]))
    return _stats(_to_scale(base, b, issue), _to_scale(alt, a, issue), 2, span)


def _meetings(h: History) -> dict[tuple[str, dt.date], Any]:
    return {(r.forum or "", r.date): r for r in h.meetings()}


def _outcomes(base: History, alt: History) -> tuple[list[dict], list[dict]]:
    b, a = _meetings(base), _meetings(alt)
    rows, unmatched = [], []
    for key in sorted(set(b) | set(a), key=lambda k: (k[1], k[0])):
        forum, date = key
        if key not in b or key not in a:
            r = b.get(key) or a[key]
            unmatched.append({"forum": forum, "date": date.isoformat(), "label": r.label,
                              "only_in": "baseline" if key in b else "intervention"})
            continue
        rb, ra = b[key], a[key]
        rows.append({
            "forum": forum, "date": date.isoformat(), "label": rb.label,
            "agreement": _stats(rb.outcome == AGREEMENT, ra.outcome == AGREEMENT, 3),
            "settled": _stats(np.isin(rb.outcome, (AGREEMENT, PARTIAL)),
                              np.isin(ra.outcome, (AGREEMENT, PARTIAL)), 3),
            "meets": _stats(rb.outcome != NO_MEETING, ra.outcome != NO_MEETING, 3),
        })
    return rows, unmatched


def _difference(base: History, alt: History) -> dict[str, Any]:
    assert base.offer is not None and alt.offer is not None
    assert base.status_quo is not None and alt.status_quo is not None
    assert base.conceded is not None and alt.conceded is not None
    actors, issues = base.arrays.actor_ids, base.arrays.issue_ids
    outcomes, unmatched = _outcomes(base, alt)
    last_b, last_a = base.records[-1], alt.records[-1]
    trust = [{"a": actors[x], "b": actors[y],
              **_stats(last_b.trust[:, x, y], last_a.trust[:, x, y])}
             for x in range(len(actors)) for y in range(x + 1, len(actors))]
    support = [{"actor": actors[x], **_stats(last_b.support[:, x], last_a.support[:, x])}
               for x in range(len(actors))]
    conceded = [{"actor": actors[x], **_stats(base.conceded[:, x], alt.conceded[:, x])}
                for x in range(len(actors))]
    packages = [{"issue": issues[i],
                 **_scale_stats(base, alt, base.status_quo[:, i], alt.status_quo[:, i], i)}
                for i in range(len(issues))]
    positions = [{"actor": actors[x], "issue": issues[i],
                  **_scale_stats(base, alt, base.offer[:, x, i], alt.offer[:, x, i], i)}
                 for x in range(len(actors)) for i in range(len(issues))
                 if base.arrays.involved[x, i]]
    return {"outcomes": outcomes, "unmatched_meetings": unmatched, "trust": trust,
            "support": support, "conceded": conceded, "packages": packages,
            "positions": positions}


def compare(scenario: Scenario, interventions: list[Intervention],
            options: SimOptions | None = None, runs: int = 100, seed: int = 0,
            batch_size: int | None = None) -> dict[str, Any]:
    """Run the baseline and each intervention on the same ``runs`` seeds; the differences.

    Returns a JSON-ready dict: the run settings and, per intervention, its ``notes``
    (:func:`narrative_only`), the outcome of every forum meeting, the trust, support,
    concessions, package and positions at the end, each as baseline mean, intervention mean,
    mean paired difference and its 10-90% interval.
    """
    options = options or SimOptions()
    edited = [(iv, apply_intervention(scenario, iv)) for iv in interventions]
    base = simulate(scenario, options, seed, runs, batch_size=batch_size)
    results = []
    for iv, sc in edited:
        alt = simulate(sc, options, seed, runs, batch_size=batch_size)
        results.append({"name": iv.label, "file": iv.source, "description": iv.description,
                        "notes": narrative_only(iv), **_difference(base, alt)})
    return {"scenario": scenario.name, "runs": runs, "seed": seed,
            "start": base.start.isoformat(), "until": base.until.isoformat(),
            "step": options.step, "interval": [LOW_Q, HIGH_Q], "interventions": results}

