"""Output formats: full text (the default), concise, statistics, JSON, SARIF
and GitHub workflow annotations. `leaklint.reporters` chooses among them;
these modules only turn diagnostics into text."""
from __future__ import annotations

import re
from typing import Mapping, Optional

from ..diagnostics import Diagnostic
from ..source import UnreadableSource, read

NEWLINES = re.compile(r"\r\n|\r|\n")  # LibCST's line breaks (not str.splitlines')


def fix_help(diagnostic: Diagnostic) -> Optional[str]:
    """The help line of a fixable finding: its fix's own description, else what the rule's fix does."""
    if diagnostic.fix is None:
        return None
    return diagnostic.fix.description or diagnostic.help


def fix_safety(diagnostic: Diagnostic) -> Optional[str]:
    return diagnostic.fix.safety if diagnostic.fix is not None else None


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
