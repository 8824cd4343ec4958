"""One run of `leaklint check`: configuration -> discovery (the whole
project with `--project-context`) -> fixes (with --fix/--diff) -> lint (the
runner: summary passes, workers, cache) -> what is reported of it
(`leaklint.report_filter`) -> a baseline, `--add-noqa` or the report.
Standard input (`leaklint -`) takes the same steps on one text in memory.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Callable, Iterator, Optional, Sequence

from . import __version__
from .cli_common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, color_wanted, rule_table

if TYPE_CHECKING:
    from .config import Config, FileFilter
    from .diagnostics import Diagnostic
    from .discovery import Discovered
    from .engine import Linter
    from .fixer import FixReport
    from .results import RunResult
    from .stdin_input import StdinFile
    from .suppressions import Stale

PROGRESS_THRESHOLD = 100  # files; smaller runs finish before a bar helps


def conflict(args: argparse.Namespace) -> Optional[str]:
    """Why these options cannot go together, if they cannot."""
    from .stdin_input import STDIN, reads_stdin

    if reads_stdin(args.paths, args.stdin_filename):
        if args.paths != [STDIN] and args.paths != ["."]:
            return "`-` (standard input) cannot be combined with other paths"
        not_for_stdin = {
            "--add-noqa": args.add_noqa is not None,
            "--write-baseline": args.write_baseline,
            "--project-context": args.project_context,
        }
        for option, given in not_for_stdin.items():
            if given:
                return f"{option} cannot be used on standard input"
    if args.add_noqa is not None and (args.fix or args.diff or args.write_baseline):
        return "--add-noqa cannot be combined with --fix, --diff or --write-baseline"
    if args.write_baseline and args.diff:
        return "--write-baseline cannot be combined with --diff"
    return None


class CheckRun:
    """One `leaklint check` run: its configuration, then `files()` or `stdin()`."""

    def __init__(self, args: argparse.Namespace) -> None:
        from .cache import DEFAULT_DIR
        from .config import FileFilter
        from .discovery import DEFAULT_EXCLUDES
        from .project import project_root, repository_root
        from .report_filter import ReportFilter
        from .selection import Selection
        from .stdin_input import reads_stdin
        from .suppressions import UNUSED_CODE

        self.args = args
        self.reads_stdin = reads_stdin(args.paths, args.stdin_filename)
        start = os.getcwd()
        if self.reads_stdin and args.stdin_filename:
            start = os.path.dirname(os.path.abspath(args.stdin_filename))  # PATH's configuration applies
        config_path = _config_path(args, start)
        self.root = project_root(config_path, [start] if self.reads_stdin or args.project_context else args.paths)
        self.cache_dir = args.cache_dir or os.path.join(self.root, DEFAULT_DIR)
        self.known = run_rule_table(args, self.cache_dir)
        self.config, self.enabled = _configuration(args, config_path, start, list(self.known))
        self.files_filter = FileFilter.from_config(self.config, DEFAULT_EXCLUDES)
        self.selection = Selection(select=tuple(sorted(self.enabled - {UNUSED_CODE})), ignore=())
        self.filters = ReportFilter(self.files_filter, self.enabled, list(self.known))
        self.reported: Optional[ReportedPaths] = ReportedPaths(args.paths) if args.project_context else None
        self.source_root = repository_root(self.root)

    def allowed(self, path: str, line: int, code: str) -> bool:
        """May `--fix` change this finding? Suppressed and per-file-ignored findings stay."""
        return (self.reported is None or self.reported.has(path)) and self.filters.allowed(path, line, code)

    # -- files -----------------------------------------------------------------------------

    def files(self) -> int:
        from .reporters import escape, stderr_line

        args = self.args
        found = self._discover()
        for path, message in found.errors:
            stderr_line(f"{path}: {message}")
        if found.errors and not found.files:
            return EXIT_ERROR
        files = _selected(found.files, args, self.files_filter)
        out, close = _output(args.output_file)
        try:
            fixed, failed = 0, False
            if args.fix or args.diff:
                outcome = self._fix(files, out)
                failed = bool(outcome.errors)
                if args.diff:
                    if failed:
                        return EXIT_ERROR
                    return EXIT_FINDINGS if outcome.changed_files and not args.exit_zero else EXIT_CLEAN
                fixed = outcome.applied
            run, diagnostics = self._lint(files)
            if args.fix:
                removed = self._fix_unused_suppressions(run)
                if removed:
                    fixed += removed
                    run, diagnostics = self._lint(files)
            for result in run.files:
                if result.skipped:
                    stderr_line(f"{result.path}: skipped: {result.skipped}")
            diagnostics = self._adopted(diagnostics)
            if diagnostics is None:
                return EXIT_ERROR
            if args.write_baseline:
                failed = not self._write_baseline(diagnostics) or failed
            elif args.add_noqa is not None:
                self._add_noqa(diagnostics)
            else:
                self._report(diagnostics, out, fixed=fixed)
        finally:
            close()
        for error in run.internal_errors:
            stderr_line(f"internal error in {error.rule} on {error.path}; please report it with this file:")
            for line in error.detail.rstrip().splitlines():
                sys.stderr.write(f"  {escape(line)}\n")
        if run.internal_errors or found.errors or failed:
            return EXIT_ERROR
        if diagnostics and not args.exit_zero and not (args.write_baseline or args.add_noqa is not None):
            return EXIT_FINDINGS
        return EXIT_CLEAN

    def _discover(self) -> Discovered:
        """The files to lint: the PATHs; with `--project-context`, the whole project too."""
        from .discovery import discover

        paths = list(self.args.paths)
        if self.reported is not None:
            root = os.path.relpath(self.config.root)
            paths.insert(0, self.config.root if root.startswith("..") else root)
        return discover(paths, excludes=self.files_filter.unanchored(), defaults=())

    def _fix(self, files: list[str], out: IO[str]) -> FixReport:
        from .fixer import run_fixes
        from .reporters import stderr_line

        outcome = run_fixes(files, self.linter(), unsafe=self.args.unsafe_fixes, diff_only=self.args.diff, out=out, allowed=self.allowed)
        for _, message in outcome.errors:
            stderr_line(message)
        return outcome

    def _lint(self, files: list[str]) -> tuple[RunResult, list[Diagnostic]]:
        """The run, and the diagnostics to report of it."""
        run = _lint(files, self.linter(), self.args, self.cache_dir)
        diagnostics = self.filters.apply(run.diagnostics, [r.path for r in run.files])
        if self.reported is not None:
            diagnostics = [d for d in diagnostics if self.reported.has(d.path)]
        return run, diagnostics

    def _fix_unused_suppressions(self, run: RunResult) -> int:
        """LKL900's fix in the files; how many suppressions it changed."""
        from . import noqa_edit
        from .reporters import stderr_line

        changed = 0
        for path, stale in self._stale(run).items():
            error = noqa_edit.rewrite(path, lambda text: noqa_edit.remove_stale(text, stale))
            if error:
                stderr_line(error)
            else:
                changed += len(stale)
        return changed

    def _stale(self, run: RunResult) -> dict[str, list[Stale]]:
        """The unused suppressions that `--fix` may remove, by file (none unless LKL900 is on)."""
        from .suppressions import UNUSED_CODE

        if UNUSED_CODE not in self.enabled:
            return {}
        outcomes = self.filters.outcomes(run.diagnostics, [r.path for r in run.files])
        return {
            path: outcome.stale
            for path, outcome in outcomes.items()
            if outcome.stale and (self.reported is None or self.reported.has(path))
        }

    def linter(self) -> Linter:
        from .engine import Linter

        return Linter.for_config(self.config, self.selection)

    # -- adopting leaklint on existing code ---------------------------------------------

    def _adopted(self, diagnostics: list[Diagnostic]) -> Optional[list[Diagnostic]]:
        """Without the findings of `--baseline` (None when it cannot be read)."""
        from .baseline import BaselineError, load
        from .reporters import stderr_line

        if not self.args.baseline or self.args.write_baseline:
            return diagnostics
        try:
            return load(self.args.baseline).new_findings(diagnostics, self.filters.text)
        except BaselineError as error:
            stderr_line(str(error))
            return None

    def _write_baseline(self, diagnostics: list[Diagnostic]) -> bool:
        from .baseline import write
        from .reporters import stderr_line

        try:
            count = write(self.args.write_baseline, diagnostics, self.filters.text)
        except OSError as error:
            stderr_line(f"{self.args.write_baseline}: cannot write the baseline: {error.strerror or error}")
            return False
        stderr_line(f"wrote {count} {'finding' if count == 1 else 'findings'} to {self.args.write_baseline}")
        return True

    def _add_noqa(self, diagnostics: list[Diagnostic]) -> None:
        from . import noqa_edit
        from .reporters import stderr_line

        added = noqa_edit.add_to_files(diagnostics, self.args.add_noqa, stderr_line)
        stderr_line(f"added {added} noqa {'code' if added == 1 else 'codes'}")

    # -- standard input -----------------------------------------------------------------

    def stdin(self) -> int:
        from . import stdin_input
        from .reporters import stderr_line
        from .source import UnreadableSource
        from .writer import unified_diff

        args = self.args
        try:
            original = stdin_input.read_stdin(args.stdin_filename)
        except UnreadableSource as error:
            stderr_line(f"{args.stdin_filename or stdin_input.STDIN}: {error}")
            return EXIT_ERROR
        file, fixed = original, 0
        self.filters.texts[file.path] = file.source.text
        excluded = args.force_exclude and self.files_filter.excluded(file.path, explicit=True)
        if (args.fix or args.diff) and not excluded:
            file, fixed = self._fixed_stdin(file)
        if args.diff:
            changed = file.source.text != original.source.text
            sys.stdout.write(unified_diff(file.path, original.source.text, file.source.text) if changed else "")
            return EXIT_FINDINGS if changed and not args.exit_zero else EXIT_CLEAN
        if args.fix:
            sys.stdout.write(file.source.text)
            sys.stdout.flush()
        diagnostics: Optional[list[Diagnostic]] = []
        if not excluded:
            run = stdin_input.lint(file, self.linter())
            diagnostics = self._adopted(self.filters.apply(run.diagnostics, [file.path]))
            if diagnostics is None:
                return EXIT_ERROR
        # with --fix the fixed source is the output: the report goes to stderr
        out, close = _output(args.output_file) if args.output_file or not args.fix else (sys.stderr, lambda: None)
        try:
            self._report(diagnostics, out, fixed=fixed, texts={file.path: file.source.text})
        finally:
            close()
        return EXIT_FINDINGS if diagnostics and not args.exit_zero else EXIT_CLEAN

    def _fixed_stdin(self, file: StdinFile) -> tuple[StdinFile, int]:
        """The file with its fixes applied, LKL900's too; how many were applied."""
        from . import noqa_edit, stdin_input

        file, fixed = stdin_input.fixed(file, self.linter(), unsafe=self.args.unsafe_fixes, allowed=self.allowed)
        self.filters.texts[file.path] = file.source.text
        stale = self._stale(stdin_input.lint(file, self.linter())).get(file.path, [])
        if stale:
            file = file.with_text(noqa_edit.remove_stale(file.source.text, stale))
            self.filters.texts[file.path] = file.source.text
        return file, fixed + len(stale)

    # -- the report ---------------------------------------------------------------------

    def _report(self, diagnostics: list[Diagnostic], out: IO[str], *, fixed: int, texts: Optional[dict] = None) -> None:
        from .output import SourceLines
        from .reporters import ReportOptions, report

        options = ReportOptions(
            format=self.args.format,
            color=out is sys.stdout and color_wanted(out),
            quiet=self.args.quiet,
            statistics=self.args.statistics,
            fixed=fixed,
            show_fixes=self.args.show_fixes,
            source_root=self.source_root,
        )
        report(diagnostics, out, options, rules=self.known, version=__version__, sources=SourceLines(texts))
        out.flush()


