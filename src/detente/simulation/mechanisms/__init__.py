"""The fourteen behaviours of SYSTEM.md, one module each, switchable from the scenario.

Each module defines ``MECHANISM`` (name, the SYSTEM.md claim it implements, a cited source and
a frozen dataclass of parameters with documented defaults) and the batched functions the
engine calls. ``simulation.mechanisms`` in a scenario, or ``SimOptions.mechanisms``, turns a
mechanism off (``false``) or sets its parameters (``{name: {param: value}}``).
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from typing import Any

from detente.errors import Problem, ScenarioError

_MODULES = ("reciprocity", "aspiration", "stalling", "sumo", "learning", "domestic", "freeze",
            "overstretch", "alliance_trust", "perceptions", "wedge", "squeeze",
            "coordination", "debts")


@dataclass(frozen=True)
class Mechanism:
    name: str
    claim: int
    summary: str
    source: str
    params: type


def registry() -> dict[str, Mechanism]:
    """Every mechanism by name, in claim order."""
    out = {}
    for module in _MODULES:
        mech = importlib.import_module(f"detente.simulation.mechanisms.{module}").MECHANISM
        out[mech.name] = mech
    return out


class ActiveMechanisms:
    """The parameters of each mechanism that is on; ``get(name)`` is None when it is off."""

    def __init__(self, params: dict[str, Any | None]) -> None:
        self._params = params

    def get(self, name: str) -> Any:
        return self._params[name]

    def on(self, name: str) -> bool:
        return self._params[name] is not None

    def names_on(self) -> list[str]:
        return [n for n, p in self._params.items() if p is not None]

    @classmethod
    def build(cls, settings: dict[str, bool | dict[str, Any]],
              overrides: dict[str, bool | dict[str, Any]] | None = None) -> ActiveMechanisms:
        """From the scenario's ``simulation.mechanisms`` and then ``overrides`` (options)."""
        known = registry()
        problems = (check_settings(settings, "simulation.mechanisms")
                    + check_settings(overrides or {}, "options"))
        if problems:
            raise ScenarioError(problems)
        params: dict[str, Any | None] = {n: m.params() for n, m in known.items()}
        for block in (settings, overrides or {}):
            for name, value in block.items():
                if value is False:
                    params[name] = None
                elif value is True:
                    params[name] = params[name] or known[name].params()
                else:
                    base = params[name] or known[name].params()
                    params[name] = dataclasses.replace(
                        base, **{k: float(v) for k, v in value.items()})
        return cls(params)


MAX_PARAM = 1e6  # a mechanism parameter above this is a typo, not a rate or a number of days


def check_settings(block: dict[str, Any], where: str) -> list[Problem]:
    """Problems of a ``mechanisms`` block (``simulation.mechanisms`` in a scenario, or the
    ``--param`` options): unknown mechanisms and parameters, and values that are not numbers
    from 0 to :data:`MAX_PARAM` (every parameter is a non-negative rate, weight or span)."""
    known = registry()
    problems: list[Problem] = []
    for name, value in block.items():
        at = f"{where}.{name}"
        if name not in known:
            problems.append(Problem(f"unknown mechanism {name!r}; known: {', '.join(known)}",
                                    at))
        elif isinstance(value, dict):
            fields = {f.name for f in dataclasses.fields(known[name].params)}
            for key, v in value.items():
                if key not in fields:
                    problems.append(Problem(f"mechanism {name!r} has no parameter {key!r}; "
                                            f"parameters: {', '.join(sorted(fields))}",
                                            f"{at}.{key}"))
                elif (isinstance(v, bool) or not isinstance(v, int | float)
                      or not 0 <= v <= MAX_PARAM):
                    problems.append(Problem(f"{v!r} is not a number from 0 to {MAX_PARAM:g}",
                                            f"{at}.{key}"))
        elif not isinstance(value, bool):
            problems.append(Problem(f"expects true, false or its parameters "
                                    f"({{param: value}}), not {value!r}", at))
    return problems
