"""detente: model, simulate and forecast multilateral negotiations between states.

The data flow is scenario -> model (static) or simulation (dynamic) -> result -> report.
The public entry points are re-exported here.
"""

from detente.errors import Problem, ScenarioError
from detente.scenario import Scenario, load_scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "__version__", "load_scenario"]
__version__ = "0.1.0"
