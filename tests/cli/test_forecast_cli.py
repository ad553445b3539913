"""``detente forecast``: capabilities too extreme for float arithmetic are a clear error naming
the file and line, with no output file; a model that links issues runs on each separate case
alone; several models are named by repeating --model or with commas."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.cli.forecast_cmd import column_groups

runner = CliRunner()


@pytest.mark.parametrize(("value", "message"), [
    ("1e308", "capability 1e+308 is too large (at most 1e+50)"),
    ("1e-300", "capability 1e-300 is too small (0, or at least 1e-50)"),
])
def test_an_extreme_capability_is_a_clear_error_and_writes_nothing(tmp_path, value, message):
    # 1e308 x salience overflowed the compromise model's weighted sum (found by fuzzing)
    table = tmp_path / "extreme.csv"
    table.write_text(f"Actor,Capability,Position,Salience\nA,1,10,0.9\nB,{value},60,0.8\n"
                     "C,1,90,0.5\n")
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["forecast", str(table), "-m", "compromise", "--json",
                                 "--out", str(out), "--no-record"])
    assert result.exit_code == 2
    assert f"{table}:3: actors[1].capability: {message}" in result.stderr
    assert "divide them all" in result.stderr or "multiply them all" in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_capabilities_in_any_unit_give_the_same_forecast(tmp_path):
    # scaled to a largest of 1 inside: before, the median moved once all were below 1e-10
    rows = [("A", 3, 10, 0.9), ("B", 2, 60, 0.8), ("C", 4, 90, 0.5), ("D", 1, 40, 0.7)]
    forecasts = []
    for factor in (1.0, 1e-40):
        table = tmp_path / f"t{factor}.csv"
        table.write_text("Actor,Capability,Position,Salience\n" + "".join(
            f"{a},{c * factor!r},{p},{s}\n" for a, c, p, s in rows))
        result = runner.invoke(app, ["forecast", str(table), "-m", "median", "--json",
                                     "--no-record"])
        assert result.exit_code == 0, result.stderr
        forecasts.append(result.stdout)
    assert forecasts[0] == forecasts[1]


def test_models_that_link_issues_run_on_each_separate_case_alone(tmp_path):
    from detente.models import get_model

    rows = ['"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"',
            '"a"\t0\t50\t100\t20\t100\t100\t50\t80\t\t30',
            '"b"\t10\t60\t90\t30\t90\t100\t50\t80\t\t60']
    path = tmp_path / "two.tsv"
    path.write_text("\n".join(rows) + "\n")
    assert [n for n in ("exchange", "smp", "compromise", "challenge")
            if get_model(n).links_issues] == ["exchange", "smp"]
    linked = runner.invoke(app, ["forecast", str(path), "-m", "smp", "--json", "--no-record"])
    assert linked.exit_code == 0, linked.stderr
    assert ("separate cases, so smp (which links issues: trades or votes across them) runs on "
            "each case alone" in " ".join(linked.stderr.split()))
    both = json.loads(linked.stdout)  # the note stays out of the JSON
    # each case's forecast and SMP turns are those of a file holding that case alone
    for k, row in enumerate(rows[1:]):
        one = tmp_path / f"one{k}.tsv"
        one.write_text("\n".join([rows[0], row]) + "\n")
        single = runner.invoke(app, ["forecast", str(one), "-m", "smp", "--json",
                                     "--no-record"])
        assert "separate cases" not in single.stderr  # a single case: nothing to link
        alone = json.loads(single.stdout)
        assert both["issues"][k]["forecast"] == alone["issues"][0]["forecast"]
        assert both["issues"][k]["case"]["smp"] == alone["smp"]
    assert "smp" not in both  # per case, not for the file
    per_issue = runner.invoke(app, ["forecast", str(path), "-m", "compromise", "--no-record"])
    assert per_issue.exit_code == 0 and "separate cases" not in per_issue.stderr


def test_several_models_by_repeating_or_commas(flagship_path):
    def forecasts(*args: str) -> dict:
        result = runner.invoke(app, ["forecast", str(flagship_path), *args, "--json",
                                     "--no-record"])
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        runs = data.get("models", [data])
        return {f"{r['model']} ({r['preset']})": r["issues"][0]["forecast"] for r in runs}

    both = forecasts("-m", "median,compromise")
    assert list(both) == ["median (default)", "compromise (default)"]
    assert forecasts("-m", "median", "-m", "compromise,median") == both  # each once, in order
    assert forecasts("-m", "compromise") == {"compromise (default)": both["compromise (default)"]}
    # a preset goes to the models that have it, here smp only
    with_preset = forecasts("-m", "smp,compromise", "--preset", "ktab")
    assert list(with_preset) == ["smp (ktab)", "compromise (default)"]
    assert len(forecasts("-m", "all")) == len(forecasts("-m", "compromise,all"))


def test_a_model_that_refuses_the_scenario_does_not_stop_the_others(tmp_path):
    # nobody has any salience: smp refuses the scenario; compromise gives no forecast
    table = tmp_path / "unweighed.csv"
    table.write_text("Actor,Capability,Position,Salience\nA,1,10,0\nB,2,60,0\nC,1,90,0\n")
    res = runner.invoke(app, ["forecast", str(table), "-m", "compromise,smp", "--json",
                              "--no-record"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert [r["model"] for r in data["models"]] == ["compromise"]
    assert data["not_run"][0]["model"] == "smp" and "salience" in data["not_run"][0]["error"]
    assert "smp did not run:" in " ".join(res.stderr.split())
    alone = runner.invoke(app, ["forecast", str(table), "-m", "smp", "--no-record"])
    assert alone.exit_code == 2 and "salience" in alone.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["-m", "compromise,nope"], "unknown model 'nope'; models: compromise"),
    (["-m", ","], "--model needs a model name"),
    (["-m", "median,compromise", "--preset", "ktab"],
     "none of the models median, compromise has a preset 'ktab'"),
    (["-m", "median,compromise", "-o", "x=1"], "--option sets one model's options"),
])
def test_bad_model_lists_are_clear_errors(flagship_path, args, message):
    result = runner.invoke(app, ["forecast", str(flagship_path), *args, "--no-record"])
    assert result.exit_code != 0 and message in " ".join(result.stderr.split())


def many_issues(tmp_path, n: int):
    ids = [f"issue_number_{k:02d}" for k in range(n)]
    actors = [{"id": a, "capability": c,
               "position": {i: (10 * k + 7 * j) % 100 for j, i in enumerate(ids)},
               "salience": {i: 0.5 for i in ids}}
              for k, (a, c) in enumerate([("A", 1), ("B", 2), ("C", 3)])]
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"detente": 1, "salience_scale": 1,
                                "issues": [{"id": i} for i in ids], "actors": actors}))
    return path, ids


@pytest.mark.parametrize("n_issues", [6, 14])
def test_several_models_on_many_issues_fit_the_terminal_uncut(tmp_path, n_issues):
    """Columns that do not fit 80 characters go to further tables instead of being cut."""
    path, ids = many_issues(tmp_path, n_issues)
    args = ["forecast", str(path), "-m", "compromise,median,nash", "--no-record"]
    text = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert text.exit_code == 0, text.output
    assert "…" not in text.stdout
    assert max(map(len, text.stdout.splitlines())) <= 80
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    for run in data["models"]:
        for issue in run["issues"]:
            assert f"{issue['forecast']:.1f}" in text.stdout
    assert all(i in text.stdout for i in ids)
    # many more issues than models: the issues are the rows; otherwise the models, and the
    # issue columns are spread over several tables
    rows = "issue" if n_issues > 6 else "model"
    assert f"┃ {rows} " in text.stdout
    assert (text.stdout.count("┃ model ") > 1) == (n_issues == 6)


@given(widths=st.lists(st.integers(1, 60), max_size=30), available=st.integers(1, 120))
def test_column_groups_keep_the_order_and_fill_each_table(widths, available):
    groups = column_groups(widths, available)
    assert [k for g in groups for k in g] == list(range(len(widths)))
    for n, g in enumerate(groups):
        assert len(g) == 1 or sum(widths[k] for k in g) <= available
        if n + 1 < len(groups):  # the next column did not fit this table
            assert sum(widths[k] for k in g) + widths[groups[n + 1][0]] > available


def test_tables_say_what_their_figures_are(flagship_path, emission_path):
    """A fallback is named with its reason; several models' Monte Carlo figures are medians;
    the by-round line under --draws is the first draw's."""
    res = runner.invoke(app, ["forecast", str(flagship_path), "-m", "procedural,compromise",
                              "--no-record"])
    text = " ".join(res.stdout.split())
    assert res.exit_code == 0, res.output
    assert ("procedural gives the compromise model's forecast on every issue: no agenda "
            "setter 'com' among the actors") in text
    assert "median over" not in text
    res = runner.invoke(app, ["forecast", str(flagship_path), "-m", "compromise,median",
                              "--draws", "20", "--no-record"])
    assert "each figure is the median over 20 draws" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["forecast", str(emission_path), "-m", "challenge", "--draws",
                              "20", "--no-record"])
    assert "median by round (the first draw):" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["forecast", str(emission_path), "-m", "challenge", "--no-record"])
    assert "median by round:" in res.stdout


