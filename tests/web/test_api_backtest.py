"""``/api/backtest``: the job's figures equal ``detente backtest --json --detail`` (and its
``--cv``) for a data file's text and for a library scenario; bad data, models, presets,
codings and folds get JSON errors naming what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.cli import app

from .conftest import finished

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEU = "\n".join([
    '"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"',
    '\t"1"\t"1"\t"3"\t"1"\t\t\t\t\t\t',
    '"a"\t0\t50\t100\t\t100\t100\t50\t\t\t30',
    '"b"\t0\t50\t100\t\t100\t100\t50\t\t\t60',
    '"c"\t10\t40\t80\t70\t100\t60\t50\t90\t20\t40',
    '"d"\t0\t50\t100\t\t100\t100\t50\t\t\t',
]) + "\n"


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(app, ["backtest", *args, "--json", "--detail", "--no-record"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_data_files_text_gives_the_clis_figures(client: TestClient,
                                                  wait: Any, tmp_path: Path) -> None:
    r = client.post("/api/backtest", json={"data": DEU, "filename": "small.txt",
                                           "models": ["compromise", "median", "best"]})
    assert r.status_code == 202 and r.json()["kind"] == "backtest"
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    path = tmp_path / "small.txt"
    path.write_text(DEU)
    expected = cli_json(str(path), "-m", "all")["models"]
    by_model = {m["model"]: m for m in expected}
    got = status["result"]["models"]
    assert [m["model"] for m in got] == ["compromise", "median", "best"]
    for m in got:
        assert m == by_model[m["model"]]
    assert status["result"]["cross_validation"] is None
    assert status["result"]["source"] == "small.txt"
    assert got[0]["skipped"] == {"no known outcome": 1}


def test_a_library_scenario_with_cross_validation(client: TestClient, wait: Any) -> None:
    r = client.post("/api/backtest", json={"scenario_id": "ec-emissions-1994",
                                           "models": ["compromise"]})
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    (comp,) = status["result"]["models"]
    expected = cli_json(str(SCENARIOS / "ec-emissions-1994.yaml"))
    assert comp == expected


def test_cross_validation_equals_the_clis(client: TestClient, wait: Any, tmp_path: Path) -> None:
    rows = [DEU.splitlines()[0], DEU.splitlines()[1]]
    for k in range(8):  # eight proposals of one issue each, outcomes known
        rows.append(f'"p{k}"\t{10 * k}\t{90 - 5 * k}\t{50 + k}\t{30 + 2 * k}\t100\t80\t60\t40'
                    f'\t{5 * k}\t{20 + 6 * k}')
    text = "\n".join(rows) + "\n"
    r = client.post("/api/backtest", json={"data": text, "format": "deu", "cv": 4,
                                           "models": ["compromise", "median"], "seed": 3})
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    path = tmp_path / "cv.tsv"
    path.write_text(text)
    cli = CliRunner().invoke(app, ["backtest", str(path), "--format", "deu", "-m", "median",
                                   "--cv", "4", "--seed", "3", "--json", "--no-record"])
    assert cli.exit_code == 0, cli.stderr
    assert status["result"]["cross_validation"] == json.loads(cli.stdout)["cross_validation"]
    # two backtest runs, then one cross-validation step per model
    assert status["progress"]["done"] == status["progress"]["total"] == 4
    # the last step, shown while results are still written, does not read as the status "done"
    assert status["progress"]["step"] == "finishing"


@pytest.mark.parametrize(("body", "code", "message"), [
    ({"data": DEU, "models": ["oracle"]}, 400, "unknown model 'oracle'"),
    ({"data": DEU, "preset": "nonesuch", "models": ["compromise"]}, 400, "nonesuch"),
    ({"data": DEU, "capability": "votes"}, 400, "unknown capability coding 'votes'"),
    ({"data": DEU, "capability": "/etc/passwd:x"}, 400, "unknown capability coding"),
    ({"data": DEU, "cv": 1}, 422, "cv must be between 2 and 20"),
    ({"data": DEU, "scenario_id": "ec-emissions-1994"}, 422, "exactly one of"),
    ({"data": '"isnr"\t"pcom"\n"a"\tx\n', "format": "deu", "filename": "bad.tsv"}, 422,
     "problem"),
    ({"data": "", "filename": "empty.tsv"}, 422, "problem"),
    ({"scenario_id": "no-such-scenario"}, 404, "no scenario"),
    # too few proposals for the folds: refused at once, not a job that fails later
    ({"scenario_id": "ec-emissions-1994", "cv": 2}, 400,
     "2 folds need at least 2 proposals; the data have 1"),
    ({"data": DEU, "cv": 4}, 400, "4 folds need at least 4 proposals; the data have 3"),
])
def test_bad_requests_get_json_errors(client: TestClient, body: dict[str, Any], code: int,
                                      message: str) -> None:
    r = client.post("/api/backtest", json=body)
    assert r.status_code == code, r.text
    body = r.json()
    assert message in body["error"] + json.dumps(body["problems"]) and "Traceback" not in r.text


def test_a_file_without_usable_issues_fails_the_job_with_a_message(client: TestClient,
                                                                   wait: Any) -> None:
    text = "\n".join([*DEU.splitlines()[:2], '"d"\t0\t50\t100\t\t100\t100\t50\t\t\t']) + "\n"
    status = wait(client.post("/api/backtest", json={"data": text}).json()["id"])
    assert status["status"] == "failed" and "no issue" in status["error"].lower()


def _proposals(first: int, n: int) -> str:
    """A DEU table of ``n`` one-issue proposals with known outcomes."""
    rows = [DEU.splitlines()[0], DEU.splitlines()[1]]
    for k in range(first, first + n):
        rows.append(f'"p{k}"\t{10 * k}\t{90 - 5 * k}\t{50 + k}\t{30 + 2 * k}\t100\t80\t60\t40'
                    f'\t{5 * k}\t{20 + 6 * k}')
    return "\n".join(rows) + "\n"


def test_several_files_are_pooled_and_cross_validated_as_the_clis(
        client: TestClient, wait: Any, tmp_path: Path) -> None:
    texts = {"one.tsv": _proposals(0, 3), "two.tsv": _proposals(3, 4)}
    r = client.post("/api/backtest", json={
        "files": [{"data": t, "filename": n} for n, t in texts.items()],
        "models": ["best"], "cv": 3, "seed": 2})
    assert r.status_code == 202, r.text
    status = wait(r.json()["id"])
    assert status["status"] == "done", status
    paths = []
    for name, text in texts.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
    cli = cli_json(*map(str, paths), "-m", "best", "--cv", "3", "--seed", "2")
    got = status["result"]
    assert [f["source"] for f in got["files"]] == list(texts)
    assert [f["models"] for f in got["files"]] == [f["models"] for f in cli["files"]]
    assert got["pooled"] == cli["pooled"]
    assert got["cross_validation"] == cli["cross_validation"]
    assert got["cross_validation"]["n_files"] == 2 and "models" not in got
    # one model in each file, then compromise and best's 3 folds in the CV
    assert status["progress"]["done"] == status["progress"]["total"] == 2 + 4
    by_file = wait(client.post("/api/backtest", json={
        "files": [{"data": t, "filename": n} for n, t in texts.items()],
        "models": ["best"], "cv": 2, "cv_by": "file"}).json()["id"])
    assert by_file["status"] == "done", by_file
    cli = cli_json(*map(str, paths), "-m", "best", "--cv", "2", "--cv-by", "file")
    assert by_file["result"]["cross_validation"] == cli["cross_validation"]
    assert cli["cross_validation"]["grouped_by"] == "file"


@pytest.mark.parametrize(("files", "extra", "code", "message"), [
    ([("a.tsv", DEU), ("a.tsv", DEU)], {}, 400, "a.tsv given more than once"),
    ([("a.tsv", DEU), ("b.tsv", DEU)], {"capability": "votes"}, 400,
     "a.tsv: unknown capability coding 'votes'"),
    ([("a.tsv", DEU), ("bad.tsv", '"isnr"\t"pcom"\n"a"\tx\n')], {"format": None}, 422,
     "bad.tsv"),
    ([("a.tsv", DEU)], {}, 422, "at least 2"),
    ([("a.tsv", DEU), ("b.tsv", DEU)], {"cv": 3, "cv_by": "file"}, 422,
     "3 folds by file need at least 3 files, got 2"),
    ([("a.tsv", DEU), ("b.tsv", DEU)], {"cv_by": "file"}, 422, "needs cv"),
    ([("a.tsv", DEU), ("b.tsv", DEU)], {"cv": 2, "cv_by": "actor"}, 422, "cv_by"),
])
def test_bad_file_lists_get_json_errors(client: TestClient, files: list[tuple[str, str]],
                                        extra: dict[str, Any], code: int, message: str) -> None:
    body = {"files": [{"data": t, "filename": n} for n, t in files]} | extra
    r = client.post("/api/backtest", json=body)
    assert r.status_code == code, r.text
    assert message in r.json()["error"] + json.dumps(r.json()["problems"])
    assert "Value error" not in r.text  # pydantic's prefix for our own checks is dropped


def test_a_case_files_text_gives_the_clis_figures(client: TestClient, wait: Any,
                                                  tmp_path: Path) -> None:
    cases = {"cases": [{"case_id": f"c{k}", "outcomes": {"soon": {"proposed_value": 30 + k},
                                                         "later": {"proposed_value": 60}},
                        "actors": [{"id": a, "position": p + k, "capability": 1 + k,
                                    "salience": 50} for a, p in zip("abc", (0, 40, 90),
                                                                    strict=True)]}
                       for k in range(4)]}
    text = json.dumps(cases)
    status = wait(client.post("/api/backtest", json={
        "data": text, "filename": "cases.json", "models": ["compromise", "median"],
        "cv": 2}).json()["id"])
    assert status["status"] == "done", status
    path = tmp_path / "cases.json"
    path.write_text(text)
    cli = cli_json(str(path), "-m", "median", "--cv", "2")
    (median,) = [m for m in status["result"]["models"] if m["model"] == "median"]
    assert median == {k: v for k, v in cli.items() if k != "cross_validation"}
    assert median["n_issues"] == 8
    assert status["result"]["cross_validation"] == cli["cross_validation"]
    # the two readings of a case are one proposal: 4 proposals, not 8
    assert status["result"]["cross_validation"]["n_proposals"] == 4


def _stored(path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(model, source, backtest summary) of every backtest in the store, oldest first."""
    from detente.store import RunStore

    with RunStore(path, read_only=True) as st:
        runs = st.runs(kind="backtest")[::-1]
    return [(r["model"], r["summary"]["backtest"].pop("source"), r["summary"]) for r in runs]


