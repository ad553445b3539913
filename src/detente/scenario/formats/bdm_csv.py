"""The one-issue BDM table: ``Actor,Capability,Position,Salience``, one row per actor.

This is the layout of the public replications of Bueno de Mesquita's expected-utility model
(Scholz et al. 2011 Table 1 as ``ExampleActors.csv``). Header names vary between sources and are
matched without regard to case: the actor column may be called ``Actor``, ``Name`` or
``Stakeholder``; the capability column ``Capability``, ``Resources``, ``Power`` or ``Influence``.
Line endings may be LF, CRLF or CR only (old Mac files); cells may be quoted.

Choices the table leaves open, and what this reader does:

- **Salience scale.** The table does not say whether saliences are 0-1 or 0-100. If any
  salience is above 1 the file is read as 0-100, otherwise as 0-1; the choice is declared in
  the scenario's ``salience_scale``. (A 0-100 file whose saliences are all 0 or 1 would read as
  0-1; the weights, and so every forecast, are the same either way up to a common factor.)
  A table whose saliences are mostly fractions of 1 with a few above 1 (0.8, 0.4, 80) mixes
  the scales and is refused, naming the lines above 1: read as 0-100 it would weigh the
  fractions as almost nothing.
- **Issue scale.** The table has no scale. Positions are kept as written, on the issue's own
  scale, and the issue's ``scale`` is chosen so the models see the positions well spread on
  their internal 0-100 axis: ``[0, 1]`` when every position lies in 0-1; no scale (0-100) when
  every position lies in 0-100 and they span at least half of it (an analyst's 0-100 coding);
  otherwise ``[min position, max position]`` (the emission case: years 4-10; the Sultan case:
  oil prices 12.85-14.25). The BDM/challenge family is affine-invariant, so this changes only
  how numbers print, never what they are; models that are not (KTAB SMP) see the same
  numbers as they would from the shipped YAML of the emission case. Forecasts print on the
  issue's own scale (years for the emission case).
- **Actor ids.** Actor names are kept as names; ids are the names with characters outside
  ``A-Z a-z 0-9 _ . - + space`` replaced by ``_`` (``Community Gov't`` -> ``Community Gov_t``).
  Two rows with the same name are an error, not silently renamed.

The writer writes one-issue scenarios only: positions on the issue's own scale, saliences on
the scenario's declared scale, each actor's capability for that issue. Actors not involved in
the issue are left out (the table cannot say "not involved").
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import PurePath

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, register
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data

ISSUE_ID = "issue"
HEADER = ("Actor", "Capability", "Position", "Salience")
ALIASES = {
    "actor": ("actor", "name", "stakeholder"),
    "capability": ("capability", "resources", "power", "influence"),
    "position": ("position",),
    "salience": ("salience",),
}
_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.\-+ ]")


def _normalise(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _first_line(text: str) -> tuple[int, str]:
    for n, line in enumerate(_normalise(text).split("\n"), start=1):
        if line.strip():
            return n, line
    return 0, ""


def _header_roles(cells: list[str]) -> list[str] | None:
    """The role of each header cell, or None unless the four roles appear in order."""
    roles = []
    for cell, role in zip(cells, ALIASES, strict=False):
        if cell.strip().strip("'\"").lower() not in ALIASES[role]:
            return None
        roles.append(role)
    return roles if len(cells) == 4 else None


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _found_delimiter(header: str) -> str | None:
    """The delimiter a BDM header line is written with, whatever it is."""
    for delimiter in _DELIMITERS:
        if _header_roles(_split(header, delimiter)) is not None:
            return delimiter
    return None


def detect(text: str) -> bool:
    """A BDM table: the first non-blank line is the four-column header (any delimiter).

    Headers written with the wrong delimiter are claimed too, so that the reader can say what
    is wrong instead of the file being reported as of unknown format.
    """
    _, header = _first_line(text[:4096])
    return _found_delimiter(header) is not None


def _number(cell: str, line: int, column: str, source: str,
            problems: list[Problem]) -> float | None:
    try:
        value = float(cell.strip())
    except ValueError:
        problems.append(Problem(f"column {column}: {cell.strip()!r} is not a number",
                                line=line, file=source))
        return None
    if not math.isfinite(value):
        problems.append(Problem(f"column {column}: {cell.strip()!r} is not a finite number",
                                line=line, file=source))
        return None
    return value


def _issue_scale(positions: list[float]) -> dict[str, float] | None:
    """The issue's scale for these positions (the rule is in the module docstring)."""
    lo, hi = min(positions), max(positions)
    if lo >= 0 and hi <= 1:
        return {"min": 0.0, "max": 1.0}
    if lo >= 0 and hi <= 100 and hi - lo >= 50:
        return None
    if hi == lo:
        return {"min": lo - 1, "max": hi + 1}
    return {"min": lo, "max": hi}


def actor_id(name: str) -> str:
    """A valid actor id for a display name (characters the id pattern refuses become ``_``)."""
    return _BAD_ID_CHARS.sub("_", name.strip())[:64] or "_"


