"""Monte Carlo forecasts: determinism, default widths without an uncertainty block,
convergence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.api import forecast
from detente.errors import OptionError
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data
from detente.uncertainty.montecarlo import monte_carlo, run_batch


def emission(path, block=None):
    data = load_scenario(path).model_dump(mode="json", by_alias=True)
    data["uncertainty"] = block or {"default": {"position": "±1", "salience": "±0.2"}}
    return scenario_from_data(data, str(path), {})


@pytest.mark.parametrize("model", ["compromise", "median"])
def test_no_uncertainty_block_draws_with_the_default_widths(emission_path, model):
    """As the report, the sensitivity and the web app do; the run says so (the CLI prints the
    note). Before, every draw was the coded values and the intervals had no width."""
    from detente.uncertainty.draws import fallback_spec

    sc = load_scenario(emission_path)
    run = monte_carlo(sc, model, draws=50, seed=3)
    q = run.result.issues[0].quantiles
    assert run.default_widths and set(q) == {"q10", "q50", "q90"} and q["q10"] < q["q90"]
    explicit = monte_carlo(sc.model_copy(update={"uncertainty": fallback_spec(sc)}), model,
                           draws=50, seed=3)
    assert not explicit.default_widths
    assert np.array_equal(run.output.forecast, explicit.output.forecast)
    assert not monte_carlo(sc, model, draws=1, seed=3).default_widths  # nothing is drawn


def test_single_draw_is_the_plain_run(emission_path):
    sc = emission(emission_path)
    assert monte_carlo(sc, "compromise", 1, seed=5).result.to_dict() == forecast(
        sc, "compromise", seed=5).to_dict()


def test_the_rounds_of_a_monte_carlo_result_are_the_first_draw_s(emission_path):
    """The forecast is the median over draws; the path by round is draw 0's, and the JSON
    says so (a mean by round beside a different forecast looked like a contradiction)."""
    sc = emission(emission_path)
    run = monte_carlo(sc, "challenge", 30, seed=2)
    data = run.result.to_dict()
    assert data["rounds_draw"] == 0
    last = data["issues"][0]["rounds"][-1]["median"]
    assert last == pytest.approx(float(run.arrays.to_issue_scale(run.output.median[:, -1])[0, 0]))
    assert "rounds_draw" not in monte_carlo(sc, "challenge", 1, seed=2).result.to_dict()


def test_same_seed_same_result_other_seed_differs(emission_path):
    sc = emission(emission_path)
    a = monte_carlo(sc, "median", 300, seed=11).result.to_dict()
    b = monte_carlo(sc, "median", 300, seed=11).result.to_dict()
    c = monte_carlo(sc, "median", 300, seed=12).result.to_dict()
    assert a == b
    assert a["issues"][0]["quantiles"] != c["issues"][0]["quantiles"]


def test_quantiles_converge_as_draws_grow(emission_path):
    """The q10/q90 estimates' spread across seeds shrinks roughly like 1/sqrt(draws)."""
    sc = emission(emission_path)

    def spread(n):
        qs = [monte_carlo(sc, "compromise", n, seed=s).result.issues[0].quantiles["q90"]
              for s in range(8)]
        return np.std(qs)

    small, large = spread(100), spread(6400)
    assert large < small / 3  # sqrt(64) = 8 expected; 3 leaves room for noise


def test_interval_widens_with_uncertainty(emission_path):
    narrow = monte_carlo(emission(emission_path, {"default": {"position": "±0.5"}}),
                         "compromise", 2000, seed=0).result.issues[0].quantiles
    wide = monte_carlo(emission(emission_path, {"default": {"position": "±2"}}),
                       "compromise", 2000, seed=0).result.issues[0].quantiles
    assert wide["q90"] - wide["q10"] > 2 * (narrow["q90"] - narrow["q10"]) > 0


@pytest.mark.parametrize("model", ["compromise", "median", "condorcet", "nash", "challenge",
                                   "exchange", "smp", "procedural", "best"])
