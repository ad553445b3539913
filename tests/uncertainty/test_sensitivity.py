"""Tornado swings and Sobol indices."""

from __future__ import annotations

import pytest

from detente.scenario.io import load_scenario
from detente.uncertainty.draws import fallback_spec
from detente.uncertainty.sensitivity import sensitivity
from detente.uncertainty.spec import Uncertainty

SPEC = Uncertainty.model_validate({"cells": [
    {"actor": "KP", "field": "capability", "dist": "uniform", "low": 20, "high": 50},
    {"actor": "CN", "issue": "A", "field": "position", "±": 10},
    {"issue": "A", "field": "status_quo", "±": 5}]})


@pytest.fixture
def result(flagship_path):
    return sensitivity(load_scenario(flagship_path), "compromise", samples=256, seed=1,
                       spec=SPEC)


def test_ignored_input_has_sobol_index_near_zero(result):
    """The compromise model never looks at the status quo."""
    a = {s.input: s for s in result.sobol if s.issue == "A"}
    assert abs(a["status_quo.A"].S1) < 0.02 and abs(a["status_quo.A"].ST) < 0.02
    assert a["KP.capability"].ST > 0.3 and a["CN.position.A"].ST > 0.1
    assert pytest.approx(1, abs=0.15) == a["KP.capability"].S1 + a["CN.position.A"].S1


def test_tornado_swings(result):
    ranked = result.ranked("A")
    assert ranked[-1].input == "status_quo.A" and ranked[-1].swing == 0
    cn = next(s for s in ranked if s.input == "CN.position.A")
    assert cn.high > cn.base > cn.low  # moving China's position up moves the mean up
    # CN's position only affects issue A
    assert all(s.swing == 0 for s in result.tornado
               if s.input == "CN.position.A" and s.issue != "A")


def test_fallback_when_scenario_has_no_uncertainty(emission_path, flagship_path):
    sc = load_scenario(emission_path)
    res = sensitivity(sc, "median", samples=8, sobol=False)
    assert len(res.inputs) == 30 and not res.sobol
    assert res.default_widths and res.to_dict()["default_widths"] is True
    assert fallback_spec(sc).cells[0].dist.width == pytest.approx(0.3)  # 5 % of 4-10 years
    own = sensitivity(load_scenario(flagship_path), "median", samples=8, sobol=False)
    assert not own.default_widths


