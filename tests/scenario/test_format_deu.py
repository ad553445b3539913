"""The DEU layout: one scenario whose issues are the rows, with outcomes and a GDP coding."""

from __future__ import annotations

import numpy as np
import pytest

from detente.errors import OptionError, ScenarioError
from detente.scenario import load_scenario, to_arrays
from detente.scenario.formats.deu import read_deu, write_deu
from detente.scenario.io import detect_format

# A small table in the public file's layout: quoted header, GDP row, blanks.
SMALL = "\n".join([
    '"isnr"\t"prname"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"',
    '\t\t"4.1"\t"4.1"\t"2.8"\t"4.1"\t\t\t\t\t\t',
    '"x1"\t"docs"\t100\t0\t40\t\t50\t80\t20\t0\t0\t60',
    '"x2"\t"docs"\t50\t\t100\t0\t60\t70\t\t40\t10\t',
    '"x3"\t"cars"\t0\t100\t50\t20\t50\t50\t50\t50\t\t999',
]) + "\n"


def test_rows_become_issues_with_outcomes_and_reference_points():
    sc = read_deu(SMALL, "small.tsv")
    assert [i.id for i in sc.issues] == ["x1", "x2", "x3"]
    assert [a.id for a in sc.actors] == ["com", "ep", "fr", "de"]
    assert sc.issues[0].outcome.value == 60 and sc.issues[0].reference_point == 0
    assert sc.issues[1].outcome is None  # blank outcome: unknown
    assert sc.issues[2].outcome.value == 999  # kept as written; the backtest leaves it out
    assert sc.issues[0].name == "docs"


def test_position_without_salience_and_salience_without_position_mean_not_involved():
    arr = to_arrays(read_deu(SMALL, "small.tsv"))
    # x1: de has salience 0 but no position; x2: ep has a salience but no position,
    # fr a position but no salience
    assert arr.involved[:, 0].tolist() == [True, True, True, False]
    assert arr.involved[:, 1].tolist() == [True, False, False, True]
    np.testing.assert_allclose(arr.salience[0, :, 0], [0.5, 0.8, 0.2, 0.0])


def test_capability_is_equal_by_default_and_gdp_by_name():
    sc = read_deu(SMALL, "small.tsv")
    assert np.all(to_arrays(sc).capability == 1)
    np.testing.assert_allclose(to_arrays(sc, "gdp").capability[0, :, 0], [4.1, 4.1, 2.8, 4.1])
    with pytest.raises(OptionError, match="unknown capability coding 'cinc'"):
        to_arrays(sc, "cinc")


def test_detected_from_content_and_read_as_separate_cases(tmp_path):
    path = tmp_path / "deu.csv"  # wrong suffix on purpose, as in the public repository
    path.write_text(SMALL)
    fmt = detect_format(SMALL, path)
    assert fmt.name == "deu"
    sc = fmt.read(SMALL, str(path))
    assert sc.separate_cases and to_arrays(sc).separate_cases


def test_public_split(anchors):
    sc = load_scenario(anchors / "bdm" / "deu3_public__blksv.tsv")
    assert len(sc.issues) == 248 and len(sc.actors) == 30
    assert sum(i.outcome is None for i in sc.issues) == 10
    assert sc.issues[0].id == "d00032i1"
    gdp = to_arrays(sc, "gdp")
    assert gdp.capability[0, sc.actors.index(next(a for a in sc.actors if a.id == "uk")), 0] \
        == pytest.approx(2.64)


def test_writer_round_trip_keeps_positions_saliences_and_outcomes():
    sc = read_deu(SMALL, "a.tsv")
    again = read_deu(write_deu(sc), "b.tsv")
    a, b = to_arrays(sc, "gdp"), to_arrays(again, "gdp")
    for field in ("position", "salience", "capability", "outcome", "reference_point"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_writer_refuses_issue_scales_other_than_0_100(emission_path):
    with pytest.raises(ScenarioError, match="DEU layout is 0-100"):
        write_deu(load_scenario(emission_path))


@pytest.mark.parametrize(("row", "message"), [
    ('"x9"\t"d"\t100\tlots\t0\t0\t50\t50\t50\t50\t\t50', "column pep: 'lots' is not a number"),
    ('"x9"\t"d"\t100\t0\t0\t0\t50\t150\t50\t50\t\t50', "column sep: salience 150 is outside"),
    ('"x1"\t"d"\t100\t0\t0\t0\t50\t50\t50\t50\t\t50', "issue 'x1' appears again (first on line 3)"),
    ('"x9"\t"d"\t100\t0', "expected 12 cells as in the header, found 4"),
])
def test_bad_rows_name_line_and_column(row, message):
    with pytest.raises(ScenarioError) as exc:
        read_deu(SMALL + row + "\n", "bad.tsv")
    assert message in str(exc.value)
    assert "bad.tsv:6" in str(exc.value)


def test_every_bad_cell_is_reported_at_once():
    bad = SMALL.replace("\t40\t\t50\t80", "\tforty\t\t50\teighty")
    with pytest.raises(ScenarioError) as exc:
        read_deu(bad, "bad.tsv")
    assert len(exc.value.problems) == 2
    assert {p.line for p in exc.value.problems} == {3}


def test_position_column_without_salience_column():
    bad = SMALL.replace('"sde"', '"xde"')
    with pytest.raises(ScenarioError, match="column pde has no matching salience column sde"):
        read_deu(bad, "bad.tsv")
