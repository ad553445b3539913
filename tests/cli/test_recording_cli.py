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


def test_simulations_single_or_drawn_are_recorded(scenario, flagship_path):
    path = scenario.parent / "flagship.yaml"
    shutil.copy(flagship_path, path)
    store = path.parent / "detente.duckdb"
    res = CliRunner().invoke(app, ["simulate", str(path), "--until", "2004-12-31",
                                   "--no-record"])
    assert res.exit_code == 0 and not store.exists()
    res = CliRunner().invoke(app, ["simulate", str(path), "--until", "2004-12-31"])
    assert res.exit_code == 0 and "recorded run" in res.output
    res = CliRunner().invoke(app, ["simulate", str(path), "--until", "2004-12-31",
                                   "--draws", "4", "--json"])
    assert res.exit_code == 0
    json.loads(res.stdout)  # nothing but JSON on stdout
    runs = _runs(store)
    assert [(r["kind"], r["draws"]) for r in runs] == [("simulation", 4), ("simulation", 1)]
    # a simulation shows its meetings and packages, not an empty forecast table; a single
    # run each meeting's outcome, a Monte Carlo run the probability of each
    listed = CliRunner().invoke(app, ["runs", "list", "--store", str(store)]).output
    assert "simulation runs in" in listed  # one kind: the title names it, no kind column
    for run in runs:  # one line each at 80 columns, with a readable start of the name
        (line,) = [x for x in listed.splitlines() if run["run_id"] in x]
        assert "concession" in line and "Northeast" in line
    for run, meetings in zip(runs, ("probability of each outcome", "forum meetings: outcome"),
                             strict=True):
        shown = CliRunner().invoke(app, ["runs", "show", run["run_id"], "--store", str(store)])
        assert shown.exit_code == 0, shown.output
        assert meetings in shown.output and "package in force" in shown.output
        assert "forecast" not in shown.output.split("kind")[1]


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


def test_runs_commands_without_a_store_name_the_stores_nearby(scenario, monkeypatch):
    (scenario.parent / "sub").mkdir()
    scenario = shutil.move(scenario, scenario.parent / "sub" / scenario.name)
    res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "median"])
    assert res.exit_code == 0
    monkeypatch.chdir(scenario.parent.parent)  # the default ./detente.duckdb is not there
    for args in (["runs", "list"], ["runs", "show", "abc"], ["runs", "export", "-o", "x.csv"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 2
        message = " ".join(res.stderr.split())
        assert "no run store at detente.duckdb; stores here:" in message
        assert f"{scenario.parent.name}/detente.duckdb" in message
    listed = CliRunner().invoke(app, ["runs", "list", "--store",
                                      str(scenario.parent / "detente.duckdb")])
    assert "sweep cell" not in listed.output  # the sweep footnote only where sweeps are


def test_runs_list_of_an_unknown_sweep_is_an_error(scenario):
    res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "median"])
    assert res.exit_code == 0
    store = scenario.parent / "detente.duckdb"
    res = CliRunner().invoke(app, ["runs", "list", "--store", str(store), "--sweep", "nope"])
    assert res.exit_code == 2 and "no sweep 'nope'" in res.stderr


def test_runs_list_names_each_runs_kind_and_an_empty_id_is_refused(scenario):
    store = scenario.parent / "detente.duckdb"
    for args in (["forecast", str(scenario), "-m", "median"],
                 ["backtest", str(scenario), "-m", "median", "--store", str(store)]):
        assert CliRunner().invoke(app, args).exit_code == 0
    runs = {r["kind"]: r["run_id"] for r in _runs(store)}
    assert set(runs) == {"forecast", "backtest"}  # same model, same scenario: only kind differs
    listed = CliRunner().invoke(app, ["runs", "list", "--store", str(store)]).output
    for kind, run_id in runs.items():
        (line,) = [x for x in listed.splitlines() if run_id in x]
        assert f" {kind} " in line and "median" in line
    for run_id in ("", "  "):  # every id starts with "": it matched every run
        res = CliRunner().invoke(app, ["runs", "show", run_id, "--store", str(store)])
        assert res.exit_code == 2 and "the run id is empty" in " ".join(res.stderr.split())


def test_no_default_store_is_created_in_a_read_only_folder(scenario):
    """Run as root, the default store was created in a folder marked read-only (the shared
    anchor data); the mode is respected now, whoever runs the command."""
    folder = scenario.parent
    folder.chmod(0o555)
    try:
        res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "compromise", "--json"])
        assert res.exit_code == 0
        assert json.loads(res.stdout)["issues"][0]["forecast"] == pytest.approx(7.38996,
                                                                               abs=1e-4)
        assert not (folder / "detente.duckdb").exists()
        assert "run not recorded" in res.stderr and "--no-record" in res.stderr
    finally:
        folder.chmod(0o755)
    res = CliRunner().invoke(app, ["forecast", str(scenario), "-m", "compromise"])
    assert res.exit_code == 0 and (folder / "detente.duckdb").exists()  # writable: recorded
