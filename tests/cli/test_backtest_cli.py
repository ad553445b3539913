"""``detente backtest`` through the CLI."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.models import models

runner = CliRunner()
DEU = "\n".join([
    '"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"',
    '\t"1"\t"1"\t"3"\t"1"\t\t\t\t\t\t',
    '"a"\t0\t50\t100\t\t100\t100\t50\t\t\t30',
    '"b"\t0\t50\t100\t\t100\t100\t50\t\t\t60',
    '"c"\t0\t50\t100\t\t100\t100\t50\t\t\t',
]) + "\n"


@pytest.fixture
def deu_file(tmp_path):
    path = tmp_path / "small.txt"  # detected from content, not from the suffix
    path.write_text(DEU)
    return path


def test_json_for_one_model_has_exactly_the_documented_keys(deu_file):
    result = runner.invoke(app, ["backtest", str(deu_file), "--format", "deu", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["model", "n_issues", "mae", "rmse", "median_ae"]
    assert data["model"] == "compromise" and data["n_issues"] == 2
    assert data["mae"] == pytest.approx(15.0) and data["median_ae"] == pytest.approx(15.0)


def test_all_models_and_gdp(deu_file):
    result = runner.invoke(app, ["backtest", str(deu_file), "-m", "all", "--capability",
                                 "gdp", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [m["model"] for m in data["models"]] == list(models())
    assert data["models"][0]["mae"] == pytest.approx(
        (abs(200 / 3.5 - 30) + abs(200 / 3.5 - 60)) / 2)


def test_several_named_models_give_a_list_in_the_order_named(deu_file):
    result = runner.invoke(app, ["backtest", str(deu_file), "-m", "median,compromise", "-m",
                                 "median", "--json", "--no-record"])
    assert result.exit_code == 0, result.stderr
    runs = json.loads(result.stdout)["models"]
    assert [r["model"] for r in runs] == ["median", "compromise"]
    alone = json.loads(runner.invoke(app, ["backtest", str(deu_file), "-m", "median", "--json",
                                           "--no-record"]).stdout)
    assert runs[0] == alone


def test_detail_and_table(deu_file):
    result = runner.invoke(app, ["backtest", str(deu_file), "-m", "median", "--json",
                                 "--detail"])
    data = json.loads(result.stdout)
    assert data["skipped"] == {"no known outcome": 1}
    assert [i["id"] for i in data["issues"]] == ["a", "b"]
    table = runner.invoke(app, ["backtest", str(deu_file)])
    assert table.exit_code == 0
    assert "compromise" in table.stdout and "15.00" in table.stdout
    assert "1 issue with no known outcome" in table.stdout
    # what "beats compromise" counts: the best model can win on MAE and score under 50 %
    both = runner.invoke(app, ["backtest", str(deu_file), "-m", "compromise,median"])
    text = " ".join(both.stdout.split())
    assert "beats compromise: the share of issues where the forecast is strictly closer to " \
        "the outcome than the compromise model's (ties count as not beating)" in text


def test_yaml_scenario_with_outcome(emission_path):
    result = runner.invoke(app, ["backtest", str(emission_path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["mae"] == pytest.approx(8.833 - 7.38996, abs=1e-5)


@pytest.mark.parametrize(("args", "message"), [
    (["--capability", "cinc"], "unknown capability coding 'cinc'"),
    (["--model", "oracle"], "unknown model 'oracle'"),
    (["--preset", "nope"], "has no preset 'nope'"),
    (["--detail"], "--detail adds to the JSON: give --json too"),
])
def test_bad_options_exit_2(deu_file, args, message):
    result = runner.invoke(app, ["backtest", str(deu_file), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_outcomes_exit_2(flagship_path):
    result = runner.invoke(app, ["backtest", str(flagship_path)])
    assert result.exit_code == 2
    assert "no issue has a known outcome" in result.stderr


def test_backtests_are_recorded_in_a_named_or_existing_store(deu_file, monkeypatch):
    from detente.store import RunStore

    monkeypatch.setenv("DETENTE_RECORD", "1")  # the suite turns recording off
    default = deu_file.parent / "detente.duckdb"
    plain = runner.invoke(app, ["backtest", str(deu_file), "-m", "median", "--json"])
    assert plain.exit_code == 0 and not default.exists()  # no store there: none created

    named = deu_file.parent / "named.duckdb"
    res = runner.invoke(app, ["backtest", str(deu_file), "-m", "median", "--cv", "2",
                              "--store", str(named)])
    assert res.exit_code == 0, res.output
    assert "recorded backtest" in res.stdout
    with RunStore(named, read_only=True) as st:
        (run,) = st.runs(kind="backtest")
        rows = st.results(run["run_id"])
    printed = json.loads(plain.stdout)
    summary = run["summary"]
    assert run["model"] == "median" and summary["backtest"]["mae"] == pytest.approx(
        printed["mae"])
    assert summary["backtest"]["cross_validation"]["folds"] == 2
    assert summary["issues"]["a"]["outcome"] == pytest.approx(30.0)
    assert list(rows["issue"]) == ["a", "b"] and rows["actor"].isna().all()
    assert list(rows["value"]) == pytest.approx([summary["issues"][i]["forecast"]
                                                 for i in ("a", "b")])
    # the export carries each issue's outcome beside its forecast (it had the forecast only)
    exported = runner.invoke(app, ["runs", "export", "--store", str(named), "-o",
                                   str(deu_file.parent / "bt.csv")])
    assert exported.exit_code == 0, exported.output
    with open(deu_file.parent / "bt.csv") as fh:
        table = list(csv.DictReader(fh))
    assert [(r["issue"], float(r["outcome"])) for r in table] == [("a", 30.0), ("b", 60.0)]
    assert [float(r["value"]) for r in table] == pytest.approx(list(rows["value"]))

    RunStore(default).close()  # a store next to the data: used without --store
    res = runner.invoke(app, ["backtest", str(deu_file), "-m", "all", "--json"])
    assert res.exit_code == 0
    with RunStore(default, read_only=True) as st:
        assert len(st.runs(kind="backtest")) == len(models()) and not st.runs(kind="forecast")
    res = runner.invoke(app, ["backtest", str(deu_file), "--no-record"])
    with RunStore(default, read_only=True) as st:
        assert len(st.runs()) == len(models())


def test_several_files_give_per_file_figures_and_a_pooled_table(deu_file, emission_path):
    result = runner.invoke(app, ["backtest", str(deu_file), str(emission_path), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["file"] for f in data["files"]] == [str(deu_file), str(emission_path)]
    assert data["files"][0]["models"][0]["mae"] == pytest.approx(15.0)
    pooled = data["pooled"]
    assert pooled["scale"] == "percent of each issue's range"
    (comp,) = pooled["models"]
    assert comp["n_files"] == 2 and comp["n_issues"] == 3
    assert comp["mae"] == pytest.approx((10 + 20 + 100 * (8.833 - 7.38996) / 6) / 3, abs=1e-4)
    table = runner.invoke(app, ["backtest", str(deu_file), str(emission_path)])
    assert table.exit_code == 0
    assert "pooled over 2 files" in table.stdout


def test_several_files_cross_validate_as_one_pool(deu_file, emission_path):
    args = ["backtest", str(deu_file), str(emission_path), "-m", "median", "--cv", "3"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    cv = data["cross_validation"]
    assert (cv["n_files"], cv["n_issues"], cv["n_proposals"]) == (2, 3, 3)
    assert cv["scale"] == data["pooled"]["scale"]
    # models without fitted parameters: out-of-fold errors are the pooled backtest's
    comp, median = cv["models"]
    assert (comp["model"], median["model"]) == ("compromise", "median")
    assert median["cv_mae"] == pytest.approx(data["pooled"]["models"][0]["mae"])
    assert comp["cv_mae"] == pytest.approx((10 + 20 + 100 * (8.833 - 7.38996) / 6) / 3,
                                           abs=1e-4)
    table = runner.invoke(app, args)
    assert table.exit_code == 0
    assert "cross-validation over 2 files pooled" in " ".join(table.stdout.split())
    # each file's CV MAE: the pool's is their mean weighted by issues (2 DEU, 1 emission)
    for m in cv["models"]:
        a, b = m["cv_mae_by_file"]
        assert m["cv_mae"] == pytest.approx((2 * a + b) / 3)
        a, b = m["coverage_by_file"]
        assert m["coverage"] == pytest.approx((2 * a + b) / 3)
    assert f"CV MAE on {emission_path}: compromise" in " ".join(table.stdout.split())
    # folds by file: each file predicted by what the other teaches
    by_file = runner.invoke(app, [*args[:-1], "2", "--cv-by", "file", "--json"])
    assert by_file.exit_code == 0, by_file.stderr
    assert json.loads(by_file.stdout)["cross_validation"]["grouped_by"] == "file"
    for argv, message in (
            ([*args, "--cv-by", "actor"], "--cv-by takes proposal or file, not 'actor'"),
            (["backtest", str(deu_file), "--cv", "2", "--cv-by", "file"], "at least 2 files")):
        refused = runner.invoke(app, argv)
        assert refused.exit_code == 2 and message in " ".join(refused.stderr.split())
    # each file's record carries the pool's figures and names the files pooled
    from detente.store import RunStore

    store = deu_file.parent / "pool.duckdb"
    assert runner.invoke(app, [*args, "--store", str(store)]).exit_code == 0
    with RunStore(store, read_only=True) as st:
        records = [r["summary"]["backtest"]["cross_validation"]
                   for r in st.runs(kind="backtest")]
    assert len(records) == 2
    for rec in records:
        assert rec["pooled_over"] == [str(deu_file), str(emission_path)]
        assert rec["scale"] == cv["scale"] and rec["cv_mae"] == pytest.approx(median["cv_mae"])
    too_many = runner.invoke(app, [*args[:-1], "4"])
    assert too_many.exit_code == 2
    assert "4 folds need at least 4 proposals; the 2 files have 3" in " ".join(
        too_many.stderr.split())


@pytest.mark.parametrize(("args", "message"), [
    (["--capability", "gdp"], "ec-emissions-1994.yaml: unknown capability coding 'gdp'"),
    (["--format", "yaml"], "ec-emissions-1994.yaml given more than once"),
])
def test_several_files_refuse_repeats_and_name_a_bad_codings_file(
        deu_file, emission_path, args, message):
    first = [str(emission_path)] if "yaml" in args else [str(deu_file)]
    result = runner.invoke(app, ["backtest", *first, str(emission_path), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_the_same_file_spelt_two_ways_counts_as_given_twice(emission_path):
    other = emission_path.parent / ".." / emission_path.parent.name / emission_path.name
    result = runner.invoke(app, ["backtest", str(emission_path), str(other)])
    assert result.exit_code == 2
    assert "given more than once" in " ".join(result.stderr.split())


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "no-such-model"], "no-such-model"),
    (["--model", "compromise", "--preset", "no-such-preset"], "no-such-preset"),
])
def test_an_unknown_model_or_preset_is_not_blamed_on_a_file(deu_file, emission_path, args,
                                                            message):
    result = runner.invoke(app, ["backtest", str(deu_file), str(emission_path), *args])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert message in err
    assert str(deu_file.name) not in err and emission_path.name not in err


def test_two_folds_refit_best_with_a_two_fold_calibration_inside(tmp_path):
    # regression: the calibration inside the training folds used k - 1 = 1 fold and failed
    rows = DEU.splitlines()[:2] + [
        f'"p{k}"\t{10 * k}\t{90 - 5 * k}\t{50 + k}\t{30 + 2 * k}\t100\t80\t60\t40\t{5 * k}'
        f'\t{20 + 6 * k}' for k in range(8)]
    path = tmp_path / "eight.tsv"
    path.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["backtest", str(path), "-m", "best", "--cv", "2", "--json"])
    assert result.exit_code == 0, result.stderr
    cv = json.loads(result.stdout)["cross_validation"]
    assert cv["folds"] == 2 and [m["model"] for m in cv["models"]] == ["compromise", "best"]
    assert len(cv["best_fold_parameters"]) == 2
    few = tmp_path / "three.tsv"  # 2 folds of 3 proposals: one training fold has 1 proposal
    few.write_text("\n".join(rows[:5]) + "\n")
    result = runner.invoke(app, ["backtest", str(few), "-m", "best", "--cv", "2", "--seed", "1"])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "best cannot be cross-validated on these data: with 2 folds over 3 proposals a " \
           "training fold holds 1" in err
    # with -m all the fitted models are left out with that reason; the others still run
    result = runner.invoke(app, ["backtest", str(few), "-m", "all", "--cv", "2", "--seed", "1",
                                 "--json"])
    assert result.exit_code == 0, result.stderr
    cv = json.loads(result.stdout)["cross_validation"]
    assert set(cv["left_out"]) == {"best", "role-weighted"}
    assert "training fold holds 1" in cv["left_out"]["best"]
    assert "compromise" in [m["model"] for m in cv["models"]]
    assert not {"best", "role-weighted"} & {m["model"] for m in cv["models"]}


def test_preset_all_says_what_an_unbracketed_model_runs(deu_file):
    """With --preset all, 'challenge' beside 'challenge (paper)' did not say that it is the
    scholz-code preset."""
    res = runner.invoke(app, ["backtest", str(deu_file), "-m", "challenge,best", "--preset",
                              "all", "--no-record"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "challenge (paper)" in text and "best (as-coded)" in text
    assert "runs its default preset (challenge: scholz-code)" in text
    plain = runner.invoke(app, ["backtest", str(deu_file), "-m", "challenge", "--no-record"])
    assert "default preset" not in plain.stdout  # nothing to explain


def test_cross_validation_shows_its_folds_on_a_terminal_only(anchors, tmp_path, monkeypatch):
    # a long --cv shows which fold it is on (stderr, cleared at the end); off a terminal,
    # as here by default, stderr stays empty and stdout is the same JSON either way
    import io

    from rich.console import Console

    from detente.cli import backtest_cmd

    deu = tmp_path / "deu.tsv"
    deu.write_bytes((anchors / "bdm" / "deu3_public__blksv.tsv").read_bytes())
    args = ["backtest", str(deu), "-m", "best", "--cv", "3", "--json", "--no-record"]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 0 and "fold" not in plain.stderr
    screen = io.StringIO()
    monkeypatch.setattr(backtest_cmd, "err_console",
                        Console(file=screen, force_terminal=True, width=120))
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0 and shown.stdout == plain.stdout
    assert "cross-validation: best, fold 3 of 3" in screen.getvalue()


def test_too_few_proposals_for_the_folds_is_said_before_any_model_runs(emission_path,
                                                                       monkeypatch):
    from detente.cli import backtest_cmd

    def never(*args, **kwargs):
        raise AssertionError("a model ran before the folds were checked")

    monkeypatch.setattr(backtest_cmd, "backtest", never)
    result = runner.invoke(app, ["backtest", str(emission_path), "--cv", "2", "--no-record"])
    assert result.exit_code == 2
    assert "2 folds need at least 2 proposals; the data have 1" in result.stderr
