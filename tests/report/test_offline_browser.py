"""The flagship report opens in a real browser with the network off and shows every chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.report import collect, render_report
from detente.scenario.io import load_scenario

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium: run scripts/install_browser.sh as root",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright for Python is not installed")


def test_flagship_report_renders_offline(tmp_path: Path, flagship_path: Path) -> None:
    report = tmp_path / "flagship.html"
    data = collect(load_scenario(flagship_path), draws=100, sobol_samples=8)
    report.write_text(render_report(data), encoding="utf-8")
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        kinds = page.eval_on_selector_all(
            "svg.chart", "els => els.map(e => e.getAttribute('class'))")
        sizes = page.eval_on_selector_all(
            "svg.chart", "els => els.map(e => [e.getBoundingClientRect().width, "
                         "e.getBoundingClientRect().height])")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "report-offline.png"), full_page=True)
        browser.close()
    assert len(sizes) >= 6
    for kind in ("forecast-chart", "dist-chart", "tornado-chart"):
        assert sum(kind in k for k in kinds) == 6, kind  # one per issue of the flagship
    assert all(w > 100 and h > 100 for w, h in sizes), sizes
    assert requests == [report.as_uri()]  # the page itself and nothing else