def test_with_a_store_backtests_are_recorded_as_the_cli_records_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.web import create_app

    halves = ["\n".join([DEU.splitlines()[0], *DEU.splitlines()[k:k + 2]]) + "\n"
              for k in (2, 4)]
    web_store = tmp_path / "web.duckdb"
    with TestClient(create_app(SCENARIOS, store=web_store)) as client:
        r = client.post("/api/backtest", json={
            "files": [{"data": halves[0], "filename": "one.tsv"},
                      {"data": halves[1], "filename": "two.tsv"}],
            "models": ["compromise", "median"], "cv": 2})
        status = finished(client, r.json()["id"])
    assert status["status"] == "done", status
    recorded = status["result"]["recorded"]
    assert recorded["store"] == str(web_store) and len(recorded["runs"]) == 4
    monkeypatch.chdir(tmp_path)  # the CLI names the files as given, the web by file name
    for name, text in zip(("one.tsv", "two.tsv"), halves, strict=True):
        Path(name).write_text(text)
    cli_store = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(app, ["backtest", "one.tsv", "two.tsv", "-m",
                                      "compromise,median", "--cv", "2", "--store",
                                      str(cli_store)])
    assert result.exit_code == 0, result.output
    web, cli = _stored(web_store), _stored(cli_store)
    assert [(m, s) for m, s, _ in web] == [("compromise", "one.tsv"), ("median", "one.tsv"),
                                          ("compromise", "two.tsv"), ("median", "two.tsv")]
    assert web == cli
    assert web[0][2]["backtest"]["cross_validation"]["pooled_over"] == ["one.tsv", "two.tsv"]


