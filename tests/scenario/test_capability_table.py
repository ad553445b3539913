"""Capability codings from a user's table (``--capability votes.csv[:column]``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import OptionError, ScenarioError
from detente.scenario import load_scenario, to_arrays
from detente.scenario.capability_table import is_table_spec, resolve_capability

EMISSION_ACTORS = ("Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy",
                   "United Kingdom", "Ireland", "Denmark", "Greece")
VOTES = (5, 5, 2, 10, 10, 10, 10, 3, 3, 5)


@pytest.fixture
def votes(tmp_path):
    """Council votes of the ten (a semicolon-separated table, the UK by its name)."""
    path = tmp_path / "votes.csv"
    path.write_text("actor;votes;equalish\n" + "".join(
        f"{a};{v};1\n" for a, v in zip(EMISSION_ACTORS, VOTES, strict=True)))
    return path


def test_a_table_column_becomes_a_named_coding(emission_path, votes):
    sc = load_scenario(emission_path)
    assert [a.name or a.id for a in sc.actors] == list(EMISSION_ACTORS)
    with_votes, name = resolve_capability(sc, f"{votes}:votes")
    assert name == "votes"
    cap = to_arrays(with_votes, name).capability[0, :, 0]
    assert cap.tolist() == list(VOTES)
    # the same as the YAML's own coding with those values: the scenario is otherwise unchanged
    assert to_arrays(with_votes).capability.tolist() == to_arrays(sc).capability.tolist()
    flat, _ = resolve_capability(sc, f"{votes}:equalish")
    assert np.all(to_arrays(flat, "equalish").capability == 1.0)


def test_the_python_api_takes_a_table(emission_path, votes):
    from detente.api import forecast

    result = forecast(emission_path, "compromise", capability=f"{votes}:votes")
    sc, name = resolve_capability(load_scenario(emission_path), f"{votes}:votes")
    assert result.capability == "votes"
    assert result.forecasts() == forecast(sc, "compromise", capability=name).forecasts()
    assert result.forecasts() != forecast(sc, "compromise").forecasts()


def test_names_that_are_not_tables_pass_through(emission_path):
    sc = load_scenario(emission_path)
    assert resolve_capability(sc, "equal") == (sc, "equal")
    assert not is_table_spec("gdp") and is_table_spec("x/votes.TSV:col")


@pytest.mark.parametrize(("text", "spec_suffix", "message"), [
    ("actor,votes\nGermany,10\nGermany,9\n", "", ":3: actor 'Germany' appears twice"),
    ("actor,votes\nGermany,-1\n", "", ":2: votes of 'Germany' is '-1'"),
    ("actor,votes\nGermany,many\n", "", ":2: votes of 'Germany' is 'many'"),
    ("actor,votes\nGermany,nan\n", "", ":2: votes of 'Germany' is 'nan'"),
    ("actor,votes\nGermany,1e60\n", "", ":2: votes of 'Germany': capability 1e+60 is too large"),
    ("actor,votes\nGermany,1e-60\n", "", ":2: votes of 'Germany': capability 1e-60 is too small"),
    ("actor,votes\nPrussia,10\n", "", ":2: actor 'Prussia' is not in the scenario"),
    ("name,votes\nGermany,10\n", "", ":1: the header needs exactly one actor column"),
    ("actor,votes\nGermany,10,3\n", "", ":2: 3 fields, the header has 2"),
    ("", "", ":1: the capability table is empty"),
])
def test_bad_tables_name_the_line(emission_path, tmp_path, text, spec_suffix, message):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        resolve_capability(load_scenario(emission_path), f"{path}{spec_suffix}")
    assert f"{path}{message}" in str(exc.value)


@pytest.mark.parametrize(("spec", "message"), [
    (":nope", "has no column 'nope'; its columns: votes, equalish"),
    ("", "has 2 value columns (votes, equalish); name one"),
])
def test_the_column_must_be_clear(emission_path, votes, spec, message):
    with pytest.raises(OptionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_capability(load_scenario(emission_path), f"{votes}{spec}")


def test_a_missing_table_is_a_clear_error(emission_path, tmp_path):
    res = CliRunner().invoke(app, ["forecast", str(emission_path), "-m", "compromise",
                                   "--capability", str(tmp_path / "none.csv")])
    assert res.exit_code == 2 and "capability table" in res.stderr
    assert "not found" in res.stderr


def test_forecast_and_backtest_use_the_table(emission_path, votes):
    args = ["-m", "compromise", "--capability", f"{votes}:votes", "--json"]
    res = CliRunner().invoke(app, ["forecast", str(emission_path), *args])
    assert res.exit_code == 0, res.output
    pos = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], float)
    sal = np.array([.8, .4, .2, .8, .6, .6, .9, .1, 1, .7])
    cap = np.array(VOTES, float)
    expected = (cap * sal * pos).sum() / (cap * sal).sum()
    forecast = json.loads(res.stdout)
    assert forecast["capability"] == "votes"
    assert forecast["issues"][0]["forecast"] == pytest.approx(expected)
    bt = CliRunner().invoke(app, ["backtest", str(emission_path), *args])
    assert bt.exit_code == 0, bt.output
    assert json.loads(bt.stdout)["mae"] == pytest.approx(abs(expected - 8.833), abs=1e-3)


@pytest.mark.parametrize("command", ["backtest", "forecast", "simulate"])
def test_a_table_that_leaves_out_actors_is_refused(emission_path, flagship_path, tmp_path,
                                                   command):
    """Actors left out would keep their coded capabilities beside the table's values (other
    units): every command refuses and names them."""
    path = tmp_path / "few.csv"
    simulated = command == "simulate"
    path.write_text("actor,votes\n" + ("US,10\n" if simulated else "Germany,10\nFrance,10\n"))
    scenario = flagship_path if simulated else emission_path
    res = CliRunner().invoke(app, [command, str(scenario), "--capability", str(path)])
    assert res.exit_code == 2
    lacking = "CN, JP, KR, RU, KP" if simulated else "Netherlands, Belgium"
    assert f"(column 'votes') has no value for actor(s) {lacking}" in res.stderr
    assert "Traceback" not in res.output


def test_a_table_may_give_an_actor_zero(emission_path, tmp_path):
    path = tmp_path / "some.csv"
    path.write_text("actor,votes\n" + "".join(f"{a},{10 if a == 'Germany' else 0}\n"
                                              for a in EMISSION_ACTORS))
    sc, coding = resolve_capability(load_scenario(emission_path), str(path))
    arrays = to_arrays(sc, coding)
    assert arrays.capability[0].max() == arrays.capability[0].sum()  # Germany alone
