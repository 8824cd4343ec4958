"""The `leaklint` command.

    leaklint [check] [PATH ...] [options]   lint (the default command)
    leaklint rule CODE                      print a rule's page
    leaklint rules                          list the rules

The run: configuration -> discovery -> fixes (with --fix/--diff) -> lint
(the runner: summary passes, workers, cache) -> per-file-ignores and inline
suppressions -> report.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Callable, Iterator, Optional, Sequence

from . import __version__

# Everything else is imported where it is used: `--version` and a fully
# cached run must not pay for LibCST, rich and the rules (see
# docs/performance.md).
if TYPE_CHECKING:
    from .config import Config, FileFilter
    from .diagnostics import Diagnostic
    from .results import RunResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROGRESS_THRESHOLD = 100  # files; smaller runs finish before a bar helps
FORMAT_CHOICES = ("full", "text", "concise", "json", "sarif", "github")
UNUSED_SUMMARY = "A suppression comment suppresses nothing (reported with --report-unused-suppressions)."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leaklint",
        description="Find database and network connection leaks in Python code.",
        epilog="Other commands: `leaklint rule CODE` prints a rule's page; `leaklint rules` lists the rules.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default="full",
        help="full (default; `text` is the same): each finding with its source line; concise: one line each; "
        "json; sarif (SARIF 2.1.0); github (workflow annotations)",
    )
    output.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    output.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead of the findings")
    output.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", action="append", default=[], metavar="CODES", help="rule codes or prefixes to enable (replaces the configured selection)")
    rules.add_argument("--extend-select", action="append", default=[], metavar="CODES", help="rule codes or prefixes to enable in addition")
    rules.add_argument("--ignore", action="append", default=[], metavar="CODES", help="rule codes or prefixes to disable")
    rules.add_argument(
        "--report-unused-suppressions",
        action="store_true",
        help="report `# noqa` / `# leaklint: ignore` comments that suppress nothing (LKL900)",
    )
    config = parser.add_argument_group("configuration")
    config.add_argument("--config", metavar="PATH", help="the pyproject.toml to read [tool.leaklint] from (default: the nearest one)")
    config.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    config.add_argument("--force-exclude", action="store_true", help="apply the excludes to files named on the command line too (for pre-commit)")
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
        if arguments[:1] == ["check"]:
            arguments = arguments[1:]
        return check(build_parser().parse_args(arguments))
    except BrokenPipeError:  # `leaklint ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR


def run() -> None:
    sys.exit(main())


# -- the lint command ---------------------------------------------------------------


def check(args: argparse.Namespace) -> int:
    from . import suppressions
    from .catalogue import default_catalogue
    from .config import ConfigError, FileFilter
    from .discovery import DEFAULT_EXCLUDES, discover
    from .reporters import ReportOptions, escape, report, stderr_line
    from .selection import BadSelector, Selection

    known = _rule_table(args)
    try:
        config, enabled = _configuration(args, [code for code in known if code != suppressions.UNUSED_CODE])
    except (ConfigError, BadSelector) as error:
        stderr_line(str(error))
        return EXIT_ERROR
    files_filter = FileFilter.from_config(config, DEFAULT_EXCLUDES)
    found = discover(args.paths, excludes=files_filter.unanchored(), defaults=())
    for path, message in found.errors:
        stderr_line(f"{path}: {message}")
    if found.errors and not found.files:
        return EXIT_ERROR
    files = _selected(found.files, args, files_filter)

    catalogue = default_catalogue()
    if config.resources:
        catalogue = catalogue.with_additions(config.libraries())
    selection = Selection(select=tuple(sorted(enabled)), ignore=())
    settings = dict(catalogue=catalogue, selection=selection, summaries=config.summaries())
    filters = _Filters(files_filter, enabled, known)

    out, close = _output(args.output_file)
    try:
        fixed, fix_failed = 0, False
        if args.fix or args.diff:
            from .engine import Linter
            from .fixer import run_fixes

            outcome = run_fixes(
                files,
                Linter(**settings),
                unsafe=args.unsafe_fixes,
                diff_only=args.diff,
                out=out,
                allowed=filters.allowed,  # suppressed and per-file-ignored findings stay
            )
            for _, message in outcome.errors:
                stderr_line(message)
            fix_failed = bool(outcome.errors)
            if args.diff:
                if fix_failed:
                    return EXIT_ERROR
                return EXIT_FINDINGS if outcome.changed_files and not args.exit_zero else EXIT_CLEAN
            fixed = outcome.applied
        run = _lint(files, settings, args)
        for result in run.files:
            if result.skipped:
                stderr_line(f"{result.path}: skipped: {result.skipped}")
        diagnostics = filters.apply(run.diagnostics, [r.path for r in run.files], args.report_unused_suppressions)
        options = ReportOptions(
            format=args.format,
            color=out is sys.stdout and _color(out),
            quiet=args.quiet,
            statistics=args.statistics,
            fixed=fixed,
            show_fixes=args.show_fixes,
        )
        report(diagnostics, out, options, rules=known, version=__version__)
        out.flush()
    finally:
        close()
    for error in run.internal_errors:
        stderr_line(f"internal error in {error.rule} on {error.path}; please report it with this file:")
        for line in error.detail.rstrip().splitlines():
            sys.stderr.write(f"  {escape(line)}\n")
    if run.internal_errors or found.errors or fix_failed:
        return EXIT_ERROR
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _configuration(args: argparse.Namespace, lintable: list[str]) -> tuple[Config, frozenset[str]]:
    """The configuration file and the rules on: the file's selection, then the command line's."""
    from .config import Config, ConfigError, Layer, enabled_codes, load_config
    from .selection import parse_selectors

    if args.isolated and args.config:
        raise ConfigError("--isolated and --config cannot be used together")
    config = Config(root=os.getcwd()) if args.isolated else load_config(args.config, start=os.getcwd(), known_codes=lintable)
    command_line = Layer(
        select=parse_selectors(args.select, known=lintable) if args.select else None,
        extend_select=parse_selectors(args.extend_select, known=lintable),
        ignore=parse_selectors(args.ignore, known=lintable),
    )
    configured = Layer(select=config.select, extend_select=config.extend_select, ignore=config.ignore)
    return config, enabled_codes([configured, command_line], lintable)


def _selected(files: list[str], args: argparse.Namespace, files_filter: FileFilter) -> list[str]:
    """Walked files that no anchored exclude matches; files named on the
    command line always, unless `--force-exclude` and an exclude matches."""
    explicit = {os.path.normpath(p) for p in args.paths if not os.path.isdir(p)}
    out = []
    for path in files:
        if os.path.normpath(path) in explicit:
            if args.force_exclude and files_filter.excluded(path, explicit=True):
                continue
        elif files_filter.excluded(path):
            continue
        out.append(path)
    return out


def _lint(files: list[str], settings: dict, args: argparse.Namespace) -> RunResult:
    """The runner's result. Large runs on a terminal show a progress bar on stderr."""
    from .engine import Linter
    from .runner import lint_paths

    bar = _Bar(len(files)) if _wants_progress(len(files), args) else None
    try:
        return lint_paths(
            files,
            Linter(**settings),
            jobs=args.jobs,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
            progress=bar.advance if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.stop()


class _Filters:
    """Per-file-ignores and inline suppressions, applied after linting."""

    def __init__(self, files_filter: FileFilter, enabled: frozenset[str], known: Sequence[str]) -> None:
        self.files_filter = files_filter
        self.enabled = enabled
        self.known = known

    def _on(self, path: str) -> Callable[[str], bool]:
        def on(selector: str) -> bool:
            return any(code.startswith(selector) and self.files_filter.enabled(code, path, self.enabled) for code in self.known)

        return on

    def allowed(self, path: str, line: int, code: str) -> bool:
        """For the fixer: the finding is enabled for the file and not suppressed."""
        from . import suppressions
        from .source import UnreadableSource, read

        if not self.files_filter.enabled(code, path, self.enabled):
            return False
        try:
            text = read(path).text
        except UnreadableSource:
            return True
        return not suppressions.parse(text).suppresses(line, code)

    def apply(self, diagnostics: Sequence[Diagnostic], paths: Sequence[str], report_unused: bool) -> list[Diagnostic]:
        from . import suppressions
        from .source import UnreadableSource, read

        by_path: dict[str, list] = {}
        for d in diagnostics:
            by_path.setdefault(d.path, []).append(d)
        out = []
        for path in dict.fromkeys(list(paths) + list(by_path)):
            found = [d for d in by_path.get(path, []) if self.files_filter.enabled(d.code, path, self.enabled)]
            if not found and not report_unused:
                continue
            try:
                source = read(path)
            except UnreadableSource:
                out.extend(found)
                continue
            if not suppressions.might_have_directives(source.raw):
                out.extend(found)  # no directive word at all: nothing to tokenize
                continue
            parsed = suppressions.parse(source.text)
            used: set = set()
            out.extend(suppressions.apply(found, parsed, used))
            if report_unused and parsed:
                out.extend(suppressions.unused(path, parsed, used, self._on(path)))
        return sorted(out)


def _output(path: Optional[str]) -> tuple[IO[str], Callable[[], None]]:
    if not path:
        return sys.stdout, lambda: None
    handle = open(path, "w", encoding="utf-8")
    return handle, handle.close


def _color(out: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return out.isatty() and os.environ.get("TERM") != "dumb"


# -- progress -------------------------------------------------------------------------


class _Bar:
    """A transient progress bar on stderr."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("linting"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True
        )
        self.task = self.progress.add_task("lint", total=total)
        self.progress.start()

    def advance(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        self.progress.stop()


def _wants_progress(total: int, args: argparse.Namespace) -> bool:
    return total >= PROGRESS_THRESHOLD and not args.quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


# -- rule pages -------------------------------------------------------------------------


def rule_table() -> dict:
    """Every rule, with LKL900 (reported by the command line, not by a rule family)."""
    from leaklint.rules import all_rules

    from . import suppressions
    from .ruleinfo import RuleInfo

    table = dict(all_rules())
    table[suppressions.UNUSED_CODE] = RuleInfo(suppressions.UNUSED_CODE, suppressions.UNUSED_NAME, UNUSED_SUMMARY)
    return table


def _rule_table(args: argparse.Namespace) -> Mapping:
    """`rule_table()`, or on a cached run its codes from the cache: the rules
    import LibCST, which a fully cached run does not need otherwise."""
    if not args.no_cache:
        from .cache import cached_rule_codes

        codes = cached_rule_codes(args.cache_dir)
        if codes:
            from . import suppressions

            return _LazyRuleTable(codes + (suppressions.UNUSED_CODE,))
    return rule_table()


class _LazyRuleTable(Mapping):
    """The rule table with its codes known; the rules themselves load the
    first time one is looked up (the SARIF report lists them)."""

    def __init__(self, codes: Sequence[str]) -> None:
        self._codes = tuple(codes)
        self._table: Optional[dict] = None

    def __getitem__(self, code: str):
        if code not in self._codes:
            raise KeyError(code)
        if self._table is None:
            self._table = rule_table()
        return self._table[code]

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


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
    if _color(sys.stdout):
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
        write_rules(table.values(), Printer(sys.stdout, _color(sys.stdout)), documented)
    return EXIT_CLEAN

