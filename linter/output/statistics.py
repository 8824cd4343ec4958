"""`--statistics`: the number of findings per rule, as text rows (in
`leaklint.output.text`) or, with `--format json`, as JSON (ruff's fields)."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import IO, Optional, Sequence

from ..diagnostics import Diagnostic
from . import fix_safety


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    count: int
    safe: int  # findings `--fix` fixes
    unsafe: int  # findings only `--fix --unsafe-fixes` fixes

    @property
    def without_fix(self) -> int:
        return self.count - self.safe - self.unsafe

    @property
    def fix(self) -> Optional[str]:
        """"safe" when `--fix` fixes some of them, "unsafe" when only `--unsafe-fixes` does, else None."""
        return "safe" if self.safe else "unsafe" if self.unsafe else None


def rule_counts(diagnostics: Sequence[Diagnostic]) -> list[RuleCount]:
    """One row per code, the most frequent first."""
    counts = Counter(d.code for d in diagnostics)
    safeties = Counter((d.code, fix_safety(d)) for d in diagnostics)
    names: dict[str, str] = {}
    for d in diagnostics:
        names.setdefault(d.code, d.name)
    return [
        RuleCount(code, names[code], count, safeties[code, "safe"], safeties[code, "unsafe"])
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def write_statistics_json(diagnostics: Sequence[Diagnostic], out: IO[str]) -> None:
    rows = [
        {"code": row.code, "name": row.name, "count": row.count, "fixable": row.fix == "safe", "fix": row.fix}
        for row in rule_counts(diagnostics)
    ]
    json.dump(rows, out, indent=2, ensure_ascii=False)
    out.write("\n")
