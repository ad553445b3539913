"""The one-issue BDM table: reading the public tables, scales, detection and writing back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.scenario import load_scenario, to_arrays
from detente.scenario.formats.bdm_csv import read_bdm, write_bdm
from detente.scenario.io import detect_format

EMISSION_YEARS = [4, 7, 4, 4, 10, 10, 10, 7, 4, 7]
EMISSION_SALIENCE = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7]


def test_emission_table_matches_the_shipped_scenario(anchors, emission_path):
    sc = load_scenario(anchors / "bdm" / "emission_bdm1994__jmckib.csv")
    shipped = to_arrays(load_scenario(emission_path))
    arr = to_arrays(sc)
    assert sc.salience_scale == 1
    assert sc.issues[0].bounds == (4, 10)  # positions 4-10 years: scale [min, max]
    np.testing.assert_allclose(arr.to_issue_scale(arr.position[0], axis=-1)[:, 0],
                               EMISSION_YEARS)
    np.testing.assert_allclose(arr.position, shipped.position)
    np.testing.assert_allclose(arr.salience, shipped.salience)
    np.testing.assert_allclose(arr.capability, shipped.capability)


def test_cr_only_table_with_salience_0_100(anchors):
    sc = load_scenario(anchors / "bdm" / "emission_bdm1994_salience100__dmasad.csv")
    arr = to_arrays(sc)
    assert sc.salience_scale == 100
    np.testing.assert_allclose(arr.salience[0, :, 0], EMISSION_SALIENCE)
    assert [a.id for a in sc.actors][:3] == ["Netherlands", "Belgium", "Luxembourg"]


def test_lowercase_header_variant(anchors):
    sc = load_scenario(anchors / "bdm" / "emission_variant_uk_s40__minimalgeek.csv")
    uk = next(a for a in sc.actors if a.id == "UK")
    assert uk.salience["issue"] == pytest.approx(0.4)


def test_names_outside_the_id_pattern_keep_their_name(anchors):
    sc = load_scenario(anchors / "bdm" / "sultan_bdm1997__jmckib.csv")
    eur = next(a for a in sc.actors if a.name == "EUR/JPN")
    assert eur.id == "EUR_JPN"
    assert sc.issues[0].bounds == (12.85, 14.25)


def test_unit_positions_get_the_unit_scale(anchors):
    sc = load_scenario(anchors / "bdm" / "honduras_crisis__dmasad.csv")
    assert sc.issues[0].bounds == (0, 1)


def test_detected_from_content_not_suffix(tmp_path):
    path = tmp_path / "table.txt"
    path.write_text("Actor,Capability,Position,Salience\nA,1,0,0.5\nB,2,100,1\n")
    assert detect_format(path.read_text(), path).name == "bdm_csv"
    sc = load_scenario(path)
    assert sc.issues[0].bounds == (0, 100)  # spread over half of 0-100: kept as 0-100
    assert sc.name == "table"  # the table has no title: its file's name, not the whole path


def test_writer_refuses_more_than_one_issue(flagship_path):
    with pytest.raises(ScenarioError, match="holds one issue; this scenario has 6"):
        write_bdm(load_scenario(flagship_path))


def test_writer_output_reads_back(anchors):
    text = (anchors / "bdm" / "emission_bdm1994__jmckib.csv").read_text()
    again = write_bdm(read_bdm(text, "x"))

    def cells(t: str) -> list[list[str | float]]:
        rows = [line.split(",") for line in t.strip().splitlines()[1:]]
        return [[r[0], *map(float, r[1:])] for r in rows]

    assert again.splitlines()[0] == "Actor,Capability,Position,Salience"
    assert cells(again) == cells(text)


names = st.lists(st.text(alphabet="abcdefghij XYZ-", min_size=1, max_size=8).map(str.strip)
                 .filter(bool), min_size=1, max_size=8, unique_by=lambda s: s.lower())


@settings(max_examples=40, deadline=None)
@given(names=names, data=st.data())
def test_round_trip_keeps_every_number(names, data):
    n = len(names)
    finite = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 4))
    cap = data.draw(st.lists(st.floats(0, 1e4).map(lambda x: round(x, 4)), min_size=n,
                             max_size=n))
    pos = data.draw(st.lists(finite, min_size=n, max_size=n))
    sal = data.draw(st.lists(st.floats(0, 100).map(lambda x: round(x, 3)), min_size=n,
                             max_size=n))
    rows = [f"{a},{c},{p},{s}" for a, c, p, s in zip(names, cap, pos, sal, strict=True)]
    text = "Actor,Capability,Position,Salience\n" + "\n".join(rows) + "\n"
    first = read_bdm(text, "t")
    second = read_bdm(write_bdm(first), "t")
    assert [(a.id, a.capability, a.position, a.salience) for a in first.actors] == [
        (a.id, a.capability, a.position, a.salience) for a in second.actors]
    lo, hi = second.issues[0].bounds
    assert lo <= min(pos) and max(pos) <= hi


@pytest.mark.parametrize("header", ["Actor,Capability,Position",
                                    "Actor,Capability,Position,Salience,Extra"])
def test_a_bdm_like_header_with_other_columns_is_named_as_such(tmp_path, header):
    """It fell to KTAB by its suffix and got KTAB's "the first row must be 'name,
    description, N, D'", which says nothing about the BDM columns."""

    path = tmp_path / "t.csv"
    for row in ("A,1,4", "A,1,4,0.5,x"):
        path.write_text(f"{header}\n{row}\n")
        with pytest.raises(ScenarioError, match=r"header (is exactly )?Actor, ?Capability, "
                                                r"?Position, ?Salience"):
            load_scenario(path)


def test_saliences_on_two_scales_are_refused_at_the_odd_lines(tmp_path):
    """0.8, 0.4, 80, 0.5 read as 0-100 and weighed the three fractions as almost nothing."""
    path = tmp_path / "mix.csv"
    path.write_text("Actor,Capability,Position,Salience\nA,1,4,0.8\nB,2,7,0.4\nC,1,5,80\n"
                    "D,1,6,0.5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.line == 4 and "80 is above 1 while most saliences are fractions" in p.message
    path.write_text("Actor,Capability,Position,Salience\nA,1,4,80\nB,2,7,40\nC,1,5,1\n")
    assert load_scenario(path).salience_scale == 100  # a 0-100 table with a 1 stays valid
