"""Sweep specifications: a grid or random design over scenario parameters and model options.

A spec file (YAML)::

    scenario: ../northeast-asia-2004.yaml   # relative to the spec file
    models: [compromise, median]            # one axis of the design (or `model: challenge`)
    design: grid                            # grid (every combination) or random
    samples: 50                             # random design only: number of cells
    seed: 7                                 # seeds the random design and every cell's run
    draws: 1                                # Monte Carlo draws per cell (uncertainty block)
    trajectories: first                     # rows kept per cell: every draw's forecast and
                                            # draw 0's trajectory (`all`: every draw's)
    parameters:
      actors[KP].capability: [20, 35, 50]               # a list of values
      actors[CN].position.A: {low: 40, high: 70, steps: 4}   # grid: 40, 50, 60, 70
      issues[A].status_quo: {low: 0, high: 20}          # random: uniform; grid needs steps
    options:                                # model options, same value syntax
      rounds: [5, 10]

Parameter paths name a field of the scenario: ``actors[ID].capability``,
``actors[ID].position.ISSUE``, ``actors[ID].salience.ISSUE``, ``actors[ID].capability.ISSUE``,
``actors[ID].capabilities.NAME``, ``issues[ID].status_quo``, ``actors[ID].behaviour.KEY``,
``salience_scale`` ... ``[ID]`` picks the element of a list by its ``id`` (or by position when
it is a number). The path must name something the scenario already has; setting
``actors[ID].capability`` to a number when the actor has a per-issue capability sets every
issue. Option names are the model's option fields, plus ``rounds``, ``preset`` and
``capability`` (the coding).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from detente.errors import Problem, ScenarioError

_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]+)\]")
RUN_KEYS = ("rounds", "preset", "capability")
MAX_CELLS = 1_000_000  # cells of one sweep: a store row per cell and issue, at least


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    steps: int | None = Field(None, ge=1, le=10_000)

    @field_validator("steps")
    @classmethod
    def _two_ends(cls, v: int | None) -> int | None:
        if v == 1:  # np.linspace gives low alone: high was silently never run
            raise ValueError("1 gives low alone; give 2 or more (low and high "
                             "included), or a list of the one value")
        return v

    @field_validator("high")
    @classmethod
    def _order(cls, v: float, info: Any) -> float:
        lo = info.data.get("low")
        if lo is not None and v < lo:
            raise ValueError(f"high ({v:g}) is below low ({lo:g}): the range has negative width")
        return v


Values = list[Any] | Range


class SweepSpec(BaseModel):
    """A sweep: scenario, models, design and the parameters it varies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    model: str | None = None
    models: list[str] | None = None
    preset: str | None = None
    capability: str = "default"
    design: Literal["grid", "random"] = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000)
    seed: int = Field(0, ge=0)
    draws: int = Field(1, ge=1)
    trajectories: Literal["first", "all"] = Field(
        "first", description="rows stored per cell: every draw's forecast with the trajectory "
                             "of draw 0 (first) or of every draw (all); the store writes about "
                             "a million rows a second, one writer for all workers")
    parameters: dict[str, Values] = Field(default_factory=dict)
    options: dict[str, Values] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_way_to_name_models(self) -> SweepSpec:
        if self.model is not None and self.models is not None:
            raise ValueError("give either model: NAME or models: [NAMES], not both")
        return self

    def model_names(self) -> list[str]:
        if self.models is not None:
            return list(self.models)
        return [self.model or "compromise"]


@dataclass(frozen=True)
class Cell:
    """One point of the design: parameter values, model and options; ``key`` identifies it."""

    index: int
    key: str
    model: str
    params: dict[str, Any]
    options: dict[str, Any]


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def _digest(data: Any, n: int = 16) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()[:n]


