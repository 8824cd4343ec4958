"""What a rule reports: plain data the reporters and the cache read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Fix:
    safety: str  # "safe" or "unsafe"
    description: str


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
    help: Optional[str] = field(compare=False, default=None)  # what the rule's fix does (`RuleFix.help`)

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
            "fix": None if self.fix is None else {"safety": self.fix.safety, "description": self.fix.description},
        }
