"""Output formats: full text (the default), concise, statistics, JSON, SARIF
and GitHub workflow annotations. `leaklint.reporters` chooses among them;
these modules only turn diagnostics into text."""
from __future__ import annotations

import re
from typing import Mapping, Optional

from ..diagnostics import Diagnostic
from ..source import UnreadableSource, read

NEWLINES = re.compile(r"\r\n|\r|\n")  # LibCST's line breaks (not str.splitlines')


MARKS = {"safe": "[*]", "unsafe": "[-]"}  # `--fix` applies it; only `--fix --unsafe-fixes` does


def fix_safety(diagnostic: Diagnostic) -> Optional[str]:
    return diagnostic.fix.safety if diagnostic.fix is not None else None


def fix_note(diagnostic: Diagnostic, *, show_fixes: bool = False) -> Optional[tuple[str, str]]:
    """(label, text) of the line under a finding about its fix: a help line
    for a fixable finding, and with `show_fixes` a line for every finding,
    saying which fix `--fix` applies or why there is none."""
    fix = diagnostic.fix
    if fix is None:
        return ("no fix", diagnostic.no_fix_reason) if show_fixes else None
    if fix.safety == "safe":
        return ("fix" if show_fixes else "help", fix.description)
    why = f"{fix.unsafe_reason}; " if fix.unsafe_reason else ""
    if show_fixes:
        return ("unsafe fix", f"{fix.description} ({why}only `--fix --unsafe-fixes` applies it)")
    return ("help", f"{fix.description} (unsafe: {why}only `--fix --unsafe-fixes` applies it)")


class SourceLines:
    """The lines of the reported files, read once, for the source snippets."""

    def __init__(self, texts: Optional[Mapping[str, str]] = None) -> None:
        # sources held in memory (standard input) are not read from disk
        self._files: dict[str, Optional[list[str]]] = {path: NEWLINES.split(text) for path, text in (texts or {}).items()}

    def line(self, path: str, number: int) -> Optional[str]:
        if path not in self._files:
            try:
                self._files[path] = NEWLINES.split(read(path).text)
            except UnreadableSource:
                self._files[path] = None
        lines = self._files[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]
