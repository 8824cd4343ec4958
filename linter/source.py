"""Reading source files as Python does: the declared encoding, a BOM, and the
file's own line endings (kept so that fixes can write them back)."""
from __future__ import annotations

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


def decode(raw: bytes) -> Source:
    if b"\x00" in raw:
        raise UnreadableSource("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        raise UnreadableSource(str(error)) from None
    bom = encoding == "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableSource(f"cannot decode as {encoding}: {error.reason if hasattr(error, 'reason') else error}") from None
    if bom and text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")
    return Source(text=text, encoding="utf-8" if bom else encoding, bom=bom, newline=newline, raw=raw)


def read(path: str) -> Source:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise UnreadableSource(error.strerror or str(error)) from None
    return decode(raw)
