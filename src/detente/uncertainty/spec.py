"""The ``uncertainty`` block of a scenario: which inputs are uncertain and how.

Written in YAML as::

    uncertainty:
      default:                      # applies to every cell of these fields
        position: "±5"              # ± 5 points on each issue's own scale, uniform
        salience: {dist: normal, sd: 10}
        capability: "±20%"          # ± 20 % of each actor's capability, uniform
      cells:                        # overrides for single cells (they replace the default)
        - {actor: KP, field: capability, dist: uniform, low: 20, high: 50}
        - {actor: CN, issue: A, field: position, dist: triangular, low: 40, high: 70}
        - {actor: JP, issue: [B, D], field: position, "±": 15}
        - {issue: A, field: status_quo, dist: normal, sd: 5}

A distribution is either a short string, ``"±k"`` (also ``"+-k"``, ``"k%"`` forms:
``"±10%"`` is ± 10 % of the coded value), meaning *uniform on coded value ± k*, or a mapping
with ``dist`` one of:

``uniform``      ``low``/``high`` (absolute) or ``±`` / ``width`` (half-width around the value)
``pm``           same as ``"±k"``: ``±`` (alias ``width``) points, or ``percent``
``normal``       ``sd`` (mean = coded value unless ``mean`` given); values outside the bounds
                 are clipped to them
``truncnormal``  ``sd`` (and ``mean``), truncated to ``low``/``high`` (default: the bounds),
                 so there is no mass piled up at the bounds
``triangular``   ``low``, ``high`` and ``mode`` (default: the coded value), or ``±``

Units: positions on the issue's own scale (years for the emission case), saliences on the
file's ``salience_scale``, capabilities in the file's own units, status quo on the issue's
scale. Bounds always hold: positions and status quo stay within the issue's scale, saliences
within 0..salience_scale, capabilities >= 0 (``normal`` clips, the others are built inside).

Fields: ``position``, ``salience`` (per actor and issue), ``capability`` (per actor; without
``issue`` one draw is shared by all the actor's issues, i.e. its capability as a whole is
uncertain), ``status_quo`` (per issue), and the behavioural parameters of the dynamic
simulation, one draw per actor (``actors[].behaviour``): ``reservation``,
``initial_aspiration``, ``agility``, ``overstretch``, ``support`` (0-1) and ``beta`` (> 0;
the coded value is the strategy's default unless the file sets one). A cell without ``actor``
applies to every actor, without ``issue`` to every issue. Defaults draw each (actor, issue)
cell independently, except capability and the behavioural parameters, which are one draw per
actor. A default leaves a salience coded 0 at 0: the actor does not weigh that issue, and a
blanket width should not make it start to (a cell naming the actor and issue can). The
static models read no behavioural parameter, so their forecasts ignore those draws; the
simulation (``simulate --draws``) uses them. A drawn reservation above the drawn initial
aspiration is cut to it, as a coded one is.

Checks with located errors: unknown actor or issue, negative or zero width or sd, low > high,
a mode outside low..high, unknown fields, and absolute values (``low``, ``high``, ``mode``,
``mean``) outside the field's range (:func:`range_problems`): draws are kept inside the range,
so such a value would silently pile every draw at a bound.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from detente.errors import Problem

BEHAVIOUR_FIELDS = ("reservation", "initial_aspiration", "agility", "overstretch", "support",
                    "beta")
#: the absolute values of a distribution, which must lie inside the field's range
ABSOLUTE_KEYS = ("low", "high", "mode", "mean")
FieldName = Literal["position", "salience", "capability", "status_quo", "reservation",
                    "initial_aspiration", "agility", "overstretch", "support", "beta"]
FIELD_NAMES = get_args(FieldName)
DistName = Literal["uniform", "pm", "normal", "truncnormal", "triangular"]

_PM = re.compile(r"^\s*(?:±|\+/?-)\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$")


class Dist(BaseModel):
    """One distribution, relative to the coded value unless absolute bounds are given."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    dist: DistName = "pm"
    width: float | None = Field(None, alias="±", allow_inf_nan=False,
                                description="half-width around the coded value")
    percent: bool = Field(False, description="width is a percentage of the coded value")
    sd: float | None = Field(None, allow_inf_nan=False)
    mean: float | None = Field(None, allow_inf_nan=False)
    low: float | None = Field(None, allow_inf_nan=False)
    high: float | None = Field(None, allow_inf_nan=False)
    mode: float | None = Field(None, allow_inf_nan=False)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """Editors must accept the short forms too: ``"±5"``, ``"±10%"`` or a bare number."""
        schema = handler(core_schema)
        return {"anyOf": [schema, {"type": "string", "pattern": _PM.pattern},
                          {"type": "number"}]}

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"dist": "pm", "±": float(data)}
        if isinstance(data, str):
            m = _PM.match(data)
            if not m:
                raise ValueError(f"cannot read {data!r} as a distribution; write '±5', '±10%' "
                                 "or a mapping such as {dist: normal, sd: 5}")
            return {"dist": "pm", "±": float(m.group(1)), "percent": m.group(2) == "%"}
        return data

    @model_validator(mode="after")
    def _check(self) -> Dist:
        d = self.dist
        if self.width is not None and self.width <= 0:
            raise ValueError(f"the width (±) must be positive, got {self.width:g}")
        if self.sd is not None and self.sd <= 0:
            raise ValueError(f"sd must be positive, got {self.sd:g}")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if d in ("normal", "truncnormal") and self.sd is None:
            raise ValueError(f"a {d} distribution needs sd")
        if d == "pm" and self.width is None:
            raise ValueError("a ± distribution needs a width, e.g. '±5' or {'±': 5}")
        if d in ("uniform", "triangular") and self.width is None and (
                self.low is None or self.high is None):
            raise ValueError(f"a {d} distribution needs low and high, or a width (±)")
        if self.mode is not None:
            if d != "triangular":
                raise ValueError("mode applies to triangular distributions only")
            if self.low is not None and self.high is not None and not (
                    self.low <= self.mode <= self.high):
                raise ValueError(f"mode {self.mode:g} is outside low..high")
        if self.percent and self.width is None:
            raise ValueError("percent needs a width (±)")
        return self


