"""Shared fixtures. Anchor data live in ../shared/anchors; tests needing them skip without it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
ANCHORS = ROOT.parent / "shared" / "anchors"

# Property tests draw the same examples on every run (a red CI can be reproduced, a green one
# does not turn red by chance); HYPOTHESIS_PROFILE=explore draws fresh ones.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture
def anchors() -> Path:
    """The shared anchor data directory, or skip the test with the reason."""
    if not ANCHORS.is_dir():
        pytest.skip(f"anchor data not found at {ANCHORS} (../shared/anchors is absent)")
    return ANCHORS


def split_deu_by_proposal(path: Path, out_dir: Path) -> list[Path]:
    """A DEU file as two files (``DEU_A.tsv``, ``DEU_B.tsv``), alternate proposals in each; both
    keep the header and the gdp row."""
    head, gdp, *rows = path.read_text().splitlines(keepends=True)
    at = head.rstrip("\n").split("\t").index('"prnr"')
    proposals = sorted({r.split("\t")[at] for r in rows})
    first = set(proposals[::2])
    out = []
    for name, keep in (("DEU_A.tsv", True), ("DEU_B.tsv", False)):
        part = out_dir / name
        part.write_text("".join([head, gdp] + [r for r in rows
                                               if (r.split("\t")[at] in first) == keep]))
        out.append(part)
    return out


@pytest.fixture
def emission_path() -> Path:
    return SCENARIOS / "ec-emissions-1994.yaml"


@pytest.fixture
def flagship_path() -> Path:
    return SCENARIOS / "northeast-asia-2004.yaml"


@pytest.fixture(autouse=True)
def _no_default_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands record runs next to the scenario by default; tests must not write into
    scenarios/ or ../shared, so recording is off unless a test asks for it."""
    monkeypatch.setenv("DETENTE_RECORD", "0")


def _files_under(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


@pytest.fixture(autouse=True, scope="session")
def _anchors_untouched() -> Iterator[None]:
    """The anchor files are read-only fixtures: the suite fails if it wrote into them (a
    README line once recorded its runs in ../shared/anchors/bdm/detente.duckdb)."""
    before = _files_under(ANCHORS)
    yield
    after = _files_under(ANCHORS)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the tests wrote into {ANCHORS}: {', '.join(changed)}"


@contextmanager
def _held_open(path: Path) -> Iterator[None]:
    """Another process holds the DuckDB file ``path`` open (so it is locked) inside the block."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
def store_held_open():
    """``with store_held_open(path):`` another process holds the DuckDB file open (locked)."""
    return _held_open
