"""Fix safety under faults: a file being fixed is, at every moment and
whatever fails (a full disk, a failing `os.replace`, a killed process), either
its old content or its new content, never a partial one; nothing is left
behind when a write fails; read-only files are skipped with a message.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest
from harness import run_bounded


from leaklint import writer

from leaklint.source import read  # noqa: E402

OLD = 'import psycopg2\n\n\ndef leak(dsn):\n    conn = psycopg2.connect(dsn)\n    conn.cursor().execute("select 1")\n'
NEW = (
    "import psycopg2\nfrom contextlib import closing\n\n\ndef leak(dsn):\n"
    '    with closing(psycopg2.connect(dsn)) as conn:\n        conn.cursor().execute("select 1")\n'
) * 50  # long enough that a partial write is visible


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "module.py"
    path.write_text(OLD, encoding="utf-8")
    path.chmod(0o640)
    return path


def _others(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def _assert_untouched(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == OLD
    assert _others(path) == [], "a temporary file was left behind"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_successful_write(target: Path) -> None:
    writer.write_atomic(str(target), read(str(target)), NEW)
    assert target.read_text(encoding="utf-8") == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _others(target) == []


def test_replace_fails_with_full_disk(target: Path, monkeypatch) -> None:
    source = read(str(target))

    def replace(src, dst, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(writer.WriteError) as raised:
        writer.write_atomic(str(target), source, NEW)
    assert str(target) in str(raised.value) and "No space left" in str(raised.value)
    monkeypatch.undo()
    _assert_untouched(target)


class _FullDisk(io.RawIOBase):
    """A file that takes half of what it is given, then reports a full disk."""

    def __init__(self, real) -> None:
        self.real = real

    def write(self, data) -> int:
        self.real.write(bytes(data[: len(data) // 2]))
        self.real.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self) -> int:
        return self.real.fileno()

    def flush(self) -> None:
        self.real.flush()

    def close(self) -> None:
        self.real.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def test_disk_full_while_writing(target: Path, monkeypatch) -> None:
    source = read(str(target))
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(real_fdopen(fd, *a, **k)))
    with pytest.raises(writer.WriteError):
        writer.write_atomic(str(target), source, NEW)
    monkeypatch.undo()
    _assert_untouched(target)


def test_fsync_fails(target: Path, monkeypatch) -> None:
    source = read(str(target))

    def fsync(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(writer.WriteError):
        writer.write_atomic(str(target), source, NEW)
    monkeypatch.undo()
    _assert_untouched(target)


def test_cannot_create_temporary_file(target: Path, monkeypatch) -> None:
    import tempfile

    source = read(str(target))

    def mkstemp(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(writer.WriteError) as raised:
        writer.write_atomic(str(target), source, NEW)
    assert str(target) in str(raised.value)
    monkeypatch.undo()
    _assert_untouched(target)


def test_interrupted_at_replace(target: Path, monkeypatch) -> None:
    source = read(str(target))

    def replace(src, dst, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        writer.write_atomic(str(target), source, NEW)
    monkeypatch.undo()
    _assert_untouched(target)


def test_changed_on_disk_is_left_alone(target: Path) -> None:
    source = read(str(target))
    target.write_text(OLD + "# an editor saved this meanwhile\n", encoding="utf-8")
    with pytest.raises(writer.ChangedOnDisk):
        writer.write_atomic(str(target), source, NEW)
    assert target.read_text(encoding="utf-8").endswith("meanwhile\n")


def test_invalid_fixed_code_is_never_written(target: Path) -> None:
    with pytest.raises(writer.WriteError):
        writer.write_atomic(str(target), read(str(target)), "def broken(:\n")
    _assert_untouched(target)


CRASH = textwrap.dedent(
    """
    import os, sys
    from leaklint import writer
    from leaklint.source import read

    point, path, new = sys.argv[1], sys.argv[2], open(sys.argv[3], encoding="utf-8").read()
    real = dict(fdopen=os.fdopen, fsync=os.fsync, chmod=os.chmod, replace=os.replace)

    def die():
        os._exit(17)  # no cleanup, no finally: as if the process were killed

    class HalfWriter:
        def __init__(self, stream):
            self.stream = stream
        def write(self, data):
            self.stream.write(data[: len(data) // 2]); self.stream.flush(); die()
        def __getattr__(self, name):
            return getattr(self.stream, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.stream.close()

    if point == "mid-write":
        os.fdopen = lambda *a, **k: HalfWriter(real["fdopen"](*a, **k))
    elif point == "fsync":
        os.fsync = lambda fd: die()
    elif point == "chmod":
        os.chmod = lambda *a, **k: die()
    elif point == "before-replace":
        os.replace = lambda *a, **k: die()
    elif point == "after-replace":
        os.replace = lambda *a, **k: (real["replace"](*a, **k), die())
    writer.write_atomic(path, read(path), new)
    os._exit(0)
    """
)


@pytest.mark.parametrize("point", ["mid-write", "fsync", "chmod", "before-replace", "after-replace"])
def test_killed_at_any_point_leaves_old_or_new(target: Path, tmp_path: Path, point: str) -> None:
    script = tmp_path.parent / f"{tmp_path.name}-crash.txt"
    script.write_text(CRASH, encoding="utf-8")
    new_file = tmp_path.parent / f"{tmp_path.name}-new.txt"
    new_file.write_text(NEW, encoding="utf-8")
    done = run_bounded([sys.executable, str(script), point, str(target), str(new_file)], text=True, timeout=60)
    assert done.returncode == 17, done.stderr
    content = target.read_text(encoding="utf-8")
    assert content in (OLD, NEW), f"partial content after a crash at {point}"
    assert content == (NEW if point == "after-replace" else OLD)




def test_read_only_file_is_skipped_by_the_writer(target: Path) -> None:
    target.chmod(0o444)
    try:
        with pytest.raises(writer.WriteError) as raised:
            writer.write_atomic(str(target), read(str(target)), NEW)
        assert "read-only" in str(raised.value) or "Permission" in str(raised.value)
        assert target.read_text(encoding="utf-8") == OLD
    finally:
        target.chmod(0o640)


def test_read_only_file_is_skipped_by_fix(tmp_path: Path) -> None:
    locked = tmp_path / "locked.py"
    open_ = tmp_path / "open.py"
    locked.write_text(OLD, encoding="utf-8")
    open_.write_text(OLD, encoding="utf-8")
    locked.chmod(0o444)
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    done = run_bounded(
        [sys.executable, "-m", "leaklint", "--fix", "--unsafe-fixes", "--no-cache", "locked.py", "open.py"],
        cwd=tmp_path,
        text=True,
        timeout=120,
        env={**env, "NO_COLOR": "1"},
    )
    try:
        assert "Traceback" not in done.stderr
        assert open_.read_text(encoding="utf-8") != OLD  # the writable file is fixed
        assert locked.read_text(encoding="utf-8") == OLD
        lines = [line for line in done.stderr.splitlines() if "locked.py" in line]
        assert len(lines) == 1 and ("read-only" in lines[0] or "Permission" in lines[0]), done.stderr
    finally:
        locked.chmod(0o644)


def test_fix_via_cli_when_replace_fails_for_one_file(tmp_path: Path, monkeypatch, capsys) -> None:
    """In-process `--fix`: the failing file keeps its old content and is named
    on stderr, the other file is fixed, and the exit status says it failed."""
    from leaklint import cli

    doomed = tmp_path / "doomed.py"
    fine = tmp_path / "fine.py"
    doomed.write_text(OLD, encoding="utf-8")
    fine.write_text(OLD, encoding="utf-8")
    real_replace = os.replace

    def replace(src, dst, **kwargs):
        if os.path.basename(dst) == "doomed.py":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["--fix", "--unsafe-fixes", "--no-cache", "--jobs", "1", "doomed.py", "fine.py"])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert status == 2
    assert doomed.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doomed.py", "fine.py"]
    assert fine.read_text(encoding="utf-8") != OLD
    compile(fine.read_text(encoding="utf-8"), "fine.py", "exec")
    lines = [line for line in err.splitlines() if "doomed.py" in line and "No space left" in line]
    assert len(lines) == 1, err
