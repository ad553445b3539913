"""``detente convert``: BDM -> YAML -> BDM and DEU -> YAML keep the numbers."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from detente.cli import app
from detente.scenario import load_scenario, to_arrays

runner = CliRunner()


def convert(src, dst, *extra: str):
    return runner.invoke(app, ["convert", str(src), str(dst), *extra])


def test_bdm_to_yaml_to_bdm(anchors, tmp_path):
    src = anchors / "bdm" / "emission_bdm1994_salience100__dmasad.csv"
    assert convert(src, tmp_path / "e.yaml").exit_code == 0
    # .csv is shared by several table formats: name the one wanted
    assert convert(tmp_path / "e.yaml", tmp_path / "e.csv", "--to", "bdm_csv").exit_code == 0
    a, b = (to_arrays(load_scenario(p)) for p in (src, tmp_path / "e.csv"))
    for field in ("position", "salience", "capability", "scale_min", "scale_max"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert load_scenario(tmp_path / "e.yaml").issues[0].bounds == (4, 10)


def test_deu_to_yaml_keeps_positions_and_outcomes(anchors, tmp_path):
    src = anchors / "bdm" / "deu3_public__blksv.tsv"
    assert convert(src, tmp_path / "deu.yaml").exit_code == 0
    a, b = (to_arrays(load_scenario(p), "gdp") for p in (src, tmp_path / "deu.yaml"))
    assert a.issue_ids == b.issue_ids and a.actor_ids == b.actor_ids
    for field in ("position", "salience", "capability", "involved", "outcome",
                  "reference_point"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_multi_issue_scenario_to_bdm_is_refused_and_nothing_written(flagship_path, tmp_path):
    result = convert(flagship_path, tmp_path / "out.csv", "--to", "bdm_csv")
    assert result.exit_code == 2
    assert "holds one issue" in result.stderr
    assert not (tmp_path / "out.csv").exists()
