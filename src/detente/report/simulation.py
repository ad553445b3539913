"""Run the dynamic simulation for a report or the web app, through its public entry point only.

The result is the JSON of ``detente simulate --json`` (``History.to_dict()``) for the same
scenario, end date and seed, so reports and pages show exactly the numbers the command prints.

End date (``until``) when none is given, a documented choice: the scenario's own
``simulation.end`` if it sets one (what ``detente simulate`` uses too); otherwise the later of
31 December of the year after ``as_of`` and the scenario's last dated event; with neither,
the simulation's own default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from detente.errors import Problem, ScenarioError
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    from detente.uncertainty.simulation import SimulationMC

OnSimulation = Callable[["SimulationMC"], None]


def default_until(sc: Scenario) -> dt.date | None:
    """The end date a report simulates to when the user names none (see the module doc)."""
    if sc.simulation.end:
        return sc.simulation.end
    candidates = [e.date for e in sc.calendar if e.date]
    candidates += [m.date for f in sc.forums for m in f.meetings]
    if sc.as_of:
        candidates.append(dt.date(sc.as_of.year + 1, 12, 31))
    return max(candidates) if candidates else None


def check_until(sc: Scenario, until: dt.date | None) -> None:
    """Refuse a named end date that the simulation would refuse (before the start, or too far
    after it), before a report or a job spends minutes on its models. A scenario that cannot
    be simulated at all is left to the simulation part, which says why in a note."""
    if until is None:
        return
    from detente.simulation import calendar

    try:
        start = calendar.default_start(sc)
    except ScenarioError:
        return
    calendar.check_window(start, until)


def check_simulable(sc: Scenario) -> None:
    """Raise a located error when the scenario has nothing to simulate."""
    if not sc.forums and not sc.calendar:
        raise ScenarioError([Problem(
            "nothing to simulate: the scenario has no forums and no calendar events; add a "
            "forum with its members, agenda and meetings (or dated calendar events)",
            "forums")])


def run_simulation(sc: Scenario, until: dt.date | None = None, seed: int = 0,
                   capability: str = "default",
                   on_run: OnSimulation | None = None) -> dict[str, Any]:
    """One seeded run of ``sc`` to ``until`` (default :func:`default_until`), as JSON data.

    ``on_run`` sees the run as ``detente simulate`` records it (a one-draw
    :class:`~detente.uncertainty.simulation.SimulationMC`), e.g. to record it in a run store.
    """
    from detente.simulation import SimOptions, simulate

    check_simulable(sc)
    end = until or default_until(sc)
    options = SimOptions(until=end, capability=capability)
    history = simulate(sc, options, seed)
    if on_run is not None:
        from detente.uncertainty.simulation import single_run

        on_run(single_run(sc, options, seed, history))
    data = history.to_dict()
    data["seed"] = seed
    return data
