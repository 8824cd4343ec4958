"""The edit behind "suppress with `# noqa`"."""
from __future__ import annotations

import io
import tokenize
from typing import Optional

from lsprotocol import types

from .adapter import noqa_with_codes, suppression_lines, suppresses
from .text import Lines


def noqa_edit(lines: Lines, line: int, code: str) -> Optional[types.TextEdit]:
    """Adds `code` to the `# noqa: ...` of the reported line, or ends the line
    with `# noqa: CODE`. Where that line cannot take a comment (it ends inside
    a string, or with a backslash), the first line of its statement is used;
    None if neither can."""
    text = lines.text
    keeps_tokens = _tokenizes(text)
    for candidate in suppression_lines(text, line):
        existing = noqa_with_codes(text, candidate)
        if existing is not None:
            at, insert = lines.offset(candidate, existing.end_column + 1), f",{code}"
        else:
            at, insert = lines.offset(candidate, len(lines.line(candidate).rstrip()) + 1), f"  # noqa: {code}"
        edited = text[:at] + insert + text[at:]
        if suppresses(edited, line, code) and (not keeps_tokens or _tokenizes(edited)):
            position = lines.position(at)
            return types.TextEdit(range=types.Range(start=position, end=position), new_text=insert)
    return None


def _tokenizes(text: str) -> bool:
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text).readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return False
    return True
