"""The rows of a comparison worth showing (shared by ``detente compare`` and the web app)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from detente.simulation.compare_tables import (
    SHOWN,
    difference_tables,
    left_out_note,
    shown,
)


def _row(diff: float, p10: float | None = None, p90: float | None = None,
         ci: list[float] | None = None) -> dict:
    return {"diff": diff, "p10": diff if p10 is None else p10,
            "p90": diff if p90 is None else p90, "ci90": ci, "baseline": 0.5,
            "intervention": 0.5 + diff}


def test_a_row_is_shown_for_a_large_difference_or_a_clear_small_effect():
    assert shown(_row(0.01), SHOWN)
    assert shown(_row(0.0, p10=-1.0, p90=1.0), SHOWN)  # no mean effect, but seeds differ a lot
    assert not shown(_row(0.001, ci=[-0.001, 0.003]), SHOWN)  # small and told from 0 by nothing
    assert shown(_row(0.001, ci=[0.0005, 0.0015]), SHOWN)  # small but clear
    assert not shown(_row(1e-6, ci=[5e-7, 2e-6]), SHOWN)  # float noise, however clear


@given(st.floats(-1, 1), st.floats(0, 0.5))
def test_a_larger_difference_is_never_hidden_where_a_smaller_one_is_shown(diff, more):
    bigger = diff + more if diff >= 0 else diff - more
    if shown(_row(diff), SHOWN):
        assert shown(_row(bigger), SHOWN)


def test_the_tables_keep_or_count_every_row():
    stat = _row(0.2)
    iv = {"outcomes": [{"date": "2004-06-23", "label": "round 3", "agreement": stat,
                        "settled": _row(0.0), "meets": _row(0.0)}],
          "trust": [{"a": "US", "b": "KR", **_row(0.001)}],
          "support": [], "conceded": [],
          "packages": [{"issue": "A", **_row(0.7)}],
          "positions": [{"actor": "KP", "issue": "A", **_row(0.1)}]}
    tables = difference_tables(iv)
    assert [len(t.rows) + t.left_out for t in tables] == [3, 1, 0, 0, 1, 1]
    assert [r["probability of"] for r in tables[0].rows] == ["agreement"]
    assert tables[4].rows and not tables[5].rows  # 0.5 points on an issue's scale
    note = left_out_note(tables, "--json")
    assert note is not None and note.startswith("left out: 4 rows")
    assert left_out_note([t for t in tables if not t.rows], "x").startswith("no difference")
    assert left_out_note([tables[2]], "x") is None
