"""The `leaklint` command.

    leaklint [check] [PATH ...] [options]   lint (the default command; see `leaklint.check_run`)
    leaklint rule CODE                      print a rule's page
    leaklint rules                          list the rules
    leaklint server                         the language server (stdio)
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from . import __version__
from .cli_common import EXIT_CLEAN, EXIT_ERROR, color_wanted, rule_table

# Everything else is imported where it is used: `--version` and a fully
# cached run must not pay for LibCST, rich and the rules (see
# docs/performance.md).

FORMAT_CHOICES = ("full", "text", "concise", "json", "sarif", "github")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leaklint",
        description="Find database and network connection leaks in Python code.",
        epilog="Other commands: `leaklint rule CODE` prints a rule's page; `leaklint rules` lists the rules.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .); `-` reads standard input")
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default="full",
        help="full (default; `text` is the same): each finding with its source line; concise: one line each; "
        "json; sarif (SARIF 2.1.0); github (workflow annotations)",
    )
    output.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    output.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead of the findings (JSON with --format json)")
    output.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", action="append", default=[], metavar="CODES", help="rule codes or prefixes to enable (replaces the configured selection)")
    rules.add_argument("--extend-select", action="append", default=[], metavar="CODES", help="rule codes or prefixes to enable in addition")
    rules.add_argument("--ignore", action="append", default=[], metavar="CODES", help="rule codes or prefixes to disable")
    rules.add_argument(
        "--report-unused-suppressions",
        action="store_true",
        help="report `# noqa` / `# leaklint: ignore` comments that suppress nothing (LKL900; the same as --extend-select LKL900)",
    )
    config = parser.add_argument_group("configuration")
    config.add_argument("--config", metavar="PATH", help="the pyproject.toml to read [tool.leaklint] from (default: the nearest one)")
    config.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    config.add_argument("--force-exclude", action="store_true", help="apply the excludes to files named on the command line too (for pre-commit)")
    inputs = parser.add_argument_group("input")
    inputs.add_argument("--stdin-filename", metavar="PATH", help="with `-`: the name of the file on standard input (its configuration applies; reports name it)")
    inputs.add_argument(
        "--project-context",
        action="store_true",
        help="lint the whole project (the configuration's directory, else the current one) so that helpers in other modules are known, "
        "but report only the PATHs (the pre-commit hook leaklint-project)",
    )
    adopting = parser.add_argument_group("adopting leaklint on existing code")
    adopting.add_argument("--baseline", metavar="FILE", help="report only the findings that FILE (written by --write-baseline) does not list")
    adopting.add_argument("--write-baseline", metavar="FILE", help="write the current findings to FILE and exit 0")
    adopting.add_argument(
        "--add-noqa",
        nargs=0,
        action=_AddNoqa,
        default=None,
        help="add `# noqa: CODE` to each current finding's line and exit 0; `--add-noqa=REASON` puts REASON after the codes",
    )
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: apply unsafe fixes too")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    fixing.add_argument(
        "--show-fixes", action="store_true", help="under each finding, the fix `--fix` applies to it, or why it has none (full and concise formats)"
    )
    run = parser.add_argument_group("run")
    run.add_argument("--exit-zero", action="store_true", help="exit 0 even when leaks are found")
    run.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    run.add_argument("--cache-dir", metavar="DIR", help="where to keep the cache")
    run.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="worker processes")
    parser.add_argument("--version", action="version", version=f"leaklint {__version__}")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments[:1] == ["rule"]:
            return rule_command(arguments[1:])
        if arguments[:1] == ["rules"]:
            return rules_command(arguments[1:])
        if arguments[:1] == ["server"]:
            from .lsp import main as server

            return server(arguments[1:])
        if arguments[:1] == ["check"]:
            arguments = arguments[1:]
        return check(parse_check_arguments(arguments))
    except BrokenPipeError:  # `leaklint ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR


def run() -> None:
    sys.exit(main())


class _AddNoqa(argparse.Action):
    """`--add-noqa` takes no value; `--add-noqa=REASON` one (see `parse_check_arguments`)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, "")


def parse_check_arguments(arguments: Sequence[str]) -> argparse.Namespace:
    """The `check` options. As in ruff, `--add-noqa` takes its reason only
    after `=`, so that `--add-noqa src/` lints `src/`."""
    reason = None
    rest = []
    for number, argument in enumerate(arguments):
        if argument == "--":
            rest.extend(arguments[number:])
            break
        if argument.startswith("--add-noqa="):
            reason = argument.split("=", 1)[1].strip()
            argument = "--add-noqa"
        rest.append(argument)
    args = build_parser().parse_args(rest)
    if reason is not None:
        args.add_noqa = reason
    return args


# -- the lint command ---------------------------------------------------------------


def check(args: argparse.Namespace) -> int:
    from .check_run import CheckRun, conflict
    from .config import ConfigError
    from .reporters import stderr_line
    from .selection import BadSelector

    if args.unsafe_fixes and not (args.fix or args.diff):
        stderr_line("warning: --unsafe-fixes does nothing without --fix or --diff")
    problem = conflict(args)
    if problem:
        stderr_line(problem)
        return EXIT_ERROR
    try:
        command = CheckRun(args)
    except (ConfigError, BadSelector) as error:
        stderr_line(str(error))
        return EXIT_ERROR
    return command.stdin() if command.reads_stdin else command.files()


# -- rule pages -------------------------------------------------------------------------


def rule_command(argv: Sequence[str]) -> int:
    from .output.docs import rule_page
    from .reporters import stderr_line

    parser = argparse.ArgumentParser(prog="leaklint rule", description="Print the page of one rule.")
    parser.add_argument("code", metavar="CODE", help="a rule code, e.g. LKL101, or its name")
    args = parser.parse_args(argv)
    table = rule_table()
    wanted = args.code.strip()
    rule = table.get(wanted.upper()) or next((r for r in table.values() if r.name == wanted.lower()), None)
    if rule is None:
        stderr_line(f"unknown rule {wanted!r}; `leaklint rules` lists them")
        return EXIT_ERROR
    page = rule_page(rule.code, rule.name)
    if page is None:
        stderr_line(f"{rule.code} ({rule.name}) has no documentation page yet")
        return EXIT_ERROR
    if color_wanted(sys.stdout):
        from rich.console import Console
        from rich.markdown import Markdown

        Console(highlight=False).print(Markdown(page))
    else:
        sys.stdout.write(page if page.endswith("\n") else page + "\n")
    return EXIT_CLEAN


def rules_command(argv: Sequence[str]) -> int:
    import json

    from .output.docs import rule_page
    from .output.text import Printer, write_rules

    parser = argparse.ArgumentParser(prog="leaklint rules", description="List the rules: code, name, fix, summary.")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    table = rule_table()
    documented = {code: rule_page(code, rule.name) is not None for code, rule in table.items()}
    if args.format == "json":
        rows = [
            {"code": r.code, "name": r.name, "summary": r.summary, "fix": r.fix_safety, "documented": documented[r.code]}
            for r in table.values()
        ]
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        write_rules(table.values(), Printer(sys.stdout, color_wanted(sys.stdout)), documented)
    return EXIT_CLEAN

