"""Turning diagnostics into text or JSON. The only place that prints findings."""
from __future__ import annotations

import json
import sys
from typing import IO, Sequence

from .diagnostics import Diagnostic


def escape(text: str) -> str:
    """Control characters from source or file names are shown, not obeyed."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def report_json(diagnostics: Sequence[Diagnostic], out: IO[str]) -> None:
    json.dump([d.as_json() for d in diagnostics], out, indent=2, ensure_ascii=False)
    out.write("\n")


def report_text(diagnostics: Sequence[Diagnostic], out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
    if color:
        from rich.console import Console
        from rich.markup import escape as markup_escape

        console = Console(file=out, highlight=False, soft_wrap=True)
        for d in diagnostics:
            console.print(
                f"[bold]{markup_escape(escape(d.path))}[/]:{d.line}:{d.column}: [bold red]{d.code}[/] {markup_escape(escape(d.message))}"
            )
    else:
        for d in diagnostics:
            out.write(f"{escape(d.path)}:{d.line}:{d.column}: {d.code} {escape(d.message)}\n")
    if not quiet:
        count = len(diagnostics)
        if count:
            fixable = sum(1 for d in diagnostics if d.fix is not None)
            out.write(f"Found {count} leak{'s' if count != 1 else ''} ({fixable} fixable).\n")
        else:
            out.write("No leaks found.\n")


def stderr_line(message: str) -> None:
    sys.stderr.write(f"leaklint: {escape(message)}\n")