class ReportedPaths:
    """`--project-context`: the PATHs whose findings are reported (files, or everything under a directory)."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.files = {os.path.abspath(p) for p in paths if not os.path.isdir(p)}
        self.directories = tuple(os.path.join(os.path.abspath(p), "") for p in paths if os.path.isdir(p))

    def has(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        return absolute in self.files or absolute.startswith(self.directories)


def _config_path(args: argparse.Namespace, start: str) -> Optional[str]:
    """The configuration file of this run: `--config`, else the nearest one (none with `--isolated`)."""
    from .config import ConfigError, find_config

    if args.isolated and args.config:
        raise ConfigError("--isolated and --config cannot be used together")
    if args.config:
        if not os.path.isfile(args.config):
            raise ConfigError(f"{args.config}: no such configuration file")
        return args.config
    return None if args.isolated else find_config(start)


def _configuration(args: argparse.Namespace, config_path: Optional[str], start: str, known: list[str]) -> tuple[Config, frozenset[str]]:
    """The configuration file and the rules on: the file's selection, then the command line's."""
    from .config import Config, Layer, enabled_codes, load_config
    from .selection import parse_selectors
    from .suppressions import UNUSED_CODE

    config = Config(root=os.path.abspath(start)) if config_path is None else load_config(config_path, known_codes=known)
    extend_select = parse_selectors(args.extend_select, known=known)
    if args.report_unused_suppressions:
        extend_select += (UNUSED_CODE,)
    command_line = Layer(
        select=parse_selectors(args.select, known=known) if args.select else None,
        extend_select=extend_select,
        ignore=parse_selectors(args.ignore, known=known),
    )
    configured = Layer(select=config.select, extend_select=config.extend_select, ignore=config.ignore)
    return config, enabled_codes([configured, command_line], known, explicit=(UNUSED_CODE,))


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


def _lint(files: list[str], linter: "Linter", args: argparse.Namespace, cache_dir: str) -> RunResult:
    """The runner's result. Large runs on a terminal show a progress bar on stderr."""
    from .runner import lint_paths

    bar = _Bar(len(files)) if _wants_progress(len(files), args) else None
    try:
        return lint_paths(
            files,
            linter,
            jobs=args.jobs,
            cache_dir=cache_dir,
            use_cache=not args.no_cache,
            progress=bar.advance if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.stop()


def _output(path: Optional[str]) -> tuple[IO[str], Callable[[], None]]:
    if not path:
        return sys.stdout, lambda: None
    handle = open(path, "w", encoding="utf-8")
    return handle, handle.close


# -- the rule codes --------------------------------------------------------------------


def run_rule_table(args: argparse.Namespace, cache_dir: str) -> Mapping:
    """`rule_table()`, or on a cached run its codes from the cache: the rules
    import LibCST, which a fully cached run does not need otherwise."""
    if not args.no_cache:
        from .cache import cached_rule_codes

        codes = cached_rule_codes(cache_dir)
        if codes:
            from . import suppressions

            return LazyRuleTable(codes + (suppressions.UNUSED_CODE,))
    return rule_table()


class LazyRuleTable(Mapping):
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
