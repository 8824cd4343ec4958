"""Turning diagnostics into output. The only place that prints findings; the
formats themselves live in `leaklint.output`."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import IO, Mapping, Optional, Sequence

from .diagnostics import Diagnostic
from .output import SourceLines
from .output.github import write_github
from .output.sarif import write_sarif
from .output.statistics import write_statistics_json
from .output.text import Printer, escape, write_concise, write_full, write_statistics, write_summary
from .ruleinfo import RuleInfo

FORMATS = ("full", "concise", "json", "sarif", "github")
ALIASES = {"text": "full"}  # the first name of the full format


@dataclass
class ReportOptions:
    format: str = "full"
    color: bool = False
    quiet: bool = False  # findings only: no summary
    statistics: bool = False  # counts per rule instead of the findings
    fixed: int = 0  # how many findings `--fix` removed, for the summary
    show_fixes: bool = False  # under each finding, the fix `--fix` applies or why there is none
    source_root: Optional[str] = None  # SARIF locations are relative to it (default: the current directory)


def report(
    diagnostics: Sequence[Diagnostic],
    out: IO[str],
    options: ReportOptions,
    *,
    rules: Mapping[str, RuleInfo] = {},
    version: str = "",
    sources: Optional[SourceLines] = None,
) -> None:
    fmt = ALIASES.get(options.format, options.format)
    if options.statistics and fmt == "json":
        write_statistics_json(diagnostics, out)
        return
    if fmt == "json":
        report_json(diagnostics, out)
        return
    if fmt == "sarif":
        write_sarif(diagnostics, out, rules, version, root=options.source_root)
        return
    if fmt == "github":
        write_github(diagnostics, out)
        return
    printer = Printer(out, options.color)
    if options.statistics:
        write_statistics(diagnostics, printer)
    elif fmt == "concise":
        write_concise(diagnostics, printer, show_fixes=options.show_fixes)
    else:
        write_full(diagnostics, printer, sources or SourceLines(), show_fixes=options.show_fixes)
    if not options.quiet and not options.statistics:
        write_summary(diagnostics, printer, fixed=options.fixed)


def report_json(diagnostics: Sequence[Diagnostic], out: IO[str]) -> None:
    json.dump([d.as_json() for d in diagnostics], out, indent=2, ensure_ascii=False)
    out.write("\n")


def report_text(diagnostics: Sequence[Diagnostic], out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
    """One line per finding and the summary (the concise format)."""
    report(diagnostics, out, ReportOptions(format="concise", color=color, quiet=quiet))


def stderr_line(message: str) -> None:
    sys.stderr.write(f"leaklint: {escape(message)}\n")


__all__ = ["FORMATS", "ReportOptions", "escape", "report", "report_json", "report_text", "stderr_line"]
