"""``/api/uncertainty``, ``/api/uncertainty/check`` and ``/api/jobs/{id}/uncertainty``: valid
runs equal to the library's Monte Carlo and sensitivity, malformed and oversized requests,
invalid uncertainty blocks, cancellation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from detente.scenario.io import load_scenario
from detente.uncertainty.montecarlo import monte_carlo
from detente.uncertainty.sensitivity import sensitivity

from .conftest import finished

FLAGSHIP = "northeast-asia-2004"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def small_scenario(**extra: Any) -> dict[str, Any]:
    return {"detente": 1, "name": "two states", "issues": [{"id": "X"}],
            "actors": [{"id": "a", "capability": 2, "position": {"X": 0}, "salience": {"X": 100}},
                       {"id": "b", "capability": 1, "position": {"X": 90},
                        "salience": {"X": 100}}], **extra}


def assert_json_error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] and "Traceback" not in r.text
    return body


def test_openapi_documents_the_uncertainty_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/uncertainty"]
    assert "post" in paths["/api/uncertainty/check"]
    assert "get" in paths["/api/jobs/{job_id}/uncertainty"]


def test_job_equals_monte_carlo_and_sensitivity_for_the_same_seed(client: TestClient,
                                                                  wait: Any) -> None:
    r = client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "models": ["compromise", "median"], "draws": 120, "seed": 7,
        "sensitivity_model": "median", "sobol_samples": 8})
    assert r.status_code == 202 and r.json()["kind"] == "uncertainty"
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    data = status["result"]
    sc = load_scenario(SCENARIOS / f"{FLAGSHIP}.yaml")
    for dist in data["distributions"]:
        ref = monte_carlo(sc, dist["model"], 120, 7).result.to_dict()
        for got, want in zip(dist["issues"], ref["issues"], strict=True):
            assert got["id"] == want["id"]
            assert got["median"] == want["forecast"]
            for q in ("q10", "q50", "q90"):
                assert got[q] == want["quantiles"][q]
            assert sum(got["counts"]) == 120
    ref_sens = sensitivity(sc, "median", 8, 7).to_dict()
    assert data["sensitivity"]["tornado"] == ref_sens["tornado"]
    assert data["sensitivity"]["sobol"] == ref_sens["sobol"]
    assert data["own_spec"] is True
    charts = client.get(f"/api/jobs/{status['id']}/uncertainty")
    assert charts.status_code == 200
    body = charts.json()
    assert [c["issue"] for c in body["issues"]] == ["A", "B", "C", "D", "E", "F"]
    assert all(c["distribution"].startswith("<svg") and "tornado-chart" in c["tornado"]
               for c in body["issues"])
    assert body["outcomes"] is None and data["simulation"] is None  # not asked for


def test_edited_scenario_without_block_uses_default_widths(client: TestClient, wait: Any) -> None:
    check = client.post("/api/uncertainty/check", json={"scenario": small_scenario()})
    assert check.status_code == 200
    assert check.json()["own"] is False and "± 5 %" in check.json()["note"]
    r = client.post("/api/uncertainty", json={"scenario": small_scenario(), "draws": 50,
                                              "sobol_samples": 4})
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    dist = status["result"]["distributions"][0]["issues"][0]
    assert dist["q10"] < dist["q90"]  # the default widths do make the inputs vary
    assert status["result"]["spec_note"]


def test_check_reports_an_invalid_uncertainty_block_with_its_path(client: TestClient) -> None:
    bad = small_scenario(uncertainty={"cells": [{"actor": "zz", "issue": "X",
                                                 "field": "position", "±": 5}]})
    body = assert_json_error(client.post("/api/uncertainty/check", json={"scenario": bad}), 422)
    assert any("uncertainty" in p["path"] and "zz" in p["message"] for p in body["problems"])
    assert_json_error(client.post("/api/uncertainty", json={"scenario": bad}), 422)


def test_check_shows_the_flagship_block(client: TestClient) -> None:
    r = client.post("/api/uncertainty/check", json={"scenario_id": FLAGSHIP})
    assert r.status_code == 200 and r.json()["own"] is True
    cells = r.json()["spec"]["cells"]
    assert len(cells) == 6
    assert {c["field"] for c in cells if "issue" not in c} == {"reservation"}


def test_oversized_draws_are_refused_with_a_clear_message(client: TestClient) -> None:
    body = assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "draws": 1_000_000}), 422)
    assert "draws must be between 1 and 5000" in body["error"]
    assert "detente forecast --draws" in body["error"]
    assert body["problems"][0]["path"] == "draws"
    assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "draws": 0}), 422)
    body = assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "sobol_samples": 100_000}), 422)
    assert "sobol_samples" in body["error"]


def test_malformed_requests_are_json_errors(client: TestClient) -> None:
    assert_json_error(client.post("/api/uncertainty", json={}), 422)
    assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "scenario": small_scenario()}), 422)
    assert_json_error(client.post("/api/uncertainty", json={"scenario_id": FLAGSHIP,
                                                            "draws": "many"}), 422)
    assert_json_error(client.post("/api/uncertainty", content=b"{not json",
                                  headers={"content-type": "application/json"}), 422)
    body = assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "models": ["oracle"]}), 400)
    assert "oracle" in body["error"]
    body = assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "sensitivity_model": "oracle"}), 400)
    assert_json_error(client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "capability": "nope"}), 400)
    assert_json_error(client.post("/api/uncertainty", json={"scenario_id": "no-such"}), 404)


def test_charts_of_an_unfinished_or_other_job_are_refused(client: TestClient, wait: Any) -> None:
    r = client.post("/api/runs", json={"scenario_id": FLAGSHIP, "models": ["compromise"]})
    job = wait(r.json()["id"])
    assert_json_error(client.get(f"/api/jobs/{job['id']}/uncertainty"), 409)
    assert_json_error(client.get("/api/jobs/0123456789ab/uncertainty"), 404)


def test_a_run_can_be_cancelled(client: TestClient, wait: Any) -> None:
    r = client.post("/api/uncertainty", json={"scenario_id": FLAGSHIP, "draws": 5000,
                                              "sobol_samples": 256})
    job_id = r.json()["id"]
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 200
    status = wait(job_id)
    assert status["status"] == "cancelled"
    assert_json_error(client.get(f"/api/jobs/{job_id}/uncertainty"), 409)


def test_simulation_over_the_draws_equals_simulate_mc(client: TestClient, wait: Any) -> None:
    import datetime as dt

    from detente.simulation import SimOptions
    from detente.uncertainty.simulation import simulate_mc

    r = client.post("/api/uncertainty", json={
        "scenario_id": FLAGSHIP, "models": ["compromise"], "draws": 30, "seed": 2,
        "sensitivity_model": None, "simulation": True, "until": "2005-06-30"})
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    sc = load_scenario(SCENARIOS / f"{FLAGSHIP}.yaml")
    ref = simulate_mc(sc, SimOptions(until=dt.date(2005, 6, 30)), 30, 2).to_dict()
    assert status["result"]["simulation"] == ref
    assert status["result"]["sensitivity"] is None
    charts = client.get(f"/api/jobs/{status['id']}/uncertainty").json()
    assert charts["outcomes"].count('class="outcome"') == sum(
        p > 0 for m in ref["meetings"] for p in m["probabilities"].values())


def test_simulation_over_the_draws_reports_nothing_to_simulate(client: TestClient,
                                                               wait: Any) -> None:
    r = client.post("/api/uncertainty", json={"scenario": small_scenario(), "draws": 10,
                                              "sensitivity_model": None, "simulation": True})
    status = wait(r.json()["id"])
    assert status["status"] == "done"
    assert "nothing to simulate" in status["result"]["simulation"]["error"]


def test_an_until_before_the_start_is_a_400_before_any_job(client: TestClient) -> None:
    r = client.post("/api/uncertainty", json={"scenario_id": FLAGSHIP, "draws": 10,
                                              "simulation": True, "until": "2003-01-01"})
    assert r.status_code == 400
    assert "before the simulation's start 2004-05-01" in r.json()["error"]


def test_an_empty_model_list_is_a_422(client: TestClient) -> None:
    r = client.post("/api/uncertainty", json={"scenario_id": FLAGSHIP, "models": []})
    assert r.status_code == 422  # it ran nothing and reported "done"


def test_with_a_store_monte_carlo_runs_are_recorded_as_the_cli_records_them(tmp_path: Path
                                                                          ) -> None:
    """Each model's draws as ``detente forecast --draws`` records them, the simulation over
    the draws as ``detente simulate --draws`` does: same summaries, scenario and rows."""
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.store import RunStore
    from detente.web import create_app

    store = tmp_path / "web.duckdb"
    with TestClient(create_app(SCENARIOS, store=store)) as client:
        r = client.post("/api/uncertainty", json={
            "scenario_id": FLAGSHIP, "models": ["compromise", "median"], "draws": 30,
            "seed": 5, "sensitivity_model": None, "simulation": True, "until": "2005-06-30"})
        assert r.status_code == 202, r.text
        status = finished(client, r.json()["id"])
    assert status["status"] == "done", status
    recorded = status["result"]["recorded"]
    assert recorded["store"] == str(store) and len(recorded["runs"]) == 3
    cli_store, path = tmp_path / "cli.duckdb", str(SCENARIOS / f"{FLAGSHIP}.yaml")
    for args in (["forecast", path, "-m", "compromise"], ["forecast", path, "-m", "median"],
                 ["simulate", path, "--until", "2005-06-30"]):
        result = CliRunner().invoke(app, [*args, "--draws", "30", "--seed", "5",
                                          "--store", str(cli_store)])
        assert result.exit_code == 0, result.output

    def stored(p: Path) -> list[tuple[Any, ...]]:
        with RunStore(p, read_only=True) as st:
            return [(r["model"], r["kind"], r["draws"], r["scenario_hash"], r["summary"],
                     st.results(r["run_id"]).to_dict("list")) for r in st.runs()[::-1]]

    assert stored(store) == stored(cli_store)
    assert [row[:3] for row in stored(store)] == [
        ("compromise", "forecast", 30), ("median", "forecast", 30),
        ("simulation:concession", "simulation", 30)]


def test_without_an_uncertainty_block_web_and_cli_draw_and_record_the_same(tmp_path: Path
                                                                           ) -> None:
    """Both draw the inputs with the default widths; the records name the scenario as given."""
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.store import RunStore
    from detente.web import create_app

    store, cli_store = tmp_path / "web.duckdb", tmp_path / "cli.duckdb"
    with TestClient(create_app(SCENARIOS, store=store)) as client:
        r = client.post("/api/uncertainty", json={
            "scenario_id": "ec-emissions-1994", "models": ["compromise"], "draws": 25,
            "seed": 2, "sensitivity_model": None})
        status = finished(client, r.json()["id"])
    assert status["status"] == "done" and status["result"]["own_spec"] is False, status
    cli = CliRunner().invoke(app, ["forecast", str(SCENARIOS / "ec-emissions-1994.yaml"), "-m",
                                   "compromise", "--draws", "25", "--seed", "2", "--store",
                                   str(cli_store)])
    assert cli.exit_code == 0, cli.output

    def stored(p: Path) -> list[tuple[Any, ...]]:
        with RunStore(p, read_only=True) as st:
            return [(r["scenario_hash"], r["summary"], st.results(r["run_id"]).to_dict("list"))
                    for r in st.runs()]

    web, cli_rows = stored(store), stored(cli_store)
    assert web == cli_rows and len(web) == 1
    q = web[0][1]["issues"]["date"]
    assert q["q10"] < q["q90"]  # the inputs were drawn, not held at their coded values


def test_without_a_store_monte_carlo_runs_are_not_recorded(client: TestClient,
                                                           wait: Any) -> None:
    r = client.post("/api/uncertainty", json={"scenario_id": FLAGSHIP, "models": ["compromise"],
                                              "draws": 10, "sensitivity_model": None})
    assert wait(r.json()["id"])["result"]["recorded"] is None
