"""Set up a local virtual environment and run the project's two jobs.

Usage:
    python3 tasks.py demo   # install into .venv, run the flagship scenario, write reports/
    python3 tasks.py test   # install into .venv (with test extras), run ruff and the test suite

Only the Python standard library is used here, so this works on a fresh machine that has
nothing but Python >= 3.11, pip and git.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
MARKER = VENV / ".detente-installed"


def _run(*args: str | os.PathLike[str]) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def install() -> None:
    """Create .venv and install the package with its dev extras, once per pyproject change."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if MARKER.exists() and MARKER.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    MARKER.write_text(digest)


def demo() -> None:
    install()
    scenario = ROOT / "scenarios" / "northeast-asia-2004.yaml"
    (ROOT / "reports").mkdir(exist_ok=True)
    _run(BIN / "detente", "validate", scenario)
    out = ROOT / "reports"
    _run(BIN / "detente", "forecast", scenario, "--model", "all",
         "--out", out / "northeast-asia-2004.forecast.json")
    # the report simulates the same history as the JSON (it defaults to the calendar's end)
    until = "2005-12-31"
    _run(BIN / "detente", "simulate", scenario, "--until", until, "--seed", "0",
         "--out", out / "northeast-asia-2004.simulation.json")
    _run(BIN / "detente", "report", scenario, "--until", until, "--seed", "0",
         "-o", out / "northeast-asia-2004.html")
    print(f"\nOpen {out / 'northeast-asia-2004.html'} in a browser for the full report.")


def browser() -> None:
    """Install Debian's chromium for the browser tests where we can (root on Debian).

    Best effort: where it cannot be installed, the end-to-end tests skip and say why.
    """
    if Path("/usr/bin/chromium").exists() or os.name == "nt":
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/usr/bin/apt-get").exists():
        try:
            _run("sh", ROOT / "scripts" / "install_browser.sh")
        except subprocess.CalledProcessError:
            print("warning: chromium could not be installed; browser tests will skip",
                  flush=True)


def test() -> None:
    install()
    browser()
    _run(PY, "-m", "ruff", "check", "src", "tests", "benchmarks")
    _run(PY, "-m", "pytest", "-q")


if __name__ == "__main__":
    jobs = {"demo": demo, "test": test, "install": install}
    if len(sys.argv) != 2 or sys.argv[1] not in jobs:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(jobs)}}}")
    try:
        jobs[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
