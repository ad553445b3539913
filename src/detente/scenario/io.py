"""Load and save scenarios in any known format; write files atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

from detente.errors import OutputError, Problem, ScenarioError
from detente.scenario.formats import Format, formats
from detente.scenario.model import Scenario

MAX_BYTES = 20 * 1024 * 1024


def read_text(path: str | Path, what: str = "a scenario") -> str:
    """Read a text file, with clear errors for missing, oversized or binary files (``what``
    the file should hold, for the messages: a scenario, an intervention ...)."""
    p = Path(path)
    if not p.exists():
        raise ScenarioError([Problem("no such file", file=str(p))])
    if p.is_dir():
        raise ScenarioError([Problem(f"is a directory, not {what} file", file=str(p))])
    if p.stat().st_size > MAX_BYTES:
        raise ScenarioError([Problem(f"file is larger than {MAX_BYTES // 2**20} MiB",
                                     file=str(p))])
    return decode_text(p.read_bytes(), str(p), what)


def decode_text(raw: bytes, source: str, what: str = "a scenario") -> str:
    """UTF-8 text (a BOM is allowed; UTF-16 with a BOM is decoded) with LF line endings.

    Anything else is refused with the line of the first undecodable byte rather than guessed
    at: a Latin-1 or Windows-1252 file read as something else would silently change names.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ScenarioError([Problem("the file starts like UTF-16 text but is not "
                                         "valid UTF-16; save it as UTF-8", file=source)]) from None
    elif b"\x00" in raw:
        raise ScenarioError([Problem(f"binary file; {what} must be text", file=source)])
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            before = raw[:exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            line = before.count(b"\n") + 1
            raise ScenarioError([Problem(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                line=line, file=source)]) from None
    if "\x00" in text:
        raise ScenarioError([Problem(f"binary file; {what} must be text", file=source)])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(text: str, path: str | Path | None = None) -> Format:
    """The format of ``text``: by content first, then by file suffix."""
    known = formats()
    for fmt in known.values():
        if fmt.detect(text):
            return fmt
    suffix = Path(path).suffix.lower() if path else ""
    # by suffix, the native format first: a .json file that is no case or question file is
    # read as a scenario (a JSON [] was reported as a case file without 'cases')
    for fmt in sorted(known.values(), key=lambda f: f.name != suffix.lstrip(".")):
        if suffix in fmt.suffixes:
            return fmt
    names = ", ".join(known)
    raise ScenarioError([Problem(f"cannot tell the file's format from its content; "
                                 f"name it with --format ({names})", file=str(path or ""))])


def get_format(name: str) -> Format:
    known = formats()
    if name not in known:
        raise ScenarioError([Problem(f"unknown format {name!r}; known: {', '.join(known)}")])
    return known[name]


def load_scenario(path: str | Path, fmt: str | None = None) -> Scenario:
    """Read a scenario file in any known format (detected from content unless ``fmt`` given).

    For a file holding many one-issue cases (DEU rows, case files), this returns them as one
    scenario whose issues are the cases, marked ``separate_cases``; ``detente backtest`` runs
    them one by one.
    """
    text = read_text(path)
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=str(path))])
    f = get_format(fmt) if fmt else detect_format(text, path)
    return f.read(text, str(path))


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once at import, while nothing else runs


def output_target(path: str | Path) -> tuple[Path, bool]:
    """Where a write to ``path`` goes, and whether it goes there in place.

    A device, a pipe or a link into ``/dev`` or ``/proc`` (``/dev/stdout``, whether the
    terminal, a pipe or a file the shell redirected to) is written through, never replaced:
    replacing it would swap the device or the link for a regular file. A link to a file is
    followed, so the file it names is replaced and the link kept. Anything else is replaced
    atomically at ``path``.
    """
    p = Path(path)
    if p.is_symlink():
        real = Path(os.path.realpath(p))
        if str(p).startswith(("/dev/", "/proc/")) or str(real).startswith(("/dev/", "/proc/")):
            return p, True
        p = real
    if p.exists() and not p.is_file() and not p.is_dir():
        return p, True
    return p, False


def write_atomic(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the new one, never
    half. The file gets the permissions a plain write would give: those of the file it
    replaces, or 0666 less the umask for a new one (not the temporary file's 0600). Devices,
    pipes and ``/dev/stdout`` are written through and links to files followed
    (:func:`output_target`); a folder, a missing permission or a full disk is an
    :class:`~detente.errors.OutputError` naming the path."""
    p, in_place = output_target(path)
    if p.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; name a file in it")
    payload = content.encode("utf-8") if isinstance(content, str) else content
    if in_place:
        try:
            with open(p, "wb") as fh:
                fh.write(payload)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        return
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        mode = p.stat().st_mode & 0o7777 if p.exists() else 0o666 & ~_UMASK
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writable_formats() -> list[str]:
    """Names of the formats a scenario can be written in (``convert --to``)."""
    return [name for name, f in formats().items() if f.write is not None]


def save_scenario(sc: Scenario, path: str | Path, fmt: str | None = None) -> Format:
    """Write a scenario in the format named, or the one its suffix implies, and return it.

    Where a suffix fits several formats (``.csv``: a one-issue BDM table, else KTAB, else
    Decide), the first that can hold the scenario is written; when none can, every tried
    format's problems are reported."""
    if fmt is not None:
        candidates = [get_format(fmt)]
        if candidates[0].write is None:
            raise ScenarioError([Problem(f"format {fmt!r} can be read but not written; "
                                         f"written: {', '.join(writable_formats())}")])
    else:
        suffix = Path(path).suffix.lower()
        candidates = [f for f in formats().values() if suffix in f.suffixes and f.write]
        if not candidates:
            raise ScenarioError([Problem(
                f"cannot tell the output format from suffix {suffix!r}; name it with --to "
                f"({', '.join(writable_formats())})", file=str(path))])
        if suffix in (".yaml", ".yml"):
            candidates = candidates[-1:]
        if suffix == ".csv":  # a one-issue BDM table, else KTAB, else Decide (also .csv)
            order = ["bdm_csv", "ktab", "decide"] if len(sc.issues) == 1 else ["ktab", "decide"]
            known = formats()
            candidates = [known[name] for name in order if name in known]
    problems: list[Problem] = []
    for f in candidates:
        assert f.write is not None
        try:
            text = f.write(sc)
        except ScenarioError as exc:
            problems += [replace(p, message=f"as {f.name}: {p.message}") if len(candidates) > 1
                         else p for p in exc.problems]
            continue
        write_atomic(path, text)
        return f
    raise ScenarioError(problems)