def test_cli_says_when_it_drew_default_widths_and_shows_sobol_confidence(emission_path):
    import json

    from typer.testing import CliRunner

    from detente.cli import app

    args = ["sensitivity", str(emission_path), "-m", "compromise", "--samples", "64"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "default widths" in " ".join(res.stderr.split())
    data = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    top = max((s for s in data["sobol"]), key=lambda s: s["ST"])
    assert f"{top['ST']:.2f}±{top['ST_conf']:.2f}" in res.stdout
    assert "rounded up" not in res.stdout
    odd = CliRunner().invoke(app, [*args[:-1], "63"])  # silently became 64
    assert "--samples 63 was rounded up to 64: Sobol's design takes a power of two" in \
        " ".join(odd.stdout.split())


def test_cli_model_all_says_the_ranking_is_per_model(emission_path):
    from typer.testing import CliRunner

    from detente.cli import app

    res = CliRunner().invoke(app, ["sensitivity", str(emission_path), "-m", "all"])
    assert res.exit_code == 2
    assert "one model at a time" in res.output and "smp" in res.output
    assert "unknown model" not in res.output


def test_constant_forecast_gives_zero_indices(flagship_path):
    spec = Uncertainty.model_validate({"cells": [{"issue": "A", "field": "status_quo",
                                                  "±": 5}]})
    res = sensitivity(load_scenario(flagship_path), "compromise", samples=8, spec=spec)
    assert set(res.constant_issues) == set("ABCDEF")
    assert all(s.S1 == 0 and s.ST == 0 for s in res.sobol)


def _many_cases(n_actors: int, n_issues: int):
    from detente.scenario.model import Actor, Issue, Scenario

    return Scenario(issues=[Issue(id=f"i{k}") for k in range(n_issues)], actors=[
        Actor(id=f"a{a}", capability=1 + a, position={f"i{k}": (7 * a + 13 * k) % 101
                                                      for k in range(n_issues)},
              salience={f"i{k}": 50 + a % 50 for k in range(n_issues)})
        for a in range(n_actors)])


def test_an_analysis_too_big_for_memory_is_refused_before_it_runs(monkeypatch):
    """The public DEU file asked Sobol for 46.6 GiB (9,888 inputs) and failed with numpy's
    memory error after a report had run for 12 minutes; now a clear error, at once."""
    from detente.errors import OptionError
    from detente.uncertainty import sensitivity as module
    from detente.uncertainty.sensitivity import MAX_CELLS

    def not_run(*args, **kwargs):
        raise AssertionError("the tornado ran")

    sc = _many_cases(40, 80)  # 3,200 cells, 6,440 inputs at the default widths
    with monkeypatch.context() as mp:
        mp.setattr(module, "tornado", not_run)
        with pytest.raises(OptionError, match=r"the tornado of 6440 uncertain inputs would run "
                                              r"the model 12,881 times on 3,200 actor x issue "
                                              r"cells"):
            sensitivity(sc, "compromise", samples=8, sobol=False)
    small = _many_cases(6, 5)
    with pytest.raises(OptionError, match=r"Sobol indices .* fewer Sobol samples"):
        sensitivity(small, "compromise", samples=MAX_CELLS // 30 // 20, sobol=True)
    assert sensitivity(small, "compromise", samples=8).sobol  # a small one still runs
    # sobol=None (the CLI's default): the tornado alone, saying why there are no indices
    res = sensitivity(small, "compromise", samples=MAX_CELLS // 30 // 20, sobol=None)
    assert res.tornado and not res.sobol and res.sobol_samples == 0
    assert res.sobol_skipped is not None and "fewer Sobol samples" in res.sobol_skipped
    assert res.to_dict()["sobol_skipped"] == res.sobol_skipped
    fits = sensitivity(small, "compromise", samples=8, sobol=None)
    assert fits.sobol and fits.sobol_skipped is None
    with monkeypatch.context() as mp:  # the tornado's own limit still refuses at once
        mp.setattr(module, "tornado", not_run)
        with pytest.raises(OptionError, match="the tornado of 6440"):
            sensitivity(sc, "compromise", samples=8, sobol=None)


def test_cli_skips_sobol_where_it_does_not_fit_unless_asked(tmp_path):
    import json

    from typer.testing import CliRunner

    from detente.cli import app
    from detente.uncertainty.sensitivity import MAX_CELLS

    path = tmp_path / "s.json"
    path.write_text(_many_cases(6, 5).model_dump_json(by_alias=True))
    args = ["sensitivity", str(path), "--samples", str(MAX_CELLS // 30 // 20)]
    auto = CliRunner().invoke(app, [*args, "--json"])
    assert auto.exit_code == 0, auto.output
    data = json.loads(auto.stdout)
    assert data["tornado"] and data["sobol"] == [] and "fewer Sobol samples" in data[
        "sobol_skipped"]
    text = CliRunner().invoke(app, args)
    assert "no Sobol indices" in text.stdout
    insist = CliRunner().invoke(app, [*args, "--sobol"])
    assert insist.exit_code == 2 and "Sobol indices" in insist.output


def test_a_report_notes_the_refused_sensitivity_and_keeps_the_rest():
    from detente.report import collect

    data = collect(_many_cases(40, 80), ["compromise"], draws=3, simulation=False)
    unc = data.uncertainty.data
    assert unc["sensitivity"]["error"].startswith("the tornado of 6440 uncertain inputs")
    assert unc["distributions"][0]["model"] == "compromise"
    assert "error" not in unc["distributions"][0]


def test_a_report_shows_the_tornado_and_says_why_there_are_no_sobol_indices(monkeypatch):
    """Where the Sobol runs do not fit but the tornado's do, the report keeps the tornado."""
    from detente.report import collect
    from detente.report.html import render_report
    from detente.uncertainty import sensitivity as module

    monkeypatch.setattr(module, "MAX_CELLS", 40_000)  # 37 inputs x 66 x 39 runs do not fit
    data = collect(_many_cases(6, 5), ["compromise"], draws=3, simulation=False,
                   sobol_samples=64)
    sens = data.uncertainty.data["sensitivity"]
    assert "error" not in sens and sens["tornado"] and sens["sobol"] == []
    assert sens["sobol_skipped"].startswith("the Sobol indices of")
    html = render_report(data)
    assert "No Sobol indices: the Sobol indices of" in html and "--no-sobol" in html


def test_the_same_seed_gives_the_same_confidence_intervals(emission_path):
    """SALib seeds its bootstrap only for a truthy seed: at seed 0 (the default) the S1 and
    ST confidence intervals differed from run to run."""
    sc = load_scenario(emission_path)
    for seed in (0, 1):
        a, b = (sensitivity(sc, "compromise", 16, seed).to_dict() for _ in range(2))
        assert a == b


def test_an_issue_nobody_weighs_has_no_swings_and_is_named(emission_path, tmp_path):
    """Every capability 0: the tornado printed nan rows, the report's tornado chart raised
    ValueError on NaN ticks, and forecast --draws a TypeError on None quantiles."""
    import re

    from typer.testing import CliRunner

    from detente.cli import app

    path = tmp_path / "zero.yaml"
    text = emission_path.read_text()
    path.write_text(re.sub(r"capability: [0-9.]+", "capability: 0", text))
    res = sensitivity(load_scenario(path), "compromise", samples=8)
    assert res.no_forecast == ["date"] and res.tornado == [] and res.sobol == []
    runner = CliRunner()
    for args, words in ((["sensitivity", str(path), "--samples", "8"], "no forecast to vary"),
                        (["forecast", str(path), "-m", "compromise", "--draws", "20"],
                         "no forecast (—) on date"),
                        (["report", str(path), "--draws", "5", "-o", str(tmp_path / "r.html")],
                         "wrote")):
        out = runner.invoke(app, [*args, "--no-record"] if args[0] == "forecast" else args)
        assert out.exit_code == 0 and "Traceback" not in out.output, out.output
        assert words in " ".join(out.stdout.split()) and "Warning" not in out.output
    assert "no forecast to vary: no actor weighs this issue" in (tmp_path / "r.html").read_text()


def test_a_swing_spans_the_coded_forecast_too():
    """An input that flips the forecast from 0 to 100 at both quantiles had swing 0 and
    ranked last, below inputs that barely move it."""
    from detente.uncertainty.sensitivity import Swing

    assert Swing("P.salience.Z", "Z", base=0.0, low=100.0, high=100.0).swing == 100.0
    assert Swing("x", "Z", base=50.0, low=40.0, high=70.0).swing == 30.0
    assert Swing("x", "Z", base=50.0, low=50.0, high=50.0).swing == 0.0
