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


def test_a_csv_is_the_first_table_format_that_holds_the_scenario(emission_path,
                                                                   flagship_path, tmp_path):
    """.csv fits the BDM table, KTAB and Decide: a one-issue 4-10 scale case is a BDM table
    (KTAB refused its scale); the flagship, whose saliences KTAB refuses, a Decide file."""
    res = convert(emission_path, tmp_path / "e.csv")
    assert res.exit_code == 0, res.output
    assert "(bdm_csv)" in res.stdout
    assert load_scenario(tmp_path / "e.csv").issues[0].bounds == (4, 10)
    res = convert(flagship_path, tmp_path / "f.csv")
    assert res.exit_code == 0 and "(decide)" in res.stdout
    assert "as bdm_csv" not in res.output  # a BDM table was never a candidate for 6 issues
    assert len(load_scenario(tmp_path / "f.csv").issues) == 6


def test_convert_names_what_the_format_does_not_carry(emission_path, flagship_path, tmp_path):
    res = convert(emission_path, tmp_path / "e.csv")
    note = " ".join(res.stderr.split())
    assert "issue outcome" in note and "issue name" in note and "forums" not in note
    res = convert(flagship_path, tmp_path / "f.decide")
    note = " ".join(res.stderr.split())
    for lost in ("forums", "calendar", "relations", "uncertainty", "actor behaviour"):
        assert lost in note
    assert "actor position" not in note and "actor salience" not in note  # numbers kept
    res = convert(flagship_path, tmp_path / "f.json")
    assert res.exit_code == 0 and res.stderr == ""
    res = convert(emission_path, tmp_path / "e.decide", "--to", "decide")  # no false notes:
    note = " ".join(res.stderr.split())  # a folded description's newline, an explicit 0-100
    assert "description" not in note and "actor position" not in note


def test_native_round_trips_lose_nothing(flagship_path, emission_path, tmp_path):
    from detente.scenario.io import save_scenario
    from detente.scenario.losses import conversion_losses

    for src in (flagship_path, emission_path):
        sc = load_scenario(src)
        for suffix in (".yaml", ".json"):
            save_scenario(sc, tmp_path / f"x{suffix}")
            assert conversion_losses(sc, load_scenario(tmp_path / f"x{suffix}")) == []
    sc = load_scenario(emission_path)
    moved = sc.model_copy(update={"actors": [
        sc.actors[0].model_copy(update={"position": {"date": 4.5}}), *sc.actors[1:]]})
    assert conversion_losses(sc, moved) == ["actor position"]


def test_convert_refuses_to_write_over_its_source(emission_path, tmp_path):
    """'convert x.yaml x.yaml --to bdm_csv' replaced the YAML by a BDM table (issue names,
    scale and outcome lost) and said 'wrote'."""
    import shutil

    src = tmp_path / "x.yaml"
    shutil.copy(emission_path, src)
    before = src.read_bytes()
    for dst in (src, tmp_path / "." / "x.yaml"):
        res = convert(src, dst, "--to", "bdm_csv")
        assert res.exit_code == 2 and "is the file being converted" in res.stderr
    assert src.read_bytes() == before
    res = convert(src, tmp_path / "y.csv")
    assert res.exit_code == 0 and (tmp_path / "y.csv").exists()


def test_a_field_the_output_format_refuses_names_the_source_and_the_output(emission_path,
                                                                             tmp_path):
    """The message named the field (issues[0].scale) but neither file."""
    out = tmp_path / "e.tsv"
    res = runner.invoke(app, ["convert", str(emission_path), str(out), "--to", "deu"])
    assert res.exit_code == 2 and not out.exists()
    assert (f"{emission_path}: issues[0].scale: cannot be written to {out}: the DEU layout is "
            "0-100; issue 'date' has the scale 4-10") in " ".join(res.stderr.split())


def test_an_output_problem_names_the_output_once_and_a_directory_is_refused(emission_path,
                                                                            tmp_path):
    """'out.xyz: cannot be written to out.xyz: cannot tell ...' named the file twice, and a
    directory as output got the suffix message."""
    out = tmp_path / "out.xyz"
    res = runner.invoke(app, ["convert", str(emission_path), str(out)])
    text = " ".join(res.stderr.split())
    assert res.exit_code == 2 and not out.exists()
    assert f"{out}: cannot tell the output format from suffix '.xyz'" in text
    assert "cannot be written to" not in text
    res = runner.invoke(app, ["convert", str(emission_path), str(tmp_path)])
    assert res.exit_code == 2
    assert f"{tmp_path} is a directory: name the output file" in " ".join(res.stderr.split())
    assert list(tmp_path.iterdir()) == []
