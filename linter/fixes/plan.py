"""Which change each finding of a fixable rule gets, or why it gets none.

`plan` is the one decision `--fix` and the reports both go by: the fixer
applies the changes it plans (the safe ones, or all with `--unsafe-fixes`),
and the engine labels each diagnostic with the same plan of the same
analysis (`labels`), so `[*]`, JSON `fix` and SARIF `fixes` say what
`--fix` will do.
"""
from __future__ import annotations

import traceback
import warnings
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Union

from leaklint.diagnostics import Fix
from leaklint.rulebase import FileContext, Finding

from . import FIXABLE_CODES, Shape, shape_for
from .apply import apply_changes
from .base import Change, FixContext, Unfixable
from .edits import StatementLines, apply_edits, edits_between
from .sections import Sections

NO_SHAPE = "leaklint has no fix for this shape of the finding"

Blocked = Callable[[Finding], Optional[str]]  # why an earlier pass gave up on this finding's fix, if it did


@dataclass(frozen=True)
class Planned:
    """The findings one change fixes, with that change or the reason there is none."""

    findings: tuple[Finding, ...]
    change: Optional[Change] = None
    reason: str = ""


def plan(fx: FixContext, findings: Sequence[Finding], blocked: Blocked = lambda finding: None) -> list[Planned]:
    """One entry per group of findings of fixable rules (the findings a single
    change fixes, such as the LKL102 and LKL103 of one connection)."""
    planned: list[Planned] = []
    groups: dict[tuple, tuple[Shape, list[Finding]]] = {}
    for finding in findings:
        if finding.code not in FIXABLE_CODES:
            continue
        shape = shape_for(finding)
        if shape is None:
            planned.append(Planned((finding,), reason=NO_SHAPE))
            continue
        groups.setdefault((shape.name, shape.group(finding)), (shape, []))[1].append(finding)
    for shape, members in groups.values():
        reason = next((why for why in map(blocked, members) if why), None)
        if reason is not None:
            planned.append(Planned(tuple(members), reason=reason))
            continue
        planned.append(_build(shape, fx, members))
    return planned


def _build(shape: Shape, fx: FixContext, members: list[Finding]) -> Planned:
    try:
        return Planned(tuple(members), shape.build(fx, members))
    except Unfixable as error:
        return Planned(tuple(members), reason=error.reason)
    except RecursionError:
        return Planned(tuple(members), reason="too deeply nested to fix")
    except Exception:  # a bug in one shape must not stop the others
        detail = traceback.format_exc(limit=4).strip().splitlines()[-1]
        return Planned(tuple(members), reason=f"internal error in the {shape.name} fix: {detail}")


Label = Union[Fix, str]  # the fix `--fix` applies to a finding, or why there is none


def labels(context: FileContext, findings: Sequence[Finding], path: str, text: str) -> dict[int, Label]:
    """Each finding of a fixable rule (by `id`) with its fix, as edits of
    `text` (the source of the analysed module, at `path`), or the reason it has none."""
    fx = FixContext(context)
    sections = Sections.for_file(path)
    lines = StatementLines(context.module, context.positions, text)
    out: dict[int, Label] = {}
    for entry in plan(fx, findings):
        label = entry.reason if entry.change is None else _label(fx, entry.change, sections, lines, path, text)
        for finding in entry.findings:
            out[id(finding)] = label
    return out


def _label(fx: FixContext, change: Change, sections: Sections, lines: StatementLines, path: str, text: str) -> Label:
    """The fix, or why `--fix` drops it: the fixed text must compile, as the fixer checks."""
    if not lines.positions.exact:  # the module is too deep for its code to be generated
        return "too deeply nested to fix"
    try:
        edits = edits_between(lines, apply_changes(fx, [change], sections))
    except RecursionError:
        return "too deeply nested to fix"
    except Exception as error:  # LibCST refuses a node the shape built
        return f"the fixed code could not be generated: {error}; fix was dropped"
    if not edits:
        return "the fix would change nothing"
    try:
        with warnings.catch_warnings():  # the file's own warnings (an invalid escape) are not the fix's
            warnings.simplefilter("ignore")
            compile(apply_edits(text, edits), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return f"the fixed code does not compile ({error}); fix was dropped"
    return Fix("safe" if change.safe else "unsafe", change.description, change.unsafe_reason, edits)
