"""Writing fixed sources back: checked, atomic, byte-faithful.

- `check_text` parses the new text with LibCST and compiles it with CPython:
  a fix that does not give valid Python is never written.
- `encode` keeps the file's encoding and its BOM (the text already carries
  the file's own line endings: LibCST keeps them and writes new lines with
  the module's default newline).
- `write_atomic` writes a temporary file in the same directory, gives it the
  original's mode, and `os.replace`s the original (following a symlink to
  its target), but only if the file on disk still holds the bytes the fix
  was computed from.
"""
from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from typing import Optional

import libcst as cst

from .source import Source

BOM = b"\xef\xbb\xbf"


class WriteError(Exception):
    """The fixed text was not written; the message says why."""


class ChangedOnDisk(WriteError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: changed on disk since it was read; left alone")


def check_text(text: str, path: str = "<fixed>") -> Optional[str]:
    """None when `text` is valid Python, else why it is not."""
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return f"does not parse: {error.message} (line {error.raw_line})"
    except RecursionError:
        return "too deeply nested to parse"
    try:
        compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return f"does not compile: {error.msg} (line {error.lineno})"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"does not compile: {error}"
    return None


def encode(text: str, source: Source) -> bytes:
    try:
        data = text.encode(source.encoding)
    except (UnicodeEncodeError, LookupError) as error:
        raise WriteError(f"the fixed text cannot be encoded as {source.encoding}: {error}") from None
    return BOM + data if source.bom else data


def write_atomic(path: str, source: Source, text: str) -> None:
    """Replace `path` with `text`, or raise WriteError (ChangedOnDisk when the
    file no longer holds `source.raw`). Nothing is left behind on failure."""
    problem = check_text(text, path)
    if problem is not None:
        raise WriteError(f"{path}: the fixed code {problem}; nothing written")
    data = encode(text, source)
    target = os.path.realpath(path)
    if _current(target) != source.raw:
        raise ChangedOnDisk(path)
    try:
        status = os.stat(target)
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None
    if not status.st_mode & 0o222:  # replacing it would get round its mode (root always could)
        raise WriteError(f"{path}: read-only file; not fixed")
    directory, name = os.path.split(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".leaklint", dir=directory or ".")
    except OSError as error:
        raise WriteError(f"{path}: cannot create a temporary file beside it: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if hasattr(os, "chown"):
            try:
                current = os.stat(temporary)
                if (current.st_uid, current.st_gid) != (status.st_uid, status.st_gid):
                    os.chown(temporary, status.st_uid, status.st_gid)
            except OSError:
                pass  # not ours to give away; the mode is kept all the same
        if _current(target) != source.raw:  # the last moment to notice an editor's save
            raise ChangedOnDisk(path)
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise WriteError(f"{path}: {error.strerror or error}") from None
        raise


def _current(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of two texts, with `\\ No newline at end of file` where due."""
    old = _lines(before)
    new = _lines(after)
    out = []
    for line in difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}"):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines split at "\n" only (a form feed inside a line stays in it)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)
