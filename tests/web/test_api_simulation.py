"""``/api/simulations`` and ``/api/jobs/{id}/simulation``: valid runs, malformed requests, a
scenario with nothing to simulate, cancellation."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from detente.report.simulation import run_simulation
from detente.scenario.io import load_scenario

from .conftest import finished

FLAGSHIP = "northeast-asia-2004"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def small_scenario() -> dict[str, Any]:
    """Two actors, one issue, no forums and no calendar: nothing to simulate."""
    return {"detente": 1, "name": "two states", "issues": [{"id": "X"}],
            "actors": [{"id": "a", "capability": 2, "position": {"X": 0}, "salience": {"X": 100}},
                       {"id": "b", "capability": 1, "position": {"X": 90},
                        "salience": {"X": 100}}]}


def assert_json_error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] and "Traceback" not in r.text
    return body


def test_openapi_documents_the_simulation_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/simulations"]
    assert "get" in paths["/api/jobs/{job_id}/simulation"]


def test_simulation_job_gives_the_history_of_simulate_json(client: TestClient, wait: Any) -> None:
    r = client.post("/api/simulations", json={"scenario_id": FLAGSHIP, "seed": 5,
                                              "until": "2005-06-30"})
    assert r.status_code == 202 and r.json()["kind"] == "simulation"
    status = wait(r.json()["id"], tries=1000)
    assert status["status"] == "done", status
    ref = run_simulation(load_scenario(SCENARIOS / f"{FLAGSHIP}.yaml"),
                         until=dt.date(2005, 6, 30), seed=5)
    assert status["result"] == ref | {"recorded": None}  # no run store: nothing recorded
    charts = client.get(f"/api/jobs/{status['id']}/simulation").json()
    for view in ("report", "charts"):  # the models run's views: "is done, not done" before
        wrong = client.get(f"/api/jobs/{status['id']}/{view}")
        assert wrong.status_code == 409
        assert "is a simulation run, not a models run" in wrong.json()["error"]
    assert charts["timeline"].count('class="sim-meeting"') == sum(
        e["kind"] == "meeting" for e in ref["events"])
    assert [n["date"] for n in charts["networks"]] == sorted({t["date"] for t in ref["trust"]})
    last = charts["networks"][-1]["svg"]
    for t in ref["trust"]:
        if t["date"] == charts["networks"][-1]["date"]:
            assert f'data-value="{t["value"]:.4f}"' in last


def test_edited_scenario_is_simulated_as_sent(client: TestClient, wait: Any) -> None:
    doc = client.get(f"/api/scenarios/{FLAGSHIP}").json()["scenario"]
    for forum in doc["forums"]:
        if forum["id"] == "six-party":
            forum["name"] = "Beijing process"
    status = wait(client.post("/api/simulations", json={"scenario": doc}).json()["id"], tries=1000)
    labels = {e["label"].split(" round")[0] for e in status["result"]["events"]
              if e["forum"] == "six-party" and e["kind"] == "meeting"}
    assert labels == {"Beijing process"}


def test_scenario_without_forums_or_calendar_is_refused_clearly(client: TestClient) -> None:
    body = assert_json_error(client.post("/api/simulations",
                                         json={"scenario": small_scenario()}), 422)
    assert body["problems"][0]["path"] == "forums"
    assert "nothing to simulate" in body["problems"][0]["message"]


@pytest.mark.parametrize("body", [
    {}, {"scenario_id": FLAGSHIP, "scenario": small_scenario()},
    {"scenario_id": FLAGSHIP, "until": "next spring"}, {"scenario_id": FLAGSHIP, "seed": -1},
    {"scenario_id": "../etc/passwd"}, {"scenario": {"detente": 1, "actors": "x"}}])
def test_malformed_requests_are_json_errors(client: TestClient, body: dict[str, Any]) -> None:
    r = client.post("/api/simulations", json=body)
    assert r.status_code in (400, 404, 422) and r.json()["error"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(("until", "why"), [("1999-01-01", "the end date 1999-01-01 is before "
                                                          "the simulation's start 2004-05-01"),
                                           ("2999-01-01", "at most 100 years")])
def test_an_until_the_simulation_refuses_is_a_400_before_any_job(client: TestClient,
                                                                until: str, why: str) -> None:
    r = client.post("/api/simulations", json={"scenario_id": FLAGSHIP, "until": until})
    assert r.status_code == 400 and why in r.json()["error"]  # it was a 202, then a failed job
    assert "--" not in r.json()["error"]  # it named the command line's --until


def test_charts_of_a_models_job_or_unfinished_job_are_409(client: TestClient, wait: Any) -> None:
    job = client.post("/api/runs", json={"scenario_id": FLAGSHIP, "models": ["compromise"]})
    wait(job.json()["id"], tries=1000)
    assert_json_error(client.get(f"/api/jobs/{job.json()['id']}/simulation"), 409)
    assert_json_error(client.get("/api/jobs/0123456789ab/simulation"), 404)


def test_cancel_discards_a_running_simulation(client: TestClient, wait: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.web import api_simulation

    gate = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        gate.wait(5)
        return run_simulation(*args, **kwargs)

    monkeypatch.setattr(api_simulation, "run_simulation", slow)
    job = client.post("/api/simulations", json={"scenario_id": FLAGSHIP}).json()
    assert client.post(f"/api/jobs/{job['id']}/cancel").status_code == 200
    gate.set()
    status = wait(job["id"], tries=1000)
    assert status["status"] == "cancelled" and status["result"] is None
    assert_json_error(client.get(f"/api/jobs/{job['id']}/simulation"), 409)


def test_with_a_store_the_run_is_recorded_as_simulate_records_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.store import RunStore
    from detente.web import create_app

    store = tmp_path / "web.duckdb"
    with TestClient(create_app(SCENARIOS, store=store)) as client:
        r = client.post("/api/simulations", json={"scenario_id": FLAGSHIP, "seed": 3,
                                                  "until": "2005-06-30"})
        status = finished(client, r.json()["id"], tries=1000)
    assert status["status"] == "done", status
    recorded = status["result"]["recorded"]
    assert recorded["store"] == str(store) and len(recorded["runs"]) == 1
    cli_store = tmp_path / "cli.duckdb"
    res = CliRunner().invoke(app, ["simulate", str(SCENARIOS / f"{FLAGSHIP}.yaml"), "--seed",
                                   "3", "--until", "2005-06-30", "--store", str(cli_store)])
    assert res.exit_code == 0, res.output

    def stored(path: Path) -> tuple[Any, ...]:
        with RunStore(path, read_only=True) as st:
            (run,) = st.runs()
            return (run["kind"], run["draws"], run["scenario_hash"], run["summary"],
                    st.results(run["run_id"]).to_dict("list"))

    assert stored(store) == stored(cli_store)
