"""The Python API gives the numbers ``detente forecast --json`` prints, every model and scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.api import backtest, forecast
from detente.cli import app
from detente.errors import OptionError
from detente.models import models

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["forecast", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("scenario", SHIPPED)
@pytest.mark.parametrize("model", sorted(models()))
def test_api_forecast_equals_cli_json(scenario, model):
    path = SCENARIOS / scenario
    api = forecast(path, model=model).to_dict()
    cli = cli_json(str(path), "--model", model)
    # the same object after the JSON round trip, every round and extra included
    assert json.loads(json.dumps(api)) == cli
    assert [i["forecast"] for i in cli["issues"]] == list(forecast(path, model).forecasts()
                                                         .values())


def test_api_and_cli_default_to_the_same_model(emission_path):
    assert forecast(emission_path).to_dict() == cli_json(str(emission_path), "--no-record")


def test_options_and_capability_reach_both_paths(flagship_path):
    api = forecast(flagship_path, model="nash-asymmetric", capability="structural",
                   utility="linear").to_dict()
    cli = cli_json(str(flagship_path), "-m", "nash-asymmetric", "--capability", "structural",
                   "-o", "utility=linear")
    assert json.loads(json.dumps(api)) == cli
    assert cli["options"]["utility"] == "linear" and cli["capability"] == "structural"
    default = cli_json(str(flagship_path), "-m", "nash-asymmetric")
    assert default["issues"][0]["forecast"] != cli["issues"][0]["forecast"]


DEU = "\n".join([
    '"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"',
    '\t"1"\t"1"\t"3"\t"1"\t\t\t\t\t\t',
    '"a"\t0\t50\t100\t20\t100\t100\t50\t10\t\t30',
    '"b"\t10\t90\t100\t\t100\t30\t50\t\t\t60',
]) + "\n"


@pytest.mark.parametrize("capability", ["default", "gdp"])
def test_api_backtest_equals_cli_json(tmp_path, capability):
    path = tmp_path / "small.tsv"
    path.write_text(DEU)
    result = CliRunner().invoke(app, ["backtest", str(path), "-m", "all", "--capability",
                                      capability, "--json", "--detail", "--no-record"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)["models"]
    api = backtest(path, models="all", capability=capability)
    assert [json.loads(json.dumps(r.to_dict(detail=True))) for r in api] == cli
    assert [r.model for r in backtest(path, models=["median", "best"])] == ["median", "best"]
    # a comma list, as --model takes it (it was refused as one unknown model name)
    assert [r.model for r in backtest(path, models="median, best")] == ["median", "best"]
    with pytest.raises(OptionError, match="models names no model"):
        backtest(path, models=" , ")


def test_api_backtest_takes_a_scenario_object_or_its_file(emission_path):
    from detente.scenario import load_scenario

    (by_path,) = backtest(emission_path)
    (by_object,) = backtest(load_scenario(emission_path))
    assert by_object.summary == by_path.summary
    assert by_path.issues[0].outcome == 8.833  # as coded (8.832999999999998 back from 0-100)


def test_api_cross_validate_equals_cli_json(tmp_path, emission_path):
    from detente.api import cross_validate

    path = tmp_path / "small.tsv"
    path.write_text(DEU)
    result = CliRunner().invoke(app, ["backtest", str(path), str(emission_path), "-m", "median",
                                      "--cv", "3", "--seed", "2", "--json", "--no-record"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)["cross_validation"]
    api = cross_validate([path, emission_path], models="median", folds=3, seed=2)
    assert json.loads(json.dumps(api.to_dict())) == cli
    assert [m.model for m in api.models] == ["compromise", "median"]
    by_file = cross_validate([path, emission_path], models="median", folds=2, by="file")
    assert by_file.grouped_by == "file" and by_file.models[1].mae_by_file is not None
    one = cross_validate(path, models=["nash"], folds=2)
    assert (one.n_files, one.n_issues, one.scale) == (1, 2, "each issue's own scale")


def test_api_cross_validate_names_a_data_set_without_outcomes(flagship_path, emission_path):
    from detente.api import cross_validate
    from detente.errors import ScenarioError

    with pytest.raises(ScenarioError, match="no issue has a known outcome") as info:
        cross_validate([flagship_path, emission_path], models="median", folds=2)
    assert info.value.problems[0].file == str(flagship_path)


def test_api_cross_validate_refuses_a_coding_that_misses_actors():
    from detente.api import cross_validate
    from detente.errors import OptionError
    from detente.scenario.model import Actor, Issue, Outcome, Scenario

    def case(prefix: str) -> Scenario:
        issue = f"{prefix}i1"
        return Scenario(
            issues=[Issue(id=issue, outcome=Outcome(value=40))],
            actors=[Actor(id=a, capability=1, position={issue: p}, salience={issue: 1},
                          capabilities={"gdp": 2} if a == "a" else {})
                    for a, p in zip("abc", (0, 50, 100), strict=True)])

    with pytest.raises(OptionError, match=r"'gdp' has no value for actor.*b, c"):
        cross_validate([case("p1"), case("p2")], models="median", folds=2, capability="gdp")
    report = cross_validate([case("p1"), case("p2")], models="median", folds=2)
    assert report.n_issues == 2 and report.models[1].mae_by_file == (10.0, 10.0)


def test_api_forecast_runs_a_linking_model_on_each_separate_case_alone(tmp_path):
    path = tmp_path / "two.tsv"
    path.write_text(DEU)
    for model in ("smp", "exchange"):
        alone = {i.id: i.forecast for i in forecast(path, model=model).issues}
        in_backtest = {e.issue: e.forecast for e in backtest(path, models=model)[0].issues}
        assert alone.keys() == in_backtest.keys()
        assert all(abs(alone[k] - in_backtest[k]) < 1e-9 for k in alone)
    linked = {i.id: i.forecast for i in forecast(path, model="exchange", cases=False).issues}
    assert linked != alone  # trading across the two cases moves their forecasts


@pytest.mark.parametrize("model", ["condorcet", "exchange", "smp", "compromise"])
def test_a_separate_case_nobody_weighs_gets_no_forecast_not_an_error(tmp_path, model):
    """Case b has no positions, case c one actor without salience (found by trying: the linking
    models, run on each case alone, raised numpy's zero-size error on such rows)."""
    path = tmp_path / "odd.tsv"
    path.write_text("\n".join([DEU.splitlines()[0], DEU.splitlines()[2],
                               '"b"\t\t\t\t\t\t\t\t\t\t60', '"c"\t\t\t40\t\t\t\t\t80\t\t60'])
                    + "\n")
    issues = {i["id"]: i["forecast"] for i in forecast(path, model=model).to_dict()["issues"]}
    assert issues["b"] is None and issues["c"] is None
    alone = tmp_path / "a.tsv"  # case a forecast as if the other two were not there
    alone.write_text("\n".join([DEU.splitlines()[0], DEU.splitlines()[2]]) + "\n")
    assert issues["a"] == pytest.approx(forecast(alone, model=model).issues[0].forecast)


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_api_forecast_draws_equals_cli_json(flagship_path):
    from detente.api import forecast_draws

    run = forecast_draws(flagship_path, "compromise", draws=60, seed=3)
    cli = _cli("forecast", str(flagship_path), "-m", "compromise", "--draws", "60",
               "--seed", "3", "--no-record")
    for issue in cli["issues"]:
        issue.pop("coded")  # the CLI's extra columns: the forecast at the coded inputs
        issue.pop("coded_outside_band")
    assert json.loads(json.dumps(run.result.to_dict())) == cli
    assert run.output.forecast.shape == (60, 6) and run.default_widths is False


def test_api_simulations_and_compare_equal_cli_json(flagship_path):
    from detente.api import compare, simulate, simulate_draws

    one = simulate(flagship_path, until="2005-06-30", seed=4)
    assert json.loads(json.dumps(one.to_dict())) == _cli(
        "simulate", str(flagship_path), "--until", "2005-06-30", "--seed", "4", "--no-record")
    off = simulate(flagship_path, until="2005-06-30", seed=4, mechanisms={"wedge": False})
    assert json.loads(json.dumps(off.to_dict())) == _cli(
        "simulate", str(flagship_path), "--until", "2005-06-30", "--seed", "4", "--off",
        "wedge", "--no-record")
    assert off.to_dict() != one.to_dict()  # the mechanism switch reached the run
    many = simulate_draws(flagship_path, draws=30, seed=2, fixed_inputs=True)
    assert json.loads(json.dumps(many.to_dict())) == _cli(
        "simulate", str(flagship_path), "--draws", "30", "--seed", "2", "--fixed-inputs",
        "--no-record")
    amnesty = SCENARIOS / "interventions" / "jenkins-amnesty.yaml"
    assert json.loads(json.dumps(compare(flagship_path, amnesty, runs=12, seed=1))) == _cli(
        "compare", str(flagship_path), "-i", str(amnesty), "--runs", "12", "--seed", "1")


def test_api_simulation_arguments_are_checked(flagship_path):
    from detente.api import compare, simulate
    from detente.errors import ScenarioError

    with pytest.raises(OptionError, match="until expects a date YYYY-MM-DD, got '2005-13-01'"):
        simulate(flagship_path, until="2005-13-01")
    with pytest.raises(OptionError, match="at least one intervention"):
        compare(flagship_path, [])
    with pytest.raises(ScenarioError, match="unknown mechanism 'nosuch'"):
        simulate(flagship_path, mechanisms={"nosuch": False})


def test_api_sensitivity_equals_cli_json(emission_path):
    from detente.api import sensitivity

    res = sensitivity(emission_path, "challenge", samples=16, seed=2, rounds=3)
    assert json.loads(json.dumps(res.to_dict())) == _cli(
        "sensitivity", str(emission_path), "-m", "challenge", "--samples", "16", "--seed", "2",
        "--rounds", "3")
    assert res.ranked("date")[0].swing >= res.ranked("date")[-1].swing
