"""A fix as text edits of the file it was planned on (for SARIF `fixes` and
JSON `fix.edits`): whole lines replaced. Only the top-level statements the
fix rebuilt (`apply`) are rendered and compared, so describing the fixes of
a file costs about one rendering of it, not one per fix."""
from __future__ import annotations

import difflib
import re
from dataclasses import replace

import libcst as cst

from leaklint.diagnostics import Edit

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # LibCST's line breaks (not str.splitlines')


class StatementLines:
    """The text of each top-level statement of a module and the line it starts
    on, rendered once (when first asked) for all the fixes of the module."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._texts: list[str] = []
        self._starts: list[int] = []

    def _render(self) -> None:
        if self._starts:
            return
        self._texts = [self.module.code_for_node(statement) for statement in self.module.body]
        starts = [len(self.module.header) + 1]
        for text in self._texts:
            starts.append(starts[-1] + len(LINE.findall(text)))
        self._starts = starts

    def text(self, index: int) -> str:
        self._render()
        return self._texts[index]

    def first_line(self, index: int) -> int:
        """Where statement `index` starts (the line after the last one for `len(body)`)."""
        self._render()
        return self._starts[index]


def edits_between(lines: StatementLines, fixed: cst.Module) -> tuple[Edit, ...]:
    """The edits that turn the module of `lines` into `fixed`, which shares
    its unchanged top-level statements."""
    old, new = list(lines.module.body), list(fixed.body)
    matcher = difflib.SequenceMatcher(None, [id(s) for s in old], [id(s) for s in new], autojunk=False)
    edits: list[Edit] = []
    for tag, first, last, start, end in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = "".join(lines.text(index) for index in range(first, last))
        after = "".join(fixed.code_for_node(statement) for statement in new[start:end])
        shift = lines.first_line(first) - 1
        edits.extend(replace(edit, line=edit.line + shift, end_line=edit.end_line + shift) for edit in line_edits(before, after))
    return tuple(edits)


def line_edits(before: str, after: str) -> tuple[Edit, ...]:
    """The lines of `before` that differ in `after`, each run with its new text."""
    old, new = LINE.findall(before), LINE.findall(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return tuple(
        Edit(first + 1, last + 1, "".join(new[start:end]))
        for tag, first, last, start, end in matcher.get_opcodes()
        if tag != "equal"
    )


def apply_edits(text: str, edits: tuple[Edit, ...]) -> str:
    """`text` with `edits` (as `edits_between` makes them: in order, not overlapping) applied."""
    lines = LINE.findall(text)
    for edit in reversed(edits):
        lines[edit.line - 1 : edit.end_line - 1] = [edit.content]
    return "".join(lines)
