"""The DEU data set layout: one row per issue of EU legislation, with its known outcome.

The layout of "Decision-making in the European Union" (DEU I-III; Thomson et al. 2006, 2011;
Arregui & Perarnaud 2022) as distributed for forecasting work: a header row, an optional row of
GDP per actor, then one row per issue. Columns ``p<actor>``/``s<actor>`` hold the position and
salience (both 0-100) of each actor (``com`` the Commission, ``ep`` the Parliament, then the
member states), ``rp`` the reference point (the outcome if no law is adopted) and ``out`` the
actual outcome. Identification columns (``isnr``, ``prnr``, ``prname``, ``proc`` ...) precede them.
Cells may be quoted; the delimiter is a tab (the public file), a comma or a semicolon.

A DEU file is read as ONE scenario whose issues are the rows:

- issue id: ``isnr`` (e.g. ``d00032i1``), or ``row<line>`` when the file has no ``isnr``
  column; name: the proposal name (``prname``) and number; positions on 0-100.
- actors: one per ``p<actor>``/``s<actor>`` column pair, in column order.
- an actor is involved in an issue only when both its position and its salience are given;
  a position without a salience, or a salience without a position (the public file has
  salience 0 for absent actors), means "not involved".
- ``reference_point`` = ``rp`` and ``outcome`` = ``out`` where given (blank: unknown).
  Outcomes outside 0-100 are kept as written (codes some versions use for "no decision");
  the backtest leaves them out.
- capability: 1 for everyone (the default); the GDP row, when present, becomes the named
  coding ``gdp`` (``--capability gdp``). The GDP row is recognised as a row with no issue id
  and numbers in the position columns.

The rows are unrelated decisions, so the scenario says ``separate_cases``: models that link
issues (exchange, smp) and ``detente backtest`` run each issue as its own case.
"""

from __future__ import annotations

import csv
import io
import math
import re

from detente.errors import Problem, ScenarioError
from detente.scenario.formats import Format, register
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data

ID_COLUMNS = ("isnr", "prnr", "prname")
GDP_CODING = "gdp"
ACTOR_NAMES = {
    "com": "European Commission", "ep": "European Parliament", "at": "Austria",
    "be": "Belgium", "bu": "Bulgaria", "cr": "Croatia", "cy": "Cyprus",
    "cz": "Czech Republic", "dk": "Denmark", "ee": "Estonia", "fi": "Finland",
    "fr": "France", "de": "Germany", "el": "Greece", "hu": "Hungary", "ie": "Ireland",
    "it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg", "mt": "Malta",
    "nl": "Netherlands", "pl": "Poland", "pt": "Portugal", "ro": "Romania",
    "si": "Slovenia", "sk": "Slovakia", "es": "Spain", "se": "Sweden",
    "uk": "United Kingdom",
}
_ORGANISATIONS = {"com", "ep"}
_ID_OK = re.compile(r"^[A-Za-z0-9_.\-+ ]+$")


def _unquote(cell: str) -> str:
    return cell.strip().strip('"').strip("'").strip()


def _delimiter(header: str) -> str:
    return max(("\t", ",", ";"), key=header.count)


def _header(text: str) -> tuple[str, list[str]]:
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(first)
    return delimiter, [_unquote(c).lower() for c in first.split(delimiter)]


def _actor_columns(columns: list[str], prefix: str = "p") -> list[str]:
    """Actor codes (1-4 characters) of the ``p<code>`` (or ``s<code>``) columns, in order."""
    taken = set(ID_COLUMNS) | {"proc", "proccde", "prnrnmc", "prname"}
    return [c[1:] for c in columns
            if c.startswith(prefix) and 2 <= len(c) <= 5 and c not in taken]


def detect(text: str) -> bool:
    """A DEU table: a header with ``rp`` and ``out`` columns and ``p``/``s`` actor pairs."""
    _, columns = _header(text[:8192])
    names = set(columns)
    pairs = [a for a in _actor_columns(columns) if f"s{a}" in names]
    return "out" in names and "rp" in names and len(pairs) >= 2


