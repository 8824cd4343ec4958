"""`leaklint -`: the source comes on standard input, for editors and scripts
that hold the text in memory. `--stdin-filename PATH` names it: PATH is
what reports show, its configuration and per-file settings apply, and its
module name resolves relative imports. Nothing is read from or written to
PATH itself."""
from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from .project import display_path
from .results import RunResult
from .source import Source, decode

if TYPE_CHECKING:
    from .engine import Linter
    from .fixer import Allowed

STDIN = "-"


@dataclass(frozen=True)
class StdinFile:
    path: str  # as reports show it
    source: Source

    def with_text(self, text: str) -> "StdinFile":
        raw = text.encode(self.source.encoding, "replace")  # the engine's quick checks read the bytes
        return StdinFile(self.path, dataclasses.replace(self.source, text=text, raw=raw))


def reads_stdin(paths: Sequence[str], stdin_filename: Optional[str]) -> bool:
    """`-` among the paths, or `--stdin-filename` with no path given."""
    return STDIN in paths or (stdin_filename is not None and list(paths) in ([], ["."]))


def read_stdin(stdin_filename: Optional[str]) -> StdinFile:
    """The source on standard input (raises `UnreadableSource`)."""
    return StdinFile(display_path(stdin_filename or STDIN), decode(sys.stdin.buffer.read()))


def lint(file: StdinFile, linter: Linter) -> RunResult:
    """The file linted alone, as the flake8 plugin lints one file."""
    from .passes import InProcess, lint_project

    return lint_project(InProcess(linter, [file.path], sources=[file.source]))


def fixed(file: StdinFile, linter: Linter, *, unsafe: bool, allowed: Allowed) -> tuple[StdinFile, int]:
    """The file with its fixes applied, and how many were applied."""
    from .engine import NotAnalysed
    from .fixer import fix_text

    try:
        outcome = fix_text(file.source, file.path, linter, unsafe=unsafe, allowed=allowed)
    except NotAnalysed:  # linting it reports why
        return file, 0
    return file.with_text(outcome.text), len(outcome.applied)
