"""Static figures with matplotlib: one multi-page PDF, or one PNG per chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("matplotlib", reason="static figures need matplotlib")

from detente.cli import app
from detente.report import collect
from detente.report.charts import issue_charts
from detente.report.figures import figures, write_figures
from detente.scenario.io import load_scenario


@pytest.fixture(scope="module")
def emission_data() -> object:
    path = Path(__file__).resolve().parents[2] / "scenarios" / "ec-emissions-1994.yaml"
    return collect(load_scenario(path), ["compromise", "median", "challenge"])


def test_png_one_file_per_chart(tmp_path: Path, emission_data: object) -> None:
    written = write_figures(emission_data, tmp_path / "figs", "png")  # type: ignore[arg-type]
    charts = issue_charts(emission_data)  # type: ignore[arg-type]
    assert len(written) == sum(1 + len(c.trajectories) for c in charts)
    for f in written:
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(
        f.name for f in written)  # no temporary files left behind


def test_pdf_single_file(tmp_path: Path, flagship_path: Path) -> None:
    out = tmp_path / "figures.pdf"
    r = CliRunner().invoke(app, ["report", str(flagship_path), "-f", "pdf", "-o", str(out),
                                 "-m", "compromise", "--draws", "50", "--sobol-samples", "4"])
    assert r.exit_code == 0, r.output
    payload = out.read_bytes()
    assert payload.startswith(b"%PDF") and payload.count(b"/Type /Page\n") + payload.count(
        b"/Type /Page ") + payload.count(b"/Type/Page") >= 1


def test_png_into_an_existing_file_is_refused(tmp_path: Path, emission_data: object) -> None:
    from detente.errors import OptionError

    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(OptionError, match="directory"):
        write_figures(emission_data, target, "png")  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="unknown figure format"):
        write_figures(emission_data, tmp_path / "x.svg", "svg")  # type: ignore[arg-type]


def test_figures_include_simulation_and_uncertainty(flagship_path: Path) -> None:
    data = collect(load_scenario(flagship_path), ["compromise"], draws=60, sobol_samples=4)
    assert data.simulation.available and data.uncertainty.available
    names = slugs(data)
    assert {"simulation-timeline", "simulation-support", "simulation-trust",
            "simulation-draws-outcomes"} <= names
    for issue in "ABCDEF":
        assert {f"{issue}-distribution", f"{issue}-tornado"} <= names
    without = collect(load_scenario(flagship_path), ["compromise"], simulation=False)
    assert not any(n.startswith("simulation-") or "tornado" in n for n in slugs(without))


def slugs(data: object) -> set[str]:
    import matplotlib.pyplot as plt

    figs = figures(data)  # type: ignore[arg-type]
    for _, fig in figs:
        plt.close(fig)
    return {slug for slug, _ in figs}
