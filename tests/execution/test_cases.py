"""Separate cases on worker processes: the same bits as in one process, for any count."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import ModelError, OptionError
from detente.execution.cases import case_workers, map_cases, workers
from detente.scenario.formats.deu import read_deu
from detente.uncertainty.montecarlo import monte_carlo

runner = CliRunner()

STATES = ("s1", "s2", "s3", "s4")
HEADER = "\t".join(f'"{c}"' for c in ["isnr", "pcom", "pep", *[f"p{s}" for s in STATES],
                                        "scom", "sep", *[f"s{s}" for s in STATES], "rp", "out"])


def deu_cases(n: int, seed: int = 3, outcome: str = ""):
    """``n`` unrelated one-issue cases in the DEU layout (separate_cases)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        pos = rng.integers(0, 101, 6)
        sal = rng.integers(10, 101, 6)
        rows.append("\t".join([f'"{k + 1}"', *map(str, pos), *map(str, sal), "0", outcome]))
    return read_deu("\n".join([HEADER, *rows]) + "\n", "cases.tsv")


@pytest.mark.parametrize("model", ["smp", "exchange", "condorcet"])
def test_cases_on_two_workers_give_the_same_bits_as_in_one_process(model):
    sc = deu_cases(5)
    assert sc.separate_cases
    serial = monte_carlo(sc, model, 6, 11)
    with case_workers(2):
        assert workers() == 2
        parallel = monte_carlo(sc, model, 6, 11)
    assert workers() == 1  # the setting ends with the block
    np.testing.assert_array_equal(serial.output.forecast, parallel.output.forecast)
    np.testing.assert_array_equal(serial.output.trajectory, parallel.output.trajectory)
    assert serial.result.to_dict() == parallel.result.to_dict()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ModelError("case 3 cannot be forecast")
    return x * x


def test_results_keep_the_order_of_the_tasks_and_errors_reach_the_caller():
    with case_workers(2):
        assert map_cases(_fail_on_three, [5, 4, 2, 1, 0]) == [25, 16, 4, 1, 0]
        with pytest.raises(ModelError, match="case 3"):
            map_cases(_fail_on_three, [1, 2, 3, 4])
    assert map_cases(_fail_on_three, [2, 1]) == [4, 1]  # no block: in this process


def _pid(_: int) -> int:
    return os.getpid()


def test_the_tasks_run_in_other_processes_inside_the_block_only():
    with case_workers(2):
        assert os.getpid() not in map_cases(_pid, list(range(6)))
    assert set(map_cases(_pid, list(range(6)))) == {os.getpid()}


def test_never_more_processes_than_cores_or_cases():
    with case_workers(64):
        pids = set(map_cases(_pid, list(range(3))))
    assert os.getpid() not in pids and len(pids) <= min(os.cpu_count() or 1, 3)


