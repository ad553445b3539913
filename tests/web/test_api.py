"""The JSON API, endpoint by endpoint, with FastAPI's TestClient (no network)."""

from __future__ import annotations

import importlib
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.cli import app
from detente.web.jobs import Jobs

from .conftest import finished

FLAGSHIP = "northeast-asia-2004"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
UPLOAD_LIMIT = 64 * 1024  # as set by the client fixture in conftest.py


def small_scenario() -> dict[str, Any]:
    return {"detente": 1, "name": "two states", "issues": [{"id": "X"}],
            "actors": [{"id": "a", "capability": 2, "position": {"X": 0}, "salience": {"X": 100}},
                       {"id": "b", "capability": 1, "position": {"X": 90},
                        "salience": {"X": 100}}]}


def assert_json_error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text
    return body


# ------------------------------------------------------------------ info, docs, pages

def test_info_lists_registered_models(client: TestClient) -> None:
    from detente.models import models

    info = client.get("/api/info").json()
    assert [m["name"] for m in info["models"]] == list(models())
    assert {m["name"]: m["default_preset"] for m in info["models"]} == {
        name: spec.default_preset for name, spec in models().items()}
    assert info["max_upload_bytes"] == UPLOAD_LIMIT
    assert set(info) >= {"simulation", "uncertainty"}


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("/api/scenarios", "/api/scenarios/upload", "/api/scenarios/validate",
                  "/api/scenarios/{sid}", "/api/scenarios/{sid}/download", "/api/runs",
                  "/api/jobs", "/api/jobs/{job_id}", "/api/jobs/{job_id}/cancel",
                  "/api/jobs/{job_id}/charts", "/api/jobs/{job_id}/report", "/api/info"):
        assert route in paths, route
    for path in paths:  # no endpoint takes a filesystem path
        assert "path" not in path.lower() and "file" not in path.lower().replace("/upload", "")


def test_index_and_static_assets_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<script src=\"/static/app.js\">" in page.text
    assert "<script src=\"/static/dom.js\">" in page.text
    assert "http" not in page.text
    docs = client.get("/docs")  # our own API reference, not Swagger UI (which loads a CDN)
    assert docs.status_code == 200 and "<script src=\"/static/api.js\">" in docs.text
    assert "http" not in docs.text
    assert client.get("/redoc").status_code == 404
    for asset in ("/static/dom.js", "/static/app.js", "/static/api.js", "/static/style.css"):
        r = client.get(asset)
        assert r.status_code == 200 and "http://" not in r.text and "https://" not in r.text


# ------------------------------------------------------------------ scenarios

def test_list_shows_shipped_scenarios(client: TestClient) -> None:
    items = {s["id"]: s for s in client.get("/api/scenarios").json()}
    assert items[FLAGSHIP]["origin"] == "shipped"
    assert (items[FLAGSHIP]["actors"], items[FLAGSHIP]["issues"]) == (6, 6)


def test_read_returns_the_scenario_json(client: TestClient) -> None:
    doc = client.get(f"/api/scenarios/{FLAGSHIP}").json()
    us = doc["scenario"]["actors"][0]
    assert us["id"] == "US" and us["salience"]["A"] == 95


def test_unknown_and_malformed_ids_are_json_errors(client: TestClient) -> None:
    assert_json_error(client.get("/api/scenarios/nope"), 404)
    for bad in ("..%2F..%2Fetc%2Fpasswd", "UPPER", "a b"):
        r = client.get(f"/api/scenarios/{bad}")
        assert r.status_code in (404, 422)
        assert "error" in r.json()


def test_upload_yaml_then_download_round_trips(client: TestClient) -> None:
    text = yaml.safe_dump(small_scenario())
    r = client.post("/api/scenarios/upload", files={"file": ("../../evil/two.yaml", text)})
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["origin"] == "user" and summary["filename"] == "two.yaml"
    down = client.get(f"/api/scenarios/{summary['id']}/download?format=json")
    assert down.status_code == 200
    assert 'filename="two.json"' in down.headers["content-disposition"]
    assert json.loads(down.text)["actors"][1]["position"] == {"X": 90}
    ids = [s["id"] for s in client.get("/api/scenarios").json()]
    assert summary["id"] in ids


