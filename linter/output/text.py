"""Text for people: the full format (header, source snippet with a marker
under the reported code, a note at the acquire line, a help line), the
concise format (one line each), statistics, and the summary.

Each printed line is built from (text, style) segments: on a terminal they
become rich `Text` (colours), elsewhere plain text. Source lines, paths and
messages are escaped: control characters are shown, never obeyed.
"""
from __future__ import annotations

from collections import Counter
from typing import IO, Iterable, Mapping, Optional, Sequence

from ..diagnostics import Diagnostic
from ..ruleinfo import RuleInfo
from . import MARKS, SourceLines, fix_note, fix_safety
from .statistics import RuleCount, rule_counts

Segment = tuple[str, str]  # (text, rich style)
TAB = 4
LEAK_FAMILIES = ("LKL1", "LKL2", "LKL3")

PATH = "bold"
CODE = "bold red"
FIXABLE = "cyan"
GUTTER = "bold blue"
MARKER = "bold red"
NOTE = "bold blue"
HELP = "bold cyan"


def escape(text: str) -> str:
    """Control characters from source or file names are shown, not obeyed."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


class Printer:
    def __init__(self, out: IO[str], color: bool) -> None:
        self.out = out
        self.console = None
        if color:
            from rich.console import Console

            self.console = Console(file=out, force_terminal=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

    def line(self, *segments: Segment) -> None:
        if self.console is not None:
            from rich.text import Text

            self.console.print(Text.assemble(*segments))
        else:
            self.out.write("".join(text for text, _ in segments) + "\n")


def _header(d: Diagnostic) -> list[Segment]:
    segments: list[Segment] = [(escape(d.path), PATH), (f":{d.line}:{d.column}: ", ""), (d.code, CODE), (" ", "")]
    mark = MARKS.get(fix_safety(d) or "")
    if mark:
        segments.append((f"{mark} ", FIXABLE))
    segments.append((escape(d.message), ""))
    return segments


def _fix_line(d: Diagnostic, gutter: str, show_fixes: bool) -> Optional[list[Segment]]:
    note = fix_note(d, show_fixes=show_fixes)
    if note is None:
        return None
    label, text = note
    return [(f"{gutter} = ", GUTTER), (label, HELP), (f": {escape(text)}", "")]


def _display(text: str) -> str:
    return escape(text.expandtabs(TAB))


def _marker(source: str, start: int, end: Optional[int]) -> tuple[int, int]:
    """(offset, width) in terminal cells of characters [start, end) of `source` (0-based)."""
    from rich.cells import cell_len  # here: plain output without a finding does not need rich

    start = max(0, min(start, len(source)))
    last = max(len(source.rstrip()), start + 1)
    end = max(start + 1, min(last if end is None else end, last))
    offset = cell_len(_display(source[:start]))
    width = cell_len(_display(source[:end])) - offset
    return offset, max(width, 1)


def _code_extent(source: str) -> tuple[int, int]:
    """The statement on a line without its indentation and trailing comment."""
    start = len(source) - len(source.lstrip())
    comment = source.find("  #", start)
    end = comment if comment > start else len(source.rstrip())
    return start, max(end, start + 1)


def _snippet(d: Diagnostic, sources: SourceLines) -> list[list[Segment]]:
    main = sources.line(d.path, d.line)
    if main is None:
        return []
    rows: list[tuple[int, str, str, tuple[int, int]]] = []  # line, text, label, (offset, width)
    end = d.end_column - 1 if d.end_line == d.line and d.end_column > d.column else None
    rows.append((d.line, main, d.code, _marker(main, d.column - 1, end)))
    if d.note_line:
        note = sources.line(d.path, d.note_line)
        if note is not None and note.strip():
            start, stop = _code_extent(note)
            rows.append((d.note_line, note, "acquired here", _marker(note, start, stop)))
    rows.sort(key=lambda row: row[0])
    width = len(str(max(row[0] for row in rows)))
    blank = " " * width
    out: list[list[Segment]] = [[(f"{blank} |", GUTTER)]]
    previous = None
    for number, text, label, (offset, size) in rows:
        if previous is not None and number - previous > 1:
            out.append([("...", GUTTER)])
        previous = number
        is_main = number == d.line and label == d.code
        style = MARKER if is_main else NOTE
        out.append([(f"{number:>{width}} | ", GUTTER), (_display(text).rstrip(), "")])
        out.append([(f"{blank} | ", GUTTER), (" " * offset, ""), (("^" if is_main else "-") * size + f" {label}", style)])
    out.append([(f"{blank} |", GUTTER)])
    return out


def write_full(diagnostics: Sequence[Diagnostic], printer: Printer, sources: SourceLines, *, show_fixes: bool = False) -> None:
    for d in diagnostics:
        printer.line(*_header(d))
        rows = _snippet(d, sources)
        for row in rows:
            printer.line(*row)
        line = _fix_line(d, " " * (len(rows[0][0][0]) - 2) if rows else "", show_fixes)
        if line is not None:
            printer.line(*line)
        printer.line()


def write_concise(diagnostics: Sequence[Diagnostic], printer: Printer, *, show_fixes: bool = False) -> None:
    for d in diagnostics:
        printer.line(*_header(d))
        line = _fix_line(d, " ", show_fixes) if show_fixes else None
        if line is not None:
            printer.line(*line)


def write_statistics(diagnostics: Sequence[Diagnostic], printer: Printer) -> None:
    """One row per code: count, code, the best fix its findings have ([*] safe,
    [-] unsafe, [ ] none), name, and how many have which when they differ."""
    rows = rule_counts(diagnostics)
    if not rows:
        return
    width = len(str(max(row.count for row in rows)))
    for row in rows:
        mark = MARKS.get(row.fix or "", "[ ]")
        mixed = "" if row.count in (row.safe, row.unsafe, row.without_fix) else f" ({', '.join(_fix_counts(row))})"
        printer.line((f"{row.count:>{width}}  ", ""), (row.code, CODE), ("  ", ""), (mark, FIXABLE), (f" {row.name}{mixed}", ""))


def _fix_counts(row: RuleCount) -> list[str]:
    parts = [f"{count} {MARKS[safety]}" for safety, count in (("safe", row.safe), ("unsafe", row.unsafe)) if count]
    if row.without_fix:
        parts.append(f"{row.without_fix} without a fix")
    return parts


def summary_lines(diagnostics: Sequence[Diagnostic], *, fixed: int = 0) -> list[str]:
    """"Found 5 leaks (2 LKL102, ...)." and how many a fix would remove."""
    lines = []
    if fixed:
        lines.append(f"Fixed {fixed} {_plural(fixed, 'leak')}.")
    count = len(diagnostics)
    if not count:
        lines.append("No leaks found." if not fixed else "No leaks remain.")
        return lines
    noun = "leak" if all(d.code.startswith(LEAK_FAMILIES) for d in diagnostics) else "problem"
    counts = Counter(d.code for d in diagnostics)
    per_rule = ", ".join(f"{n} {code}" for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    remaining = " remaining" if fixed else ""
    lines.append(f"Found {count} {_plural(count, noun)}{remaining} ({per_rule}).")
    safe = sum(1 for d in diagnostics if fix_safety(d) == "safe")
    unsafe = sum(1 for d in diagnostics if fix_safety(d) == "unsafe")
    if safe or unsafe:  # the unsafe ones are ruff's "hidden fixes": `--fix` alone leaves them
        parts = []
        if safe:
            parts.append(f"{MARKS['safe']} {safe} fixable with `leaklint --fix`")
        if unsafe:
            parts.append(f"{MARKS['unsafe']} {unsafe} {'more' if safe else 'fixable'} with `leaklint --fix --unsafe-fixes`")
        lines.append("; ".join(parts) + ".")
    return lines


def write_summary(diagnostics: Sequence[Diagnostic], printer: Printer, *, fixed: int = 0) -> None:
    for line in summary_lines(diagnostics, fixed=fixed):
        printer.line((line, "bold" if line.startswith("Found") else ""))


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def write_rules(rules: Iterable[RuleInfo], printer: Printer, documented: Mapping[str, bool]) -> None:
    """The `leaklint rules` table."""
    rules = list(rules)
    name_width = max((len(r.name) for r in rules), default=4)
    printer.line((f"{'code':<8}{'name':<{name_width + 2}}{'fix':<8}summary", "bold"))
    for rule in rules:
        fix = rule.fix_safety or "-"
        doc = "" if documented.get(rule.code) else " (no page yet)"
        printer.line((f"{rule.code:<8}", CODE), (f"{rule.name:<{name_width + 2}}", ""), (f"{fix:<8}", FIXABLE), (rule.summary + doc, ""))