def test_forecast_report_and_backtest_take_workers_with_the_same_output(tmp_path):
    data = tmp_path / "cases.tsv"
    rows = [HEADER, *("\t".join([f'"{k}"', *map(str, [10 * k, 90, 30, 50, 70, 20 + k]),
                                  *["60"] * 6, "0", str(5 * k)]) for k in range(1, 5))]
    data.write_text("\n".join(rows) + "\n")
    outputs = []
    for extra in ([], ["--workers", "2"]):
        got = [runner.invoke(app, [*cmd, str(data), "-m", "smp", "--json", "--no-record",
                                   *extra])
               for cmd in (["forecast", "--draws", "4"], ["backtest"])]
        assert all(r.exit_code == 0 for r in got), [r.output for r in got]
        outputs.append([json.loads(r.stdout) for r in got])
    assert outputs[0] == outputs[1]
    bad = runner.invoke(app, ["report", str(data), "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output


def test_a_worker_count_below_one_is_refused():
    with pytest.raises(OptionError, match="--workers must be at least 1"), case_workers(0):
        pass


def test_the_workers_hint_only_for_smp_on_many_cases_and_draws(monkeypatch, capsys):
    import sys

    from detente.execution import cases

    cli_app = sys.modules["detente.cli.app"]  # the module (detente.cli exports the Typer app)

    monkeypatch.setattr(cases, "usable_cores", lambda: 8)

    def hint(*args) -> str:
        cli_app.print_workers_hint(*args)
        return " ".join(capsys.readouterr().err.split())  # as wrapped to any terminal width

    assert "--workers 8 runs the cases on 8 processes" in hint(True, 248, None, 500, 1)
    assert "248 cases alone on 500 draws: about 10 minutes" in hint(
        True, 248, ["compromise", "smp"], 500, 1)  # measured: 11-13 minutes
    assert "about 2 minutes" in hint(True, 200, None, 100, 1)
    assert hint(True, 248, ["compromise", "best"], 500, 1) == ""  # no smp
    assert hint(True, 248, None, 500, 4) == ""  # already on workers
    assert hint(True, 248, None, 20, 1) == ""  # a few seconds
    assert hint(True, 50, None, 100, 1) == ""  # about 25 s
    assert hint(False, 248, None, 500, 1) == ""  # one scenario, not cases
    monkeypatch.setattr(cases, "usable_cores", lambda: 1)
    assert hint(True, 248, None, 500, 1) == ""  # nothing to spread over


def test_backtest_runs_the_cases_of_linking_models_on_the_workers(monkeypatch):
    import sys

    import detente.evaluation.backtest  # noqa: F401  (the module; the package exports a function)

    bt = sys.modules["detente.evaluation.backtest"]

    calls = []

    def spy(fn, tasks):
        calls.append(len(tasks))
        return map_cases(fn, tasks)

    monkeypatch.setattr(bt, "map_cases", spy)
    sc = deu_cases(4, outcome="40")
    serial = bt.backtest(sc, ["smp", "compromise"], cases=True)
    assert calls == []
    with case_workers(2):
        parallel = bt.backtest(sc, ["smp", "compromise"], cases=True)
    assert calls == [4]  # smp's cases; compromise runs faster than a pool starts
    assert [r.to_dict(detail=True) for r in serial] == [r.to_dict(detail=True) for r in parallel]
    assert len(serial[0].issues) == 4


def _refuse(_: int) -> None:
    from detente.errors import Problem, ScenarioError

    raise ScenarioError([Problem("no salience on any issue", "actors[2].salience")])


def _die(_: int) -> None:
    os._exit(9)  # as the kernel's OOM killer would end it


def test_errors_from_workers_read_as_in_one_process():
    from detente.errors import ScenarioError

    with case_workers(2):
        with pytest.raises(ScenarioError) as err:
            map_cases(_refuse, [1, 2])
        assert str(err.value) == "actors[2].salience: no salience on any issue"
        with pytest.raises(ModelError, match="a worker process running separate cases died"):
            map_cases(_die, [1, 2])


def test_a_run_keeping_draw_0_s_rounds_is_sized_by_one_case(monkeypatch):
    """Separate cases run one at a time, so without every draw's trajectory a run holds one
    case's rounds of every draw: the size check counted all cases' (smp on the DEU cases was
    refused beyond about 660 draws while it needed a fraction of the memory)."""
    import detente.limits

    sc = deu_cases(8)
    cells = 50 * 101 * 6 * 8  # draws x rounds x actors x cases, smp's 100 rounds
    monkeypatch.setattr(detente.limits, "MAX_CELLS", cells // 2)
    with pytest.raises(OptionError, match="more than detente allows"):
        monte_carlo(sc, "smp", 50, 0, all_trajectories=True)
    run = monte_carlo(sc, "smp", 50, 0, all_trajectories=False)
    assert run.output.forecast.shape == (50, 8) and run.output.trajectory.shape[0] == 1
    joint = sc.model_copy(update={"separate_cases": False})  # the issues linked: all at once
    with pytest.raises(OptionError, match="more than detente allows"):
        monte_carlo(joint, "smp", 50, 0, all_trajectories=False)
