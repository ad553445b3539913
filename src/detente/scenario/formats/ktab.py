"""The KTAB SMP CSV: KAPSARC's input table for the spatial model of politics.

Layout (``shared/anchors/ktab/README.md``)::

    <scenario name>, <description>, N, D
    Actor, Description, Influence, <dim 1> Position, <dim 1> Salience, ...
    <actor>, <description>, <capability>, <position 0-100>, <salience 0-100>, ...   (N rows)

Rows may end with a trailing comma or not; cells after D in the first row are ignored (as KTAB
does; ``dummyData_6Dim.csv`` has one); cells may be quoted and padded with spaces. Every
actor has a position and a salience on every dimension; an actor's saliences sum to at most
100 (KTAB's own reader rejects more). Positions are 0-100. The capability column may be called
Influence or Power (any header is accepted: the column's place is what counts).

What this reader does with choices the format leaves open:

- issue ids come from the position headers without a trailing " Position" ("Policy Position"
  -> "Policy"; "Pstn1" stays), with characters outside ``A-Z a-z 0-9 _ . - + space`` replaced
  by ``_``; actor ids likewise from the actor names, and the description becomes the name;
- a capability of 0 is read (KTAB's reader accepts it too); the SMP model then gives that
  actor no vote (see :mod:`detente.models.smp`), where KTAB would stop with
  "non-positive voting weight".

Problems are reported with their line: a header whose N or D does not match the rows, a row
with the wrong number of cells, a cell that is not a number, a position or salience outside
0-100, saliences summing over 100, a negative capability, duplicate actor names.

The writer writes scenarios whose issues are all on 0-100 and whose actors hold a position on
every issue with one capability; anything else is an error naming what does not fit.
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, register
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data

_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.\-+ ]")
SALIENCE_TOTAL = 100.0
_SUM_SLACK = 1e-6  # rounding slack when saliences are written with decimals


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their 1-based line numbers, cells stripped, trailing empties dropped."""
    out = []
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for n, cells in enumerate(csv.reader(io.StringIO(text), skipinitialspace=True), start=1):
        cells = [c.strip() for c in cells]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            out.append((n, cells))
    return out


def _int(cell: str) -> int | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value >= 1 else None


def _detect(text: str) -> bool:
    head = _rows("\n".join(text.lstrip("\ufeff").splitlines()[:2]))
    if len(head) < 2 or len(head[0][1]) < 4:
        return False
    first, second = head[0][1], head[1][1]
    return (_int(first[2]) is not None and _int(first[3]) is not None
            and second[0].lower() == "actor")


def _ident(name: str) -> str:
    return _BAD_ID_CHARS.sub("_", name.strip())[:64] or "_"


def _issue_id(header: str) -> str:
    name = re.sub(r"\s*position$", "", header.strip(), flags=re.IGNORECASE)
    return _ident(name or header)


