"""What a rule reports: plain data the reporters and the cache read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Edit:
    """Lines `line` up to (not including) `end_line` of the file, replaced by
    `content` (`end_line == line` inserts; a line past the last is the end)."""

    line: int
    end_line: int
    content: str

    def as_json(self) -> dict:
        return {"line": self.line, "column": 1, "end_line": self.end_line, "end_column": 1, "content": self.content}


@dataclass(frozen=True)
class Fix:
    """The fix `--fix` applies to one finding."""

    safety: str  # "safe": `--fix` applies it; "unsafe": only `--fix --unsafe-fixes` does
    description: str  # what the fix does
    unsafe_reason: str = ""  # why it may change what the code does (unsafe fixes)
    edits: tuple[Edit, ...] = ()  # the fix alone, applied to the file as it was linted

    def as_json(self) -> dict:
        return {"safety": self.safety, "description": self.description, "edits": [edit.as_json() for edit in self.edits]}


NO_AUTOMATIC_FIX = "the rule has no automatic fix; the message says what to do"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)
    name: str = field(compare=False, default="")
    end_line: int = field(compare=False, default=0)
    end_column: int = field(compare=False, default=0)
    fix: Optional[Fix] = field(compare=False, default=None)
    note_line: Optional[int] = field(compare=False, default=None)  # where the resource was acquired
    no_fix_reason: str = field(compare=False, default=NO_AUTOMATIC_FIX)  # why `fix` is None

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
            "fix": None if self.fix is None else self.fix.as_json(),
        }