def read_bdm(text: str, source: str) -> Scenario:
    """Read a BDM table into a one-issue scenario; every problem is reported at once."""
    text = _normalise(text)
    header_line, header = _first_line(text)
    if not header:
        raise ScenarioError([Problem("the file is empty", file=source)])
    found = _found_delimiter(header)
    if found is None:
        raise ScenarioError([Problem(
            f"expected the header {','.join(HEADER)}, found {header.strip()!r}",
            line=header_line, file=source)])
    if found != ",":
        raise ScenarioError([Problem(
            f"expected comma-separated columns ({','.join(HEADER)}), found {_DELIMITERS[found]}"
            f"; save the table as CSV with commas", line=header_line, file=source)])

    problems: list[Problem] = []
    rows: list[tuple[int, str, float, float, float]] = []
    first_seen: dict[str, int] = {}
    lines = text.split("\n")
    for n in range(header_line + 1, len(lines) + 1):
        line = lines[n - 1]
        if not line.strip():
            continue
        cells = _split(line, ",")
        if len(cells) != 4:
            hint = next((f"; the line has {_DELIMITERS[d]}, not commas"
                         for d in (";", "\t") if d in line and len(cells) < 4), "")
            problems.append(Problem(f"expected 4 cells (Actor,Capability,Position,Salience), "
                                    f"found {len(cells)}{hint}", line=n, file=source))
            continue
        name = cells[0].strip()
        if not name:
            problems.append(Problem("column Actor: the actor name is empty", line=n,
                                    file=source))
            continue
        ident = actor_id(name)
        if ident in first_seen:
            problems.append(Problem(f"column Actor: actor {name!r} appears again (first on "
                                    f"line {first_seen[ident]}); actor names must be unique: "
                                    f"if they are different actors, rename one (e.g. "
                                    f"'{name} 2')", line=n, file=source))
            continue
        first_seen[ident] = n
        cap, pos, sal = (_number(c, n, col, source, problems)
                         for c, col in zip(cells[1:], HEADER[1:], strict=True))
        if cap is not None and cap < 0:
            problems.append(Problem(f"column Capability: {cap:g} is negative; capabilities "
                                    f"must be 0 or more", line=n, file=source))
        if sal is not None and not 0 <= sal <= 100:
            problems.append(Problem(f"column Salience: {sal:g} is outside 0-1 and 0-100",
                                    line=n, file=source))
        if None not in (cap, pos, sal):
            rows.append((n, name, cap, pos, sal))  # type: ignore[arg-type]
    if not rows and not problems:
        problems.append(Problem("the table has a header but no actors", line=header_line,
                                file=source))
    if problems:
        raise ScenarioError(problems)

    top = 100 if max(r[4] for r in rows) > 1 else 1
    above = [r for r in rows if r[4] > 1]
    fractions = [r for r in rows if 0 < r[4] < 1]
    if above and len(fractions) > len(rows) / 2:  # most read as 0-1, a few as 0-100
        raise ScenarioError([Problem(
            f"column Salience: {r[4]:g} is above 1 while most saliences are fractions of 1 "
            "(0-1); write every salience on one scale", line=r[0], file=source)
            for r in above])
    issue: dict[str, object] = {"id": ISSUE_ID}
    scale = _issue_scale([r[3] for r in rows])
    if scale is not None:
        issue["scale"] = scale
    actors = []
    lines_by_path: dict[str, int] = {}
    for k, (n, name, cap, pos, sal) in enumerate(rows):
        ident = actor_id(name)
        actors.append({"id": ident, "name": name if ident != name else "", "capability": cap,
                       "position": {ISSUE_ID: pos}, "salience": {ISSUE_ID: sal}})
        for field in ("", ".id", ".capability", f".position.{ISSUE_ID}",
                      f".salience.{ISSUE_ID}"):
            lines_by_path[f"actors[{k}]{field}"] = n
    # the table has no title: the file's name stands in (tables and reports were headed by
    # the whole path)
    data = {"name": PurePath(source).stem, "salience_scale": top, "issues": [issue],
            "actors": actors}
    return scenario_from_data(data, source, lines_by_path)


def _fmt(x: float) -> str:
    return f"{x:.15g}"


def write_bdm(sc: Scenario) -> str:
    """Write a one-issue scenario as a BDM table (commas, LF line endings)."""
    if len(sc.issues) != 1:
        raise ScenarioError([Problem(
            f"the BDM table holds one issue; this scenario has {len(sc.issues)} "
            f"({', '.join(i.id for i in sc.issues)}); write YAML or another format instead",
            path="issues")])
    issue_id = sc.issues[0].id
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for actor in sc.actors:
        if issue_id not in actor.position:
            continue
        cap = actor.capability
        cap_value = cap.get(issue_id, 0.0) if isinstance(cap, dict) else cap
        writer.writerow([actor.name or actor.id, _fmt(cap_value),
                         _fmt(actor.position[issue_id]), _fmt(actor.salience[issue_id])])
    return out.getvalue()


FORMAT = register(Format("bdm_csv", "one-issue BDM table (Actor,Capability,Position,Salience)",
                         (".csv",), detect, read_bdm, write_bdm))
