"""The report's simulation section: its charts exist and show the numbers of
``detente simulate --json`` for the same scenario, end date and seed."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.report import collect, render_report
from detente.report.sim_svg import network_dates, trust_at, trust_colour, trust_network
from detente.report.simulation import default_until
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
FLAGSHIP = ROOT / "northeast-asia-2004.yaml"
UNTIL, SEED = "2005-12-31", 7


@pytest.fixture(scope="module")
def cli_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    """The report and the simulate JSON written by the CLI for the same until and seed."""
    out = tmp_path_factory.mktemp("r") / "report.html"
    runner = CliRunner()
    r = runner.invoke(app, ["report", str(FLAGSHIP), "-o", str(out), "-m", "compromise",
                            "--until", UNTIL, "--seed", str(SEED)])
    assert r.exit_code == 0, r.output
    sim = runner.invoke(app, ["simulate", str(FLAGSHIP), "--until", UNTIL, "--seed",
                              str(SEED), "--json"])
    assert sim.exit_code == 0, sim.output
    return out.read_text(encoding="utf-8"), json.loads(sim.stdout)


def test_section_has_every_chart(cli_pair: tuple[str, dict]) -> None:
    html, sim = cli_pair
    for css in ("sim-timeline", "sim-support", "sim-trust", "sim-network"):
        assert f'class="chart {css}"' in html, css
    meetings = [e for e in sim["events"] if e["kind"] == "meeting"]
    assert html.count('class="sim-meeting"') == len(meetings)


def test_timeline_outcomes_equal_simulate_json(cli_pair: tuple[str, dict]) -> None:
    html, sim = cli_pair
    drawn = re.findall(r'class="sim-meeting" data-date="([\d-]+)" data-forum="([^"]+)" '
                       r'data-outcome="([a-z_]+)"', html)
    expected = [(e["date"], e["forum"], e["outcome"]) for e in sim["events"]
                if e["kind"] == "meeting"]
    assert drawn == expected
    assert sim["until"] == UNTIL


def test_support_and_trust_equal_simulate_json(cli_pair: tuple[str, dict]) -> None:
    html, sim = cli_pair
    end = {r["actor"]: r["value"] for r in sim["support"]}  # the last step's support
    support_svg = html[html.index('class="chart sim-support"'):]
    support_svg = support_svg[:support_svg.index("</svg>")]
    drawn = [float(x) for x in re.findall(r'data-last="([\d.]+)"', support_svg)]
    assert drawn == [pytest.approx(v, abs=5e-5) for v in end.values()]
    for v in end.values():
        assert f'<td class="num">{v:.3f}</td>' in html  # end-state table
    last = max(r["date"] for r in sim["trust"])
    assert last in network_dates(sim)
    for r in sim["trust"]:
        if r["date"] == last:
            assert (f'data-a="{r["a"]}" data-b="{r["b"]}" data-value="{r["value"]:.4f}"'
                    in html), r


def test_narrative_equals_simulate_json(cli_pair: tuple[str, dict]) -> None:
    html, sim = cli_pair
    rows = re.findall(r"<tr><td>[\d-]+</td><td class='outcome-[a-z_]+'>[^<]*</td>"
                      r"<td>([^<]*)</td></tr>", html)
    assert [unescape(r) for r in rows] == sim["narrative"]


def test_default_until_prefers_the_scenarios_end() -> None:
    sc = load_scenario(FLAGSHIP)
    assert default_until(sc) == sc.simulation.end
    bare = sc.model_copy(update={"simulation": sc.simulation.model_copy(update={"end": None})})
    last_event = max(e.date for e in sc.calendar if e.date)
    assert default_until(bare) == max(dt.date(sc.as_of.year + 1, 12, 31), last_event)


def test_scenario_without_forums_says_why_in_the_report() -> None:
    sc = load_scenario(ROOT / "ec-emissions-1994.yaml")
    data = collect(sc, ["compromise"])
    assert not data.simulation.available
    html = render_report(data)
    assert "nothing to simulate" in html and "sim-timeline" not in html


def test_bad_until_is_one_line_exit_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["report", str(FLAGSHIP), "-o", str(tmp_path / "r.html"),
                                 "--until", "next year"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(("until", "why"), [
    ("2003-01-01", "before the simulation's start 2004-05-01"),
    ("2300-01-01", "at most 100 years")])
def test_an_until_the_simulation_refuses_is_exit_2_as_in_simulate(tmp_path: Path, until: str,
                                                                  why: str) -> None:
    out = tmp_path / "r.html"
    runner = CliRunner()
    r = runner.invoke(app, ["report", str(FLAGSHIP), "-o", str(out), "--until", until])
    sim = runner.invoke(app, ["simulate", str(FLAGSHIP), "--until", until])
    assert r.exit_code == sim.exit_code == 2
    assert why in r.output and why in sim.output
    assert not out.exists()  # refused before the models ran, nothing written


def test_an_until_is_not_checked_where_nothing_is_simulated(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", str(ROOT / "ec-emissions-1994.yaml"), "-o",
                                 str(out), "-m", "compromise", "--draws", "0", "--until",
                                 "1900-01-01"])
    assert r.exit_code == 0 and "nothing to simulate" in r.output and out.exists()
    r = CliRunner().invoke(app, ["report", str(FLAGSHIP), "-o", str(out), "-m", "compromise",
                                 "--draws", "0", "--until", "1900-01-01", "--no-simulation"])
    assert r.exit_code == 0


@settings(max_examples=40, deadline=None)
@given(st.floats(-1, 2, allow_nan=False))
def test_trust_colour_is_a_valid_hex_colour(v: float) -> None:
    assert re.fullmatch(r"#[0-9a-f]{6}", trust_colour(v))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=3, max_size=3))
def test_network_edges_carry_their_trust_and_stay_inside(values: list[float]) -> None:
    pairs = [("a", "b"), ("a", "c"), ("b", "c")]
    sim = {"start": "2000-01-01", "until": "2000-12-31", "events": [],
           "support": [{"date": "2000-02-01", "actor": x, "value": 0.5} for x in "abc"],
           "trust": [{"date": "2000-02-01", "a": a, "b": b, "value": v}
                     for (a, b), v in zip(pairs, values, strict=True)]}
    svg = trust_network(sim, "2000-06-01")
    assert trust_at(sim, "2000-01-15") == {}
    for (a, b), v in zip(pairs, values, strict=True):
        assert f'data-a="{a}" data-b="{b}" data-value="{v:.4f}"' in svg
    for x in re.findall(r'[xy][12]="(-?[\d.]+)"', svg):
        assert 0 <= float(x) <= 316


def test_report_escapes_narrative_text() -> None:
    sc = scenario_from_data({
        "detente": 1, "name": "x", "as_of": "2001-01-01", "issues": [{"id": "X"}],
        "actors": [{"id": "a", "capability": 1, "position": {"X": 0}, "salience": {"X": 50}},
                   {"id": "b", "capability": 1, "position": {"X": 80},
                    "salience": {"X": 50}}],
        "forums": [{"id": "f", "name": "<b>talks</b>", "members": ["a", "b"],
                    "agenda": ["X"], "meetings": [{"date": "2001-03-01"}]}]}, "x", {})
    html = render_report(collect(sc, ["compromise"]))
    assert "sim-timeline" in html
    assert "<b>talks</b>" not in html and "&lt;b&gt;talks&lt;/b&gt;" in html