def parse_path(path: str) -> list[str | int | tuple[str]]:
    """``actors[KP].position.A`` -> ["actors", ("KP",), "position", "A"]; ids in tuples."""
    out: list[str | int | tuple[str]] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or (pos == 0 and path.startswith(".")):
            raise ValueError(f"cannot read parameter path {path!r} at {path[pos:]!r}")
        name, ident = m.groups()
        if name is not None:
            out.append(name)
        else:
            out.append(int(ident) if ident.strip().isdigit() else (ident.strip(),))
        pos = m.end()
    if not out or not isinstance(out[0], str):
        raise ValueError(f"parameter path {path!r} must start with a field name")
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in scenario data (a dict from ``model_dump``); ValueError if unknown."""
    tokens = parse_path(path)
    node: Any = data
    for n, tok in enumerate(tokens):
        last = n == len(tokens) - 1
        where = path if last else f"{path} (at {tok!r})"
        if isinstance(tok, str):
            if not isinstance(node, dict) or tok not in node:
                have = ", ".join(sorted(node)) if isinstance(node, dict) else "nothing"
                raise ValueError(f"unknown parameter path {where}: no field {tok!r} "
                                 f"(there: {have})")
            if last:
                if isinstance(node[tok], dict) and not isinstance(value, dict):
                    node[tok] = {k: value for k in node[tok]}
                else:
                    node[tok] = value
                return
            node = node[tok]
        else:
            if not isinstance(node, list):
                raise ValueError(f"unknown parameter path {where}: not a list")
            if isinstance(tok, int):
                if not 0 <= tok < len(node):
                    raise ValueError(f"unknown parameter path {path}: index {tok} out of range")
                match = tok
            else:
                ids = [x.get("id") if isinstance(x, dict) else None for x in node]
                if tok[0] not in ids:
                    raise ValueError(f"unknown parameter path {path}: no element with id "
                                     f"{tok[0]!r} (ids: {', '.join(map(str, ids))})")
                match = ids.index(tok[0])
            if last:
                node[match] = value
                return
            node = node[match]


def _grid_values(v: Values) -> list[Any]:
    if isinstance(v, Range):
        if v.steps is None:
            raise ValueError("a grid range needs steps (or give a list)")
        return [float(x) for x in np.linspace(v.low, v.high, v.steps)]
    if not v:
        raise ValueError("empty list of values")
    return list(v)


def _axis(kind: str, key: str) -> str:
    return f"{'parameters' if kind == 'param' else 'options'}.{key}"


def expand(spec: SweepSpec) -> list[Cell]:
    """Every cell of the design, in a fixed order (the same on every run of the spec)."""
    problems: list[Problem] = []
    axes: list[tuple[str, str, Values]] = (
        [("param", k, v) for k, v in spec.parameters.items()]
        + [("option", k, v) for k, v in spec.options.items()])
    names = spec.model_names()
    if not names:
        problems.append(Problem("models: empty list", "models"))
    rows: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if spec.design == "grid":
        value_lists = []
        for kind, k, v in axes:
            try:
                value_lists.append(_grid_values(v))
            except ValueError as exc:
                problems.append(Problem(str(exc), _axis(kind, k)))
        if problems:
            raise ScenarioError(problems)
        size = len(names) * int(np.prod([len(v) for v in value_lists], dtype=float))
        if size > MAX_CELLS:
            raise ScenarioError([Problem(
                f"the grid has {size:,} cells ({len(names)} models x "
                + " x ".join(str(len(v)) for v in value_lists)
                + f"), more than {MAX_CELLS:,}; use fewer steps or values, or design: random "
                  "with samples: N", "parameters")])
        for model in names:
            for combo in itertools.product(*value_lists):
                p = {k: x for (kind, k, _), x in zip(axes, combo, strict=True) if kind == "param"}
                o = {k: x for (kind, k, _), x in zip(axes, combo, strict=True) if kind == "option"}
                rows.append((model, p, o))
    else:
        if spec.samples is None:
            raise ScenarioError([Problem("a random design needs samples: N", "samples")])
        for kind, k, v in axes:
            if isinstance(v, list) and not v:
                problems.append(Problem("empty list of values", _axis(kind, k)))
            if isinstance(v, Range) and v.steps is not None:  # was ignored without a word
                problems.append(Problem("steps apply to a grid design; a random design draws "
                                        "any value between low and high (drop steps, or "
                                        "use design: grid)", _axis(kind, k)))
        if problems:
            raise ScenarioError(problems)
        rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 0x5EED]))
        for _ in range(spec.samples):
            model = names[int(rng.integers(len(names)))]
            p, o = {}, {}
            for kind, k, v in axes:
                x = (float(rng.uniform(v.low, v.high)) if isinstance(v, Range)
                     else v[int(rng.integers(len(v)))])
                (p if kind == "param" else o)[k] = x
            rows.append((model, p, o))
    if not rows:
        raise ScenarioError([Problem("the design has no cells", "parameters")])
    return [Cell(i, _digest({"model": m, "params": p, "options": o, "index": i}), m, p, o)
            for i, (m, p, o) in enumerate(rows)]


class ParameterPathError(ValueError):
    """A parameter path of a sweep that names nothing in the scenario; ``key`` is the path as
    the spec writes it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def cell_scenario_data(base: dict[str, Any], cell: Cell) -> dict[str, Any]:
    """The scenario data of one cell: the base scenario with the cell's parameters set
    (:class:`ParameterPathError` for a path that names nothing)."""
    data = copy.deepcopy(base)
    for path, value in cell.params.items():
        try:
            set_path(data, path, value)
        except ValueError as exc:
            raise ParameterPathError(path, str(exc)) from None
    return data


