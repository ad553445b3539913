"""The input side: the scenario format, its validation, readers/writers and array form."""

from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.io import load_scenario, save_scenario
from detente.scenario.model import Actor, Forum, Issue, Scenario

__all__ = ["Actor", "Forum", "Issue", "Scenario", "ScenarioArrays", "load_scenario",
           "save_scenario", "to_arrays"]
