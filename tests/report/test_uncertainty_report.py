"""The report's uncertainty section: distribution and tornado SVGs exist and show the numbers of
``detente forecast --draws N --seed S --json`` and ``detente sensitivity --json``."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.report.unc_svg import distribution_chart, tornado_chart

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
FLAGSHIP = ROOT / "northeast-asia-2004.yaml"
DRAWS, SEED, SOBOL = 150, 4, 8
MODELS = ("compromise", "median")


def run(*args: str) -> str:
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("u") / "report.html"
    run("report", str(FLAGSHIP), "-o", str(out), "-m", MODELS[0], "-m", MODELS[1],
        "--no-simulation", "--draws", str(DRAWS), "--seed", str(SEED),
        "--sensitivity-model", "median", "--sobol-samples", str(SOBOL))
    return out.read_text(encoding="utf-8")


def section(html: str) -> str:
    start = html.index("<h2 id='uncertainty'>")
    return html[start:html.index("</main>")]


def test_section_has_a_distribution_and_a_tornado_per_issue(report: str) -> None:
    sec = section(report)
    assert sec.count('class="chart dist-chart"') == 6
    assert sec.count('class="chart tornado-chart"') == 6
    assert sec.count('class="q-band"') == 6 * len(MODELS)
    assert "default widths" not in sec  # the flagship has its own block


@pytest.mark.parametrize("model", MODELS)
def test_distributions_equal_forecast_draws_json(report: str, model: str) -> None:
    ref = json.loads(run("forecast", str(FLAGSHIP), "-m", model, "--draws", str(DRAWS),
                         "--seed", str(SEED), "--json"))
    sec = section(report)
    bands = re.findall(rf'class="q-band" data-model="{model}" data-q10="([-\d.]+)" '
                       r'data-q90="([-\d.]+)"', sec)
    medians = re.findall(rf'class="q-median" data-model="{model}" data-value="([-\d.]+)"', sec)
    assert len(bands) == len(medians) == len(ref["issues"])
    for (q10, q90), q50, iss in zip(bands, medians, ref["issues"], strict=True):
        assert float(q10) == pytest.approx(iss["quantiles"]["q10"], abs=1e-4)
        assert float(q90) == pytest.approx(iss["quantiles"]["q90"], abs=1e-4)
        assert float(q50) == pytest.approx(iss["forecast"], abs=1e-4)
        # and the table row shows the same numbers, rounded
        assert (f"{iss['quantiles']['q50']:.1f} [{iss['quantiles']['q10']:.1f}–"
                f"{iss['quantiles']['q90']:.1f}]") in sec


def test_sensitivity_equals_sensitivity_json(report: str) -> None:
    ref = json.loads(run("sensitivity", str(FLAGSHIP), "-m", "median", "--samples",
                         str(SOBOL), "--seed", str(SEED), "--json"))
    sec = unescape(section(report))
    assert f"{ref['evaluations']} model runs" in sec
    for issue in ("A", "D"):
        swings = sorted((s for s in ref["tornado"] if s["issue"] == issue),
                        key=lambda s: -s["swing"])[:12]
        sob = {s["input"]: s for s in ref["sobol"] if s["issue"] == issue}
        block = sec[sec.index(f"<h4>Issue {issue}</h4>"):]
        block = block[:block.index("</table>")]
        shown = re.findall(r'<rect class="swing" data-input="([^"]+)"', block)[::2]
        assert shown == [s["input"] for s in swings]
        for s in swings:
            si = sob[s["input"]]
            assert (f"<td>{s['input']}</td><td class=\"num\">{s['low']:.2f}</td>"
                    f"<td class=\"num\">{s['high']:.2f}</td><td class=\"num\">"
                    f"{s['swing']:.3f}</td><td class=\"num\">{si['S1']:.3f} ± "
                    f"{si['S1_conf']:.3f}</td>") in block


def test_scenario_without_block_names_the_default_widths(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run("report", str(ROOT / "ec-emissions-1994.yaml"), "-o", str(out), "-m", "compromise",
        "--no-simulation", "--draws", "50", "--sobol-samples", "4")
    sec = unescape(section(out.read_text(encoding="utf-8")))
    assert "no uncertainty block (or an empty one)" in sec and "± 5 %" in sec and "± 20 %" in sec
    assert 'class="chart dist-chart"' in sec


def test_draws_zero_leaves_the_section_out(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run("report", str(FLAGSHIP), "-o", str(out), "-m", "compromise", "--no-simulation",
        "--draws", "0")
    sec = section(out.read_text(encoding="utf-8"))
    assert "not part of this run" in sec and "dist-chart" not in sec


def test_oversized_draws_are_refused() -> None:
    r = CliRunner().invoke(app, ["report", str(FLAGSHIP), "--draws", "10000000"])
    assert r.exit_code == 2 and "draws" in r.output


quantile_triples = st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=3).map(
    sorted)


@settings(max_examples=40, deadline=None)
@given(quantile_triples, st.integers(1, 50))
def test_band_and_median_are_drawn_in_quantile_order(q: list[float], n: int) -> None:
    entry = {"median": q[1], "q10": q[0], "q50": q[1], "q90": q[2],
             "bins": [0.0, 50.0, 100.0], "counts": [n, 0]}
    svg = distribution_chart("t", (0.0, 100.0), [("m", entry)])
    band = re.search(r'class="q-band".*? x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    tick = re.search(r'class="q-median".*? x1="([\d.]+)"', svg)
    assert band and tick
    x, w, xm = float(band.group(1)), float(band.group(2)), float(tick.group(1))
    assert x - 0.1 <= xm <= x + max(w, 1.0) + 0.1
    assert svg.count('class="hist-bar"') == 1  # empty bins are not drawn


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=1, max_size=8))
def test_tornado_bars_span_from_base_to_each_end(pairs: list[tuple[float, float]]) -> None:
    swings = [{"input": f"x{k}", "base": 0.0, "low": lo, "high": hi, "swing": abs(hi - lo)}
              for k, (lo, hi) in enumerate(pairs)]
    svg = tornado_chart("t", swings)
    assert svg.count('class="swing"') == 2 * len(pairs)
    xb = float(re.search(r'class="base" x1="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    for m in re.finditer(r'class="swing" data-input="x\d+" x="([\d.]+)" y="[\d.]+" '
                         r'width="([\d.]+)"', svg):
        x, w = float(m.group(1)), float(m.group(2))
        assert x <= xb + 0.1 and (x + w >= xb - 0.1)  # each bar touches the base line


def test_simulation_over_the_draws_equals_simulate_draws_json(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    until = "2005-12-31"
    run("report", str(FLAGSHIP), "-o", str(out), "-m", "compromise", "--draws", "40",
        "--seed", "3", "--until", until, "--no-sensitivity")
    ref = json.loads(run("simulate", str(FLAGSHIP), "--draws", "40", "--seed", "3",
                         "--until", until, "--json"))
    sec = unescape(section(out.read_text(encoding="utf-8")))
    assert 'class="chart outcome-chart"' in sec
    bars = re.findall(r'class="outcome" data-outcome="(\w+)" data-p="([\d.]+)"', sec)
    want = [(k, p) for m in ref["meetings"] for k, p in m["probabilities"].items() if p > 0]
    assert sorted((k, round(float(p), 6)) for k, p in bars) == sorted(
        (k, round(p, 6)) for k, p in want)
    for p in ref["packages"]:
        q = p["quantiles"]
        assert (f"<td>{p['issue']}</td><td class=\"num\">{100 * p['p_agreed']:.0f} %</td>"
                ) in sec
        if q["q50"] is not None:
            assert f"<td class=\"num\">{q['q50']:.1f}</td>" in sec
    assert "id='sensitivity'" in sec and "not requested" in sec


def test_collect_tells_what_runs_next_through_every_part() -> None:
    """``detente report`` shows these steps on a terminal: each model, the simulation, each
    model's draws, the sensitivity and the simulation over the draws, in the order they run."""
    from detente.report import collect
    from detente.scenario.io import load_scenario

    heard: list[tuple[int, int, str]] = []
    collect(load_scenario(FLAGSHIP), list(MODELS), draws=20, sobol_samples=4,
            sensitivity_model="median", progress=lambda *step: heard.append(step))
    assert [s for _, _, s in heard] == [
        "compromise", "median", "finishing", "simulation", "compromise: 20 draws",
        "median: 20 draws", "sensitivity of median", "simulation: 20 draws", "finishing"]
    assert heard[-1][:2] == (4, 4)


def test_histogram_tips_round_the_bin_edges_and_count_in_words(report: str) -> None:
    """Tips read '66.6667–70.8333: 177 draws' and '1 draws'."""
    tips = re.findall(r'class="hist-bar"[^>]*><title>([^<]*)</title>', section(report))
    assert tips
    for tip in tips:
        m = re.fullmatch(r"(-?[\d.]+)–(-?[\d.]+): (\d+) (draws?)", tip)
        assert m, tip
        assert all(len(edge.partition(".")[2]) <= 2 for edge in m.groups()[:2])
        assert (m[4] == "draw") == (m[3] == "1")
    assert "per model, seed" in report and f"seed {SEED}. Inputs drawn" in unescape(report)


def test_the_command_that_gives_the_same_numbers_names_the_capability_coding(tmp_path) -> None:
    """Under --capability equal the report named a command without it, which prints other
    numbers."""
    out = tmp_path / "eq.html"
    run("report", str(FLAGSHIP), "-o", str(out), "-m", "compromise", "--no-simulation",
        "--no-sensitivity", "--draws", "30", "--capability", "equal")
    html = unescape(section(out.read_text(encoding="utf-8")))
    assert "--draws 30 --seed 0 --capability equal --json" in html
