"""What the command's parts share: exit statuses, whether to colour the
output, and the table of every rule the command can report."""
from __future__ import annotations

import os
from typing import IO

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
UNUSED_SUMMARY = "A suppression comment suppresses nothing (on with --extend-select LKL900 or --report-unused-suppressions)."


def color_wanted(out: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return out.isatty() and os.environ.get("TERM") != "dumb"


def rule_table() -> dict:
    """Every rule, with LKL900 (reported by the command line, not by a rule family)."""
    from leaklint.rules import all_rules

    from . import suppressions
    from .ruleinfo import FixSafety, RuleFix, RuleInfo

    table = dict(all_rules())
    fix = RuleFix(FixSafety.SAFE, suppressions.UNUSED_FIX, shapes=())  # a comment edit (`leaklint.noqa_edit`), no shape
    table[suppressions.UNUSED_CODE] = RuleInfo(suppressions.UNUSED_CODE, suppressions.UNUSED_NAME, UNUSED_SUMMARY, fix)
    return table
