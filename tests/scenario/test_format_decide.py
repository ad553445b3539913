"""The Decide #A/#P/#M/#D format: dialects, scales, power, located errors, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.scenario.arrays import to_arrays
from detente.scenario.formats.decide import read_decide, write_decide
from detente.scenario.io import load_scenario

TAB_QUOTED = """'#A'\t'X'\t'Actor X'\t''
'#A'\t'Y'\t'Actor Y'\t''
'#P'\t'tax'\t'tax rate'
'#P'\t'toll'\t'toll height'
'#M'\t'toll'\t0.5\t'low toll'
'#M'\t'toll'\t7\t'high toll'
'#D'\t'X'\t'tax'\t100.0\t0.9\t1.0
'#D'\t'X'\t'toll'\t3.0\t0.5\t1.0
'#D'\t'Y'\t'tax'\t0\t0.4\t0.5
'#D'\t'Y'\t'toll'\t7\t0.8\t0.25
"""


def _dialect(text: str, delimiter: str, quote: str) -> str:
    out = []
    for line in text.splitlines():
        cells = [c.strip("'") for c in line.split("\t")]
        out.append(delimiter.join(f"{quote}{c}{quote}" if not _is_num(c) else c
                                  for c in cells))
    return "\n".join(out) + "\n"


def _is_num(c: str) -> bool:
    try:
        float(c)
    except ValueError:
        return False
    return True


def test_reads_positions_saliences_and_scale() -> None:
    sc = read_decide(TAB_QUOTED, "t.txt")
    assert sc.salience_scale == 1
    toll = sc.issue("toll")
    assert (toll.scale.min, toll.scale.max) == (0.5, 7.0)
    assert (toll.low, toll.high) == ("low toll", "high toll")
    assert sc.issue("tax").scale is None
    x, y = sc.actors
    assert x.position == {"tax": 100.0, "toll": 3.0}
    assert y.salience == {"tax": 0.4, "toll": 0.8}
    arrays = to_arrays(sc)
    assert arrays.position[0, 0, 1] == pytest.approx((3.0 - 0.5) * 100 / 6.5)


def test_constant_power_is_one_number_varying_power_a_dict() -> None:
    sc = read_decide(TAB_QUOTED, "t.txt")
    assert sc.actors[0].capability == 1.0
    assert sc.actors[1].capability == {"tax": 0.5, "toll": 0.25}


@pytest.mark.parametrize(("delimiter", "quote"), [(";", ""), (";", '"'), ("\t", ""),
                                                   ("\t", '"')])
def test_dialects_give_the_same_scenario(delimiter: str, quote: str) -> None:
    ref = read_decide(TAB_QUOTED, "t.txt")
    other = read_decide(_dialect(TAB_QUOTED, delimiter, quote), "t.csv")
    assert other.model_dump() == ref.model_dump()


def test_comment_and_title_lines() -> None:
    text = "#O;My title;;\n#/;a note;;\n#/;ID;Full name\n" + _dialect(TAB_QUOTED, ";", "")
    sc = read_decide(text, "t.csv")
    assert sc.name == "My title"
    assert sc.description == "a note"


def test_located_errors_all_at_once() -> None:
    text = TAB_QUOTED.replace("100.0\t0.9\t1.0", "160\t0.9\t1.0").replace(
        "0\t0.4\t0.5", "0\t0.4\t-0.5") + "'#D'\t'Z'\t'tax'\t1\t1\t1\n'#D'\t'X'\t'vat'\t1\t1\t1\n"
    with pytest.raises(ScenarioError) as err:
        read_decide(text, "bad.txt")
    msgs = [(p.line, p.message) for p in err.value.problems]
    assert (7, "position 160 of X on tax is outside the issue's scale 0-100") in msgs
    assert any(line == 9 and "power -0.5" in m for line, m in msgs)
    assert any(line == 11 and "unknown actor 'Z'" in m for line, m in msgs)
    assert any(line == 12 and "unknown issue 'vat'" in m for line, m in msgs)
    assert all(p.file == "bad.txt" for p in err.value.problems)


def test_position_outside_an_own_scale_and_bad_numbers() -> None:
    text = TAB_QUOTED.replace("'toll'\t3.0", "'toll'\t7.5").replace("0.8\t0.25", "high\t0.25")
    with pytest.raises(ScenarioError) as err:
        read_decide(text, "t.txt")
    msgs = [(p.line, p.message) for p in err.value.problems]
    assert any(line == 8 and "outside the issue's scale 0.5-7" in m for line, m in msgs)
    assert any(line == 10 and "salience 'high' is not a number" in m for line, m in msgs)


def test_ids_the_scenario_format_forbids_are_cleaned_and_names_kept() -> None:
    text = TAB_QUOTED.replace("'X'", "'EU (incl Norway)'")
    sc = read_decide(text, "t.txt")
    assert sc.actors[0].id == "EU incl Norway"
    assert sc.actors[0].name == "Actor X"


def test_round_trip(tmp_path: Path) -> None:
    sc = read_decide(TAB_QUOTED, "t.txt")
    again = read_decide(write_decide(sc), "again.txt")
    assert again.model_dump() == sc.model_dump()


def test_detected_from_content(tmp_path: Path) -> None:
    path = tmp_path / "data.weird"
    path.write_text(_dialect(TAB_QUOTED, ";", ""))
    assert load_scenario(path).actors[1].capability == {"tax": 0.5, "toll": 0.25}


def test_anchor_files_load(anchors: Path) -> None:
    ex = anchors / "exchange"
    cases = {"cop21.csv": (15, 13, 181), "history/CoP21_2016.csv": (15, 13, 181),
             "copenhagen.csv": (11, 7, 75), "sample_data.txt": (10, 6, 60),
             "history/verkiezing_2012.csv": (11, 11, 108), "history/data_short.csv": (15, 3, 45)}
    for name, (n_actors, n_issues, n_rows) in cases.items():
        sc = load_scenario(ex / name)
        assert (len(sc.actors), len(sc.issues)) == (n_actors, n_issues), name
        assert sum(len(a.position) for a in sc.actors) == n_rows, name
    sample = load_scenario(ex / "sample_data.txt")
    assert [(i.id, i.bounds) for i in sample.issues if i.scale] == [("tol-hoogte", (0.5, 7.0))]


def test_anchor_file_with_errors(anchors: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(anchors / "exchange" / "copenhagen_with_errors.csv")
    got = [(p.line, p.message) for p in err.value.problems]
    assert got == [(86, "position 160 of Russia on Control is outside the issue's scale 0-100"),
                   (87, "power -0.247 of China India on Control is negative")]