def test_chunking_does_not_change_results(emission_path, model):
    """A draw's forecast has the same bits in a batch of one, of five or of all draws."""
    from detente.models import get_model
    from detente.scenario.arrays import to_arrays
    from detente.uncertainty.draws import sample

    sc = emission(emission_path)
    arrays = sample(sc, to_arrays(sc), 12, np.random.default_rng(0))
    opts = get_model(model).options()
    whole = run_batch(arrays, model, opts, 0, np.random.default_rng(1), chunk=1000)
    for chunk in (1, 5):
        parts = run_batch(arrays, model, opts, 0, np.random.default_rng(1), chunk=chunk)
        assert np.array_equal(whole.forecast, parts.forecast), chunk


def test_bad_arguments(emission_path):
    sc = load_scenario(emission_path)
    with pytest.raises(OptionError, match="draws"):
        monte_carlo(sc, "compromise", 0)
    with pytest.raises(OptionError, match="quantiles"):
        monte_carlo(sc, "compromise", 10, quantiles=(0.5, 1.5))


def test_table_sets_the_coded_forecast_beside_the_band_and_flags_knife_edges(flagship_path,
                                                                             emission_path):
    import re

    from typer.testing import CliRunner

    from detente.cli import app

    runner = CliRunner()
    edge = runner.invoke(app, ["forecast", str(flagship_path), "-m", "best", "--draws", "300",
                               "--seed", "1", "--no-record"], env={"COLUMNS": "200"})
    assert edge.exit_code == 0, edge.output
    coded = forecast(flagship_path, "best").forecasts()
    rows = {cells[1].split()[0]: [c.strip() for c in cells[2:-1]]
            for line in edge.stdout.splitlines()
            if len(cells := line.split("│")) == 8 and cells[1].split()
            and cells[1].split()[0] in tuple("ABCDEF")}
    assert set(rows) == set("ABCDEF")
    outside = []
    for issue, (_, q10, _, q90, coded_cell) in sorted(rows.items()):
        assert coded_cell == f"{coded[issue]:.2f}"  # the last column is 'coded'
        if not float(q10) <= coded[issue] <= float(q90):
            outside.append(issue)
    note = re.search(r"note on ([A-F, ]+) the forecast at the coded values", edge.stdout)
    assert outside, "the flagship has a knife-edge issue for best (C at seed 1)"
    assert note and note.group(1).strip().split(", ") == outside
    # the JSON flags the same issues (it gave the coded figure without the note)
    as_json = runner.invoke(app, ["forecast", str(flagship_path), "-m", "best", "--draws",
                                  "300", "--seed", "1", "--no-record", "--json"])
    flagged = [i["id"] for i in json.loads(as_json.stdout)["issues"] if i["coded_outside_band"]]
    assert flagged == outside
    few_json = runner.invoke(app, ["forecast", str(flagship_path), "-m", "best", "--draws",
                                   "5", "--no-record", "--json"])
    assert {i["coded_outside_band"] for i in json.loads(few_json.stdout)["issues"]} == {None}
    calm = runner.invoke(app, ["forecast", str(emission_path), "-m", "compromise", "--draws",
                               "300", "--no-record"], env={"COLUMNS": "200"})
    assert calm.exit_code == 0 and "coded" in calm.stdout and "note on" not in calm.stdout
    # 2-5 draws made a 'band' of a few points, and even the compromise model was called a
    # knife-edge; the table now says the draws are too few
    few = runner.invoke(app, ["forecast", str(emission_path), "-m", "compromise", "--draws",
                              "5", "--no-record"], env={"COLUMNS": "200"})
    assert few.exit_code == 0 and "knife-edge" not in few.stdout
    assert "5 draws are too few to tell" in few.stdout
    # the footer names the quantiles asked for (it said q10 beside q25 and q75)
    other = runner.invoke(app, ["forecast", str(emission_path), "-m", "compromise", "--draws",
                                "50", "--quantiles", "0.25,0.75", "--no-record"],
                          env={"COLUMNS": "200"})
    assert "q25" in other.stdout and "q10" not in other.stdout


