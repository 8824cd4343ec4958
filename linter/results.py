"""What linting files gives: per file its diagnostics, the project summaries
it exports and what went wrong; per run the files in the order given.

Plain data without LibCST: results travel between worker processes and
live in the cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .diagnostics import Diagnostic
from .summaries import FunctionSummary


@dataclass
class InternalError:
    path: str
    rule: str
    detail: str


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    summaries: list[FunctionSummary] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    skipped: Optional[str] = None  # why the file was not linted (unreadable)
    parsed: bool = False
    # the names the analysis looked up among the summaries it was given: the
    # result stands for any summaries that answer these alike (`leaklint.passes`)
    looked_up: tuple[str, ...] = ()
    # not parsed: it names nothing that acquires, and no other file has needed its summaries yet
    deferred: bool = False
    helpers: tuple[str, ...] = ()  # of a deferred file: the functions whose summaries it may export


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    # per file, the other modules' summaries its result was linted with
    linted_with: list[tuple[FunctionSummary, ...]] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted(d for f in self.files for d in f.diagnostics)

    @property
    def internal_errors(self) -> list[InternalError]:
        return [e for f in self.files for e in f.errors]