def read_ktab(text: str, source: str) -> Scenario:
    """Read a KTAB SMP CSV into a scenario (saliences on 0-100, positions on 0-100)."""
    rows = _rows(text)
    if len(rows) < 2:
        raise ScenarioError([Problem("a KTAB SMP file needs a header row 'name, description, "
                                     "N, D' and a row of column headers", file=source)])
    problems: list[Problem] = []
    (l1, first), (l2, headers) = rows[0], rows[1]
    if len(first) < 4 or _int(first[2]) is None or _int(first[3]) is None:
        if first and first[0].strip().strip("'\"").lower() in ("actor", "actors", "name"):
            raise ScenarioError([Problem(  # a BDM table's header, not KTAB's first row
                "not a table detente knows: a BDM table's header is exactly Actor, "
                "Capability, Position, Salience, in that order (a KTAB file starts 'name, "
                f"description, N, D'); got {', '.join(first)!r}", line=l1, file=source)])
        raise ScenarioError([Problem(
            "the first row must be 'name, description, N, D' with N actors and D dimensions "
            f"as whole numbers; got {', '.join(first)!r}", line=l1, file=source)])
    n_actors, n_dims = _int(first[2]), _int(first[3])
    assert n_actors is not None and n_dims is not None
    width = 3 + 2 * n_dims
    if len(headers) != width:
        problems.append(Problem(
            f"the header row has {len(headers)} columns; D = {n_dims} in row 1 needs "
            f"{width} (Actor, Description, Influence, then position and salience per "
            "dimension)", line=l2, file=source))
        raise ScenarioError(problems)
    issue_ids = [_issue_id(headers[3 + 2 * k]) for k in range(n_dims)]
    seen: dict[str, int] = {}
    for k, iid in enumerate(issue_ids):
        if iid in seen:
            issue_ids[k] = f"{iid}_{k + 1}"
        seen[iid] = k
    actor_rows = rows[2:]
    if len(actor_rows) != n_actors:
        problems.append(Problem(f"row 1 says N = {n_actors} actors but the file has "
                                f"{len(actor_rows)} actor rows", line=l1, file=source))
    actors: list[dict[str, Any]] = []
    lines: dict[str, int] = {}
    names: dict[str, int] = {}
    for line, cells in actor_rows:
        if len(cells) != width:
            problems.append(Problem(f"{len(cells)} cells where D = {n_dims} needs {width} "
                                    "(name, description, capability, then position and "
                                    "salience per dimension)", line=line, file=source))
            continue
        values: list[float] = []
        ok = True
        for col in range(2, width):
            try:
                v = float(cells[col])
                if not math.isfinite(v):
                    raise ValueError
            except ValueError:
                problems.append(Problem(f"column {col + 1} ({headers[col]}): {cells[col]!r} "
                                        "is not a number", line=line, file=source))
                ok = False
                continue
            values.append(v)
        if not ok:
            continue
        cap, pos, sal = values[0], values[1::2], values[2::2]
        who = cells[0]
        if cap < 0:
            problems.append(Problem(f"actor {who!r}: capability {cap:g} is negative",
                                    line=line, file=source))
        for k, (x, s) in enumerate(zip(pos, sal, strict=True)):
            if not 0 <= x <= 100:
                problems.append(Problem(f"actor {who!r}: position {x:g} on {issue_ids[k]!r} "
                                        "is outside 0-100", line=line, file=source))
            if not 0 <= s <= 100:
                problems.append(Problem(f"actor {who!r}: salience {s:g} on {issue_ids[k]!r} "
                                        "is outside 0-100", line=line, file=source))
        if sum(sal) > SALIENCE_TOTAL + _SUM_SLACK:
            problems.append(Problem(f"actor {who!r}: saliences sum to {sum(sal):g}, over "
                                    f"{SALIENCE_TOTAL:g}", line=line, file=source))
        aid = _ident(who)
        if aid in names:
            problems.append(Problem(f"actor {who!r} appears twice (also on line "
                                    f"{names[aid]})", line=line, file=source))
            continue
        names[aid] = line
        lines[f"actors[{len(actors)}]"] = line
        actors.append({"id": aid, "name": cells[1], "capability": cap,
                       "position": dict(zip(issue_ids, pos, strict=True)),
                       "salience": dict(zip(issue_ids, sal, strict=True))})
    if problems:
        raise ScenarioError(problems)
    issues = [{"id": iid, "name": "" if iid == headers[3 + 2 * k] else headers[3 + 2 * k]}
              for k, iid in enumerate(issue_ids)]
    data = {"name": first[0], "description": first[1], "salience_scale": 100,
            "issues": issues, "actors": actors}
    return scenario_from_data(data, source, lines)


def write_ktab(sc: Scenario) -> str:
    """The scenario as a KTAB SMP CSV (0-100 issues, every actor on every issue)."""
    problems: list[Problem] = []
    for k, issue in enumerate(sc.issues):
        if issue.bounds != (0.0, 100.0):
            problems.append(Problem("KTAB CSV positions are 0-100; this issue has scale "
                                    f"{issue.bounds[0]:g}-{issue.bounds[1]:g}",
                                    f"issues[{k}].scale"))
    factor = 100.0 / sc.salience_scale
    body = []
    for a, actor in enumerate(sc.actors):
        missing = [i.id for i in sc.issues if i.id not in actor.position]
        if missing:
            problems.append(Problem(f"KTAB CSV needs a position on every issue; missing "
                                    f"{', '.join(missing)}", f"actors[{a}].position"))
            continue
        cap = actor.capability
        if isinstance(cap, dict):
            vals = set(cap.values())
            if len(vals) != 1:  # every problem of the actor is named, not the first only
                problems.append(Problem(f"KTAB CSV holds one capability per actor; "
                                        f"{actor.id} has one per issue",
                                        f"actors[{a}].capability"))
            cap = min(vals)
        sal = [actor.salience.get(i.id, 0.0) * factor for i in sc.issues]
        if sum(sal) > SALIENCE_TOTAL + _SUM_SLACK:
            problems.append(Problem(f"{actor.id}'s saliences sum to {sum(sal):g}, over 100, "
                                    "which KTAB rejects", f"actors[{a}].salience"))
        row = [actor.id, actor.name or actor.id, f"{cap:g}"]
        for i, issue in enumerate(sc.issues):
            row += [f"{actor.position[issue.id]:g}", f"{sal[i]:g}"]
        body.append(row)
    if problems:
        raise ScenarioError(problems)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([sc.name or "scenario", sc.description, len(sc.actors), len(sc.issues)])
    header = ["Actor", "Description", "Influence"]
    for issue in sc.issues:
        header += [f"{issue.id} Position", f"{issue.id} Salience"]
    w.writerow(header)
    w.writerows(body)
    return out.getvalue()


FORMAT = register(Format("ktab", "KTAB SMP CSV (KAPSARC spatial model of politics)",
                         (".csv",), _detect, read_ktab, write_ktab))
