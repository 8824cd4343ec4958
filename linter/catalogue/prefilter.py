"""Deciding from the raw bytes, without parsing, whether a file can hold a
finding: the cheap test that lets most files of a large tree skip LibCST."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from .model import Heuristic


@dataclass(frozen=True)
class PrefilterPart:
    """A file passes when `anchors` has a word found in it by a plain byte
    search, and then one of `patterns` (regular expressions) matches it."""

    anchors: tuple[str, ...]
    patterns: tuple[str, ...]
    by_import: bool = False  # an import of a catalogue module, not a call shape or a name


def catalogue_parts(module_roots: Iterable[str], heuristics: Iterable[Heuristic]) -> tuple[PrefilterPart, ...]:
    """The parts a catalogue's data calls for.

    A finding needs an acquisition, and the resolver finds one only through
    an import of a catalogue module, a heuristic call shape (`.getconn(`,
    `<...pool>.acquire(`) or a project helper's name (added by the engine).
    Derived from the data, so the prefilter can never drift from it.
    """
    parts = []
    roots = tuple(sorted(module_roots))
    if roots:
        alternatives = "|".join(re.escape(r) for r in roots)
        # not anchored at the line start: `x; import psycopg2`, `try: import psycopg2`,
        # a backslash continuation; a mention in prose only costs a parse. Two
        # patterns that start with their keyword, each searched for it (one
        # that starts with `\b` is tried at every offset); `(?<!\wfrom)` is that `\b`.
        parts.append(
            PrefilterPart(
                ("import",),  # in every import statement: one search, where the roots would take one each
                (
                    rf"from(?<!\wfrom)[ \t\\\r\n]+(?:{alternatives})\b",
                    rf"import(?<!\wimport)[ \t\\\r\n]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t\\\r\n]*)*(?:{alternatives})\b",
                ),
                by_import=True,
            )
        )
    for rule in heuristics:
        method = re.escape(rule.method)
        if rule.receiver_contains:
            receiver = "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in rule.receiver_contains)
            # `pool.acquire(`, `pools[0].acquire(`, `get_pool().acquire(`: the
            # resolver looks at the receiver's last name, so allow anything short between
            parts.append(PrefilterPart((rule.method,), (rf"{receiver}[^\n]{{0,120}}?\.[\s\\]*{method}[\s\\]*\(",)))
        else:
            parts.append(PrefilterPart((rule.method,), (rf"\.[\s\\]*{method}[\s\\]*\(",)))
    return tuple(parts)


class Prefilter:
    """Decides from the raw bytes, without parsing, whether a file can hold a finding."""

    def __init__(self, parts: Iterable[PrefilterPart], words: Iterable[str] = (), helper_words: Iterable[str] = ()) -> None:
        """`words`: names of project functions that hand out a resource;
        `helper_words`: of those that only release or keep one."""
        parts = list(parts)
        self._calls = [_compiled(part) for part in parts if not part.by_import] + _words_part(words)
        self._imports = [_compiled(part) for part in parts if part.by_import] + _words_part(helper_words)

    def matches(self, raw: bytes) -> bool:
        return self.reason(raw) is not None

    def reason(self, raw: bytes) -> Optional[str]:
        """None when the file cannot hold a finding; "call" when a call shape
        or the name of a project function that hands out a resource let it
        through; "import" when only an import of a catalogue module or the name
        of a helper did (it holds a finding only if it names an acquisition)."""
        if _any_matches(self._calls, raw):
            return "call"
        if _any_matches(self._imports, raw):
            return "import"
        return None


def _words_part(words: Iterable[str]) -> list:
    names = sorted(set(words))
    if not names:
        return []
    pattern = rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b"
    return [(tuple(n.encode() for n in names), (re.compile(pattern),))]


def _compiled(part: PrefilterPart) -> tuple[tuple[bytes, ...], tuple["re.Pattern[bytes]", ...]]:
    return tuple(a.encode() for a in part.anchors), tuple(re.compile(p.encode(), re.MULTILINE) for p in part.patterns)


def _any_matches(parts: list, raw: bytes) -> bool:
    return any(
        any(anchor in raw for anchor in anchors) and any(pattern.search(raw) for pattern in patterns) for anchors, patterns in parts
    )