def by_id(data: dict[str, Any], path: str) -> str:
    """``path`` in scenario ``data`` with list positions written as the elements' ids, as a
    spec names them: ``actors[5].capability.A`` -> ``actors[KP].capability.A`` (unchanged
    where it cannot be read)."""
    try:
        tokens = parse_path(path)
    except ValueError:
        return path
    out, node = "", data
    for tok in tokens:
        if isinstance(tok, str):
            out += f".{tok}" if out else tok
            node = node.get(tok) if isinstance(node, dict) else None
            continue
        element = None
        if isinstance(node, list):
            ids = [x.get("id") if isinstance(x, dict) else None for x in node]
            index = tok if isinstance(tok, int) else (ids.index(tok[0]) if tok[0] in ids
                                                      else None)
            if index is not None and 0 <= index < len(node):
                element = node[index]
                tok = (ids[index],) if ids[index] is not None else index
        out += f"[{tok[0] if isinstance(tok, tuple) else tok}]"
        node = element
    return out


def parameter_at(data: dict[str, Any], path: str, keys: list[str]) -> str | None:
    """Which of a cell's parameter ``keys`` a scenario problem at ``path`` (in the cell's
    scenario ``data``) lies in or above, or None: ``actors[5].capability.A`` lies in
    ``actors[KP].capability``."""
    target = by_id(data, path)

    def within(inner: str, outer: str) -> bool:
        return inner == outer or inner.startswith((outer + ".", outer + "["))

    for key in keys:
        named = by_id(data, key)
        if within(target, named) or (target and within(named, target)):
            return key
    return None


def cell_seed(spec: SweepSpec, cell: Cell) -> int:
    """The seed of one cell's run: from the spec's seed and the cell's key, not its worker."""
    seq = np.random.SeedSequence([spec.seed & 0xFFFFFFFF, int(cell.key, 16)])
    return int(seq.generate_state(1, dtype=np.uint64)[0] >> 1)


def sweep_id(spec: SweepSpec, scenario_hash: str) -> str:
    return _digest({"spec": spec.model_dump(mode="json"), "scenario": scenario_hash})


def read_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec file, with every problem located by field and line."""
    return read_spec_and_lines(path)[0]


def read_spec_and_lines(path: str | Path) -> tuple[SweepSpec, dict[str, int]]:
    """:func:`read_spec`, and the line of each field of the file
    (``parameters.actors[KP].capability``: 9), to locate problems found once the design is
    expanded."""
    from detente.scenario.formats.yaml_format import parse_yaml
    from detente.scenario.io import read_text
    from detente.scenario.validate import field_path, line_of

    source = str(path)
    data, lines = parse_yaml(read_text(path, "a sweep spec"), source)
    if not isinstance(data, dict):
        raise ScenarioError([Problem("a sweep spec must be a mapping", file=source)])
    try:
        return SweepSpec.model_validate(data), lines
    except ValidationError as exc:
        problems: dict[tuple[str, str], Problem] = {}
        for e in exc.errors():
            if e["loc"][:1] in (("parameters",), ("options",)) and len(e["loc"]) > 1:
                located = _value_error(data, e)
                if located is None:
                    continue
                where, msg = located
            else:
                where, msg = field_path(e["loc"]), e["msg"].removeprefix("Value error, ")
            problems.setdefault((where, msg), Problem(msg, where, line_of(lines, where), source))
        raise ScenarioError(list(problems.values())) from None


def _value_error(data: dict[str, Any], err: Any) -> tuple[str, str] | None:
    """Where and what an error in a ``parameters`` or ``options`` value is, in the user's
    terms: pydantic tries both forms of a value (a list, a range) and reports each; keep the
    form the user wrote, name the key as written (``actors[UK].capability``), and say what is
    expected when the value is neither. None for the report of the form not written."""
    loc = err["loc"]
    raw = (data.get(loc[0]) or {}).get(loc[1])
    base = f"{loc[0]}.{loc[1]}"
    if not isinstance(raw, dict | list):
        return base, ("expected a list of values or a range {low: ..., high: ..., steps: ...}, "
                      f"not {type(raw).__name__} {raw!r}")
    branch = str(loc[2]) if len(loc) > 2 else ""
    if branch.startswith("list") != isinstance(raw, list):
        return None
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[3:])
    return base + rest, err["msg"].removeprefix("Value error, ")