def test_download_yaml_of_shipped_scenario(client: TestClient) -> None:
    r = client.get(f"/api/scenarios/{FLAGSHIP}/download")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(r.text)["name"] == "Northeast Asia, July 2004"
    assert_json_error(client.get(f"/api/scenarios/{FLAGSHIP}/download?format=nope"), 422)


def test_upload_of_invalid_scenario_names_the_field(client: TestClient) -> None:
    bad = small_scenario()
    bad["actors"][0]["salience"]["X"] = 300
    r = client.post("/api/scenarios/upload", files={"file": ("bad.yaml", yaml.safe_dump(bad))})
    body = assert_json_error(r, 422)
    assert body["problems"][0]["path"] == "actors[0].salience.X"
    assert body["problems"][0]["file"] == "bad.yaml"
    assert body["problems"][0]["line"] is not None


@pytest.mark.parametrize("payload", [b"\x00\x01\x02binary", b"", b"   \n", b"[1, 2",
                                     b"just some words", b"- a\n- b\n"])
def test_malformed_uploads_are_refused_clearly(client: TestClient, payload: bytes) -> None:
    r = client.post("/api/scenarios/upload", files={"file": ("x.yaml", payload)})
    body = assert_json_error(r, 422)
    assert body["problems"], body


def test_oversized_upload_is_refused(client: TestClient) -> None:
    big = "# padding\n" * (UPLOAD_LIMIT // 5)
    r = client.post("/api/scenarios/upload", files={"file": ("big.yaml", big)})
    body = assert_json_error(r, 413)
    assert "limit" in body["error"]
    assert len(client.get("/api/scenarios").json()) == 2  # nothing was stored


def test_a_chunked_body_over_the_limit_is_refused_and_one_under_it_is_read(
        client: TestClient) -> None:
    """Only Content-Length was checked: a chunked 40 MB body reached the route (202)."""
    import json

    def chunked(body: bytes):  # a generator body is sent chunked, without Content-Length
        for k in range(0, len(body), 8192):
            yield body[k:k + 8192]

    run = {"scenario_id": "northeast-asia-2004", "models": ["compromise"]}
    big = json.dumps({**run, "pad": "x" * (UPLOAD_LIMIT * 2)}).encode()
    r = client.post("/api/runs", content=chunked(big), headers={"content-type": "application/json"})
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert "limit" in assert_json_error(r, 413)["error"]
    r = client.post("/api/runs", content=chunked(json.dumps(run).encode()),
                    headers={"content-type": "application/json"})
    assert r.status_code == 202, r.text


def test_an_unknown_field_of_a_request_body_is_refused(client: TestClient) -> None:
    """{"model": ...} (for "models") was ignored, and every model ran."""
    body = assert_json_error(client.post("/api/runs", json={
        "scenario_id": "northeast-asia-2004", "model": "compromise"}), 422)
    assert [p["path"] for p in body["problems"]] == ["body.model"]


def test_oversized_file_within_request_limit_is_refused(client: TestClient) -> None:
    # just above the file limit but inside the multipart allowance: caught while reading
    big = "#" * (UPLOAD_LIMIT + 10)
    r = client.post("/api/scenarios/upload", files={"file": ("big.yaml", big)})
    assert_json_error(r, 413)


def test_upload_without_file_is_a_json_error(client: TestClient) -> None:
    body = assert_json_error(client.post("/api/scenarios/upload"), 422)
    assert any("file" in p["path"] for p in body["problems"])


def test_validate_reports_every_problem_with_paths(client: TestClient) -> None:
    data = small_scenario()
    data["actors"][0]["position"]["X"] = 120
    data["actors"][1]["salience"]["X"] = "high"
    r = client.post("/api/scenarios/validate", json=data)
    assert r.status_code == 200
    paths = {p["path"] for p in r.json()["problems"]}
    assert paths == {"actors[1].salience.X"} or "actors[1].salience.X" in paths
    ok = client.post("/api/scenarios/validate", json=small_scenario()).json()
    assert ok == {"valid": True, "problems": []}
    cross = client.post("/api/scenarios/validate", json={**small_scenario(), "actors": [
        {**small_scenario()["actors"][0], "position": {"X": 120}}]}).json()
    assert cross["problems"][0]["path"] == "actors[0].position.X"


def test_create_replace_delete_user_scenario(client: TestClient) -> None:
    r = client.post("/api/scenarios", json={"scenario": small_scenario(), "filename": "mine.yaml"})
    assert r.status_code == 201
    sid = r.json()["id"]
    changed = small_scenario()
    changed["name"] = "renamed"
    assert client.put(f"/api/scenarios/{sid}", json=changed).json()["name"] == "renamed"
    changed["actors"][0]["position"]["X"] = -5
    body = assert_json_error(client.put(f"/api/scenarios/{sid}", json=changed), 422)
    assert body["problems"][0]["path"] == "actors[0].position.X"
    assert client.get(f"/api/scenarios/{sid}").json()["scenario"]["name"] == "renamed"
    assert client.delete(f"/api/scenarios/{sid}").status_code == 204
    assert_json_error(client.get(f"/api/scenarios/{sid}"), 404)
    assert_json_error(client.delete(f"/api/scenarios/{sid}"), 404)


def test_post_and_put_bodies_swapped_say_which_is_which(client: TestClient) -> None:
    # POST takes {scenario, filename} and PUT the bare scenario: swapped, they gave
    # "body.scenario: Field required" and "issues: Field required ... scenario: Extra inputs"
    posted = assert_json_error(client.post("/api/scenarios", json=small_scenario()), 422)
    assert "this body is a bare scenario" in json.dumps(posted)
    sid = client.post("/api/scenarios", json={"scenario": small_scenario()}).json()["id"]
    wrapped = {"scenario": small_scenario(), "filename": "mine.yaml"}
    put = assert_json_error(client.put(f"/api/scenarios/{sid}", json=wrapped), 422)
    assert "takes the scenario itself as the body" in put["error"]
    assert client.put(f"/api/scenarios/{sid}", json=small_scenario()).status_code == 200
    client.delete(f"/api/scenarios/{sid}")


def test_shipped_scenarios_are_read_only(client: TestClient) -> None:
    assert_json_error(client.put(f"/api/scenarios/{FLAGSHIP}", json=small_scenario()), 409)
    assert_json_error(client.delete(f"/api/scenarios/{FLAGSHIP}"), 409)


def test_non_json_body_is_a_json_error(client: TestClient) -> None:
    r = client.post("/api/scenarios/validate", content=b"{not json",
                    headers={"content-type": "application/json"})
    assert_json_error(r, 422)


# ------------------------------------------------------------------ runs and jobs

def test_run_by_id_gives_every_models_forecast(client: TestClient, wait: Any) -> None:
    from detente.api import forecast

    r = client.post("/api/runs", json={"scenario_id": FLAGSHIP})
    assert r.status_code == 202
    status = wait(r.json()["id"], tries=400)
    assert status["status"] == "done", status
    result = status["result"]
    expected = forecast(SCENARIOS / f"{FLAGSHIP}.yaml", model="compromise").forecasts()
    assert result["forecasts"]["A"]["compromise"] == pytest.approx(expected["A"])
    ran = [m["name"] for m in result["models"]]
    assert ran == [m["name"] for m in client.get("/api/info").json()["models"]]
    assert status["progress"]["done"] == status["progress"]["total"] == len(ran)
    # the last step it ran (after the models), never the status word "done" while running
    assert status["progress"]["step"] == "simulation"
    # the procedural column equals the compromise column: the page says why
    assert result["notes"] == ["procedural gives the compromise model's forecast on every "
                               "issue: no agenda setter 'com' among the actors"]


def test_run_inline_scenario_reflects_edits(client: TestClient, wait: Any) -> None:
    data = small_scenario()
    r = client.post("/api/runs", json={"scenario": data, "models": ["compromise"]})
    first = wait(r.json()["id"], tries=400)["result"]["forecasts"]["X"]["compromise"]
    assert first == pytest.approx(30.0)  # (2*0 + 1*90) / 3
    data["actors"][0]["salience"]["X"] = 25
    r = client.post("/api/runs", json={"scenario": data, "models": ["compromise"]})
    second = wait(r.json()["id"], tries=400)["result"]["forecasts"]["X"]["compromise"]
    assert second == pytest.approx(60.0)  # (0.5*0 + 1*90) / 1.5


def test_run_rejects_bad_requests_before_starting(client: TestClient) -> None:
    bad = small_scenario()
    bad["issues"] = []
    body = assert_json_error(client.post("/api/runs", json={"scenario": bad}), 422)
    assert body["problems"][0]["path"] == "issues"
    assert_json_error(client.post("/api/runs", json={}), 422)
    assert_json_error(client.post("/api/runs", json={"scenario_id": FLAGSHIP,
                                                      "scenario": small_scenario()}), 422)
    assert "nope" in assert_json_error(client.post(
        "/api/runs", json={"scenario_id": FLAGSHIP, "models": ["nope"]}), 400)["error"]
    assert "structural" in assert_json_error(client.post(
        "/api/runs", json={"scenario_id": FLAGSHIP, "capability": "x"}), 400)["error"]
    assert_json_error(client.post("/api/runs", json={"scenario_id": "absent"}), 404)
    assert client.get("/api/jobs").json() == []


def test_charts_and_report_of_a_finished_job(client: TestClient, wait: Any) -> None:
    job = client.post("/api/runs", json={"scenario_id": FLAGSHIP}).json()
    wait(job["id"], tries=400)
    charts = client.get(f"/api/jobs/{job['id']}/charts").json()
    assert [c["issue"] for c in charts] == list("ABCDEF")
    assert all(c["forecast"].startswith("<svg") for c in charts)
    report = client.get(f"/api/jobs/{job['id']}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "attachment" in report.headers["content-disposition"]
    assert report.text.count("<svg") >= len(charts)
    # it said "not requested (draws = 0)", a setting the page never shows
    assert "draws = 0" not in report.text and "runs on the Uncertainty page" in report.text
    listed = client.get("/api/jobs").json()
    assert listed[0]["id"] == job["id"] and listed[0]["result"] is None


def test_unknown_job_is_404_and_bad_job_id_422(client: TestClient) -> None:
    for suffix in ("", "/charts", "/report"):
        assert_json_error(client.get(f"/api/jobs/0123456789ab{suffix}"), 404)
    assert_json_error(client.post("/api/jobs/0123456789ab/cancel"), 404)
    assert_json_error(client.get("/api/jobs/not-a-job-id"), 422)


def test_cancel_stops_a_running_job(client: TestClient,
                                    wait: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job blocked in its first model is cancelled before the next one starts."""
    collect_mod = importlib.import_module("detente.report.collect")  # the module, not the fn

    gate = threading.Event()
    real = collect_mod.run_model_output

    def slow(*args: Any, **kwargs: Any) -> Any:
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(collect_mod, "run_model_output", slow)
    job = client.post("/api/runs", json={"scenario_id": FLAGSHIP}).json()
    cancelled = client.post(f"/api/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200
    gate.set()
    status = wait(job["id"], tries=400)
    assert status["status"] == "cancelled"
    assert status["result"] is None
    assert_json_error(client.get(f"/api/jobs/{job['id']}/report"), 409)


def test_failing_job_reports_its_error_without_traceback() -> None:
    jobs = Jobs(workers=1)

    def boom(progress: Any, cancelled: Any) -> None:
        raise ZeroDivisionError("x")

    job = jobs.submit("test", boom)
    for _ in range(200):
        if job.status not in ("queued", "running"):
            break
        time.sleep(0.01)
    assert job.status == "failed" and "ZeroDivisionError" in (job.error or "")
    jobs.shutdown()


def test_jobs_run_separate_cases_on_the_processes_serve_workers_asks_for() -> None:
    from detente.execution.cases import workers

    seen = []
    for n in (1, 3):
        jobs = Jobs(workers=1, case_workers=n)
        job = jobs.submit("test", lambda progress, cancelled: workers())
        for _ in range(200):
            if job.status not in ("queued", "running"):
                break
            time.sleep(0.01)
        seen.append(job.result)
        jobs.shutdown()
    assert seen == [1, 3] and workers() == 1  # this thread is not affected


def test_an_uploaded_file_of_separate_cases_runs_each_case_alone(client: TestClient,
                                                                   wait: Any) -> None:
    """A DEU table's rows are unrelated decisions: the exchange model must not trade across
    them in the web app either (the forecasts equal the CLI's and the backtest's)."""
    from detente.api import backtest

    head = '"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"'
    deu = "\n".join([head, '"a"\t0\t100\t100\t0\t90\t10\t10\t90\t\t50',
                      '"b"\t100\t0\t0\t100\t10\t90\t90\t10\t\t50']) + "\n"
    r = client.post("/api/scenarios/upload", files={"file": ("two.tsv", deu)})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = client.post("/api/runs", json={"scenario_id": sid, "models": ["exchange"]})
    got = wait(r.json()["id"], tries=400)["result"]["forecasts"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "two.tsv"
        path.write_text(deu)
        expected = {e.issue: e.forecast for e in backtest(path, models="exchange")[0].issues}
        joint = {e.issue: e.forecast
                 for e in backtest(path, models="exchange", cases=False)[0].issues}
    assert {k: v["exchange"] for k, v in got.items()} == pytest.approx(expected)
    assert joint != pytest.approx(expected)  # had the cases been linked, trades would move them
    down = client.get(f"/api/scenarios/{sid}/download?format=json")
    assert json.loads(down.text)["separate_cases"] is True


def test_with_a_store_model_runs_are_recorded_as_forecast_records_them(tmp_path: Path) -> None:
    from detente.store import RunStore
    from detente.web import create_app

    store = tmp_path / "web.duckdb"
    with TestClient(create_app(SCENARIOS, store=store)) as client:
        r = client.post("/api/runs", json={"scenario_id": FLAGSHIP,
                                           "models": ["compromise", "exchange"]})
        job = r.json()["id"]
        status = finished(client, job)
    assert status["status"] == "done", status
    recorded = status["result"]["recorded"]
    assert recorded["store"] == str(store) and len(recorded["runs"]) == 2
    cli_store = tmp_path / "cli.duckdb"
    for model in ("compromise", "exchange"):
        result = CliRunner().invoke(app, ["forecast", str(SCENARIOS / f"{FLAGSHIP}.yaml"), "-m",
                                          model, "--store", str(cli_store)])
        assert result.exit_code == 0, result.output

    def stored(path: Path) -> list[tuple[Any, ...]]:
        with RunStore(path, read_only=True) as st:
            runs = st.runs()[::-1]
            return [(r["model"], r["scenario_hash"], r["summary"],
                     st.results(r["run_id"]).to_dict("list")) for r in runs]

    assert stored(store) == stored(cli_store)


def test_without_a_store_model_runs_are_not_recorded(client: TestClient, wait: Any) -> None:
    r = client.post("/api/runs", json={"scenario_id": FLAGSHIP, "models": ["compromise"]})
    assert wait(r.json()["id"], tries=400)["result"]["recorded"] is None
