"""What a rule is, apart from how it finds its defects: its code, name and
summary, and what `--fix` does for it.

Plain data, with no LibCST and no analysis behind it: the reporters and the
command line read it without paying for either. Each rule's `RuleInfo` sits
at the top of its family's module in `leaklint.rules`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional


class FixSafety(Enum):
    SAFE = "safe"  # `--fix` applies it
    UNSAFE = "unsafe"  # only `--fix --unsafe-fixes` applies it


@dataclass(frozen=True)
class RuleFix:
    """How a rule's findings are fixed."""

    safety: FixSafety  # the rule's fix at its most cautious (`leaklint rules`, the rule page); each finding is labelled with its own
    help: str  # what the fix does, for the help line and SARIF
    shapes: tuple[str, ...]  # names of the shapes in `leaklint.fixes` that build it, tried in this order


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    fix: Optional[RuleFix] = None  # None: the rule has no automatic fix

    @property
    def fix_safety(self) -> Optional[str]:
        """The word the reports use: "safe", "unsafe", or None without a fix."""
        return self.fix.safety.value if self.fix is not None else None