@pytest.mark.parametrize("command", ["forecast", "simulate", "sensitivity", "backtest",
                                     "report", "compare"])
def test_a_negative_seed_is_refused_by_the_option(emission_path, flagship_path, command):
    """numpy's seeding raised ValueError from deep inside the run."""
    scenario = flagship_path if command in ("simulate", "compare") else emission_path
    extra = ["-i", "x.yaml"] if command == "compare" else []
    res = runner.invoke(app, [command, str(scenario), "--seed", "-1", *extra])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "--seed" in res.output and "greater than or equal to 0" in " ".join(res.output.split())


@pytest.mark.parametrize("value", ["abc", "nan", "-5", "1e300", "true"])
def test_a_bad_mechanism_parameter_on_the_command_line_is_named(flagship_path, value):
    """--param wedge.erosion_per_month=abc raised TypeError deep in the wedge mechanism."""
    res = runner.invoke(app, ["simulate", str(flagship_path), "--param",
                              f"wedge.erosion_per_month={value}", "--no-record"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "wedge.erosion_per_month" in res.stderr and "is not a number from 0" in res.stderr


def test_a_parameter_without_a_mechanism_is_named(flagship_path):
    res = runner.invoke(app, ["simulate", str(flagship_path), "--param", "wedge=1",
                              "--no-record"])  # 'wedge' is a mechanism: it said none
    assert res.exit_code == 2 and "'wedge' names no parameter (to switch a mechanism off: " \
        "--off wedge)" in " ".join(res.stderr.split())
    both = runner.invoke(app, ["simulate", str(flagship_path), "--off", "wedge", "--param",
                               "wedge.erosion_per_month=0.1", "--no-record"])  # was silent
    assert both.exit_code == 2 and "--param wedge.erosion_per_month changes nothing: --off " \
        "wedge switches that mechanism off" in " ".join(both.stderr.split())
    # without '=' the error named --option, which simulate does not have
    res = runner.invoke(app, ["simulate", str(flagship_path), "--param", "reciprocity",
                              "--no-record"])
    assert res.exit_code == 2 and "--param expects key=value" in res.stderr


def test_quantiles_are_sorted_and_a_repeated_one_is_refused(emission_path):
    res = runner.invoke(app, ["forecast", str(emission_path), "--draws", "20", "--quantiles",
                              "0.9,0.1", "--json", "--no-record"])
    assert res.exit_code == 0, res.output
    assert list(json.loads(res.stdout)["issues"][0]["quantiles"]) == ["q10", "q90"]
    res = runner.invoke(app, ["forecast", str(emission_path), "--draws", "20", "--quantiles",
                              "0.5,0.5", "--no-record"])
    assert res.exit_code == 2 and "twice" in res.stderr
    # a 95 % band: its keys were q02 and q98 (rounded to the percent)
    res = runner.invoke(app, ["forecast", str(emission_path), "--draws", "50", "--quantiles",
                              "0.975,0.025,0.5", "--json", "--no-record"])
    assert res.exit_code == 0, res.output
    q = json.loads(res.stdout)["issues"][0]["quantiles"]
    assert list(q) == ["q02.5", "q50", "q97.5"] and q["q02.5"] < q["q50"] < q["q97.5"]


def test_store_damage_and_foreign_stores_are_clear_errors(emission_path, tmp_path):
    import duckdb

    store = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["forecast", str(emission_path), "-m", "median", "--store",
                              str(store)])
    assert res.exit_code == 0
    run_id = json.loads(runner.invoke(app, ["runs", "list", "--json", "--store",
                                            str(store)]).stdout)[0]["run_id"]
    con = duckdb.connect(str(store))
    con.execute("UPDATE runs SET summary = '{not json'")
    con.close()
    for args in (["runs", "list", "--json"], ["runs", "show", run_id]):
        out = runner.invoke(app, [*args, "--store", str(store)])
        assert out.exit_code == 2 and "is not valid JSON" in out.stderr, out.output
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE runs (x INTEGER); CREATE TABLE results (y INTEGER)")
    con.close()
    out = runner.invoke(app, ["runs", "list", "--store", str(foreign)])
    assert out.exit_code == 2 and "not a detente run store" in out.stderr
    out = runner.invoke(app, ["runs", "list", "--store", str(store), "--kind", "nope"])
    assert out.exit_code == 2 and "unknown kind 'nope'" in out.stderr
    # a CSV named as the store: DuckDB opened it as a passing in-memory store, so 'recorded
    # run' was printed and nothing kept (and runs list blamed permissions)
    table = tmp_path / "victim.csv"
    table.write_text("actor,gdp\nUK,1\n")
    for args in (["forecast", str(emission_path), "-m", "median"], ["runs", "list"]):
        out = runner.invoke(app, [*args, "--store", str(table)])
        assert out.exit_code == 2 and "victim.csv is not a detente run store" in " ".join(
            out.stderr.split()), out.output
    assert table.read_text() == "actor,gdp\nUK,1\n"


def test_medians_by_round_are_printed_for_the_first_issues_only(tmp_path):
    """A DEU file's 248 issues printed about 2,700 lines of medians by round."""
    rows = ['"isnr"\t"pcom"\t"pep"\t"pfr"\t"scom"\t"sep"\t"sfr"\t"rp"\t"out"']
    rows += [f'"i{k}"\t{k}\t50\t100\t100\t80\t60\t0\t' for k in range(30)]
    path = tmp_path / "many.tsv"
    path.write_text("\n".join(rows) + "\n")
    res = runner.invoke(app, ["forecast", str(path), "-m", "challenge", "--no-record"])
    assert res.exit_code == 0, res.output
    assert res.stdout.count("median by round") == 20
    assert "the medians by round of 10 more issues: --json" in " ".join(res.stdout.split())


def test_options_that_change_nothing_are_named(emission_path, flagship_path):
    """--rounds for a model without rounds and --quantiles without --draws were ignored
    without a word."""
    res = runner.invoke(app, ["forecast", str(emission_path), "-m", "compromise,challenge",
                              "--rounds", "5", "--quantiles", "0.2,0.8", "--no-record"])
    text = " ".join(res.stderr.split())
    assert res.exit_code == 0 and "--rounds changes nothing for compromise:" in text
    assert "--quantiles applies with --draws N" in text
    quiet = runner.invoke(app, ["forecast", str(emission_path), "-m", "challenge", "--rounds",
                                "5", "--draws", "20", "--quantiles", "0.2,0.8", "--no-record"])
    assert quiet.exit_code == 0 and "note: --" not in quiet.stderr
    sim = runner.invoke(app, ["simulate", str(flagship_path), "--until", "2004-08-01",
                              "--quantiles", "0.2,0.8", "--no-record"])
    assert sim.exit_code == 0 and "--quantiles applies with --draws N" in sim.stderr


@pytest.mark.parametrize("option", ["rounds=5", "preset=paper", "capability=equal", "seed=3",
                                    "draws=4", "quantiles=0.5"])
def test_a_setting_of_the_command_given_as_a_model_option_names_its_flag(option,
                                                                          emission_path):
    # each crashed with "monte_carlo() got multiple values for argument ..."
    key, value = option.split("=")
    res = CliRunner().invoke(app, ["forecast", str(emission_path), "-m", "challenge", "-o", option,
                                   "--no-record"])
    assert res.exit_code == 2
    assert f"{key} is not a model option: give it as --{key} {value}" in res.output


def test_the_api_refuses_rounds_below_0_or_not_whole(emission_path):
    from detente import api
    from detente.errors import OptionError

    for rounds in (-1, 2.5, True):
        with pytest.raises(OptionError, match="whole number, 0 or more"):
            api.forecast(emission_path, model="challenge", rounds=rounds)
    assert api.forecast(emission_path, model="challenge", rounds=0).forecasts()["date"] > 0


def test_help_text_flows_to_the_terminal_width_and_shows_every_default():
    # the docstrings' own line breaks cut sentences in two ("run the same command again
    # after / an interruption"), and "[default: 0.1,0.5,0.9]" was read as markup and dropped
    runner = CliRunner()
    sweep = runner.invoke(app, ["sweep", "--help"], env={"COLUMNS": "200"}).output
    assert "run the same command again after an interruption" in sweep
    forecast = " ".join(runner.invoke(app, ["forecast", "--help"],
                                      env={"COLUMNS": "200"}).output.split())
    assert "[default: 0.1,0.5,0.9]" in forecast


def test_workers_that_change_nothing_are_named(tmp_path, flagship_path):
    # --workers spreads separate cases of the models that link issues; elsewhere it was
    # accepted without a word, and the user waited for a speed-up that could not come
    rows = ['"isnr"\t"pcom"\t"pep"\t"pfr"\t"scom"\t"sep"\t"sfr"\t"rp"\t"out"']
    rows += [f'"i{k}"\t{k}\t50\t100\t100\t80\t60\t0\t' for k in range(3)]
    deu = tmp_path / "cases.tsv"
    deu.write_text("\n".join(rows) + "\n")

    def notes(path, model):
        res = runner.invoke(app, ["forecast", str(path), "-m", model, "--workers", "2",
                                  "--no-record"])
        assert res.exit_code == 0, res.output
        return " ".join(res.stderr.split())

    assert ("--workers changes nothing for compromise: only condorcet, exchange, smp run "
            "separate cases side by side" in notes(deu, "compromise"))
    assert ("--workers changes nothing here: the issues of this file are not separate cases"
            in notes(flagship_path, "exchange"))
    assert "--workers" not in notes(deu, "exchange,compromise")  # exchange uses them


def test_a_fitted_models_intervals_are_printed_with_its_forecasts(flagship_path):
    # best's calibrated 80% intervals were in --json only
    args = ["forecast", str(flagship_path), "-m", "best", "--no-record"]
    text = " ".join(runner.invoke(app, args).stdout.split())
    issues = json.loads(runner.invoke(app, [*args, "--json"]).stdout)["issues"]
    spans = ", ".join(f"{i['id']} {i['interval']['low']:.1f}–{i['interval']['high']:.1f}"
                      for i in issues)
    assert f"best: 80% prediction intervals: {spans}" in text
    plain = runner.invoke(app, ["forecast", str(flagship_path), "-m", "compromise",
                                "--no-record"])
    assert "prediction intervals" not in plain.stdout  # a model without them says nothing


def test_a_monte_carlo_forecasts_json_gives_the_coded_forecast_the_table_shows(emission_path):
    """The table's "coded" column (the forecast at the coded inputs) was not in the JSON."""
    coded = {}
    for model in ("compromise", "median"):
        res = runner.invoke(app, ["forecast", str(emission_path), "-m", model, "--json",
                                  "--no-record"])
        coded[model] = json.loads(res.stdout)["issues"][0]["forecast"]
    assert coded["compromise"] == pytest.approx(7.38996, abs=1e-4) and coded["median"] == 7.0
    res = runner.invoke(app, ["forecast", str(emission_path), "-m", "compromise,median",
                              "--draws", "30", "--seed", "2", "--json", "--no-record"])
    assert res.exit_code == 0, res.output
    for result in json.loads(res.stdout)["models"]:
        issue = result["issues"][0]
        assert issue["coded"] == coded[result["model"]] != issue["forecast"]
    one = runner.invoke(app, ["forecast", str(emission_path), "-m", "median", "--draws", "30",
                              "--seed", "2", "--json", "--no-record"])
    assert json.loads(one.stdout)["issues"][0]["coded"] == 7.0
    plain = runner.invoke(app, ["forecast", str(emission_path), "--json", "--no-record"])
    assert "coded" not in json.loads(plain.stdout)["issues"][0]  # without draws: the forecast


def test_models_with_a_name_lists_its_options_by_preset():
    """The option names that -o key=value and sweep options: take were found only through an
    error; `detente models NAME` lists them with each preset's value."""
    import dataclasses

    from detente.models import get_model

    spec = get_model("challenge")
    res = runner.invoke(app, ["models", "challenge"])
    assert res.exit_code == 0, res.output
    for field in dataclasses.fields(spec.presets["paper"]):
        (line,) = [x for x in res.stdout.splitlines() if x.startswith(f"│ {field.name} ")]
        values = [str(dataclasses.asdict(spec.presets[p])[field.name]).split(".")[0]
                  for p in ("scholz-code", "paper")]  # the default preset first
        cells = [c.strip() for c in line.strip("│").split("│")[1:]]
        assert [c.split(".")[0] for c in cells] == values, line
    assert "compromise takes no options" in runner.invoke(app, ["models", "compromise"]).stdout
    bad = runner.invoke(app, ["models", "nope"])
    assert bad.exit_code == 2 and "unknown model 'nope'" in bad.stderr
    assert "detente models NAME" in " ".join(runner.invoke(app, ["models"]).stdout.split())
