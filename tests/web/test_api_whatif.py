"""``/api/interventions`` and ``/api/comparisons``: the web app's what-if gives what
``detente compare --json`` gives; bad interventions are refused before a job starts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.cli import app
from detente.simulation.compare_tables import difference_tables

from .test_api_simulation import FLAGSHIP, SCENARIOS, assert_json_error, small_scenario

INTERVENTIONS = SCENARIOS / "interventions"


def test_the_shipped_interventions_are_listed_with_their_text(client: TestClient) -> None:
    listed = client.get("/api/interventions").json()
    files = sorted(p.name for p in INTERVENTIONS.glob("*.yaml"))
    assert [iv["filename"] for iv in listed] == files
    amnesty = next(iv for iv in listed if iv["id"] == "jenkins-amnesty")
    assert amnesty["name"] == "Jenkins receives amnesty"
    assert amnesty["text"] == (INTERVENTIONS / "jenkins-amnesty.yaml").read_text()


def test_a_comparison_job_gives_compare_json_and_the_cli_tables(client: TestClient,
                                                                 wait: Any) -> None:
    text = (INTERVENTIONS / "jenkins-amnesty.yaml").read_text()
    r = client.post("/api/comparisons", json={"scenario_id": FLAGSHIP, "interventions": [text],
                                              "runs": 12, "seed": 3, "until": "2005-06-30"})
    assert r.status_code == 202 and r.json()["kind"] == "comparison"
    status = wait(r.json()["id"], tries=1000)
    assert status["status"] == "done", status
    result = status["result"]
    cli = CliRunner().invoke(app, ["compare", str(SCENARIOS / f"{FLAGSHIP}.yaml"), "-i",
                                   str(INTERVENTIONS / "jenkins-amnesty.yaml"), "--runs", "12",
                                   "--seed", "3", "--until", "2005-06-30", "--json"])
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout)
    got = result["comparison"]
    assert got["interventions"][0].pop("file") == "intervention 1"  # no path: the request's
    expected["interventions"][0].pop("file")
    assert got == expected
    (tables,) = result["tables"]
    kept = [t.to_dict() for t in difference_tables(expected["interventions"][0]) if t.rows]
    assert tables["tables"] == kept
    trust = next(t for t in tables["tables"] if t["title"] == "trust at the end")
    us_jp = next(r for r in trust["rows"] if {r["a"], r["b"]} == {"US", "JP"})
    assert us_jp["diff"] > 0.1  # claim 11: settling the dispute restores the allies' trust


def test_an_unknown_event_or_a_bad_field_is_a_422_naming_the_intervention_and_line(
        client: TestClient) -> None:
    bad = "name: oops\nchange:\n  no-such-event:\n    params.consultation: consulted\n"
    worse = "name: typo\nbehaviour:\n  US: {stratgy: coercive}\n"
    body = assert_json_error(client.post("/api/comparisons", json={
        "scenario_id": FLAGSHIP, "interventions": [bad, worse]}), 422)
    assert body["error"] == "the interventions have 2 problems"
    text = json.dumps(body["problems"])
    assert "no-such-event" in text and "stratgy" in text
    files = {p["file"] for p in body["problems"]}
    assert files == {"intervention 1", "intervention 2"}
    assert all(p["line"] for p in body["problems"])


def test_requests_without_interventions_or_with_too_many_runs_are_refused(
        client: TestClient) -> None:
    text = (INTERVENTIONS / "jenkins-amnesty.yaml").read_text()
    assert_json_error(client.post("/api/comparisons", json={
        "scenario_id": FLAGSHIP, "interventions": []}), 422)
    assert_json_error(client.post("/api/comparisons", json={
        "scenario_id": FLAGSHIP, "interventions": [text], "runs": 100_000}), 422)
    assert_json_error(client.post("/api/comparisons", json={
        "scenario": small_scenario(), "interventions": [text]}), 422)  # nothing to simulate
    body = assert_json_error(client.post("/api/comparisons", json={
        "scenario_id": FLAGSHIP, "interventions": ["issues: []\nactors: []\n"]}), 422)
    assert "this is a scenario, not an intervention" in json.dumps(body)


def test_the_route_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/comparisons"] and "get" in paths["/api/interventions"]


def test_a_shipped_file_that_is_no_intervention_is_left_out_of_the_list(tmp_path: Path) -> None:
    from detente.web import create_app

    (tmp_path / "interventions").mkdir()
    (tmp_path / "interventions" / "broken.yaml").write_text("name: x\n")  # changes nothing
    with TestClient(create_app(tmp_path)) as c:
        assert c.get("/api/interventions").json() == []
