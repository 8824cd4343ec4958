"""Reading source files as Python does: the declared encoding, a BOM, and the
file's own line endings (kept so that fixes can write them back).

Whatever the bytes, `decode` returns a `Source` or raises `UnreadableSource`
with a one-line reason (which line, what is wrong, what to do); it never
raises anything else.
"""
from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass


class UnreadableSource(Exception):
    """The file cannot be read as Python source (message says why)."""


@dataclass(frozen=True)
class Source:
    text: str
    encoding: str
    bom: bool
    newline: str
    raw: bytes


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes) -> Source:
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise UnreadableSource(f"binary file (contains NUL bytes, first at line {_line_of(raw, nul)})")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        raise UnreadableSource(_encoding_problem(raw, str(error))) from None
    bom = encoding == "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        where = _line_of(raw, error.start)
        advice = "declare the file's encoding in a coding comment" if encoding == "utf-8" else "fix the coding comment"
        raise UnreadableSource(
            f"cannot decode line {where} as {encoding} (byte 0x{raw[error.start]:02x}: {error.reason}); {advice}"
        ) from None
    except LookupError as error:  # a codec that is not a text encoding (`# coding: hex`)
        raise UnreadableSource(f"the coding comment names {encoding!r}, which is not a text encoding ({error})") from None
    except Exception as error:  # a codec that fails its own way must not stop the run
        raise UnreadableSource(f"cannot decode as {encoding}: {type(error).__name__}: {error}") from None
    if bom and text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")
    return Source(text=text, encoding="utf-8" if bom else encoding, bom=bom, newline=newline, raw=raw)


def _encoding_problem(raw: bytes, message: str) -> str:
    """tokenize's reasons, said so that a user knows what to change."""
    if raw.startswith(codecs.BOM_UTF8) and message.startswith("encoding problem"):
        return "the file starts with a UTF-8 byte-order mark but its coding comment declares another encoding"
    if message.startswith("unknown encoding"):
        return f"{message} (in the coding comment)"
    if message.startswith("invalid or missing encoding declaration"):
        return "not valid UTF-8 in the first two lines, and no coding comment declares another encoding"
    return message


def read(path: str) -> Source:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise UnreadableSource(error.strerror or str(error)) from None
    except (ValueError, MemoryError) as error:
        raise UnreadableSource(f"cannot read: {error}") from None
    return decode(raw)
