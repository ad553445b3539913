"""The DuckDB run store: complete runs, no partial rows, clear errors, export."""

from __future__ import annotations

import csv
import time

import numpy as np
import pytest

from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data
from detente.store import RunStore, StoreError, record_result, scenario_hash
from detente.store.rows import result_rows
from detente.uncertainty.montecarlo import monte_carlo


@pytest.fixture
def mc(flagship_path):
    data = load_scenario(flagship_path).model_dump(mode="json", by_alias=True)
    data["uncertainty"] = {"default": {"position": "±5"}}
    sc = scenario_from_data(data, "flagship", {})
    return sc, monte_carlo(sc, "median", 40, seed=2)


def test_run_is_recorded_with_its_rows(tmp_path, mc):
    sc, run = mc
    with RunStore(tmp_path / "s.duckdb") as st:
        rid = record_result(st, sc, run.arrays, run.output, run.result, seed=2)
    with RunStore(tmp_path / "s.duckdb", read_only=True) as st:
        meta = st.run(rid[:10])
        rows = st.results(rid)
    assert meta["model"] == "median" and meta["seed"] == 2 and meta["draws"] == 40
    assert meta["scenario_hash"] == scenario_hash(sc)
    assert meta["summary"]["issues"]["A"]["q90"] == run.result.issues[0].quantiles["q90"]
    n_cells = int(run.arrays.involved.sum())
    assert len(rows) == 40 * 6 + 40 * 1 * n_cells
    fc = rows[rows.actor.isna()]
    got = fc.pivot(index="draw", columns="issue", values="value").to_numpy()
    assert np.allclose(got, run.arrays.to_issue_scale(run.output.forecast))
    assert np.median(got[:, 0]) == pytest.approx(run.result.issues[0].forecast)


def test_large_runs_keep_draw_zero_trajectory_only(mc):
    _, run = mc
    rows, full = result_rows(run.arrays, run.output, max_rows=500)
    assert not full
    assert set(rows[rows.actor.notna()].draw) == {0}
    assert len(rows[rows.actor.isna()]) == 40 * 6


def test_failed_write_leaves_nothing(tmp_path, mc):
    sc, run = mc
    rows, _ = result_rows(run.arrays, run.output)
    rows["value"] = rows["value"].astype(object)
    rows.loc[len(rows) // 2, "value"] = "not a number"  # fails half-way through the insert
    from detente.store.runstore import RunRecord

    with RunStore(tmp_path / "s.duckdb") as st:
        rec = RunRecord(sc, "median", "default", "default", {}, 2, 40, 0)
        with pytest.raises(StoreError):
            st.record(rec, rows)
        assert st.runs() == []
        assert st.count_rows() == 0
        record_result(st, sc, run.arrays, run.output, run.result, seed=2)  # still usable
        assert len(st.runs()) == 1


def test_locked_store_gives_a_clear_error(tmp_path, store_held_open):
    path = tmp_path / "s.duckdb"
    RunStore(path).close()
    with store_held_open(path), pytest.raises(StoreError, match="in use by another") as exc:
        RunStore(path)
    # sweep and runs have no --no-record: the hint says which commands do
    assert str(exc.value).endswith("pick another file with --store (forecast, simulate and "
                                   "backtest can also skip recording: --no-record)")
    time.sleep(0.1)
    RunStore(path).close()  # usable again once the other process is gone


def test_read_only_and_missing_stores(tmp_path, mc):
    sc, run = mc
    with pytest.raises(StoreError, match="no run store"):
        RunStore(tmp_path / "missing.duckdb", read_only=True)
    RunStore(tmp_path / "no" / "dir.duckdb").close()  # a new store's folder is made, as -o's
    assert (tmp_path / "no" / "dir.duckdb").is_file()
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(StoreError, match="cannot create the folder of run store"):
        RunStore(tmp_path / "file.txt" / "sub" / "s.duckdb")
    RunStore(tmp_path / "s.duckdb").close()
    with RunStore(tmp_path / "s.duckdb", read_only=True) as st, pytest.raises(
            StoreError, match="read-only"):
        record_result(st, sc, run.arrays, run.output, run.result, seed=2)
    (tmp_path / "junk.duckdb").write_text("not a database")
    with pytest.raises(StoreError):
        RunStore(tmp_path / "junk.duckdb")


def test_export_csv_and_parquet(tmp_path, mc):
    sc, run = mc
    with RunStore(tmp_path / "s.duckdb") as st:
        rid = record_result(st, sc, run.arrays, run.output, run.result, seed=2)
        record_result(st, sc, run.arrays, run.output, run.result, seed=2)
        total = st.count_rows()
        n_one = st.export(tmp_path / "one.csv", "csv", run_id=rid)
        n_all = st.export(tmp_path / "all.parquet", "parquet")
        with pytest.raises(StoreError, match="unknown export format"):
            st.export(tmp_path / "x.xlsx", "xlsx")
        # an unknown sweep was "wrote 0 rows" and a header-only file
        with pytest.raises(StoreError, match="no sweep 'typo'"):
            st.export(tmp_path / "typo.csv", "csv", sweep_id="typo")
        assert not (tmp_path / "typo.csv").exists()
    with open(tmp_path / "one.csv") as fh:
        lines = list(csv.DictReader(fh))
    assert n_one == len(lines) == total // 2 and lines[0]["run_id"] == rid
    assert (lines[0]["kind"], lines[0]["capability"]) == ("forecast", "default")
    assert {r["outcome"] for r in lines} == {""}  # outcomes belong to backtests only
    assert n_all == total and (tmp_path / "all.parquet").stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_non_finite_summary_is_named_and_nothing_is_recorded(tmp_path, mc):
    from detente.errors import ModelError
    from detente.store.runstore import RunRecord

    sc, run = mc
    rows, _ = result_rows(run.arrays, run.output)
    rec = RunRecord(sc, "median", "default", "default", {}, 2, 40, 0,
                    summary={"issues": {"A": {"q90": float("nan")}}})
    with RunStore(tmp_path / "s.duckdb") as st:
        with pytest.raises(ModelError, match=r"at issues\.A\.q90; nothing was written"):
            st.record(rec, rows)
        assert st.runs() == [] and st.count_rows() == 0


def test_cli_export_takes_the_format_from_the_suffix(tmp_path, mc):
    from typer.testing import CliRunner

    from detente.cli import app

    sc, run = mc
    store = tmp_path / "s.duckdb"
    with RunStore(store) as st:
        record_result(st, sc, run.arrays, run.output, run.result, seed=2)
    for name, magic in (("x.csv", b"run_id,kind,"), ("x.parquet", b"PAR1")):
        res = CliRunner().invoke(app, ["runs", "export", "--store", str(store), "-o",
                                       str(tmp_path / name)])
        assert res.exit_code == 0, res.output
        assert (tmp_path / name).read_bytes().startswith(magic)
    res = CliRunner().invoke(app, ["runs", "export", "--store", str(store), "-o",
                                   str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "--format" in res.stderr
    assert not (tmp_path / "x.xlsx").exists()
