"""Code actions: each finding's fix as a quick fix, a `# noqa` for it, and
"fix all leaklint findings" as a `source.fixAll.leaklint` action.

All of it runs on the fixes' thread (see `fixes.py`). The fix-all edit waits
for `codeAction/resolve` where the client supports it: clients ask for
source actions often, and fixing a whole file is the slowest thing here.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

from lsprotocol import types

from .adapter import PARSE_ERROR, Rule
from .diagnostics import SOURCE
from .fixes import DocumentView, Fixes
from .noqa import noqa_edit

FIX_ALL = "source.fixAll.leaklint"
FIX_ALL_TITLE = "Fix all leaklint findings (safe fixes)"


def code_actions(
    view: DocumentView,
    fixes: Fixes,
    diagnostics: Sequence[types.Diagnostic],
    only: Optional[Sequence[str]],
    rules: Mapping[str, Rule],
    *,
    fix_all_fixable: bool,
    resolve_later: bool,
) -> list[types.CodeAction]:
    """The actions for the client's `diagnostics` under the cursor, and the
    fix-all action when it was asked for and the document has fixable findings."""
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for diagnostic in diagnostics:
            if diagnostic.source != SOURCE or diagnostic.code not in rules or diagnostic.code == PARSE_ERROR:
                continue
            code = str(diagnostic.code)
            if rules[code].fix is not None:
                actions.extend(_quick_fix(view, fixes, diagnostic, code))
            actions.extend(_suppression(view, diagnostic, code))
    if fix_all_fixable and _wanted(FIX_ALL, only):
        if resolve_later:
            actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, data={"uri": view.uri}))
        else:
            edit = fix_all_edit(view, fixes)
            if edit is not None:
                actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, edit=edit))
    return actions


def fix_all_edit(view: DocumentView, fixes: Fixes) -> Optional[types.WorkspaceEdit]:
    """What `leaklint --fix` does to the document; None if nothing."""
    outcome = fixes.outcome(view, None, unsafe=False)
    return view.edit(outcome.text) if outcome.applied else None


def _quick_fix(view: DocumentView, fixes: Fixes, diagnostic: types.Diagnostic, code: str) -> list[types.CodeAction]:
    outcome = fixes.outcome(view, (diagnostic.range.start.line + 1, code), unsafe=True)
    if not outcome.applied:
        return []
    safe = all(fix.safe for fix in outcome.applied)
    title = f"Fix {code}: {outcome.applied[0].description}" if safe else f"Fix {code} (unsafe): {outcome.applied[0].description}"
    return [
        types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=safe,
            edit=view.edit(outcome.text),
        )
    ]


def _suppression(view: DocumentView, diagnostic: types.Diagnostic, code: str) -> list[types.CodeAction]:
    edit = noqa_edit(view.lines(), diagnostic.range.start.line + 1, code)
    if edit is None:
        return []
    return [
        types.CodeAction(
            title=f"Suppress {code} with `# noqa: {code}`",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=view.workspace_edit([edit]),
        )
    ]


def _wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """LSP's filter: a requested kind covers itself and its sub-kinds."""
    return only is None or any(not asked or kind == asked or kind.startswith(f"{asked}.") for asked in only)