class Cell(BaseModel):
    """A distribution for one field of some actors and issues."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: FieldName
    actor: str | list[str] | None = None
    issue: str | list[str] | None = None
    dist: Dist

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        where = {k: data[k] for k in ("field", "actor", "issue") if k in data}
        rest = {k: v for k, v in data.items() if k not in where}
        if "dist" in rest and isinstance(rest["dist"], dict | Dist):
            return {**where, "dist": rest["dist"]}
        return {**where, "dist": rest}

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """The distribution's keys may stand beside field/actor/issue (the flat form)."""
        ref = handler(core_schema)
        schema = handler.resolve_ref_schema(ref)
        full = Dist.model_json_schema()
        obj = full["anyOf"][0]
        if "$ref" in obj:
            obj = full["$defs"][obj["$ref"].rsplit("/", 1)[-1]]
        flat = dict(obj["properties"])
        props = schema["properties"]
        props["dist"] = {"anyOf": [flat.pop("dist"), props["dist"]]}
        props.update(flat)
        schema["required"] = ["field"]
        return ref

    def actors(self) -> list[str] | None:
        return [self.actor] if isinstance(self.actor, str) else self.actor

    def issues(self) -> list[str] | None:
        return [self.issue] if isinstance(self.issue, str) else self.issue


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    position: Dist | None = None
    salience: Dist | None = None
    capability: Dist | None = None
    status_quo: Dist | None = None
    reservation: Dist | None = None
    initial_aspiration: Dist | None = None
    agility: Dist | None = None
    overstretch: Dist | None = None
    support: Dist | None = None
    beta: Dist | None = None


