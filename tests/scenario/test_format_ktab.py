"""The KTAB SMP CSV reader/writer: detection, layout variants, located errors, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.scenario.formats.ktab import read_ktab, write_ktab
from detente.scenario.io import detect_format, load_scenario

SMALL = """Test,"A test, with a comma",3,2,
Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,
A, first, 10, 20, 30, 40, 50,
B, second, 5, 60, 20, 10, 10,
C, third, 1, 90, 50, 50, 50,
"""


def _messages(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        read_ktab(text, "f.csv")
    return [str(p) for p in exc.value.problems]


def test_reads_actors_dimensions_and_values() -> None:
    sc = read_ktab(SMALL, "f.csv")
    assert sc.name == "Test" and sc.description == "A test, with a comma"
    assert [i.id for i in sc.issues] == ["Pstn1", "Pstn2"]
    assert [a.id for a in sc.actors] == ["A", "B", "C"]
    b = sc.actors[1]
    assert b.name == "second" and b.capability == 5
    assert b.position == {"Pstn1": 60, "Pstn2": 10}
    assert b.salience == {"Pstn1": 20, "Pstn2": 10}
    assert sc.salience_scale == 100


def test_trailing_commas_do_not_matter() -> None:
    plain = "\n".join(line.rstrip(",") for line in SMALL.splitlines())
    assert read_ktab(plain, "f.csv") == read_ktab(SMALL, "f.csv")


def test_detected_from_content_not_suffix(tmp_path: Path) -> None:
    f = tmp_path / "scenario.txt"
    f.write_text(SMALL)
    assert detect_format(SMALL, f).name == "ktab"
    assert len(load_scenario(f).actors) == 3


def test_other_csv_is_not_detected() -> None:
    assert detect_format("Actor,Capability,Position,Salience\nA,1,2,3\n").name != "ktab"


def test_position_header_gives_issue_id() -> None:
    text = SMALL.replace("Pstn1", "Policy Position").replace("Pstn2", "Trade Position")
    assert [i.id for i in read_ktab(text, "f.csv").issues] == ["Policy", "Trade"]


def test_salience_sum_over_100_is_located() -> None:
    msgs = _messages(SMALL.replace("C, third, 1, 90, 50, 50, 50", "C, third, 1, 90, 60, 50, 50"))
    assert msgs == ["f.csv:5: actor 'C': saliences sum to 110, over 100"]


def test_non_numeric_cell_is_located() -> None:
    msgs = _messages(SMALL.replace("B, second, 5, 60", "B, second, five, 60"))
    assert msgs == ["f.csv:4: column 3 (Power): 'five' is not a number"]


def test_wrong_number_of_cells_is_located() -> None:
    msgs = _messages(SMALL.replace("A, first, 10, 20, 30, 40, 50,", "A, first, 10, 20, 30,"))
    assert len(msgs) == 1 and msgs[0].startswith("f.csv:3: 5 cells where D = 2 needs 7")


def test_n_not_matching_rows_is_located() -> None:
    msgs = _messages(SMALL.replace(",3,2,", ",4,2,"))
    assert msgs == ["f.csv:1: row 1 says N = 4 actors but the file has 3 actor rows"]


def test_d_not_matching_header_is_located() -> None:
    msgs = _messages(SMALL.replace(",3,2,", ",3,3,"))
    assert len(msgs) == 1 and msgs[0].startswith("f.csv:2: the header row has 7 columns")


def test_bad_first_row() -> None:
    msgs = _messages("just a title\n" + SMALL)
    assert "first row must be 'name, description, N, D'" in msgs[0]


def test_position_outside_0_100_and_negative_power() -> None:
    msgs = _messages(SMALL.replace("A, first, 10, 20", "A, first, -1, 120"))
    assert msgs == ["f.csv:3: actor 'A': capability -1 is negative",
                    "f.csv:3: actor 'A': position 120 on 'Pstn1' is outside 0-100"]


def test_zero_power_is_read() -> None:
    sc = read_ktab(SMALL.replace("A, first, 10,", "A, first, 0,"), "f.csv")
    assert sc.actors[0].capability == 0


def test_duplicate_actor_is_an_error() -> None:
    msgs = _messages(SMALL.replace("B, second", "A, second"))
    assert msgs == ["f.csv:4: actor 'A' appears twice (also on line 3)"]


def test_every_shipped_ktab_csv_reads(anchors: Path) -> None:
    expected = {"SOE-Policy": (26, 1), "SOE-Competitive": (34, 1), "SOE-Pol-Comp": (13, 2),
                "dummyData_3Dim": (7, 3), "dummyData_3Dim-no-final-comma": (7, 3),
                "dummyData_6Dim": (27, 6), "dummyData-a040": (40, 1),
                "dummyData-a080": (80, 1), "dummyData-a160": (160, 1)}
    for name, (n, d) in expected.items():
        sc = load_scenario(anchors / "ktab" / "smp" / f"{name}.csv")
        assert (len(sc.actors), len(sc.issues)) == (n, d), name
    a = load_scenario(anchors / "ktab" / "smp" / "dummyData_3Dim.csv")
    b = load_scenario(anchors / "ktab" / "smp" / "dummyData_3Dim-no-final-comma.csv")
    assert a.actors == b.actors


def test_writer_refuses_what_ktab_cannot_hold(emission_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        write_ktab(load_scenario(emission_path))
    assert "KTAB CSV positions are 0-100" in str(exc.value)


def test_the_writer_names_every_problem_of_each_actor(flagship_path: Path) -> None:
    # an actor with a capability per issue had its salience sum left unsaid
    with pytest.raises(ScenarioError) as exc:
        write_ktab(load_scenario(flagship_path))
    paths = [p.path for p in exc.value.problems]
    assert "actors[5].capability" in paths and "actors[5].salience" in paths
    assert any(p.message.startswith("KP's saliences sum to") for p in exc.value.problems)


_value = st.integers(0, 100).map(float)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 500).map(float), _value, _value, _value),
                     min_size=1, max_size=6))
def test_round_trip(rows: list[tuple[float, float, float, float]]) -> None:
    lines = ["R,round trip," f"{len(rows)},2",
             "Actor,Description,Influence,X Position,X Salience,Y Position,Y Salience"]
    for k, (cap, x, y, s) in enumerate(rows):
        lines.append(f"a{k},actor {k},{cap:g},{x:g},{s / 2:g},{y:g},{s / 2:g}")
    sc = read_ktab("\n".join(lines) + "\n", "f.csv")
    again = read_ktab(write_ktab(sc), "g.csv")
    assert again.actors == sc.actors
    assert [i.id for i in again.issues] == ["X", "Y"]
