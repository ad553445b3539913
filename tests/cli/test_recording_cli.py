"""Runs are recorded in the run store next to the scenario by default (issue 5)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.store import RunStore


@pytest.fixture
def scenario(tmp_path, emission_path, monkeypatch):
    monkeypatch.setenv("DETENTE_RECORD", "1")  # the suite turns recording off; these need it
    path = tmp_path / "emission.yaml"
    shutil.copy(emission_path, path)
    return path


def _runs(path) -> list:
    with RunStore(path, read_only=True) as st:
        return st.runs()


def test_forecast_is_recorded_next_to_the_scenario(scenario):
    res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "compromise", "--draws",
                                   "20", "--seed", "3"])
    assert res.exit_code == 0, res.output
    store = scenario.parent / "detente.duckdb"
    assert "recorded run" in res.output and str(store) in res.output.replace("\n", "")
    runs = _runs(store)
    assert len(runs) == 1 and runs[0]["model"] == "compromise" and runs[0]["seed"] == 3
    listed = CliRunner().invoke(app, ["runs", "list", "--store", str(store)])
    assert listed.exit_code == 0 and runs[0]["run_id"] in listed.output
    # one line per run, even at 80 columns: the scenario name gives way, not the columns
    (line,) = [x for x in listed.output.splitlines() if runs[0]["run_id"] in x]
    assert "compromise" in line and runs[0]["scenario_name"][:5] in line


def test_no_record_and_the_environment_switch_leave_no_store(scenario, monkeypatch):
    res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "median", "--no-record"])
    assert res.exit_code == 0 and "recorded" not in res.output
    monkeypatch.setenv("DETENTE_RECORD", "0")
    res = CliRunner().invoke(app, ["simulate", str(scenario.parent / "none.yaml")])
    assert res.exit_code == 2  # (missing file) nothing recorded either way
    res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "median"])
    assert res.exit_code == 0
    assert not (scenario.parent / "detente.duckdb").exists()


def test_simulation_draws_are_recorded_but_a_single_run_is_not(scenario, flagship_path):
    path = scenario.parent / "flagship.yaml"
    shutil.copy(flagship_path, path)
    store = path.parent / "detente.duckdb"
    res = CliRunner().invoke(app, ["simulate", str(path), "--until", "2004-12-31"])
    assert res.exit_code == 0 and not store.exists()
    res = CliRunner().invoke(app, ["simulate", str(path), "--until", "2004-12-31",
                                   "--draws", "4", "--json"])
    assert res.exit_code == 0
    json.loads(res.stdout)  # nothing but JSON on stdout
    assert [r["kind"] for r in _runs(store)] == ["simulation"]


def test_a_busy_default_store_warns_but_keeps_the_forecast(scenario, store_held_open):
    store = scenario.parent / "detente.duckdb"
    RunStore(store).close()
    with store_held_open(store):
        res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "compromise",
                                       "--json"])
        assert res.exit_code == 0
        assert json.loads(res.stdout)["issues"][0]["forecast"] == pytest.approx(7.38996,
                                                                               abs=1e-4)
        assert "run not recorded" in res.stderr and "--no-record" in res.stderr
        named = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "compromise",
                                         "--store", str(store)])
        assert named.exit_code == 2 and "in use by another" in named.stderr
