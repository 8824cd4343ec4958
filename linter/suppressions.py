"""Inline suppressions.

`# noqa` (every code), `# noqa: LKL101,LKL102` (flake8's syntax; prefixes
such as `LKL1` work as in flake8) and `# leaklint: ignore` /
`# leaklint: ignore[LKL101]` suppress a diagnostic when the comment is on
the reported line or on the first line of the (multi-line) statement that
contains it.

`# flake8: noqa` (at the start of a line, as flake8 reads it) and a
`# leaklint: skip-file` comment on a line of its own skip the whole file.

When LKL900 (unused-suppression) is on, a suppression that suppressed
nothing is reported: a `# noqa: ...` whose LKL codes matched nothing, or a
`# leaklint: ignore` that matched nothing. A bare `# noqa` is never reported
(it may be meant for another tool), nor is a code whose rule is not enabled
for the file (nothing could have matched it). Its fix removes the stale
codes, or the whole directive when none is left (`leaklint.noqa_edit`).
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from .diagnostics import Diagnostic, Fix

UNUSED_CODE = "LKL900"
UNUSED_NAME = "unused-suppression"
UNUSED_FIX = "remove the unused codes, or the comment when none is left"
NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
LEAKLINT = re.compile(r"#\s*leaklint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
CODE_SPLIT = re.compile(r"[,\s]+")
# flake8's own test (`defaults.NOQA_FILE`, matched at the start of each line, strings included)
FLAKE8_SKIP_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
SKIP_FILE = re.compile(r"\s*#\s*leaklint:\s*skip-file(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    line: int
    column: int  # 1-based, where the directive starts
    end_column: int
    text: str  # as written, for messages
    codes: Optional[tuple[str, ...]]  # None: every code

    @property
    def is_noqa(self) -> bool:
        """`# noqa...` (else `# leaklint: ignore...`)."""
        return self.text.lstrip("# ").lower().startswith("noqa")

    @property
    def blanket_noqa(self) -> bool:
        return self.codes is None and self.is_noqa

    def matches(self, code: str) -> tuple[str, ...]:
        """The selectors of this directive that cover `code` (("*",) for all)."""
        if self.codes is None:
            return ("*",)
        return tuple(c for c in self.codes if code.startswith(c))


class Suppressions:
    """The directives of one file and the first line of each statement."""

    def __init__(self, directives: Iterable[Directive] = (), statement_start: Optional[dict[int, int]] = None) -> None:
        self.by_line: dict[int, list[Directive]] = {}
        for directive in directives:
            self.by_line.setdefault(directive.line, []).append(directive)
        self.statement_start = statement_start or {}

    def __bool__(self) -> bool:
        return bool(self.by_line)

    def directives(self) -> list[Directive]:
        return [d for line in sorted(self.by_line) for d in self.by_line[line]]

    def find(self, line: int, code: str) -> Optional[tuple[Directive, tuple[str, ...]]]:
        """The directive that suppresses `code` reported at `line`, with the selectors that matched."""
        lines = [line]
        start = self.statement_start.get(line)
        if start is not None and start != line:
            lines.append(start)
        for candidate in lines:
            for directive in self.by_line.get(candidate, ()):
                matched = directive.matches(code)
                if matched:
                    return directive, matched
        return None

    def suppresses(self, line: int, code: str) -> bool:
        return self.find(line, code) is not None


def might_have_directives(text: str) -> bool:
    """Cheap check before tokenizing: directives are matched case-insensitively.
    (Lowering the text and searching it is about ten times faster than a
    case-insensitive pattern, which Python's `re` tries at every offset.)"""
    lowered = text.lower()
    return "noqa" in lowered or "leaklint" in lowered


def skips_file(text: str) -> bool:
    """The file asks to be left alone: `# flake8: noqa` or `# leaklint: skip-file`.
    Both name a directive word: one search of the text spares most files a
    test of every line (the flake8 plugin asks it of every file)."""
    if not might_have_directives(text):
        return False
    return any(FLAKE8_SKIP_FILE.match(line) or SKIP_FILE.match(line) for line in _lines(text))


def parse(text: str) -> Suppressions:
    """The directives in the comments of `text`. Falls back to a line scan
    when the text does not tokenize (a file that does not parse)."""
    directives: list[Directive] = []
    starts: dict[int, int] = {}
    try:
        start: Optional[int] = None
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token.type
            if kind == tokenize.COMMENT:
                directives.extend(_directives(token.string, token.start[0], token.start[1]))
                continue
            if kind in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if start is None:
                start = token.start[0]
            if kind == tokenize.NEWLINE:
                for number in range(start, token.end[0] + 1):
                    starts[number] = start
                start = None
    except (tokenize.TokenError, SyntaxError):
        directives = []
        starts = {}
        for number, line in enumerate(_lines(text), start=1):
            position = line.find("#")
            if position >= 0:
                directives.extend(_directives(line[position:], number, position))
    return Suppressions(directives, starts)


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def _directives(comment: str, line: int, offset: int) -> Iterable[Directive]:
    for pattern in (NOQA, LEAKLINT):
        for match in pattern.finditer(comment):
            raw_codes = match.group("codes")
            codes = None if raw_codes is None else tuple(c.upper() for c in CODE_SPLIT.split(raw_codes) if c)
            yield Directive(line, offset + match.start() + 1, offset + match.end() + 1, match.group(0), codes)


# -- applying them to a file's diagnostics -------------------------------------------

def apply(diagnostics: Sequence[Diagnostic], suppressions: Suppressions, used: Optional[set] = None) -> list[Diagnostic]:
    """The diagnostics no directive suppresses; `used` collects what matched."""
    kept = []
    for diagnostic in diagnostics:
        found = suppressions.find(diagnostic.line, diagnostic.code) if suppressions else None
        if found is None:
            kept.append(diagnostic)
            continue
        if used is not None:
            directive, selectors = found
            used.update((directive, selector) for selector in selectors)
    return kept


@dataclass(frozen=True)
class Stale:
    """A directive that suppressed nothing, and its LKL codes that matched
    nothing (None: the whole directive is unused)."""

    directive: Directive
    codes: Optional[tuple[str, ...]]

    @property
    def whole(self) -> bool:
        return self.codes is None or self.codes == self.directive.codes


def stale(suppressions: Suppressions, used: set, enabled: Callable[[str], bool]) -> list[Stale]:
    """Each directive (or code in it) that suppressed nothing.
    `enabled(selector)` says whether any enabled rule of this file matches."""
    out = []
    for directive in suppressions.directives():
        if directive.codes is None:
            if not directive.blanket_noqa and (directive, "*") not in used:
                out.append(Stale(directive, None))
            continue
        codes = tuple(
            code for code in directive.codes if code.startswith("LKL") and (directive, code) not in used and enabled(code)
        )
        if codes:
            out.append(Stale(directive, codes))
    return out


def unused_diagnostic(path: str, found: Stale) -> Diagnostic:
    """LKL900 for a directive (or codes in it) that suppressed nothing."""
    directive = found.directive
    if found.codes is None:
        message = f"unused suppression `{directive.text}`: nothing is reported here"
    else:
        message = f"unused suppression `{directive.text}`: no {', '.join(found.codes)} reported here"
    return Diagnostic(
        path=path,
        line=directive.line,
        column=directive.column,
        code=UNUSED_CODE,
        message=message,
        name=UNUSED_NAME,
        end_line=directive.line,
        end_column=directive.end_column,
        fix=Fix("safe", UNUSED_FIX),
    )
