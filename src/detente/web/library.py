"""The scenarios the web app knows, addressed by id only (never by a path from the user).

Shipped scenarios are read once from a directory chosen when the app starts (read-only);
uploads and edited copies are kept in memory for the life of the server. Uploaded bytes are
decoded and validated here before anything else sees them.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path, PurePath

from detente.errors import Problem, ScenarioError
from detente.scenario.io import detect_format, get_format, load_scenario, read_text
from detente.scenario.model import Scenario
from detente.scenario.validate import scenario_from_data

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class Entry:
    """A scenario in the library."""

    id: str
    scenario: Scenario
    origin: str  # "shipped" or "user"
    filename: str

    def summary(self) -> dict[str, object]:
        sc = self.scenario
        return {"id": self.id, "name": sc.name or self.filename, "origin": self.origin,
                "filename": self.filename, "actors": len(sc.actors), "issues": len(sc.issues),
                "forums": len(sc.forums), "events": len(sc.calendar),
                "as_of": str(sc.as_of) if sc.as_of else None}


@dataclass(frozen=True)
class ShippedIntervention:
    """A what-if intervention shipped beside the scenarios (``interventions/*.yaml``): its
    text is offered to the user as a starting point, never read again from disk."""

    id: str
    filename: str
    name: str
    description: str
    text: str


def read_interventions(directory: Path) -> tuple[list[ShippedIntervention], list[str]]:
    """The valid interventions in ``directory`` (sorted by file name), and a line for each file
    that is not one."""
    from detente.simulation.compare import parse_intervention

    found, errors = [], []
    if not directory.is_dir():
        return found, errors
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            continue
        try:
            text = read_text(path, "an intervention")
            iv = parse_intervention(text, path.name)
        except ScenarioError as exc:
            errors.append(f"{path.name}: {exc}")
            continue
        found.append(ShippedIntervention(_file_id(path), path.name, iv.label,
                                         iv.description or "", text))
    return found, errors


def _file_id(path: Path) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-.")[:80]


class ScenarioNotFoundError(LookupError):
    """No scenario with this id."""


class ReadOnlyError(PermissionError):
    """A shipped scenario cannot be changed or deleted."""


class LibraryFullError(RuntimeError):
    """Too many user scenarios in memory."""


def decode_upload(raw: bytes, filename: str) -> str:
    """Bytes of an uploaded file as text, or a ScenarioError naming the file."""
    if b"\x00" in raw:
        raise ScenarioError([Problem("binary file; a scenario must be text", file=filename)])
    for enc in ("utf-8-sig", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=filename)])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def safe_filename(name: str | None) -> str:
    """The last component of a client-supplied file name, reduced to harmless characters."""
    base = PurePath((name or "upload").replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .") or "upload"
    return base[:100]


def parse_upload(raw: bytes, filename: str | None, fmt: str | None = None) -> tuple[Scenario, str]:
    """Validate an uploaded file; returns the scenario (its ``separate_cases`` set by formats
    such as DEU) and the cleaned file name."""
    name = safe_filename(filename)
    text = decode_upload(raw, name)
    f = get_format(fmt) if fmt else detect_format(text, name)
    return f.read(text, name), name


def validate_data(data: object) -> Scenario:
    """A scenario from JSON data (the editor's), or a ScenarioError with field paths."""
    return scenario_from_data(data, "scenario", {})


class Library:
    """Thread-safe id -> scenario store: shipped (read-only) plus user scenarios in memory."""

    def __init__(self, shipped_dir: Path | None = None, max_user: int = 200) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._max_user = max_user
        self.load_errors: list[str] = []
        self.interventions: list[ShippedIntervention] = []
        if shipped_dir is not None and shipped_dir.is_dir():
            self.interventions, errors = read_interventions(shipped_dir / "interventions")
            self.load_errors += errors
            for path in sorted(shipped_dir.iterdir()):
                if path.suffix.lower() not in SUFFIXES or not path.is_file():
                    continue
                sid = _file_id(path)
                try:
                    sc = load_scenario(path)
                except ScenarioError as exc:
                    self.load_errors.append(f"{path.name}: {exc}")
                    continue
                self._entries[sid] = Entry(sid, sc, "shipped", path.name)

    def list(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    def get(self, sid: str) -> Entry:
        with self._lock:
            if sid not in self._entries:
                raise ScenarioNotFoundError(sid)
            return self._entries[sid]

    def add(self, scenario: Scenario, filename: str) -> Entry:
        with self._lock:
            users = [e for e in self._entries.values() if e.origin == "user"]
            if len(users) >= self._max_user:
                raise LibraryFullError(f"the library holds {self._max_user} user scenarios; "
                                  "delete some first")
            sid = f"u-{secrets.token_hex(4)}"
            entry = Entry(sid, scenario, "user", filename)
            self._entries[sid] = entry
            return entry

    def replace(self, sid: str, scenario: Scenario) -> Entry:
        with self._lock:
            old = self._entries.get(sid)
            if old is None:
                raise ScenarioNotFoundError(sid)
            if old.origin == "shipped":
                raise ReadOnlyError(sid)
            entry = Entry(sid, scenario, "user", old.filename)
            self._entries[sid] = entry
            return entry

    def delete(self, sid: str) -> None:
        with self._lock:
            old = self._entries.get(sid)
            if old is None:
                raise ScenarioNotFoundError(sid)
            if old.origin == "shipped":
                raise ReadOnlyError(sid)
            del self._entries[sid]
