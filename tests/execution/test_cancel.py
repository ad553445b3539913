"""A cancel stops a model part way: between its issues, separate cases and chunks of draws."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from detente.errors import RunCancelled
from detente.execution.cancel import cancel_when, check_cancelled
from detente.execution.cases import case_workers
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario
from detente.uncertainty.montecarlo import monte_carlo, run_batch

from .test_cases import deu_cases


def after(n: int):
    """A ``cancelled()`` that turns true at its ``n``-th call."""
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) >= n

    return cancelled


def test_no_block_no_cancel_and_the_block_ends():
    check_cancelled("anywhere")  # outside a block: nothing to check
    with cancel_when(lambda: True), pytest.raises(RunCancelled, match="cancelled here"):
        check_cancelled("here")
    check_cancelled("after the block")


@pytest.mark.parametrize("workers", [1, 2])
def test_separate_cases_stop_between_cases(workers):
    sc = deu_cases(8)
    with case_workers(workers), cancel_when(after(3)), pytest.raises(
            RunCancelled, match=r"after 3 of 8 cases"):
        monte_carlo(sc, "smp", 4, 0)
    assert monte_carlo(sc, "smp", 4, 0).output.forecast.shape == (4, 8)  # no block: runs


def test_issue_by_issue_models_stop_between_issues(flagship_path):
    sc = load_scenario(flagship_path)
    n = len(sc.issues)
    with cancel_when(after(2)), pytest.raises(RunCancelled, match=f"after 2 of {n} issues"):
        monte_carlo(sc, "challenge", 3, 0)


def test_monte_carlo_chunks_stop_between_chunks(emission_path):
    sc = load_scenario(emission_path)
    arrays = to_arrays(sc).repeat(10)
    from detente.models import get_model

    with cancel_when(after(2)), pytest.raises(RunCancelled, match="after 6 of 10 draws"):
        run_batch(arrays, "compromise", get_model("compromise").options(), 0,
                  np.random.default_rng(0), chunk=3)


def test_the_exchange_model_stops_between_draws(flagship_path):
    sc = load_scenario(flagship_path)
    with cancel_when(after(2)), pytest.raises(RunCancelled, match="after 2 of 5 draws"):
        monte_carlo(sc, "exchange", 5, 0)


def test_the_simulation_stops_between_its_dated_steps(flagship_path):
    """A web job's cancel waited for the whole simulation (8-10 s at 5,000 draws)."""
    from detente.simulation import simulate

    sc = load_scenario(flagship_path)
    with cancel_when(after(3)), pytest.raises(RunCancelled, match=r"cancelled at 2004-\d\d-\d\d "
                                                                  r"of the simulation"):
        simulate(sc, runs=2)
    with cancel_when(lambda: False):
        assert simulate(sc, runs=2).n_draws == 2


def test_a_cancel_inside_the_last_model_or_the_simulation_is_not_recorded_as_its_error(
        flagship_path):
    """The report's runners record a model's refusal and go on; a cancel inside the last model
    (or the simulation over the draws) was recorded as that model's "error", and the web job
    then finished as done."""
    from detente.report.collect import run_models
    from detente.report.uncertainty import uncertainty_data

    sc = load_scenario(flagship_path)
    with cancel_when(after(2)), pytest.raises(RunCancelled, match="issues"):
        run_models(sc, ["challenge"])
    with cancel_when(after(3)), pytest.raises(RunCancelled, match="of the simulation"):
        uncertainty_data(sc, [], draws=2, sensitivity_model=None, simulation=True)


def test_a_web_job_is_cancelled_inside_its_work():
    """The job's cancel reaches check_cancelled() in the model, not only the job's own
    checks between models."""
    from detente.web.jobs import Jobs

    jobs = Jobs(workers=1)
    started = threading.Event()

    def work(progress, cancelled):
        started.set()
        for _ in range(500):  # a model that never looks at cancelled() itself
            check_cancelled("inside the model")
            time.sleep(0.01)
        return "ran to the end"

    job = jobs.submit("test", work)
    assert started.wait(5)
    jobs.cancel(job.id)
    for _ in range(500):
        if job.status not in ("queued", "running"):
            break
        time.sleep(0.01)
    assert job.status == "cancelled" and job.result is None
    jobs.shutdown()
