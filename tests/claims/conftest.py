"""Small scenarios built for one claim each (never the flagship)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from detente.scenario.model import Scenario
from detente.simulation import SimOptions, simulate


def small(actors: list[dict[str, Any]], calendar: list[dict[str, Any]] | None = None,
          forums: list[dict[str, Any]] | None = None, **extra: Any) -> Scenario:
    data = {"issues": [{"id": "X"}, {"id": "Y"}], "actors": actors,
            "forums": forums or [], "calendar": calendar or [],
            "simulation": {"start": "2010-01-01", "end": "2011-12-31", "noise": 0}, **extra}
    return Scenario.model_validate(data)


def run(sc: Scenario, off: tuple[str, ...] = (), until: str = "2011-06-30"):
    return simulate(sc, SimOptions(until=dt.date.fromisoformat(until),
                                   mechanisms={n: False for n in off}), seed=0)


@pytest.fixture
def build():
    return small


@pytest.fixture
def simulate_it():
    return run
