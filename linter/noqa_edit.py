"""Editing suppression comments: `--add-noqa` adds `# noqa: CODES` for the
current findings, and LKL900's fix takes stale codes out again.

A comment goes on the reported line, unless that line cannot end in a
comment (it ends inside a multi-line string, or with a `\\` continuation):
then on the first line of the statement, where the suppression parser reads
it too. A line that already has `# noqa: CODES` gets the new codes added to
that list; any other comment stays and the directive follows it.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence

from . import suppressions
from .diagnostics import Diagnostic
from .source import Source

LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
PARSE_ERROR_CODE = "LKL000"


@dataclass
class NoqaEdit:
    """The new text of one file, and the findings that found no line for a comment."""

    text: str
    added: int = 0
    misplaced: list[Diagnostic] = field(default_factory=list)


def _split(text: str) -> list[list[str]]:
    """[content, line ending] of each line (the last may have no ending)."""
    lines = [[m.group(1), m.group(2)] for m in LINE.finditer(text) if m.group(0)]
    return lines or [["", ""]]


def _join(lines: Iterable[list[str]]) -> str:
    return "".join(content + ending for content, ending in lines)


def _commentable_lines(text: str) -> Optional[set[int]]:
    """The lines that may end in a comment: those whose end is outside every
    string and not a `\\` continuation. None when the text does not tokenize."""
    found: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER):
                found.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return None
    return found


# -- adding ------------------------------------------------------------------------------


def add_noqa(text: str, diagnostics: Sequence[Diagnostic], reason: str = "") -> NoqaEdit:
    """`text` with a `# noqa: CODE` for each diagnostic (of this file)."""
    commentable = _commentable_lines(text)
    parsed = suppressions.parse(text)
    edit = NoqaEdit(text)
    wanted: dict[int, list[str]] = {}
    for d in diagnostics:
        line = _target_line(d.line, parsed.statement_start.get(d.line, d.line), commentable)
        if line is None:
            edit.misplaced.append(d)
        elif d.code not in wanted.setdefault(line, []):
            wanted[line].append(d.code)
    lines = _split(text)
    for number, codes in wanted.items():
        existing = next((x for x in parsed.by_line.get(number, []) if x.is_noqa and x.codes is not None), None)
        content = lines[number - 1][0]
        if existing is None:
            directive = f"# noqa: {', '.join(codes)}" + (f" {reason}" if reason else "")
            lines[number - 1][0] = f"{content.rstrip()}  {directive}"
        else:
            merged = list(existing.codes) + [code for code in codes if code not in existing.codes]
            start, end = existing.column - 1, existing.end_column - 1
            lines[number - 1][0] = f"{content[:start]}# noqa: {', '.join(merged)}{content[end:]}"
        edit.added += len(codes)
    edit.text = _join(lines)
    return edit


def _target_line(line: int, statement_start: int, commentable: Optional[set[int]]) -> Optional[int]:
    if commentable is None:  # does not tokenize: only a plain line is safe to touch
        return None
    for candidate in (line, statement_start):
        if candidate in commentable:
            return candidate
    return None


# -- removing stale codes (LKL900's fix) -------------------------------------------------


def remove_stale(text: str, stale: Sequence[suppressions.Stale]) -> str:
    """`text` without the stale codes; a directive left with no code goes, and
    a line left empty by that goes too."""
    lines = _split(text)
    emptied: set[int] = set()
    # right to left within a line, so that the earlier columns stay valid
    for found in sorted(stale, key=lambda s: (s.directive.line, -s.directive.column)):
        directive = found.directive
        content = lines[directive.line - 1][0]
        start, end = directive.column - 1, directive.end_column - 1
        if found.whole:
            following = content.find("#", end)
            rest = content[following:].rstrip() if following >= 0 else ""  # another comment after it stays
            before = content[:start]
            if before.strip():
                content = before.rstrip() + ("  " + rest if rest else "")
            elif rest:
                content = before + rest
            else:
                emptied.add(directive.line)
        else:
            kept = [code for code in directive.codes or () if code not in (found.codes or ())]
            content = content[:start] + _rewritten(directive, kept) + content[end:]
        lines[directive.line - 1][0] = content
    return _join(line for number, line in enumerate(lines, start=1) if number not in emptied)


def _rewritten(directive: suppressions.Directive, codes: list[str]) -> str:
    if directive.is_noqa:
        return f"# noqa: {', '.join(codes)}"
    return f"# leaklint: ignore[{', '.join(codes)}]"


# -- files -------------------------------------------------------------------------------


def rewrite(path: str, change: Callable[[str], str]) -> Optional[str]:
    """Apply `change` to the file's text and write the result back
    atomically; why it could not be done, or None."""
    from .source import UnreadableSource, read

    try:
        source = read(path)
    except UnreadableSource as error:
        return f"{path}: {error}"
    return _save(path, source, change(source.text))


def _save(path: str, source: Source, text: str) -> Optional[str]:
    from .writer import WriteError, write_atomic

    if text == source.text:
        return None
    try:
        write_atomic(path, source, text)
    except WriteError as error:
        return str(error)
    return None


def add_to_files(diagnostics: Sequence[Diagnostic], reason: str, warn: Callable[[str], None]) -> int:
    """`--add-noqa`: the comments for `diagnostics` written into their files;
    how many codes were added. Parse errors (LKL000) and LKL900 get none."""
    from .source import UnreadableSource, read

    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.code not in (PARSE_ERROR_CODE, suppressions.UNUSED_CODE):
            by_path.setdefault(d.path, []).append(d)
    added = 0
    for path, found in by_path.items():
        try:
            source = read(path)
        except UnreadableSource as error:
            warn(f"{path}: {error}")
            continue
        edit = add_noqa(source.text, found, reason)
        error = _save(path, source, edit.text)
        if error:
            warn(error)
            continue
        added += edit.added
        for d in edit.misplaced:
            warn(f"{d.path}:{d.line}: no line of its statement can end in a comment; {d.code} left as it is")
    return added
