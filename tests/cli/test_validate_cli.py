"""``detente validate`` through the CLI: every problem at once, exit code 2, nothing written."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()
BAD_TABLE = ("Actor,Capability,Position,Salience\nA,1,4,0.5\nB,-2,ten,0.9\n"
             "A,1,7,140\n")


def test_reports_all_problems_with_exit_code_2(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_TABLE)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 3
    assert f"error {path}:3: column Capability: -2 is negative" in lines[1] or any(
        "column Capability: -2 is negative" in line for line in lines)
    assert any(f"{path}:3: column Position: 'ten' is not a number" in line for line in lines)
    assert any(f"{path}:4: column Actor: actor 'A' appears again" in line for line in lines)
    assert result.stdout == ""


def test_wrong_delimiter_message(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text(BAD_TABLE.replace(",", ";"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "expected comma-separated columns" in result.stderr
    assert "found semicolons" in result.stderr


def test_yaml_alias_bomb_binary_and_empty(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [x, x]\nb: [*a, *a]\nissues: []\n")
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(b"\x00\x01\x02issues:")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    for path, message in ((bomb, f"{bomb}:2: YAML aliases"),
                          (binary, "binary file"), (empty, "the file is empty")):
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2, path
        assert message in result.stderr


def test_valid_file_json_summary(emission_path):
    result = runner.invoke(app, ["validate", str(emission_path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {"file": ""} == {
        "file": "", "valid": True, "actors": 10, "issues": 1, "forums": 0, "events": 0}


def test_invalid_file_json_lists_every_problem_on_stdout(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_TABLE)
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["file"] == str(path)
    assert len(data["problems"]) == 3 and len(result.stderr.splitlines()) == 3
    assert {"message": "column Position: 'ten' is not a number", "path": "", "line": 3,
            "file": str(path)} in data["problems"]
    missing = runner.invoke(app, ["validate", str(tmp_path / "none.yaml"), "--json"])
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["problems"][0]["message"] == "no such file"


def test_convert_of_bad_input_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_TABLE)
    result = runner.invoke(app, ["convert", str(path), str(tmp_path / "out.yaml")])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == [path]


def test_a_valid_scenario_simulate_refuses_gets_a_note(tmp_path):
    """validate said 'ok' for a forum agenda issue nobody weighs; simulate then refused it."""
    f = tmp_path / "unw.yaml"
    f.write_text("issues: [{id: X}, {id: Y}]\nactors:\n"
                 "  - {id: P, position: {X: 10, Y: 20}, salience: {X: 0, Y: 50}}\n"
                 "  - {id: Q, position: {X: 90, Y: 40}, salience: {X: 0, Y: 50}}\n"
                 "forums:\n  - {id: f, members: [P, Q], agenda: [X, Y], "
                 "meetings: [{date: 2025-03-01}]}\n")
    res = runner.invoke(app, ["validate", str(f)])
    assert res.exit_code == 0 and res.stdout.startswith("ok ")
    assert (f"note: simulate refuses this scenario: {f}: forums[0].agenda[0]: no member of "
            "forum 'f' weighs issue 'X'") in " ".join(res.stderr.split())
    data = json.loads(runner.invoke(app, ["validate", str(f), "--json"]).stdout)
    assert data["valid"] is True and len(data["simulation_problems"]) == 1
    sim = runner.invoke(app, ["simulate", str(f), "--no-record"])
    assert sim.exit_code == 2 and "weighs issue 'X'" in sim.stderr
    f.write_text(f.read_text().replace("X: 0, Y: 50}}\n  - {id: Q", "X: 5, Y: 50}}\n  - {id: Q"))
    res = runner.invoke(app, ["validate", str(f), "--json"])
    assert "simulation_problems" not in json.loads(res.stdout) and "note" not in res.stderr
