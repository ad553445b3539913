"""Pooling backtests of several files: errors in percent of each issue's range."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.evaluation.backtest import backtest
from detente.evaluation.pooling import pool, relative_errors
from detente.scenario import load_scenario
from detente.scenario.formats.deu import read_deu

HEADER = '"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"'
GDP = '\t"1"\t"1"\t"3"\t"1"\t\t\t\t\t\t'


def deu(*rows: str):
    return read_deu("\n".join([HEADER, GDP, *rows]) + "\n", "t.tsv")


def test_errors_on_a_years_scale_become_percent_of_the_range(emission_path):
    sc = load_scenario(emission_path)  # 4-10 years: a 6-year range
    (res,) = backtest(sc, ["compromise"])
    assert relative_errors(sc, res) == pytest.approx([100 * res.issues[0].error / 6])


def test_pooled_figures_weigh_issues_equally(emission_path):
    # compromise forecasts 40 on both DEU rows: errors 10 and -20 (0-100 scale)
    small = deu('"a"\t0\t50\t100\t\t100\t100\t50\t\t\t30',
                '"b"\t0\t50\t100\t\t100\t100\t50\t\t\t60')
    emission = load_scenario(emission_path)
    runs = [(small, backtest(small, ["compromise", "median"], cases=True)),
            (emission, backtest(emission, ["compromise", "median"]))]
    comp, med = pool(runs)
    e = 100 * (7.38996 - 8.833) / 6
    assert comp.label == "compromise" and comp.n_files == 2 and comp.summary.n == 3
    assert comp.summary.mae == pytest.approx((10 + 20 + abs(e)) / 3, abs=1e-4)
    assert comp.beats_baseline is None
    shares = [r.beats_baseline for _, (_, r) in runs]
    assert med.beats_baseline == pytest.approx((2 * shares[0] + shares[1]) / 3)
    assert comp.coverage is None


def test_files_that_ran_different_models_are_refused():
    sc = deu('"a"\t0\t50\t100\t\t100\t100\t50\t\t\t30')
    with pytest.raises(ValueError, match="different models"):
        pool([(sc, backtest(sc, ["compromise"], cases=True)),
              (sc, backtest(sc, ["median"], cases=True))])


@given(st.lists(st.floats(0, 100), min_size=1, max_size=6))
def test_pooling_one_0_100_file_changes_nothing(outcomes):
    rows = [f'"i{k}"\t0\t50\t100\t\t100\t100\t50\t\t\t{y!r}' for k, y in enumerate(outcomes)]
    sc = deu(*rows)
    (res,) = backtest(sc, ["compromise"], cases=True)
    (pooled,) = pool([(sc, [res])])
    assert pooled.summary.mae == pytest.approx(res.summary.mae)
    assert pooled.summary.rmse == pytest.approx(res.summary.rmse)
    assert np.isclose(pooled.summary.median_ae, res.summary.median_ae)
