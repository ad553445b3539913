"""The HTML report: self-contained, one SVG per chart, the numbers of the models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.api import forecast
from detente.cli import app
from detente.report import collect, render_report
from detente.report.charts import issue_charts
from detente.report.svg import forecast_chart, trajectory_chart
from detente.scenario.io import load_scenario

EXTERNAL = re.compile(r"""(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//"""
                      r"""|url\(|@import|<script|<link|<iframe|<img""", re.IGNORECASE)


@pytest.fixture(scope="module")
def flagship_report() -> tuple[str, object]:
    path = Path(__file__).resolve().parents[2] / "scenarios" / "northeast-asia-2004.yaml"
    data = collect(load_scenario(path))
    return render_report(data), data


def test_report_loads_nothing_from_outside(flagship_report: tuple[str, object]) -> None:
    html, _ = flagship_report
    assert html.startswith("<!DOCTYPE html>")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    for m in re.finditer(r"""(?:src|href)\s*=\s*["']([^"']*)""", html):
        assert m.group(1).startswith("#"), m.group(1)  # only in-page anchors


def test_report_has_one_svg_per_chart(flagship_report: tuple[str, object]) -> None:
    html, data = flagship_report
    charts = issue_charts(data)  # type: ignore[arg-type]
    simulation = 8  # timeline, support, trust panels, 4 network dates, network key
    expected = sum(1 + len(c.trajectories) for c in charts) + simulation
    assert html.count("<svg") == html.count("</svg>") == expected
    assert html.count('class="chart forecast-chart"') == len(data.scenario.issues)  # type: ignore[attr-defined]


def test_report_shows_each_models_forecast(flagship_report: tuple[str, object]) -> None:
    html, data = flagship_report
    path = Path(__file__).resolve().parents[2] / "scenarios" / "northeast-asia-2004.yaml"
    for run in data.models:  # type: ignore[attr-defined]
        assert run.result is not None, run.error
        ref = forecast(path, model=run.name).forecasts()
        for issue_id, value in ref.items():
            assert f'data-model="{run.name}" data-value="{value:.4f}"' in html, (run.name,
                                                                                 issue_id)
    assert "Simulation" in html and "Uncertainty" in html
    # the procedural column equals the compromise column, and the CLI's note says why
    assert ("<p class='note'>procedural gives the compromise model&#x27;s forecast on every "
            "issue: no agenda setter &#x27;com&#x27; among the actors</p>") in html


def test_report_shows_the_prediction_intervals_beside_the_forecasts(
        flagship_report: tuple[str, object]) -> None:
    """best's and role-weighted's 80% intervals were in the JSON only, not in the table."""
    html, _ = flagship_report
    path = Path(__file__).resolve().parents[2] / "scenarios" / "northeast-asia-2004.yaml"
    head, body = html.split("<h2 id='forecasts'>")[1].split("</table>")[0].split("</thead>")
    for name in ("best", "role-weighted"):
        assert f"<th>{name} 80% interval</th>" in head
        result = forecast(path, model=name).to_dict()
        for iss in result["issues"]:
            span = iss["interval"]
            assert f"{span['low']:.1f}–{span['high']:.1f}" in body, (name, iss["id"])
    assert "compromise 80% interval" not in head  # no interval, no column


def test_report_escapes_scenario_text() -> None:
    from detente.scenario.validate import scenario_from_data

    sc = scenario_from_data({"name": "<script>alert(1)</script>", "issues": [
        {"id": "X", "name": "a & b <i>"}], "actors": [
        {"id": "p", "position": {"X": 10}, "salience": {"X": 50}},
        {"id": "q", "position": {"X": 70}, "salience": {"X": 50}}]}, "t", {})
    html = render_report(collect(sc, ["compromise", "median"]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a &amp; b &lt;i&gt;" in html


@settings(max_examples=40, deadline=None)
@given(lo=st.floats(-1e3, 1e3), span=st.floats(1e-2, 1e4),
       xs=st.lists(st.floats(0, 1), min_size=1, max_size=8),
       fs=st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=6))
def test_forecast_markers_stay_inside_the_plot(lo: float, span: float, xs: list[float],
                                               fs: list[float | None]) -> None:
    hi = lo + span
    svg = forecast_chart("t", (lo, hi), [(f"a{k}", lo + x * span, 1.0) for k, x in
                                         enumerate(xs)],
                         [(f"m{k}", None if f is None else lo + f * span)
                          for k, f in enumerate(fs)], width=680)
    width = 680
    cxs = [float(v) for v in re.findall(r'<circle class="actor"[^>]* cx="([-\d.]+)"', svg)]
    assert len(cxs) == len(xs)
    assert all(110 - 1e-6 <= x <= width - 30 + 1e-6 for x in cxs)
    assert svg.count('class="model-forecast"') == sum(f is not None for f in fs)
    assert "nan" not in svg.lower()


@settings(max_examples=30, deadline=None)
@given(series=st.lists(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1,
                                max_size=12), min_size=1, max_size=6))
def test_trajectory_points_stay_inside_the_plot(series: list[list[float | None]]) -> None:
    svg = trajectory_chart("t", (0, 100), [(f"a{k}", s) for k, s in enumerate(series)],
                           width=680, height=260)
    for pts in re.findall(r'points="([^"]+)"', svg):
        for pair in pts.split():
            x, y = map(float, pair.split(","))
            assert 46 - 1e-6 <= x <= 680 - 130 + 1e-6 and 30 - 1e-6 <= y <= 260 - 34 + 1e-6
    assert "nan" not in svg.lower()


