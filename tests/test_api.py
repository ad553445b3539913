"""The Python API gives the numbers ``detente forecast --json`` prints, every model and scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.api import forecast
from detente.cli import app
from detente.models import models

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["forecast", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("scenario", SHIPPED)
@pytest.mark.parametrize("model", sorted(models()))
def test_api_forecast_equals_cli_json(scenario, model):
    path = SCENARIOS / scenario
    api = forecast(path, model=model).to_dict()
    cli = cli_json(str(path), "--model", model)
    # the same object after the JSON round trip, every round and extra included
    assert json.loads(json.dumps(api)) == cli
    assert [i["forecast"] for i in cli["issues"]] == list(forecast(path, model).forecasts()
                                                         .values())


def test_options_and_capability_reach_both_paths(flagship_path):
    api = forecast(flagship_path, model="nash-asymmetric", capability="structural",
                   utility="linear").to_dict()
    cli = cli_json(str(flagship_path), "-m", "nash-asymmetric", "--capability", "structural",
                   "-o", "utility=linear")
    assert json.loads(json.dumps(api)) == cli
    assert cli["options"]["utility"] == "linear" and cli["capability"] == "structural"
    default = cli_json(str(flagship_path), "-m", "nash-asymmetric")
    assert default["issues"][0]["forecast"] != cli["issues"][0]["forecast"]
