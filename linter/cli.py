"""The `leaklint` command."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leaklint",
        description="Find database and network connection leaks in Python code.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--select", action="append", default=[], metavar="CODES", help="rule codes or prefixes to enable")
    parser.add_argument("--ignore", action="append", default=[], metavar="CODES", help="rule codes or prefixes to disable")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when leaks are found")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--cache-dir", metavar="DIR", help="where to keep the cache")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="worker processes")
    parser.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    parser.add_argument("--version", action="version", version=f"leaklint {__version__}")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .discovery import discover
    from .engine import Linter
    from .reporters import report_json, report_text, stderr_line
    from .selection import BadSelector, Selection, parse_selectors
    from leaklint.rules import all_rules

    try:
        known = all_rules().keys()
        selection = Selection(
            select=parse_selectors(args.select, known=known) or ("LKL",),
            ignore=parse_selectors(args.ignore, known=known),
        )
    except BadSelector as error:
        stderr_line(str(error))
        return EXIT_ERROR
    found = discover(args.paths)
    for path, message in found.errors:
        stderr_line(f"{path}: {message}")
    if found.errors and not found.files:
        return EXIT_ERROR
    linter = Linter(selection=selection)
    run = linter.lint_files(found.files)
    for result in run.files:
        if result.skipped:
            stderr_line(f"{result.path}: skipped: {result.skipped}")
    diagnostics = run.diagnostics
    if args.format == "json":
        report_json(diagnostics, sys.stdout)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        report_text(diagnostics, sys.stdout, color=color, quiet=args.quiet)
    for error in run.internal_errors:
        stderr_line(f"internal error in {error.rule} on {error.path}; please report it with this file:\n{error.detail}")
    if run.internal_errors or found.errors:
        return EXIT_ERROR
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def run() -> None:
    sys.exit(main())
