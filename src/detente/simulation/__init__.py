"""The system in motion: a dynamic simulation of forums over a dated calendar.

``simulate(scenario, SimOptions(until=...), seed)`` for one run, ``simulate_batch(arrays,
scenario, options, rng)`` for many draws at once (Monte Carlo over inputs: pass arrays with a
leading draw axis). See :mod:`detente.simulation.engine`.
"""

from __future__ import annotations

from detente.simulation.engine import SimOptions, simulate, simulate_batch
from detente.simulation.history import History

__all__ = ["History", "SimOptions", "simulate", "simulate_batch"]
