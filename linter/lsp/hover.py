"""Hover on a finding: the rule, what it found, and its fix."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from lsprotocol import types

from .adapter import PARSE_ERROR, Rule
from .fixes import DocumentView, Fixes


def hover_text(view: DocumentView, fixes: Fixes, diagnostics: Sequence[types.Diagnostic], rules: Mapping[str, Rule]) -> str:
    """Markdown for the findings under the cursor (on the fixes' thread: it may fix the document)."""
    return "\n\n---\n\n".join(_one(view, fixes, d, rules[str(d.code)]) for d in diagnostics if d.code in rules)


def _one(view: DocumentView, fixes: Fixes, diagnostic: types.Diagnostic, rule: Rule) -> str:
    heading = f"**{rule.code}** `{rule.name}`: {rule.summary}"
    if rule.page:
        heading += f" ([rule page]({Path(rule.page).as_uri()}))"
    return f"{heading}\n\n{diagnostic.message}\n\n{_fix(view, fixes, diagnostic, rule)}"


def _fix(view: DocumentView, fixes: Fixes, diagnostic: types.Diagnostic, rule: Rule) -> str:
    if rule.fix is None or rule.code == PARSE_ERROR:
        return "Fix: none automatic; the message says what to do."
    outcome = fixes.outcome(view, (diagnostic.range.start.line + 1, rule.code), unsafe=True)
    if not outcome.applied:
        reason = outcome.reasons[0] if outcome.reasons else "leaklint has no fix for this shape of the finding"
        return f"Fix: none automatic here ({reason})."
    safety = "safe" if all(fix.safe for fix in outcome.applied) else "unsafe"
    return f"Fix ({safety}, a quick fix): {outcome.applied[0].description}"
