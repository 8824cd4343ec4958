"""GitHub Actions workflow commands: one `::error` annotation per diagnostic."""
from __future__ import annotations

from typing import IO, Sequence

from ..diagnostics import Diagnostic


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: Sequence[Diagnostic], out: IO[str]) -> None:
    for d in diagnostics:
        properties = ",".join(
            (
                f"title={_property(f'leaklint ({d.code})')}",
                f"file={_property(d.path)}",
                f"line={d.line}",
                f"col={d.column}",
                f"endLine={d.end_line or d.line}",
                f"endColumn={d.end_column or d.column}",
            )
        )
        out.write(f"::error {properties}::{_data(f'{d.path}:{d.line}:{d.column}: {d.code} {d.message}')}\n")