def test_without_a_store_nothing_is_recorded(client: TestClient, wait: Any) -> None:
    r = client.post("/api/backtest", json={"data": DEU, "filename": "small.txt"})
    assert wait(r.json()["id"])["result"]["recorded"] is None


def test_a_store_that_cannot_be_opened_stops_the_server_at_start(tmp_path: Path) -> None:
    from detente.store import StoreError
    from detente.web import create_app

    (tmp_path / "file.txt").write_text("")  # a new store's folder is made; not in a file
    with pytest.raises(StoreError, match="cannot create the folder of run store"):
        create_app(SCENARIOS, store=tmp_path / "file.txt" / "sub" / "s.duckdb")
    result = CliRunner().invoke(app, ["serve", "--store",
                                      str(tmp_path / "file.txt" / "sub" / "s.db")])
    assert result.exit_code == 2
    assert "cannot create the folder of run store" in " ".join(result.stderr.split())


def test_an_uploaded_deu_file_backtests_case_by_case_by_its_library_id(client: TestClient,
                                                                         wait: Any) -> None:
    """The library keeps the file's separate_cases, so a backtest by id runs the rows as
    separate cases, as one of the file's text does (before, by id they ran jointly)."""
    head = DEU.splitlines()[0]  # two rows on which the exchange model trades when joint
    text = "\n".join([head, '"a"\t0\t100\t100\t0\t90\t10\t10\t90\t\t50',
                       '"b"\t100\t0\t0\t100\t10\t90\t90\t10\t\t50']) + "\n"
    sid = client.post("/api/scenarios/upload", files={"file": ("two.tsv", text)}).json()["id"]

    def exchange(**source: Any) -> Any:
        job = client.post("/api/backtest", json=source | {"models": ["exchange"]}).json()
        return wait(job["id"])["result"]["models"]

    by_text = exchange(data=text, filename="two.tsv")
    assert exchange(scenario_id=sid) == by_text
    assert exchange(data=text, filename="two.tsv", cases=False) != by_text
