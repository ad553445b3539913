"""Runs too big for memory are refused before they start, with the size and the fix."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.limits import MAX_CELLS


@pytest.mark.parametrize("args", [
    ["forecast", "EMISSION", "--draws", "100000000"],
    ["forecast", "EMISSION", "-m", "challenge", "--rounds", "100000000"],
    ["simulate", "FLAGSHIP", "--draws", "100000000"],
    ["compare", "FLAGSHIP", "-i", "INTERVENTION", "--runs", "100000000"],
])
def test_a_run_too_big_for_memory_is_refused_at_once(args, emission_path, flagship_path):
    """These ran until the kernel killed them (24 GB, no message)."""
    from pathlib import Path

    intervention = (Path(__file__).resolve().parents[1] / "scenarios" / "interventions"
                    / "us-consults-rok.yaml")
    paths = {"EMISSION": emission_path, "FLAGSHIP": flagship_path,
             "INTERVENTION": intervention}
    res = CliRunner().invoke(app, [str(paths.get(a, a)) for a in args] + (
        ["--no-record"] if args[0] in ("forecast", "simulate") else []))
    assert res.exit_code == 2 and "Traceback" not in res.output
    message = " ".join(res.stderr.split())
    assert f"more than detente allows ({MAX_CELLS:,})" in message and "GiB" in message


def test_sensitivity_counts_rounds_and_seeds_fit_the_store(emission_path):
    """sensitivity --rounds 3000000 grew past 2.7 GB before any message; a seed of 2**63 ran
    and then failed to record (the store keeps 64-bit seeds)."""
    res = CliRunner().invoke(app, ["sensitivity", str(emission_path), "-m", "challenge",
                                   "--rounds", "3000000", "--no-sobol"])
    assert res.exit_code == 2 and "more than detente allows" in " ".join(res.stderr.split())
    res = CliRunner().invoke(app, ["forecast", str(emission_path), "--seed", str(2**63),
                                   "--no-record"])
    assert res.exit_code == 2 and "--seed" in res.output
