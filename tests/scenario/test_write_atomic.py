"""Output files are written whole (old or new, never half) and with ordinary permissions."""

from __future__ import annotations

import stat

import pytest

from detente.scenario import io
from detente.scenario.io import write_atomic


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_umask_permissions_not_the_temporary_files(tmp_path):
    target = tmp_path / "out" / "report.json"
    write_atomic(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert _mode(target) == 0o666 & ~io._UMASK  # mkstemp's temporary file is 0600
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary left


def test_a_replaced_file_keeps_its_permissions_and_bytes_are_written_as_given(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"\x89PNG\r\n")
    assert target.read_bytes() == b"\x89PNG\r\n" and _mode(target) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 3.5)  # type: ignore[arg-type]
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_folder_a_read_only_folder_and_a_full_device_are_clear_errors(tmp_path, monkeypatch):
    """These raised IsADirectoryError / PermissionError tracebacks, and a device such as
    /dev/full was replaced by a regular file (as root)."""
    import os

    from detente.errors import OutputError

    with pytest.raises(OutputError, match="it is a folder"):
        write_atomic(tmp_path, "x")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(io.tempfile, "mkstemp", denied)
        with pytest.raises(OutputError, match=r"cannot write .*x\.json: Permission denied"):
            write_atomic(tmp_path / "x.json", "x")
    assert list(tmp_path.iterdir()) == []
    if os.path.exists("/dev/full"):
        with pytest.raises(OutputError, match="No space left on device"):
            write_atomic("/dev/full", "x")
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # still the device
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    write_atomic(fifo, "through")  # a pipe is written to, not replaced
    assert os.read(reader, 100) == b"through" and stat.S_ISFIFO(os.stat(fifo).st_mode)
    os.close(reader)


def test_a_link_is_followed_and_kept_and_dev_stdout_is_written_through(tmp_path):
    """A link was replaced by a regular file; as root, --out /dev/stdout with stdout
    redirected to a file replaced the /dev/stdout link itself."""
    import os

    from detente.scenario.io import output_target

    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert output_target(link) == (target, False)
    if os.path.islink("/dev/stdout"):
        assert output_target("/dev/stdout") == (io.Path("/dev/stdout"), True)


def test_convert_and_export_to_a_pipe_write_through_and_return(tmp_path, emission_path):
    """convert read its output back to name what was lost, and blocked forever on a pipe;
    runs export renamed a file over it."""
    import os
    import threading

    from typer.testing import CliRunner

    from detente.cli import app

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = CliRunner().invoke(app, ["convert", str(emission_path), str(fifo), "--to", "yaml"])
    reader.join(timeout=30)
    assert res.exit_code == 0 and not reader.is_alive()
    assert b"Netherlands" in got[0] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    store = tmp_path / "s.duckdb"
    CliRunner().invoke(app, ["forecast", str(emission_path), "-m", "median", "--store",
                             str(store)])
    got.clear()
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = CliRunner().invoke(app, ["runs", "export", "--store", str(store), "-o", str(fifo),
                                   "-f", "csv"])
    reader.join(timeout=30)
    assert res.exit_code == 0, res.output
    assert got[0].startswith(b"run_id,kind,") and stat.S_ISFIFO(os.stat(fifo).st_mode)
