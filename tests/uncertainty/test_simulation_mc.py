"""Monte Carlo over inputs for the dynamic simulation (``simulate_mc``, ``simulate --draws``)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import OptionError
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data
from detente.simulation import SimOptions, simulate
from detente.simulation.protocol import OUTCOMES
from detente.store import RunStore
from detente.uncertainty.draws import fallback_spec
from detente.uncertainty.simulation import record_simulation, simulate_mc, single_run

UNTIL = SimOptions(until=dt.date(2005, 6, 30))
FIELDS = ("outcome", "package", "settled", "agreed", "trust", "support", "offer")


def with_block(path, block):
    data = load_scenario(path).model_dump(mode="json", by_alias=True)
    if block is None:
        data.pop("uncertainty", None)
    else:
        data["uncertainty"] = block
    return scenario_from_data(data, str(path), {})


def flagship_sc(path, block="keep"):
    return load_scenario(path) if block == "keep" else with_block(path, block)


def same(a, b) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a.results, name), getattr(b.results, name),
                                      err_msg=name)


def test_same_seed_same_result_other_seed_differs(flagship_path):
    sc = flagship_sc(flagship_path)
    a = simulate_mc(sc, UNTIL, 40, seed=4)
    b = simulate_mc(sc, UNTIL, 40, seed=4)
    c = simulate_mc(sc, UNTIL, 40, seed=5)
    assert a.to_dict() == b.to_dict()
    same(a, b)
    assert not np.array_equal(a.results.package, c.results.package)


def test_results_do_not_depend_on_batch_size_nor_on_the_number_of_draws(flagship_path):
    sc = flagship_sc(flagship_path)
    whole = simulate_mc(sc, UNTIL, 30, seed=2)
    for chunk in (1, 7):  # a batch of one collapses to other memory layouts: same bits
        same(whole, simulate_mc(sc, UNTIL, 30, seed=2, chunk=chunk))
    fewer = simulate_mc(sc, UNTIL, 12, seed=2, chunk=5)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(fewer.results, name),
                                      getattr(whole.results, name)[:12], err_msg=name)


def test_split_over_workers_joins_into_the_same_run(flagship_path):
    """Draws 10..19 run alone (first_draw=10, their inputs) equal those rows of a whole run."""
    from detente.scenario.arrays import to_arrays
    from detente.uncertainty.simulation import draw_inputs

    sc = flagship_sc(flagship_path)
    whole = simulate_mc(sc, UNTIL, 20, seed=8)
    drawn = draw_inputs(sc, to_arrays(sc), 20, 8)
    tail = simulate_mc(sc, UNTIL, 10, seed=8, first_draw=10, inputs_=drawn.rows(10, 20))
    np.testing.assert_array_equal(tail.results.outcome, whole.results.outcome[10:])
    np.testing.assert_array_equal(tail.results.package, whole.results.package[10:])


def test_fixed_inputs_are_exactly_the_plain_seeded_runs(flagship_path):
    sc = flagship_sc(flagship_path)
    mc = simulate_mc(sc, UNTIL, 16, seed=9, chunk=5, fixed_inputs=True)
    assert mc.uncertain == () and not mc.default_widths
    plain = simulate(sc, UNTIL, seed=9, runs=16)
    meetings = plain.meetings()
    assert [m.date for m in mc.meetings] == [r.date for r in meetings]
    np.testing.assert_array_equal(mc.results.outcome,
                                  np.stack([r.outcome for r in meetings], axis=1))
    np.testing.assert_array_equal(mc.results.package, plain.status_quo)
    np.testing.assert_array_equal(mc.results.support, plain.records[-1].support)
    # and a single plain run with seed 9 is draw 0
    one = simulate(sc, UNTIL, seed=9)
    assert [OUTCOMES[int(r.outcome[0])] for r in one.meetings()] == [
        OUTCOMES[int(x)] for x in mc.results.outcome[0]]


def test_no_block_draws_the_default_widths_as_forecast_draws_does(flagship_path):
    """Without an uncertainty block the inputs are drawn from the default widths: the same
    run as with those widths written into the scenario, and not the fixed-input run."""
    sc = flagship_sc(flagship_path, None)
    mc = simulate_mc(sc, UNTIL, 12, seed=3)
    assert mc.default_widths and mc.to_dict()["default_widths"] is True
    written = simulate_mc(sc.model_copy(update={"uncertainty": fallback_spec(sc)}), UNTIL, 12,
                          seed=3)
    assert not written.default_widths and written.uncertain == mc.uncertain
    assert {n.split(".")[-1] for n in mc.uncertain} >= {"A", "B"}
    same(mc, written)
    fixed = simulate_mc(sc, UNTIL, 12, seed=3, fixed_inputs=True)
    assert not np.array_equal(fixed.results.offer, mc.results.offer)


def test_the_drawn_inputs_matter(flagship_path):
    """A wide uncertainty on the positions over issue B moves the package agreed on B."""
    narrow = simulate_mc(flagship_sc(flagship_path, None), UNTIL, 60, seed=1,
                         fixed_inputs=True)
    wide = simulate_mc(flagship_sc(flagship_path, {"cells": [
        {"field": "position", "issue": "B", "±": 30}]}), UNTIL, 60, seed=1)
    k = list(wide.issue_ids).index("B")
    assert wide.package_on_scale()[:, k].std() > narrow.package_on_scale()[:, k].std() + 1.0


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                         HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), width=st.floats(1.0, 45.0))
def test_positions_on_an_issue_no_forum_negotiates_change_nothing_else(flagship_path, seed,
                                                                       width):
    """Issue F (US troops) is bargained at no meeting held before mid-2005 (only the TCOG
    consultation coordinates on it): however wide its position uncertainty, every meeting's
    outcome and the packages on the other issues are those of the run without it, draw by
    draw (each draw keeps its random stream)."""
    sc = flagship_sc(flagship_path, None)
    base = simulate_mc(sc, UNTIL, 8, seed=seed, fixed_inputs=True)
    assert base.meetings and all("F" not in m.agenda for m in base.meetings)
    agendas = {i for m in base.meetings for i in m.agenda}
    wide = simulate_mc(flagship_sc(flagship_path, {"cells": [
        {"field": "position", "issue": "F", "±": width}]}), UNTIL, 8, seed=seed)
    assert wide.uncertain and all(n.endswith(".F") for n in wide.uncertain)
    np.testing.assert_array_equal(wide.results.outcome, base.results.outcome)
    negotiated = [k for k, i in enumerate(base.issue_ids) if i in agendas]
    np.testing.assert_array_equal(wide.results.package[:, negotiated],
                                  base.results.package[:, negotiated])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                         HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), draws=st.integers(1, 25))
def test_outcome_probabilities_sum_to_one(flagship_path, seed, draws):
    mc = simulate_mc(flagship_sc(flagship_path), UNTIL, draws, seed=seed)
    data = mc.to_dict()
    assert data["meetings"]
    for m in data["meetings"]:
        p = m["probabilities"]
        assert set(p) == set(OUTCOMES)
        assert all(0.0 <= v <= 1.0 for v in p.values())
        assert sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    for row in data["packages"] + data["trust"] + data["support"]:
        q = [v for v in row["quantiles"].values() if v is not None]
        assert q == sorted(q)


def test_bad_arguments_are_option_errors(flagship_path):
    sc = flagship_sc(flagship_path)
    with pytest.raises(OptionError, match="draws"):
        simulate_mc(sc, UNTIL, 0)
    with pytest.raises(OptionError, match="quantiles"):
        simulate_mc(sc, UNTIL, 3, quantiles=(0.5, 1.5))
    with pytest.raises(OptionError, match="chunk"):
        simulate_mc(sc, UNTIL, 3, chunk=0)


def test_recorded_in_the_run_store(flagship_path, tmp_path):
    mc = simulate_mc(flagship_sc(flagship_path), UNTIL, 5, seed=3)
    with RunStore(tmp_path / "runs.duckdb") as store:
        run_id = record_simulation(store, mc)
        n_cells = int(mc.involved.sum())
        count, = store.con.execute("SELECT count(*) FROM results WHERE run_id = ?",
                                   [run_id]).fetchone()
        assert count == 5 * (len(mc.issue_ids) + n_cells)
        kind, draws, summary = store.con.execute(
            "SELECT kind, draws, summary FROM runs WHERE run_id = ?", [run_id]).fetchone()
    assert (kind, draws) == ("simulation", 5)
    assert json.loads(summary)["meetings"] == mc.to_dict()["meetings"]


runner = CliRunner()


def test_cli_without_draws_is_the_plain_json(flagship_path):
    res = runner.invoke(app, ["simulate", str(flagship_path), "--until", "2005-06-30",
                              "--seed", "2", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json.loads(json.dumps(
        simulate(load_scenario(flagship_path), UNTIL, seed=2).to_dict()))


def test_cli_draws_json_and_table(flagship_path, tmp_path):
    args = ["simulate", str(flagship_path), "--until", "2005-06-30", "--seed", "2",
            "--draws", "6", "--quantiles", "0.25,0.75"]
    res = runner.invoke(app, [*args, "--json", "--store", str(tmp_path / "s.duckdb")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["draws"] == 6 and data["quantiles"] == [0.25, 0.75]
    assert set(data["packages"][0]["quantiles"]) == {"q25", "q75"}
    assert data == json.loads(json.dumps(simulate_mc(
        load_scenario(flagship_path), UNTIL, 6, seed=2, quantiles=(0.25, 0.75)).to_dict()))
    text = runner.invoke(app, args)
    assert text.exit_code == 0
    assert "probability of each outcome" in text.output


def test_a_single_run_is_the_one_draw_run_with_fixed_inputs(flagship_path):
    """What ``detente simulate`` records (no second simulation): the plain run's meetings,
    packages, trust and support as a run of one draw."""
    sc = load_scenario(flagship_path)
    for seed in (2, 5):
        single = single_run(sc, UNTIL, seed, simulate(sc, UNTIL, seed))
        again = simulate_mc(sc, UNTIL, 1, seed, fixed_inputs=True)
        assert single.to_dict() == again.to_dict()
        assert single.draws == 1 and single.uncertain == ()
        assert set(np.unique(single.probabilities())) <= {0.0, 1.0}
    with pytest.raises(OptionError, match="one draw"):
        single_run(sc, UNTIL, 2, simulate(sc, UNTIL, seed=2, runs=2))


def test_cli_single_run_is_recorded_in_the_named_store(flagship_path, tmp_path):
    store = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["simulate", str(flagship_path), "--until", "2005-06-30",
                              "--seed", "2", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "recorded run" in res.output
    with RunStore(store, read_only=True) as st:
        (run,) = st.runs()
        full = st.run(run["run_id"])
    assert run["kind"] == "simulation" and run["draws"] == 1 and run["seed"] == 2
    expected = single_run(load_scenario(flagship_path), UNTIL, 2,
                          simulate(load_scenario(flagship_path), UNTIL, seed=2)).to_dict()
    summary = full["summary"]
    assert {k: summary[k] for k in expected} == json.loads(json.dumps(expected))


def test_cli_without_a_block_notes_the_default_widths_or_holds_inputs_fixed(flagship_path,
                                                                            tmp_path):
    f = tmp_path / "noblock.json"
    f.write_text(json.dumps(flagship_sc(flagship_path, None).model_dump(mode="json",
                                                                        by_alias=True)))
    args = ["simulate", str(f), "--until", "2005-06-30", "--seed", "2", "--draws", "5",
            "--json", "--no-record"]
    drawn = runner.invoke(app, args)
    assert drawn.exit_code == 0, drawn.output
    assert "default widths" in " ".join(drawn.stderr.split())
    data = json.loads(drawn.stdout)
    assert data["default_widths"] is True and data["uncertain_inputs"]
    fixed = runner.invoke(app, [*args, "--fixed-inputs"])
    assert fixed.exit_code == 0, fixed.output
    assert "default widths" not in " ".join(fixed.stderr.split())
    data = json.loads(fixed.stdout)
    assert data["default_widths"] is False and data["uncertain_inputs"] == []
    table = runner.invoke(app, [*args[:-2], "--no-record", "--fixed-inputs"])
    assert "inputs held at their coded values" in " ".join(table.stdout.split())
    alone = runner.invoke(app, ["simulate", str(f), "--fixed-inputs"])
    assert alone.exit_code == 2 and "--draws" in alone.output
