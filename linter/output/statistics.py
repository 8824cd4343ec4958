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
    fix: Optional[str]  # "safe" when `--fix` fixes some of them, "unsafe" when only `--unsafe-fixes` does, else None


def rule_counts(diagnostics: Sequence[Diagnostic]) -> list[RuleCount]:
    """One row per code, the most frequent first."""
    counts = Counter(d.code for d in diagnostics)
    names: dict[str, str] = {}
    fixes: dict[str, set] = {}
    for d in diagnostics:
        names.setdefault(d.code, d.name)
        fixes.setdefault(d.code, set()).add(fix_safety(d))
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        fix = next((safety for safety in ("safe", "unsafe") if safety in fixes[code]), None)
        rows.append(RuleCount(code, names[code], count, fix))
    return rows


def write_statistics_json(diagnostics: Sequence[Diagnostic], out: IO[str]) -> None:
    rows = [
        {"code": row.code, "name": row.name, "count": row.count, "fixable": row.fix == "safe", "fix": row.fix}
        for row in rule_counts(diagnostics)
    ]
    json.dump(rows, out, indent=2, ensure_ascii=False)
    out.write("\n")
