"""The writer: fixed code is checked before it is written, written
atomically, and keeps the file's bytes conventions (encoding, BOM, line
endings, mode)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from leaklint.source import decode
from leaklint.writer import ChangedOnDisk, WriteError, check_text, encode, unified_diff, write_atomic


def test_check_text():
    assert check_text("x = 1\n") is None
    assert "does not parse" in check_text("def f(:\n")
    assert "does not compile" in check_text("def f():\n    await g()\n")  # parses, but CPython refuses it
    assert "does not compile" in check_text("def f():\n    return\n    nonlocal x\n")


def test_encode_keeps_bom_and_encoding():
    bom = decode(b"\xef\xbb\xbfx = 1\n")
    assert encode("y = 2\n", bom) == b"\xef\xbb\xbfy = 2\n"
    latin = decode("# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"))
    assert encode(latin.text, latin) == latin.raw
    with pytest.raises(WriteError):
        encode(latin.text + "s = '€'\n", latin)


def _source(path: Path, text: str, newline: str = "\n"):
    raw = text.replace("\n", newline).encode("utf-8")
    path.write_bytes(raw)
    return decode(raw)


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path):
    path = tmp_path / "m.py"
    source = _source(path, "x = 1\n", "\r\n")
    os.chmod(path, 0o751)
    write_atomic(str(path), source, "x = 2\r\n")
    assert path.read_bytes() == b"x = 2\r\n"
    assert os.stat(path).st_mode & 0o777 == 0o751
    assert os.listdir(tmp_path) == ["m.py"]


def test_write_atomic_follows_a_symlink(tmp_path: Path):
    target = tmp_path / "real.py"
    source = _source(target, "x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(str(link), source, "x = 2\n")
    assert link.is_symlink()
    assert target.read_text() == "x = 2\n"


def test_write_atomic_leaves_a_changed_file_alone(tmp_path: Path):
    path = tmp_path / "m.py"
    source = _source(path, "x = 1\n")
    path.write_text("x = 'edited meanwhile'\n")
    with pytest.raises(ChangedOnDisk, match="changed on disk"):
        write_atomic(str(path), source, "x = 2\n")
    assert path.read_text() == "x = 'edited meanwhile'\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_write_atomic_refuses_code_that_does_not_compile(tmp_path: Path):
    path = tmp_path / "m.py"
    source = _source(path, "x = 1\n")
    with pytest.raises(WriteError, match="nothing written"):
        write_atomic(str(path), source, "def f():\n    await g()\n")
    assert path.read_text() == "x = 1\n"


def test_write_atomic_cleans_up_when_replace_fails(tmp_path: Path, monkeypatch):
    path = tmp_path / "m.py"
    source = _source(path, "x = 1\n")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteError, match="Permission denied"):
        write_atomic(str(path), source, "x = 2\n")
    assert path.read_text() == "x = 1\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_unified_diff():
    diff = unified_diff("m.py", "a\nb\n", "a\nc")
    assert diff == "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
    assert unified_diff("m.py", "same\n", "same\n") == ""
    crlf = unified_diff("m.py", "a\r\nb\r\n", "a\r\nc\r\n")
    assert "-b\r\n+c\r\n" in crlf
    # a form feed stays inside its line
    assert unified_diff("m.py", "a\x0cb\n", "a\x0cc\n").count("\n-") == 1
