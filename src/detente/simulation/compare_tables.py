"""The rows of a what-if comparison worth showing, table by table: what ``detente compare``
prints and the web app's what-if panel shows.

A comparison (:func:`detente.simulation.compare.compare`) has a row for every meeting, pair,
actor and issue; most differences are float noise or too small to matter. A row is shown when
its difference (mean over seeds, or the 10th or 90th percentile) reaches a threshold, or when
a smaller difference is a clear effect (its 90 % confidence interval leaves out 0). ``--json``
and the web API's ``comparison`` keep every row.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: the meeting outcomes compared, and how a table names each
OUTCOME_WORDS = {"agreement": "agreement", "settled": "agreement or partial",
                 "meets": "meeting held"}
SHOWN = 0.005  # differences smaller than this (in 0-1 units) are left out of the tables
SHOWN_ON_SCALE = 0.5  # the same for positions and packages, in points of an issue's scale


@dataclass(frozen=True)
class DiffTable:
    """One table of an intervention's differences: the rows kept and how many were left out."""

    title: str
    keys: list[str]  # the columns naming a row (meeting, actor, issue, ...)
    rows: list[dict[str, Any]]
    left_out: int
    digits: int  # decimals the figures are shown with

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shown(row: dict[str, Any], threshold: float) -> bool:
    """A row worth showing: a difference (mean, 10th or 90th percentile over seeds) of at least
    ``threshold``, or a smaller one whose 90 % interval leaves out 0 (a clear effect; at least
    a tenth of the threshold, so that float noise stays out)."""
    if max(abs(row["diff"]), abs(row["p10"]), abs(row["p90"])) >= threshold:
        return True
    ci = row.get("ci90")
    return bool(ci) and abs(row["diff"]) >= threshold / 10 and (ci[0] > 0 or ci[1] < 0)


def _table(title: str, keys: list[str], rows: list[dict[str, Any]], threshold: float,
           digits: int = 3) -> DiffTable:
    kept = [r for r in rows if shown(r, threshold)]
    return DiffTable(title, keys, kept, len(rows) - len(kept), digits)


def difference_tables(iv: dict[str, Any]) -> list[DiffTable]:
    """The tables of one intervention's entry in a comparison, in the order they are shown
    (a table may keep no row)."""
    outcomes = [{"meeting": f"{o['date']} {o['label']}", "probability of": said, **o[what]}
                for o in iv["outcomes"] for what, said in OUTCOME_WORDS.items()]
    return [
        _table("meetings", ["meeting", "probability of"], outcomes, SHOWN),
        _table("trust at the end", ["a", "b"], iv["trust"], SHOWN),
        _table("domestic support at the end", ["actor"], iv["support"], SHOWN),
        _table("utility conceded from the ideal", ["actor"], iv["conceded"], SHOWN),
        _table("package in force at the end (issue scale)", ["issue"], iv["packages"],
               SHOWN_ON_SCALE, 2),
        _table("last positions (issue scale)", ["actor", "issue"], iv["positions"],
               SHOWN_ON_SCALE, 2),
    ]


def left_out_note(tables: list[DiffTable], where_all: str) -> str | None:
    """What the tables leave out, or None; ``where_all`` says where every row is."""
    left_out = sum(t.left_out for t in tables)
    if not left_out:
        return None
    some_shown = any(t.rows for t in tables)
    return (f"{'left out' if some_shown else 'no difference shown'}: {left_out} "
            f"row{'s' * (left_out != 1)} whose differences over seeds stay below "
            f"{SHOWN_ON_SCALE} points on an issue's scale or {SHOWN} elsewhere (probabilities, "
            f"trust, support, utility), none of them a clear effect (an interval without 0); "
            f"{where_all} has every row")
