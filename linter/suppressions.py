"""Inline suppressions.

`# noqa` (every code), `# noqa: LKL101,LKL102` (flake8's syntax; prefixes
such as `LKL1` work as in flake8) and `# leaklint: ignore` /
`# leaklint: ignore[LKL101]` suppress a diagnostic when the comment is on
the reported line or on the first line of the (multi-line) statement that
contains it.

With `--report-unused-suppressions` a suppression that suppressed nothing is
reported as LKL900 (unused-suppression): a `# noqa: ...` whose LKL codes
matched nothing, or a `# leaklint: ignore` that matched nothing. A bare
`# noqa` is never reported (it may be meant for another tool), nor is a code
whose rule is not enabled for the file (nothing could have matched it).
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from .diagnostics import Diagnostic

UNUSED_CODE = "LKL900"
UNUSED_NAME = "unused-suppression"
NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
LEAKLINT = re.compile(r"#\s*leaklint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
CODE_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class Directive:
    line: int
    column: int  # 1-based, where the directive starts
    end_column: int
    text: str  # as written, for messages
    codes: Optional[tuple[str, ...]]  # None: every code

    @property
    def blanket_noqa(self) -> bool:
        return self.codes is None and "noqa" in self.text.lower()

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


_DIRECTIVE_WORD = re.compile(rb"noqa|leaklint", re.IGNORECASE)


def might_have_directives(raw: bytes) -> bool:
    """Cheap check before tokenizing: directives are matched case-insensitively."""
    return _DIRECTIVE_WORD.search(raw) is not None


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


def unused(path: str, suppressions: Suppressions, used: set, enabled: Callable[[str], bool]) -> list[Diagnostic]:
    """LKL900 for each directive (or code in it) that suppressed nothing.
    `enabled(selector)` says whether any enabled rule of this file matches."""
    out = []
    for directive in suppressions.directives():
        if directive.codes is None:
            if directive.blanket_noqa or (directive, "*") in used:
                continue
            message = f"unused suppression `{directive.text}`: nothing is reported here"
        else:
            stale = [
                code
                for code in directive.codes
                if code.startswith("LKL") and (directive, code) not in used and enabled(code)
            ]
            if not stale:
                continue
            message = f"unused suppression `{directive.text}`: no {', '.join(stale)} reported here"
        out.append(
            Diagnostic(
                path=path,
                line=directive.line,
                column=directive.column,
                code=UNUSED_CODE,
                message=message,
                name=UNUSED_NAME,
                end_line=directive.line,
                end_column=directive.end_column,
            )
        )
    return out
