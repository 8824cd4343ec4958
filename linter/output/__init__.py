"""Output formats: full text (the default), concise, statistics, JSON, SARIF
and GitHub workflow annotations. `leaklint.reporters` chooses among them;
these modules only turn diagnostics into text."""
from __future__ import annotations

import re
from typing import Optional

from ..diagnostics import Diagnostic
from ..source import UnreadableSource, read

# What each rule's fix does (the contract's fix table), for help lines and SARIF.
FIX_HELP = {
    "LKL101": "wrap the acquire and its uses in `with` (`closing()` where `with` does not close), or release it in `finally`",
    "LKL102": "move the release into `finally`, or turn the acquire/release pair into `with`",
    "LKL103": "move the release into `finally`, or turn the acquire/release pair into `with`",
    "LKL104": "use `with closing(connect(...)) as c, c:` to close it and keep the transaction",
    "LKL201": "insert `await`",
    "LKL202": "insert `await`, or use `async with`",
    "LKL203": "use `async with`",
    "LKL301": "close the result in `finally`, or open it with `with`/`async with`",
}
NEWLINES = re.compile(r"\r\n|\r|\n")  # LibCST's line breaks (not str.splitlines')


def fix_help(diagnostic: Diagnostic) -> Optional[str]:
    """The help line: the finding's own advice, the fix's description, or the rule's fix."""
    if diagnostic.help:
        return diagnostic.help
    if diagnostic.fix is not None and diagnostic.fix.description:
        return diagnostic.fix.description
    if diagnostic.fix is not None:
        return FIX_HELP.get(diagnostic.code)
    return None


def fix_safety(diagnostic: Diagnostic) -> Optional[str]:
    return diagnostic.fix.safety if diagnostic.fix is not None else None


class SourceLines:
    """The lines of the reported files, read once, for the source snippets."""

    def __init__(self) -> None:
        self._files: dict[str, Optional[list[str]]] = {}

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
