"""Bad input through the library: one located, readable problem per thing wrong."""

from __future__ import annotations

import pytest

from detente.errors import ScenarioError
from detente.scenario import load_scenario

GOOD = "Actor,Capability,Position,Salience\nA,1,4,0.5\nB,2,10,0.9\nC,1,7,0.2\n"


def problems(tmp_path, content: str | bytes, name: str = "t.csv") -> list[str]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return [str(p) for p in exc.value.problems]


def test_good_table_loads(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(GOOD)
    assert len(load_scenario(path).actors) == 3


@pytest.mark.parametrize(("content", "expected"), [
    ("", "t.csv: the file is empty"),
    ("\n  \n", "t.csv: the file is empty"),
    (GOOD.replace("2,10", "2,ten"), "t.csv:3: column Position: 'ten' is not a number"),
    (GOOD.replace("0.9", "140"), "t.csv:3: column Salience: 140 is outside 0-1 and 0-100"),
    (GOOD.replace("B,2", "B,-2"), "t.csv:3: column Capability: -2 is negative"),
    (GOOD.replace("C,", "A,"), "t.csv:4: column Actor: actor 'A' appears again (first on "
                               "line 2); actor names must be unique: if they are different "
                               "actors, rename one (e.g. 'A 2')"),
    (GOOD.replace("B,2,10,0.9", "B,2,10"), "t.csv:3: expected 4 cells"),
    (GOOD.replace(",", ";"), "t.csv:1: expected comma-separated columns (Actor,Capability,"
                             "Position,Salience), found semicolons"),
    (GOOD.replace(",", "\t"), "found tabs"),
])
def test_bdm_table_problems(tmp_path, content, expected):
    found = problems(tmp_path, content)
    assert any(expected in p for p in found), found


def test_every_problem_at_once(tmp_path):
    bad = GOOD.replace("2,10", "2,ten").replace("0.2", "-1").replace("A,1,4", "A,x,4")
    found = problems(tmp_path, bad)
    assert len(found) == 3
    assert [p.split(":")[1] for p in found] == ["2", "3", "4"]


def test_binary_and_non_utf8_files(tmp_path):
    assert problems(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == [
        f"{tmp_path / 't.csv'}: binary file; a scenario must be text"]
    latin1 = "Actor,Capability,Position,Salience\nA,1,4,0.5\nÖsterreich,1,5,0.5\n"
    (found,) = problems(tmp_path, latin1.encode("latin-1"))
    assert found.endswith("t.csv:3: not UTF-8 text (byte 0xd6); save the file as UTF-8")


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(GOOD.encode("utf-16"))
    assert [a.id for a in load_scenario(path).actors] == ["A", "B", "C"]


def test_yaml_unknown_issue_and_out_of_range_salience(tmp_path):
    text = """detente: 1
salience_scale: 100
issues:
  - {id: A}
actors:
  - id: X
    position: {A: 10, Q: 5}
    salience: {A: 150, Q: 5}
"""
    found = problems(tmp_path, text, "s.yaml")
    assert any("s.yaml:7: actors[0].position.Q: unknown issue 'Q'" in p for p in found), found
    assert any("s.yaml:8: actors[0].salience.A: salience 150 is above 100" in p
               for p in found), found


def test_unknown_format(tmp_path):
    (found,) = problems(tmp_path, "hello world\n", "t.dat")
    assert "cannot tell the file's format from its content" in found


def test_problems_in_a_json_scenario_carry_their_line(tmp_path, emission_path):
    # YAML files had lines, JSON files only paths (and so came out of file order)
    import json

    data = json.loads(load_scenario(emission_path).model_dump_json(by_alias=True))
    data["actors"][3]["salience"]["date"] = 500
    data["actors"][1]["capability"] = -1
    text = json.dumps(data, indent=2)
    found = problems(tmp_path, text, "s.json")
    lines = text.splitlines()
    assert len(found) == 2
    for p, key, value in zip(found, ('"capability"', '"date"'), ("-1", "500"), strict=True):
        line = int(p.split(":")[1])
        assert key in lines[line - 1] and value in lines[line - 1], (p, lines[line - 1])
    # a text YAML's composer cannot read (a tab before a key) still loads, without lines
    tabbed = text.replace('\n  "issues"', '\n\t"issues"')
    assert json.loads(tabbed) == data
    assert all(p.split(":")[1].strip().startswith("actors") for p in
               problems(tmp_path, tabbed, "t.json"))


def test_a_directory_or_binary_file_is_named_as_what_the_command_expects(tmp_path):
    """`sweep DIR` and `compare -i DIR` said 'not a scenario file' of a spec or intervention."""
    from detente.errors import ScenarioError
    from detente.execution.spec import read_spec
    from detente.simulation.compare import load_intervention

    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\x00\x01")
    for read, what in ((read_spec, "a sweep spec"), (load_intervention, "an intervention")):
        for path, message in ((tmp_path, f"is a directory, not {what} file"),
                              (binary, f"binary file; {what} must be text")):
            with pytest.raises(ScenarioError) as exc:
                read(path)
            assert [str(p) for p in exc.value.problems] == [f"{path}: {message}"]
