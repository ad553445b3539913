"""Capability codings from a user's table: ``--capability votes.csv`` or ``votes.csv:column``.

Why. Backtests and forecasts compare capability codings (equal, a data set's own such as the
DEU GDP row); a user often has another one (Council votes, CINC scores, budget shares) in a
spreadsheet. A table with one column naming the actors (``actor`` or ``id``: the scenario's
actor ids, or their names) and one or more numeric columns becomes a named coding of the
scenario, exactly as if each actor had it under ``capabilities``. ``FILE:COLUMN`` picks the
column; with one value column it may be left out. Comma-, semicolon- or tab-separated.

Every problem is reported with the file and line: a missing or duplicate actor column, an actor
the scenario lacks, a value that is not a non-negative number. A table must give a value to
every actor with a position on some issue: one it left out would keep its coded capability,
in other units than the table's (GDP beside a 0-100 judgement), and silently change every
forecast; the error names the actors (0 is a valid value for an actor without weight).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from detente.errors import OptionError, Problem, ScenarioError
from detente.scenario.model import Scenario, capability_problem

ACTOR_COLUMNS = ("actor", "id")
SUFFIXES = (".csv", ".tsv", ".txt")


def is_table_spec(capability: str) -> bool:
    """Whether ``--capability`` names a table (a path ending in a table suffix, with or
    without ``:COLUMN``) rather than a coding."""
    return str(_split_spec(capability)[0]).lower().endswith(SUFFIXES)


def _split_spec(spec: str) -> tuple[Path, str | None]:
    if ":" in spec and spec.rsplit(":", 1)[0].lower().endswith(SUFFIXES):
        path, column = spec.rsplit(":", 1)
        return Path(path), column
    return Path(spec), None


def read_capability_table(spec: str) -> tuple[str, dict[str, float], dict[str, int]]:
    """The coding name (its column), each actor's value and the line it came from."""
    path, column = _split_spec(spec)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise OptionError(f"capability table {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionError(f"cannot read capability table {path}: {exc}") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ScenarioError([Problem("the capability table is empty; it needs a header such "
                                     "as 'actor,votes'", file=str(path), line=1)])
    delimiter = max(("\t", ";", ","), key=lines[0].count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    actor_cols = [k for k, h in enumerate(header) if h.lower() in ACTOR_COLUMNS]
    if len(actor_cols) != 1:
        raise ScenarioError([Problem(
            f"the header needs exactly one actor column ('actor' or 'id'); it has "
            f"{', '.join(repr(h) for h in header)}", file=str(path), line=1)])
    a_col = actor_cols[0]
    values = [h for k, h in enumerate(header) if k != a_col and h]
    if column is None:
        if len(values) != 1:
            raise OptionError(f"capability table {path} has {len(values)} value columns "
                              f"({', '.join(values) or 'none'}); name one as "
                              f"{path}:COLUMN")
        column = values[0]
    if column not in header or header.index(column) == a_col:
        raise OptionError(f"capability table {path} has no column {column!r}; its columns: "
                          f"{', '.join(values)}")
    if column in ("default", "equal"):
        raise OptionError(f"capability table {path}: a column named {column!r} would hide the "
                          f"built-in coding of that name; rename it")
    v_col = header.index(column)
    found: dict[str, float] = {}
    lines_of: dict[str, int] = {}
    problems: list[Problem] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(f"{len(row)} fields, the header has {len(header)}",
                                    file=str(path), line=n))
            continue
        actor, cell = row[a_col].strip(), row[v_col].strip()
        try:
            value = float(cell)
        except ValueError:
            value = float("nan")
        out_of_range = capability_problem(value) if value >= 0 else None
        if not value >= 0 or value == float("inf"):
            problems.append(Problem(f"{column} of {actor!r} is {cell!r}; capabilities are "
                                    "non-negative numbers", file=str(path), line=n))
        elif out_of_range is not None:
            problems.append(Problem(f"{column} of {actor!r}: {out_of_range}",
                                    file=str(path), line=n))
        elif actor in found:
            problems.append(Problem(f"actor {actor!r} appears twice (also line "
                                    f"{lines_of[actor]})", file=str(path), line=n))
        else:
            found[actor], lines_of[actor] = value, n
    if problems:
        raise ScenarioError(problems)
    return column, found, lines_of


def with_capability_table(sc: Scenario, spec: str) -> tuple[Scenario, str]:
    """``sc`` with the table's column added to every listed actor's ``capabilities``, and the
    coding's name to pass as ``capability``."""
    coding, values, lines_of = read_capability_table(spec)
    path = str(_split_spec(spec)[0])
    by_key = {a.id: a.id for a in sc.actors} | {a.name: a.id for a in sc.actors if a.name}
    unknown = [Problem(f"actor {name!r} is not in the scenario (its actors: "
                       f"{', '.join(a.id for a in sc.actors)})", file=path, line=lines_of[name])
               for name in values if name not in by_key]
    if unknown:
        raise ScenarioError(unknown)
    value_of = {by_key[name]: v for name, v in values.items()}
    lacking = [a.id for a in sc.actors if a.position and a.id not in value_of]
    if lacking:
        raise OptionError(
            f"capability table {path} (column {coding!r}) has no value for actor(s) "
            f"{', '.join(lacking)}: give every actor with a position a value (0 for none); "
            "otherwise they would keep their coded capabilities, in other units")
    actors = [a.model_copy(update={"capabilities": a.capabilities | {coding: value_of[a.id]}})
              if a.id in value_of else a for a in sc.actors]
    return sc.model_copy(update={"actors": actors}), coding


def resolve_capability(sc: Scenario, capability: str) -> tuple[Scenario, str]:
    """What ``--capability`` asks for: a coding name is passed through unchanged; a table
    (see the module docstring) is added to the scenario as a named coding."""
    if is_table_spec(capability):
        return with_capability_table(sc, capability)
    return sc, capability
