"""Positions in one snapshot of a document: the engine counts 1-based lines
and code points, LSP counts 0-based lines and the client's code units
(UTF-16 unless the client chose another encoding)."""
from __future__ import annotations

import bisect
import re

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

# LSP, like Python's tokenizer, ends lines at these only (`str.splitlines` also splits at form feeds)
LINE_END = re.compile(r"\r\n|\r|\n")


class Lines:
    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.codec = codec
        self.starts = [0] + [match.end() for match in LINE_END.finditer(text)]

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its line ending."""
        index = min(max(number, 1), len(self.starts)) - 1
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index] : end].rstrip("\r\n")

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and code-point column, kept within the line."""
        index = min(max(line, 1), len(self.starts)) - 1
        return self.starts[index] + min(max(column - 1, 0), len(self.line(index + 1)))

    def position(self, offset: int) -> types.Position:
        index = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[index]
        return types.Position(line=index, character=self.codec.client_num_units(self.text[start:offset]))

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        return types.Range(start=self.position(self.offset(line, column)), end=self.position(self.offset(end_line, end_column)))

    def code_range(self, line: int) -> types.Range:
        """Line `line` (1-based) without its indentation."""
        text = self.line(line)
        return self.range(line, len(text) - len(text.lstrip()) + 1, line, len(text.rstrip()) + 1)


def edit_to(lines: Lines, new_text: str) -> types.TextEdit:
    """One edit that turns `lines` into `new_text`, spanning only the lines
    that differ, so that the editor keeps the cursor and folds elsewhere."""
    old = lines.text.splitlines(keepends=True)
    new = new_text.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = sum(len(line) for line in old[:head])
    end = len(lines.text) - sum(len(line) for line in old[len(old) - tail :])
    replacement = "".join(new[head : len(new) - tail])
    return types.TextEdit(range=types.Range(start=lines.position(start), end=lines.position(end)), new_text=replacement)