def test_cli_says_when_the_draws_use_the_default_widths(flagship_path, emission_path):
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.uncertainty.draws import DEFAULT_WIDTHS_NOTE

    def note(path) -> bool:
        r = CliRunner().invoke(app, ["forecast", str(path), "-m", "compromise", "--draws", "20",
                                     "--json", "--no-record"], env={"COLUMNS": "500"})
        assert r.exit_code == 0, r.output
        return f"note: {DEFAULT_WIDTHS_NOTE}" in r.stderr

    assert note(emission_path) and not note(flagship_path)  # the flagship has its own block


@pytest.mark.parametrize("model", ["compromise", "challenge", "exchange", "smp", "best"])
@pytest.mark.parametrize("separate", [False, True])
def test_keeping_draw_0_s_trajectory_only_changes_nothing_else(emission_path, model,
                                                                separate):
    """Without every draw's trajectory (what a report, the web app and a big run keep) the
    forecasts, draw 0's rounds and the result are the same bits; the batch of trajectories is
    one draw. Joint runs, per-issue runs and separate cases (the DEU path) alike, in chunks."""
    from detente.execution.cases import case_workers
    from detente.models import get_model

    data = emission(emission_path).model_dump(mode="json", by_alias=True)
    data["issues"].append({**data["issues"][0], "id": "copy", "name": "copy"})
    for actor in data["actors"]:
        for field in ("position", "salience"):
            actor[field]["copy"] = actor[field]["date"]
    sc = scenario_from_data(data | {"separate_cases": separate}, "two.yaml", {})
    every = monte_carlo(sc, model, 7, 5, all_trajectories=True)
    first = monte_carlo(sc, model, 7, 5, all_trajectories=False)
    assert every.output.trajectory.shape[0] == 7 and first.output.trajectory.shape[0] == 1
    np.testing.assert_array_equal(every.output.forecast, first.output.forecast)
    np.testing.assert_array_equal(every.output.trajectory[:1], first.output.trajectory)
    assert every.result.to_dict() == first.result.to_dict()
    with case_workers(2):
        parallel = monte_carlo(sc, model, 7, 5, all_trajectories=False)
    np.testing.assert_array_equal(parallel.output.trajectory, first.output.trajectory)
    opts = get_model(model).options()
    whole, chunked = (run_batch(every.arrays, model, opts, 10, np.random.default_rng(2),
                                chunk=chunk, all_trajectories=False) for chunk in (100, 3))
    assert chunked.trajectory.shape[0] == 1 and chunked.forecast.shape[0] == 7
    np.testing.assert_array_equal(whole.forecast, chunked.forecast)
    np.testing.assert_array_equal(whole.trajectory, chunked.trajectory)


def test_every_trajectory_is_kept_when_the_store_could_record_them(emission_path):
    """By default a run keeps every draw's trajectory while the run store would record them
    all (2 million rows at the model's most rounds), else draw 0's; the store says which."""
    from detente.store import RunStore, record_result
    from detente.uncertainty import montecarlo

    sc = emission(emission_path)
    small = monte_carlo(sc, "challenge", 20, 1)
    assert small.output.trajectory.shape[0] == 20
    cells = 10  # ten actors on one issue
    limit = montecarlo.RECORDED_ROWS
    draws = limit // (11 * cells + 1) + 1  # challenge: 10 rounds
    assert montecarlo.keeps_every_trajectory(draws - 1, 10, small.arrays)
    assert not montecarlo.keeps_every_trajectory(draws, 10, small.arrays)
    first = monte_carlo(sc, "challenge", 20, 1, all_trajectories=False)
    with RunStore(":memory:") as st:
        run_id = record_result(st, sc, first.arrays, first.output, first.result, seed=1)
        assert st.run(run_id)["summary"]["all_trajectories"] is False
        rows = st.results(run_id)
    assert set(rows.loc[rows["actor"].notna(), "draw"]) == {0}
    assert (rows["actor"].isna()).sum() == 20  # every draw's forecast
