"""What a simulation leaves behind: dated records, their JSON and a readable narrative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from detente.scenario.arrays import ScenarioArrays
from detente.scenario.model import Scenario
from detente.simulation.protocol import (
    AGREEMENT,
    BELOW_ASPIRATION,
    COINCIDE,
    FROZEN,
    LOPSIDED,
    NO_DEAL_BETTER,
    NO_MEETING,
    OUTCOMES,
    PARTIAL,
)

CONSTRUCTIVE = 0.1  # progress (share of the gap closed) a narrative calls constructive
CONVERGED = 0.995  # progress a narrative calls "offers converged"
#: the narrative's words for why a member refused the last text (protocol.REASONS codes)
WHY = {BELOW_ASPIRATION: "the text is below what it demands",
       LOPSIDED: "a lopsided exchange, it would gain far less than the others",
       FROZEN: "its positions are frozen",
       NO_DEAL_BETTER: "it prefers no agreement to the text"}
START = "start"  # kind of the record of the coded state at ``start``, before any step
END = "end"  # kind of the record of the state at ``until``
STATE_ONLY = (START, END)  # records that carry the trust and support series, no event


@dataclass(frozen=True)
class StepRecord:
    date: dt.date
    kind: str
    label: str
    forum: str | None
    event_id: str | None
    members: tuple[str, ...]
    agenda: tuple[str, ...]
    outcome: np.ndarray | None  # (B,) index into OUTCOMES (meetings)
    package: np.ndarray | None  # (B, J) 0-100
    agreed: np.ndarray | None  # (B, J) bool
    progress: np.ndarray | None  # (B,)
    positions: np.ndarray | None  # (B, M, J) offers after the meeting, 0-100
    trust: np.ndarray  # (B, A, A) after the step
    support: np.ndarray  # (B, A)
    refused_by: list[str | None]  # per draw (name)
    holdout: list[str]
    notes: list[str]
    tactics: list[str]  # draw 0, per actor
    blocker: np.ndarray | None = None  # (B,) member index refusing the last text, -1 if none
    reason: np.ndarray | None = None  # (B,) protocol.REASONS code of that refusal


_PER_DRAW_LISTS = ("refused_by",)
_CHECKED_FIELDS = ("package", "progress", "positions", "trust", "support")


def _join(values: list[object]) -> object:
    first = values[0]
    if first is None:
        return None
    if isinstance(first, np.ndarray):
        return np.concatenate(values)  # type: ignore[arg-type]
    return first


@dataclass(frozen=True)
class History:
    """Every step of a run, batched over draws, and the state at the end of the calendar."""

    arrays: ScenarioArrays
    scenario: Scenario
    start: dt.date
    until: dt.date
    records: list[StepRecord]
    offer: np.ndarray | None = None  # (B, A, I) 0-100: each actor's last stated position
    status_quo: np.ndarray | None = None  # (B, I) 0-100: the package in force at the end
    conceded: np.ndarray | None = None  # (B, A) utility given up from its ideal (0-1)

    @property
    def n_draws(self) -> int:
        return self.arrays.n_draws

    @classmethod
    def concat(cls, parts: list[History]) -> History:
        """One history of the draws of ``parts`` (same scenario and calendar), in order.

        Per-draw arrays are joined along the draw axis; ``tactics`` and ``notes`` (draw 0 and
        draw-independent) come from the first part.
        """
        if not parts:
            raise ValueError("nothing to join")
        first = parts[0]
        if any(len(p.records) != len(first.records) for p in parts):
            raise ValueError("the histories have different calendars")
        records = []
        for rows in zip(*(p.records for p in parts), strict=True):
            joined = {}
            for f in fields(StepRecord):
                values = [getattr(r, f.name) for r in rows]
                if f.name in _PER_DRAW_LISTS or f.name == "holdout":
                    joined[f.name] = [x for v in values for x in v]
                else:
                    joined[f.name] = _join(values)
            records.append(StepRecord(**joined))
        arrays = replace(first.arrays, **{
            k: np.concatenate([getattr(p.arrays, k) for p in parts])
            for k in ("position", "salience", "capability", "status_quo")})
        return cls(arrays, first.scenario, first.start, first.until, records,
                   **{k: _join([getattr(p, k) for p in parts])  # type: ignore[arg-type]
                      for k in ("offer", "status_quo", "conceded")})

    def first_non_finite(self) -> str | None:
        """Where the first NaN or infinite value of the history lies (a field, the step and
        the draw), or None when every value is finite."""
        found = [(f"{name} after {r.date} {r.label}", getattr(r, name))
                 for r in self.records for name in _CHECKED_FIELDS]
        found += [(f"{name} at the end", getattr(self, name))
                  for name in ("offer", "status_quo", "conceded")]
        for where, values in found:
            if isinstance(values, np.ndarray) and values.dtype.kind == "f":
                bad = ~np.isfinite(values)
                if bad.any():
                    draw = int(np.nonzero(bad)[0][0])
                    return where + (f" (draw {draw + 1})" if self.n_draws > 1 else "")
        return None

    def meetings(self, forum: str | None = None) -> list[StepRecord]:
        return [r for r in self.records if r.kind == "meeting" and r.outcome is not None
                and r.package is not None and (forum is None or r.forum == forum)]

    def _scale(self, issue: str, x: float) -> float:
        k = self.arrays.issue_ids.index(issue)
        lo, hi = self.arrays.scale_min[k], self.arrays.scale_max[k]
        return round(float(lo + x * (hi - lo) / 100.0), 2)

    def to_dict(self, draw: int = 0) -> dict[str, Any]:
        """The JSON of one draw: events, trust and support series, narrative."""
        ids = self.arrays.actor_ids
        events, trust, support = [], [], []
        for r in self.records:
            if r.kind in STATE_ONLY:  # the state at start and until: series only, no event
                d = r.date.isoformat()
                for x in range(len(ids)):
                    for y in range(x + 1, len(ids)):
                        trust.append({"date": d, "a": ids[x], "b": ids[y],
                                      "value": round(float(r.trust[draw, x, y]), 4)})
                    support.append({"date": d, "actor": ids[x],
                                    "value": round(float(r.support[draw, x]), 4)})
                continue
            item: dict[str, Any] = {"date": r.date.isoformat(), "forum": r.forum,
                                    "kind": r.kind, "label": r.label, "outcome": None,
                                    "positions": None, "agreement": None}
            if r.outcome is not None:
                item["outcome"] = OUTCOMES[int(r.outcome[draw])]
            if r.positions is not None and r.package is not None and r.agreed is not None:
                item["positions"] = {a: {i: self._scale(i, r.positions[draw, k, n])
                                         for n, i in enumerate(r.agenda)}
                                     for k, a in enumerate(r.members)}
                if r.agreed[draw].any():
                    item["agreement"] = {i: self._scale(i, r.package[draw, n])
                                         for n, i in enumerate(r.agenda) if r.agreed[draw, n]}
                item["progress"] = round(float(r.progress[draw]), 3) \
                    if r.progress is not None else None
            item["narrative"] = self.line(r, draw)
            events.append(item)
            d = r.date.isoformat()
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    trust.append({"date": d, "a": ids[x], "b": ids[y],
                                  "value": round(float(r.trust[draw, x, y]), 4)})
                support.append({"date": d, "actor": ids[x],
                                "value": round(float(r.support[draw, x]), 4)})
        return {"scenario": self.scenario.name, "start": self.start.isoformat(),
                "until": self.until.isoformat(), "draw": draw, "events": events,
                "trust": trust, "support": support,
                "narrative": self.narrative(draw)}

    def line(self, r: StepRecord, draw: int = 0) -> str:
        """One dated sentence saying what happened and why."""
        month = r.date.strftime("%Y-%m")
        names = {a.id: a.name or a.id for a in self.scenario.actors}
        if r.kind == "meeting" and r.outcome is not None and r.package is not None:
            o = int(r.outcome[draw])
            notes = "; ".join(r.notes)
            tail = f"; {notes}" if notes else ""
            if o == NO_MEETING:
                who = r.refused_by[draw] if r.refused_by else None
                why = f": {who} refuses" if who else ""
                return f"{month}: {r.label} does not meet{why}{tail}"
            prog = float(r.progress[draw]) if r.progress is not None else 0.0
            if o == AGREEMENT:
                return f"{month}: {r.label} reaches agreement on {', '.join(r.agenda)}{tail}"
            gap = "offers converged" if prog >= CONVERGED else f"gap closed {prog:.0%}"
            block = self._block(r, draw, partial=o == PARTIAL)
            if o == PARTIAL:
                got = [i for n, i in enumerate(r.agenda) if r.agreed[draw, n]]
                return (f"{month}: {r.label}: partial agreement on {', '.join(got)}, no "
                        f"comprehensive agreement ({gap}); {block}{tail}")
            mood = "constructive, " if prog >= CONSTRUCTIVE else ""
            return f"{month}: {r.label}: {mood}no agreement ({gap}); {block}{tail}"
        if r.kind == "meeting":
            return f"{month}: {r.label} (coordination) meets"
        desc = ""
        if r.event_id:
            ev = next((e for e in self.scenario.calendar if e.id == r.event_id), None)
            if ev is not None and ev.description:
                desc = ev.description.strip().split(".")[0]
        who = ", ".join(names[a] for a in r.members)
        return f"{month}: {r.kind.replace('_', ' ')} ({who}): {desc or r.label}"

    def _block(self, r: StepRecord, draw: int, partial: bool = False) -> str:
        """Who refused the last text, where it stands away from it and why (falls back to the
        holdout). After a partial agreement the refusal was of the whole text: the issues
        named may include agreed ones, which the member accepted as a smaller package."""
        if r.blocker is None or r.reason is None or r.blocker[draw] < 0:
            return f"{r.holdout[draw]} furthest from the text"
        k = int(r.blocker[draw])
        names = {a.id: a.name or a.id for a in self.scenario.actors}
        who = names[r.members[k]]
        issues = [i for n, i in enumerate(r.agenda) if r.positions is not None
                  and r.package is not None
                  and abs(r.positions[draw, k, n] - r.package[draw, n]) > COINCIDE]
        away = f" (away from its position on {', '.join(issues)})" if issues else ""
        text = "the whole text" if partial else "the text"
        why = WHY.get(int(r.reason[draw]), "it refuses the text")
        if not issues and int(r.reason[draw]) == NO_DEAL_BETTER:
            # it offers the text itself, to within COINCIDE: its offers sit at the least it
            # can accept, and the text falls short of it by a fraction of a point
            why = (f"the text is within {COINCIDE:g} points of its own offers, but those "
                   f"stand at its reservation value (what no agreement is worth to it) and "
                   f"the text falls just below")
        return f"{who} refuses {text}{away}: {why}"

    def narrative(self, draw: int = 0) -> list[str]:
        return [self.line(r, draw) for r in self.records if r.kind not in STATE_ONLY]

    def support_at(self, actor: str, date: dt.date) -> np.ndarray:
        """(B,) support of ``actor`` after the last step on or before ``date``."""
        k = self.arrays.actor_ids.index(actor)
        rows = [r for r in self.records if r.date <= date]
        if not rows:
            raise ValueError(f"no step on or before {date}")
        return rows[-1].support[:, k]

    def trust_at(self, a: str, b: str, date: dt.date) -> np.ndarray:
        x, y = self.arrays.actor_ids.index(a), self.arrays.actor_ids.index(b)
        rows = [r for r in self.records if r.date <= date]
        return rows[-1].trust[:, x, y]
