"""The Decide format of the exchange-model tools (Stokman; decide-exchange-model).

One record per line, starting with a tag; fields are tab- or semicolon-separated and quoted
with ``'`` or ``"`` or not at all::

    #A  actor id, full name, [comment]
    #P  issue id, [description]
    #M  issue id, position, [meaning]     labelled scale points; the smallest and largest give
                                          the issue's scale when it is not 0-100
    #D  actor id, issue id, position, salience (0-1), power, [comment]
    #O, #/  title and comment lines

Power is given per actor-issue; an actor whose power is the same on every issue gets one
capability number, otherwise a per-issue dict. Saliences on 0-1 give ``salience_scale: 1``
(a file whose saliences go above 1 is read as 0-100). Ids that the scenario format does not
allow (for example ``EU (incl Norway)``) are kept as the actor's name and turned into an id
by dropping the other characters. Every problem is reported with its line number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, register
from detente.scenario.model import Actor, Issue, Scale, Scenario, cross_check

TAGS = ("#A", "#P", "#M", "#D", "#O", "#/")
_TAG_LINE = re.compile(r"""^\s*['"]?#[APMDO/]['"]?\s*[\t;]""")
_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.\-+ ]+")


def _detect(text: str) -> bool:
    lines = text.splitlines()[:2000]
    tagged = [ln for ln in lines if _TAG_LINE.match(ln)]
    return len(tagged) >= 2 and any(re.match(r"""^\s*['"]?#D""", ln) for ln in tagged)


def _dialect(lines: list[str]) -> tuple[str, str]:
    tagged = [ln for ln in lines if _TAG_LINE.match(ln)]
    delimiter = "\t" if sum(ln.count("\t") for ln in tagged) >= sum(
        ln.count(";") for ln in tagged) else ";"
    quote = '"' if any(ln.lstrip().startswith('"') for ln in tagged) else "'"
    return delimiter, quote


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float(text.replace(",", "."))


def _clean_id(raw: str) -> str:
    cleaned = re.sub(r"\s+", " ", _BAD_ID_CHARS.sub(" ", raw)).strip()
    return cleaned[:64] or "x"


