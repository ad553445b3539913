"""The ``role-weighted`` model: compromise as a special case, roles, reference point, fit;
the backtest CLI with the fitted ``best`` model."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.models import get_model
from detente.models.ensemble import SHIPPED, BestOptions, Grid, fit_parameters
from detente.scenario.formats.deu import read_deu

HEADER = '"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"'


def deu(*rows: str, header: str = HEADER):
    return read_deu("\n".join([header, *rows]) + "\n", "t.tsv")


def run(sc, opts):
    from detente.scenario.arrays import to_arrays

    arrays = to_arrays(sc)
    return arrays, get_model("role-weighted").run(arrays, opts, 0, np.random.default_rng(0))


def test_default_options_are_the_compromise_model(emission_path):
    from detente.scenario import load_scenario, to_arrays

    arrays = to_arrays(load_scenario(emission_path))
    out = get_model("role-weighted").run(arrays, BestOptions(), 0, np.random.default_rng(0))
    ref = get_model("compromise").run(arrays, None, 0, np.random.default_rng(0))
    assert out.forecast == pytest.approx(ref.forecast)


def test_roles_and_reference_point():
    sc = deu('"a"\t0\t100\t50\t50\t100\t100\t100\t100\t0\t40',
             '"b"\t0\t100\t50\t50\t100\t100\t100\t100\t\t40')
    opts = BestOptions(agenda_setter_weight=2.0, parliament_weight=4.0, reference_weight=0.5)
    _, out = run(sc, opts)
    mean = (0 * 2 + 100 * 4 + 50 + 50) / 8  # 62.5
    assert out.forecast[0, 0] == pytest.approx(0.5 * mean)  # pulled half way to rp = 0
    assert out.forecast[0, 1] == pytest.approx(mean)  # no reference point: the mean alone
    assert out.extras["b"]["reference_point_used"] is False


def test_interval_in_extras_contains_forecast_and_stays_on_scale():
    sc = deu('"a"\t0\t100\t50\t50\t100\t100\t100\t100\t0\t40')
    _, out = run(sc, replace(BestOptions(), interval_quantile=5.0))
    iv = out.extras["a"]["interval"]
    assert iv["level"] == 0.8
    assert 0 <= iv["low"] <= out.forecast[0, 0] <= iv["high"] <= 100


def test_fit_recovers_the_weights_that_generated_outcomes():
    rng = np.random.default_rng(1)
    rows = []
    for k in range(40):
        p = rng.integers(0, 101, 4)
        s = rng.integers(10, 101, 4)
        w = s * np.array([3.0, 1.0, 1.0, 1.0])
        rows.append("\t".join([f'"i{k}"', *map(str, p), *map(str, s), "",
                               f"{(w * p).sum() / w.sum():.12f}"]))
    sc = deu(*rows)
    from detente.scenario.arrays import to_arrays

    opts = fit_parameters(to_arrays(sc), Grid(salience_exponent=(0.5, 1.0, 2.0),
                                              agenda_setter_weight=(1.0, 3.0),
                                              parliament_weight=(1.0, 2.0),
                                              reference_weight=(0.0,)))
    assert (opts.salience_exponent, opts.agenda_setter_weight, opts.parliament_weight) == (
        1.0, 3.0, 1.0)


def test_shipped_parameters_are_fitted_and_calibrated():
    assert np.isfinite(SHIPPED.interval_quantile) and SHIPPED.interval_quantile > 0
    assert get_model("role-weighted").options() == SHIPPED


def test_shipped_file_matches_a_refit(anchors):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "fit_best_model.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


runner = CliRunner()


def test_cli_backtest_new_actor_and_missing_outcomes(tmp_path):
    header = HEADER.replace('"pde"', '"pxx"').replace('"sde"', '"sxx"')
    f = tmp_path / "d.tsv"
    f.write_text("\n".join([header, '"a"\t0\t100\t50\t60\t100\t100\t100\t100\t0\t40',
                            '"b"\t0\t100\t50\t60\t100\t100\t100\t100\t\t']) + "\n")
    res = runner.invoke(app, ["backtest", str(f), "--format", "deu", "--model", "best",
                              "--json", "--detail"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["n_issues"] == 1 and data["skipped"] == {"no known outcome": 1}
    assert any("xx" in n for n in data["notes"])
    assert "interval_coverage" in data


def test_cli_backtest_no_usable_issue(tmp_path):
    f = tmp_path / "d.tsv"
    f.write_text("\n".join([HEADER, '"a"\t0\t100\t50\t60\t100\t100\t100\t100\t0\t']) + "\n")
    res = runner.invoke(app, ["backtest", str(f), "--format", "deu", "--model", "best"])
    assert res.exit_code == 2
    assert "no issue has a known outcome" in res.output
