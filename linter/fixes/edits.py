"""A fix as text edits of the file it was planned on (for SARIF `fixes` and
JSON `fix.edits`): whole lines replaced. Only the top-level statements the
fix rebuilt (`apply`) are rendered and compared with their lines in the
file, so describing a fix costs about one rendering of what it changes."""
from __future__ import annotations

import difflib
import re
from dataclasses import replace

import libcst as cst

from leaklint.diagnostics import Edit
from leaklint.positions import Positions

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # LibCST's line breaks (not str.splitlines')


class StatementLines:
    """Where each top-level statement of a module starts in its text, from
    the positions its findings were reported with (no second rendering)."""

    def __init__(self, module: cst.Module, positions: Positions, text: str) -> None:
        self.module = module
        self.positions = positions
        self.lines = LINE.findall(text)

    def first_line(self, index: int) -> int:
        """Where statement `index` starts (the line after the last one for `len(body)`)."""
        body = self.module.body
        if index == len(body):
            return len(self.lines) - len(self.module.footer) + 1
        statement = body[index]
        decorators = getattr(statement, "decorators", ())
        return self.positions.line(decorators[0] if decorators else statement) - len(statement.leading_lines)

    def text(self, first: int, last: int) -> str:
        """The text of statements `first` up to (not including) `last`."""
        return "".join(self.lines[self.first_line(first) - 1 : self.first_line(last) - 1])


def edits_between(lines: StatementLines, fixed: cst.Module) -> tuple[Edit, ...]:
    """The edits that turn the module of `lines` into `fixed`, which shares
    its unchanged top-level statements."""
    old, new = list(lines.module.body), list(fixed.body)
    matcher = difflib.SequenceMatcher(None, [id(s) for s in old], [id(s) for s in new], autojunk=False)
    edits: list[Edit] = []
    for tag, first, last, start, end in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = lines.text(first, last)
        after = "".join(fixed.code_for_node(statement) for statement in new[start:end])
        if end == len(new) and not fixed.footer and not fixed.has_trailing_newline:
            after = _without_final_newline(after)  # as the module's code ends
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


def _without_final_newline(text: str) -> str:
    for newline in ("\r\n", "\r", "\n"):
        if text.endswith(newline):
            return text[: -len(newline)]
    return text


def apply_edits(text: str, edits: tuple[Edit, ...]) -> str:
    """`text` with `edits` (as `edits_between` makes them: in order, not overlapping) applied."""
    lines = LINE.findall(text)
    for edit in reversed(edits):
        lines[edit.line - 1 : edit.end_line - 1] = [edit.content]
    return "".join(lines)