def _cell_number(cell: str, line: int, column: str, source: str,
                 problems: list[Problem]) -> float | None:
    """A number, None for a blank cell; a problem for anything else."""
    value = _unquote(cell)
    if not value:
        return None
    try:
        x = float(value.replace(",", ".")) if value.count(",") == 1 else float(value)
    except ValueError:
        problems.append(Problem(f"column {column}: {value!r} is not a number", line=line,
                                file=source))
        return None
    if not math.isfinite(x):
        problems.append(Problem(f"column {column}: {value!r} is not a finite number",
                                line=line, file=source))
        return None
    return x


def read_deu(text: str, source: str) -> Scenario:
    """Read a DEU table into one scenario whose issues are its rows."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=source)])
    delimiter, columns = _header(text)
    problems: list[Problem] = []
    col = {name: k for k, name in enumerate(columns)}
    for required in ("rp", "out"):
        if required not in col:
            problems.append(Problem(f"the header has no {required!r} column", line=1,
                                    file=source))
    codes = _actor_columns(columns)
    for code in codes:
        if f"s{code}" not in col:
            problems.append(Problem(f"column p{code} has no matching salience column s{code}",
                                    line=1, file=source))
    for code in _actor_columns(columns, "s"):
        if f"p{code}" not in col:
            problems.append(Problem(f"column s{code} has no matching position column "
                                    f"p{code}", line=1, file=source))
    for code in codes:
        if not _ID_OK.match(code):
            problems.append(Problem(f"column p{code}: {code!r} is not a usable actor code",
                                    line=1, file=source))
    if problems:
        raise ScenarioError(problems)
    codes = [c for c in codes if f"s{c}" in col]

    gdp: dict[str, float] = {}
    issues: list[dict[str, object]] = []
    positions: dict[str, dict[str, float]] = {c: {} for c in codes}
    saliences: dict[str, dict[str, float]] = {c: {} for c in codes}
    lines_by_path: dict[str, int] = {}
    first_line: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    for row in reader:
        n = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(columns):
            problems.append(Problem(f"expected {len(columns)} cells as in the header, found "
                                    f"{len(row)}", line=n, file=source))
            continue

        def number(name: str, row: list[str] = row, n: int = n) -> float | None:
            return _cell_number(row[col[name]], n, name, source, problems)

        issue_id = _unquote(row[col["isnr"]]) if "isnr" in col else f"row{n}"
        if not issues and not gdp and _is_gdp_row(row, col, codes):
            gdp = {c: x for c in codes if (x := number(f"p{c}")) is not None}
            for code, x in gdp.items():
                if x < 0:
                    problems.append(Problem(f"column p{code}: GDP {x:g} is negative", line=n,
                                            file=source))
            continue
        if not issue_id:
            problems.append(Problem("column isnr: the issue id is empty", line=n, file=source))
            continue
        if issue_id in first_line:
            problems.append(Problem(f"column isnr: issue {issue_id!r} appears again (first on "
                                    f"line {first_line[issue_id]})", line=n, file=source))
            continue
        first_line[issue_id] = n
        k = len(issues)
        issue: dict[str, object] = {"id": issue_id, "name": _issue_name(row, col)}
        for name, field in (("rp", "reference_point"), ("out", "outcome")):
            x = number(name)
            if x is None:
                continue
            if field == "outcome":
                issue[field] = {"value": x, "source": "DEU data set, column out"}
            elif 0 <= x <= 100:
                issue[field] = x
            else:
                problems.append(Problem(f"column rp: reference point {x:g} is outside 0-100",
                                        line=n, file=source))
        issues.append(issue)
        lines_by_path[f"issues[{k}]"] = n
        for code in codes:
            p, s = number(f"p{code}"), number(f"s{code}")
            for x, what in ((p, "position"), (s, "salience")):
                if x is not None and not 0 <= x <= 100:
                    problems.append(Problem(f"column {what[0]}{code}: {what} {x:g} is "
                                            f"outside 0-100", line=n, file=source))
            if p is not None and s is not None and 0 <= p <= 100 and 0 <= s <= 100:
                positions[code][issue_id] = p
                saliences[code][issue_id] = s
    if not issues and not problems:
        problems.append(Problem("the file has a header but no issue rows", line=1,
                                file=source))
    if problems:
        raise ScenarioError(problems)

    actors = []
    for a, code in enumerate(codes):
        actor: dict[str, object] = {
            "id": code, "name": ACTOR_NAMES.get(code, ""),
            "kind": "organisation" if code in _ORGANISATIONS else "state",
            "position": positions[code], "salience": saliences[code]}
        if code in gdp:
            actor["capabilities"] = {GDP_CODING: gdp[code]}
        actors.append(actor)
        for issue_id in positions[code]:
            lines_by_path[f"actors[{a}].position.{issue_id}"] = first_line[issue_id]
            lines_by_path[f"actors[{a}].salience.{issue_id}"] = first_line[issue_id]
    data = {"name": "DEU issues", "salience_scale": 100, "separate_cases": True,
            "issues": issues, "actors": actors}
    return scenario_from_data(data, source, lines_by_path)


def _is_gdp_row(row: list[str], col: dict[str, int], codes: list[str]) -> bool:
    """The GDP row: no issue id, no salience, outcome or reference point; positions given."""
    blank = [f"s{c}" for c in codes] + ["rp", "out"] + (["isnr"] if "isnr" in col else [])
    return all(not _unquote(row[col[name]]) for name in blank) and any(
        _unquote(row[col[f"p{c}"]]) for c in codes)


def _issue_name(row: list[str], col: dict[str, int]) -> str:
    parts = [_unquote(row[col[c]]) for c in ("prname", "prnr") if c in col]
    name, number = [*parts, "", ""][:2]
    return f"{name} ({number})" if name and number else name or number


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.15g}"


def write_deu(sc: Scenario) -> str:
    """Write a scenario in the DEU layout: tab-separated, GDP row if any actor has one.

    Every issue must be on the 0-100 scale (the DEU layout has no other); saliences are
    written 0-100.
    """
    problems = [Problem(f"the DEU layout is 0-100; issue {i.id!r} has the scale "
                        f"{i.scale.min:g}-{i.scale.max:g}", path=f"issues[{k}].scale")
                for k, i in enumerate(sc.issues)
                if i.scale is not None and (i.scale.min, i.scale.max) != (0, 100)]
    if problems:
        raise ScenarioError(problems)
    factor = 100.0 / sc.salience_scale
    codes = [a.id for a in sc.actors]
    header = ["isnr", "prname", *(f"p{c}" for c in codes), *(f"s{c}" for c in codes),
              "rp", "out"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    if any(GDP_CODING in a.capabilities for a in sc.actors):
        gdp = [a.capabilities.get(GDP_CODING) for a in sc.actors]
        writer.writerow(["", "", *(_fmt(g) if not isinstance(g, dict) else "" for g in gdp),
                         *([""] * len(codes)), "", ""])
    for issue in sc.issues:
        pos = [_fmt(a.position.get(issue.id)) for a in sc.actors]
        sal = [_fmt(a.salience[issue.id] * factor) if issue.id in a.position else ""
               for a in sc.actors]
        writer.writerow([issue.id, issue.name, *pos, *sal, _fmt(issue.reference_point),
                         _fmt(issue.outcome.value if issue.outcome else None)])
    return out.getvalue()


FORMAT = register(Format("deu", "DEU data set: one row per EU issue with its outcome",
                         (".tsv",), detect, read_deu, write_deu))