class Uncertainty(BaseModel):
    """Distributions over a scenario's inputs for Monte Carlo and sensitivity runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Defaults = Field(default_factory=Defaults)
    cells: list[Cell] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.cells and all(
            getattr(self.default, f) is None for f in Defaults.model_fields)


def _error(loc: tuple[Any, ...], message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("uncertainty", message), loc=loc,
                            input=value)


def check_against_scenario(value: Uncertainty, info: ValidationInfo) -> Uncertainty:
    """Pydantic after-validator: every actor and issue a cell names exists in the scenario.

    Runs as part of :class:`~detente.scenario.model.Scenario` validation, so errors come back
    with their path (``uncertainty.cells[2].actor``) and line like every other field.
    """
    actors = [a.id for a in info.data.get("actors") or []]
    issues = [i.id for i in info.data.get("issues") or []]
    errors: list[InitErrorDetails] = []
    for k, cell in enumerate(value.cells):
        if cell.field == "status_quo" and cell.actor is not None:
            errors.append(_error(("cells", k, "actor"),
                                 "status_quo belongs to an issue; drop 'actor'", cell.actor))
        if cell.field in BEHAVIOUR_FIELDS and cell.issue is not None:
            errors.append(_error(("cells", k, "issue"), f"{cell.field} is a behavioural "
                                 "parameter of the actor, not of an issue; drop 'issue'",
                                 cell.issue))
        for name, known, ids in (("actor", actors, cell.actors()),
                                 ("issue", issues, cell.issues())):
            if not known:
                continue  # the scenario itself failed to validate; reported there
            for j, x in enumerate(ids or []):
                if x not in known:
                    loc = ("cells", k, name) if isinstance(getattr(cell, name), str) else (
                        "cells", k, name, j)
                    errors.append(_error(loc, f"unknown {name} (known: {', '.join(known)})", x))
    if errors:
        raise ValidationError.from_exception_data("Uncertainty", errors)
    return value


def range_problems(spec: Uncertainty, issue_bounds: dict[str, tuple[float, float]],
                   salience_scale: float) -> list[Problem]:
    """Absolute values of ``spec``'s distributions outside their field's range, located.

    Ranges: positions and status quo the issue's scale (every issue a cell or default
    covers), saliences 0..``salience_scale``, capabilities 0 and up, ``beta`` above 0, the
    other behavioural parameters 0..1. Widths (``±``) are relative to the coded value and
    are cut at the range, so they are not checked here; nor is the ``mean`` of a truncated
    normal, which may lie outside the range it is truncated to.
    """
    problems: list[Problem] = []

    def check(dist: Dist, field: str, issues: list[str] | None, where: str) -> None:
        for key in ABSOLUTE_KEYS:
            x = getattr(dist, key)
            if x is None or (key == "mean" and dist.dist == "truncnormal"):
                continue  # a truncated normal may centre outside its range (a half-normal)
            if field in ("position", "status_quo"):
                for issue in issues if issues is not None else list(issue_bounds):
                    lo, hi = issue_bounds.get(issue, (-float("inf"), float("inf")))
                    if not lo <= x <= hi:
                        problems.append(Problem(
                            f"{key} {x:g} is outside the scale of issue {issue!r} "
                            f"({lo:g}-{hi:g}); {field} draws stay on the scale", f"{where}.{key}"))
                        break
                continue
            if field == "salience":
                ok, text = 0 <= x <= salience_scale, f"0-{salience_scale:g}, the salience_scale"
            elif field == "capability":
                ok, text = x >= 0, "0 and up"
            elif field == "beta":
                ok, text = x > 0, "above 0"
            else:
                ok, text = 0 <= x <= 1, "0-1"
            if not ok:
                problems.append(Problem(f"{key} {x:g} is outside the range of {field} ({text})",
                                        f"{where}.{key}"))

    for field in Defaults.model_fields:
        d = getattr(spec.default, field)
        if d is not None:
            check(d, field, None, f"uncertainty.default.{field}")
    for k, cell in enumerate(spec.cells):
        check(cell.dist, cell.field, cell.issues(), f"uncertainty.cells[{k}]")
    return problems