def test_cli_report_writes_html(tmp_path: Path, flagship_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    r = CliRunner().invoke(app, ["report", str(flagship_path), "-o", str(out), "-m",
                                 "compromise", "-m", "median"])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.count('class="chart forecast-chart"') == 6
    assert 'data-model="median"' in html and 'data-model="challenge"' not in html
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temp files left
    # -m as forecast reads it: commas as well as repeats
    commas = out.parent / "commas.html"
    r = CliRunner().invoke(app, ["report", str(flagship_path), "-o", str(commas), "-m",
                                 "compromise,median"])
    assert r.exit_code == 0, r.output
    strip = re.compile(r"generated [^<]*")  # the time stamp
    assert strip.sub("", commas.read_text(encoding="utf-8")) == strip.sub("", html)


def test_cli_report_errors_are_one_line_exit_2(tmp_path: Path, flagship_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["report", str(tmp_path / "nope.yaml"), "-o",
                                  str(tmp_path / "r.html")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad_fmt = runner.invoke(app, ["report", str(flagship_path), "-f", "docx", "-o",
                                  str(tmp_path / "r.docx")])
    assert bad_fmt.exit_code == 2 and "html, png or pdf" in bad_fmt.output
    bad_model = runner.invoke(app, ["report", str(flagship_path), "-m", "nope", "-o",
                                    str(tmp_path / "r.html")])
    assert bad_model.exit_code == 2 and "unknown model" in bad_model.output
    # the sensitivity's model and a format that contradicts the file name fail at once
    bad_sens = runner.invoke(app, ["report", str(flagship_path), "--sensitivity-model", "nope",
                                   "--draws", "5", "-o", str(tmp_path / "r.html")])
    assert bad_sens.exit_code == 2  # naming the option: -m names models too
    assert "--sensitivity-model: unknown model 'nope'" in " ".join(bad_sens.output.split())
    clash = runner.invoke(app, ["report", str(flagship_path), "-f", "html", "-o",
                                str(tmp_path / "r.pdf")])
    assert clash.exit_code == 2 and "--format html does not fit 'r.pdf'" in clash.output
    folder = runner.invoke(app, ["report", str(flagship_path), "-f", "html", "-o",
                                 str(tmp_path)])
    assert folder.exit_code == 2 and "it is a folder" in folder.output
    # PNG figures go to a folder: "-o x.png" made a folder named x.png
    png = runner.invoke(app, ["report", str(flagship_path), "-o", str(tmp_path / "x.png")])
    assert png.exit_code == 2 and "they go to a folder" in " ".join(png.output.split())
    assert not (tmp_path / "x.png").exists()
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.pdf").exists()


def test_a_report_on_many_issues_draws_trajectories_of_the_first_ones_only() -> None:
    """DEU's 248 cases drew 1,240 trajectory charts (22 MB of HTML); past TRAJECTORY_ISSUES
    issues a note says where the rest are."""
    from detente.report.charts import TRAJECTORY_ISSUES
    from detente.scenario.model import Actor, Issue, Scenario

    n = TRAJECTORY_ISSUES + 3
    sc = Scenario(issues=[Issue(id=f"i{k}") for k in range(n)], actors=[
        Actor(id=f"a{j}", capability=1 + j, position={f"i{k}": 10.0 * j + k for k in range(n)},
              salience={f"i{k}": 0.5 for k in range(n)}) for j in range(4)],
        salience_scale=1)
    data = collect(sc, ["challenge"], simulation=False, sensitivity_model=None)
    html = render_report(data)
    assert html.count('class="chart forecast-chart"') == n  # every issue compared
    assert html.count("<svg") == n + TRAJECTORY_ISSUES
    assert f"Trajectories of the first {TRAJECTORY_ISSUES} of {n} issues" in html


def test_inputs_are_shown_as_coded_and_counts_agree(emission_path: Path) -> None:
    """The capability table showed Luxembourg's 0.03 as 0.0 and 0.05 and 0.08 as 0.1; the
    header said '1 issues'."""
    html = render_report(collect(load_scenario(emission_path), ["compromise"],
                                 simulation=False, draws=10))
    assert "Luxembourg</td><td class=\"num\">0.03<" in html
    assert "10 actors, 1 issue, 0 forums;" in html
    assert html.count("The scenario gives no uncertainty block") == 1  # it was said twice


def test_noisy_sobol_estimates_are_flagged() -> None:
    # the report printed S1 0.677 above ST 0.413 (and negative S1) with no word on why
    from detente.report.html import sobol_noise_note

    def row(s1: float, st: float) -> dict[str, float]:
        return {"S1": s1, "ST": st, "S1_conf": 0.1, "ST_conf": 0.1}

    assert sobol_noise_note({"sobol_samples": 512, "sobol": [row(0.2, 0.3)]}) is None
    assert sobol_noise_note({"sobol_samples": 64}) is None  # no Sobol indices at all
    note = sobol_noise_note({"sobol_samples": 64, "sobol": [row(0.677, 0.413),
                                                           row(-0.04, 0.1), row(0.1, 0.2)]})
    assert note is not None and "N = 64" in note and "on 2 of 3 input-issue pairs" in note