@dataclass
class _Parsed:
    title: str = ""
    comments: list[str] = field(default_factory=list)
    actors: dict[str, str] = field(default_factory=dict)  # raw id -> full name
    issues: dict[str, str] = field(default_factory=dict)
    points: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    rows: list[tuple[int, str, str, float, float, float]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _parse(text: str, source: str) -> _Parsed:
    lines = text.splitlines()
    delimiter, quote = _dialect(lines)
    out = _Parsed()
    problems = out.problems

    def bad(message: str, line: int) -> None:
        problems.append(Problem(message, line=line, file=source))

    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        fields = [f.strip() for f in next(csv.reader([raw], delimiter=delimiter,
                                                      quotechar=quote))]
        tag = fields[0].upper() if fields else ""
        if tag not in TAGS:
            bad(f"unknown record tag {fields[0][:20]!r}; expected one of {', '.join(TAGS)}", n)
            continue
        values = fields[1:]
        while values and values[-1] == "":
            values.pop()
        if tag == "#O":
            out.title = out.title or " ".join(values)
        elif tag == "#/":
            if values:
                out.comments.append(" ".join(values))
        elif tag in ("#A", "#P"):
            if not values or not values[0]:
                bad(f"{tag} record without an id", n)
                continue
            table = out.actors if tag == "#A" else out.issues
            kind = "actor" if tag == "#A" else "issue"
            if values[0] in table:
                bad(f"duplicate {kind} id {values[0]!r}", n)
            table[values[0]] = values[1] if len(values) > 1 else ""
        elif tag == "#M":
            if len(values) < 2:
                bad("#M needs an issue id and a position", n)
                continue
            if values[0] not in out.issues:
                bad(f"#M for unknown issue {values[0]!r} (declare it with #P first)", n)
                continue
            try:
                point = _number(values[1])
            except ValueError:
                bad(f"#M position {values[1]!r} is not a number", n)
                continue
            out.points.setdefault(values[0], []).append(
                (point, values[2] if len(values) > 2 else ""))
        else:  # "#D"
            _parse_row(values, n, out, bad)
    return out


def _parse_row(values: list[str], n: int, out: _Parsed,
               bad: Callable[[str, int], None]) -> None:
    if len(values) < 5:
        bad("#D needs actor, issue, position, salience and power", n)
        return
    actor, issue = values[0], values[1]
    ok = True
    if actor not in out.actors:
        bad(f"#D for unknown actor {actor!r} (declare it with #A)", n)
        ok = False
    if issue not in out.issues:
        bad(f"#D for unknown issue {issue!r} (declare it with #P)", n)
        ok = False
    nums = []
    for name, text in zip(("position", "salience", "power"), values[2:5], strict=True):
        try:
            v = _number(text)
        except ValueError:
            bad(f"{name} {text!r} is not a number", n)
            ok = False
            continue
        if v != v or v in (float("inf"), float("-inf")):
            bad(f"{name} {text!r} is not a finite number", n)
            ok = False
        nums.append(v)
    if not ok:
        return
    pos, sal, power = nums
    if sal < 0:
        bad(f"salience {sal:g} of {actor} on {issue} is negative", n)
        ok = False
    if power < 0:
        bad(f"power {power:g} of {actor} on {issue} is negative", n)
        ok = False
    if any(r[1] == actor and r[2] == issue for r in out.rows):
        bad(f"a second #D row for {actor} on {issue}", n)
        ok = False
    if ok:
        out.rows.append((n, actor, issue, pos, sal, power))


def read_decide(text: str, source: str) -> Scenario:
    """Parse a Decide file into a scenario, with every problem located by line."""
    p = _parse(text, source)
    problems = p.problems
    if not p.actors:
        problems.append(Problem("no #A (actor) records", file=source))
    if not p.issues:
        problems.append(Problem("no #P (issue) records", file=source))
    if not p.rows and not problems:
        problems.append(Problem("no #D (data) records", file=source))

    bounds: dict[str, tuple[float, float]] = {}
    labels: dict[str, tuple[str, str]] = {}
    for issue, pts in p.points.items():
        lo, hi = min(pts), max(pts)
        if hi[0] > lo[0]:
            bounds[issue] = (lo[0], hi[0])
            labels[issue] = (lo[1], hi[1])
    top_salience = 100.0 if any(r[4] > 1 for r in p.rows) else 1.0
    for n, actor, issue, pos, sal, _ in p.rows:
        lo, hi = bounds.get(issue, (0.0, 100.0))
        if not lo <= pos <= hi:
            problems.append(Problem(f"position {pos:g} of {actor} on {issue} is outside the "
                                    f"issue's scale {lo:g}-{hi:g}", line=n, file=source))
        if sal > 100:
            problems.append(Problem(f"salience {sal:g} of {actor} on {issue} is above 100",
                                    line=n, file=source))
    if problems:
        raise ScenarioError(sorted(problems, key=lambda q: q.line or 0))

    actor_ids = _unique_ids(list(p.actors))
    issue_ids = _unique_ids(list(p.issues))
    issues = []
    for raw, iid in issue_ids.items():
        lo_label, hi_label = labels.get(raw, ("", ""))
        scale = None
        if raw in bounds and bounds[raw] != (0.0, 100.0):
            scale = Scale(min=bounds[raw][0], max=bounds[raw][1])
        issues.append(Issue(id=iid, name=p.issues[raw] if p.issues[raw] != raw else "",
                            low=lo_label, high=hi_label, scale=scale))
    actors = []
    for raw, aid in actor_ids.items():
        rows = [r for r in p.rows if r[1] == raw]
        powers = {issue_ids[r[2]]: r[5] for r in rows}
        capability: float | dict[str, float] = 1.0
        if powers:
            values = set(powers.values())
            capability = values.pop() if len(values) == 1 else powers
        name = p.actors[raw] if p.actors[raw] not in ("", aid) else (raw if raw != aid else "")
        actors.append(Actor(
            id=aid, name=name, kind="state", capability=capability,
            position={issue_ids[r[2]]: r[3] for r in rows},
            salience={issue_ids[r[2]]: r[4] for r in rows}))
    sc = Scenario(name=p.title, description=p.comments[0] if p.comments and p.title else "",
                  salience_scale=int(top_salience), issues=issues, actors=actors)
    found = cross_check(sc)
    if found:
        raise ScenarioError([Problem(f.message, f.path, None, source) for f in found])
    return sc


def _unique_ids(raws: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    used: set[str] = set()
    for raw in raws:
        base = _clean_id(raw)
        cand, k = base, 2
        while cand in used:
            cand, k = f"{base}-{k}", k + 1
        used.add(cand)
        out[raw] = cand
    return out


def _cell(v: object) -> str:
    text = str(v)
    return text.replace("\t", " ").replace("\n", " ")


def write_decide(sc: Scenario) -> str:
    """The scenario as a tab-separated Decide file (saliences on 0-1, power per actor-issue)."""
    lines = []
    if sc.name:
        lines.append(f"#O\t{_cell(sc.name)}")
    if sc.description:
        lines.append(f"#/\t{_cell(sc.description)}")
    for a in sc.actors:
        lines.append(f"#A\t{a.id}\t{_cell(a.name or a.id)}")
    for i in sc.issues:
        lines.append(f"#P\t{i.id}\t{_cell(i.name or i.id)}")
    for i in sc.issues:
        lo, hi = i.bounds
        lines.append(f"#M\t{i.id}\t{lo:g}\t{_cell(i.low)}")
        lines.append(f"#M\t{i.id}\t{hi:g}\t{_cell(i.high)}")
    top = float(sc.salience_scale)
    for a in sc.actors:
        for i in sc.issues:
            if i.id not in a.position:
                continue
            cap = a.capability
            power = cap.get(i.id, 0.0) if isinstance(cap, dict) else cap
            sal = a.salience.get(i.id, 0.0) / top
            lines.append(f"#D\t{a.id}\t{i.id}\t{a.position[i.id]!r}\t{sal!r}\t{power!r}")
    return "\n".join(lines) + "\n"


FORMAT = register(Format("decide", "Decide exchange-model file (#A/#P/#M/#D records)",
                         (".decide", ".txt"), _detect, read_decide, write_decide))
