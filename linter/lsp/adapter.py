"""Every call the language server makes into leaklint: configuration, the
engine, the runner, the fixer, inline suppressions and the rule table.

The rest of the server package sees only the types defined here, so a
change in those APIs is an edit to this module alone. The server treats a
`Summary` as an opaque, hashable fact that a module exports to its callers.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Callable, Iterable, Optional

from leaklint import __version__, suppressions
from leaklint.cache import DEFAULT_DIR
from leaklint.config import (
    Config,
    ConfigError,
    FileFilter,
    Layer,
    enabled_codes,
    find_config,
    load_config,
)
from leaklint.discovery import DEFAULT_EXCLUDES, discover
from leaklint.engine import Linter
from leaklint.fixer import fix_text
from leaklint.report_filter import ReportFilter
from leaklint.runner import lint_paths
from leaklint.selection import Selection
from leaklint.source import Source
from leaklint.summaries import FunctionSummary as Summary
from leaklint.summaries import Summaries, module_name_for

VERSION = __version__
PARSE_ERROR = "LKL000"
SCAN_WORKERS_FROM = 64  # files; below this, starting worker processes costs more than the scan
SCAN_CACHE = "server"  # beside the command line's cache: it keys files by the path as given, the server by absolute path


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    fix: Optional[str]  # "safe", "unsafe" or None: what the rule's fixes usually are
    page: Optional[str]  # the rule's documentation page as a file path, if it has one


@dataclass(frozen=True)
class Finding:
    """One diagnostic; lines and columns are 1-based, in code points, the end exclusive."""

    code: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    acquired_line: Optional[int]  # where the resource was acquired, when that is another line


@dataclass(frozen=True)
class LintOutcome:
    findings: tuple[Finding, ...]
    exported: frozenset[Summary]  # what this module offers its callers
    used: frozenset[Summary]  # the other modules' summaries it was linted with
    problems: tuple[str, ...]  # internal errors, or why the text was not linted


@dataclass(frozen=True)
class AppliedFix:
    code: str
    line: int
    description: str
    safe: bool


@dataclass(frozen=True)
class FixOutcome:
    text: str
    applied: tuple[AppliedFix, ...]
    reasons: tuple[str, ...]  # why findings that were asked for were not fixed


class SummaryPool:
    """The summaries in force in a project, indexed once for every lint."""

    def __init__(self, entries: Iterable[Summary] = ()) -> None:
        self.entries = frozenset(entries)
        self._summaries = _summaries(self.entries)

    def usable(self, text: str, path: str) -> frozenset[Summary]:
        """The other modules' summaries a buffer could use (what the command
        line's later passes lint a file with)."""
        module = module_name_for(path)
        usable = self._summaries.usable_by(_raw(text), module).items().values()
        return frozenset(s for s in usable if s.qualname.rpartition(".")[0] != module)


def _summaries(entries: frozenset[Summary]) -> Summaries:
    # sorted: of two summaries with one name the engine keeps the last, so the order must not depend on hashing
    return Summaries(sorted(entries, key=repr))


class Project:
    """One `[tool.leaklint]` configuration (or none) and the files it covers."""

    def __init__(self, config_path: Optional[str], root: Optional[str], problem: Optional[str] = None) -> None:
        """`config_path`: the configuration, if any; `root`: the folder to scan
        when there is none; `problem`: why the configuration could not be found."""
        known = tuple(rules())
        self.known = known
        self.error = problem
        self.root = os.path.dirname(config_path) if config_path else root  # None: lint open files only, scan nothing
        config = Config(root=self.root or os.getcwd())
        if config_path is not None and problem is None:
            try:
                config = load_config(config_path, known_codes=known)
            except ConfigError as error:  # reported once; the defaults apply meanwhile
                self.error = str(error)
        self.files_filter = FileFilter.from_config(config, DEFAULT_EXCLUDES)
        layer = Layer(select=config.select, extend_select=config.extend_select, ignore=config.ignore)
        self.enabled = enabled_codes([layer], known)
        selection = Selection(select=tuple(sorted(self.enabled)), ignore=())
        # quick fixes come from the fixer when the editor asks for them: labelling
        # every finding's fix on each keystroke would cost more than the lint
        self.linter = Linter.for_config(config, selection, label_fixes=False)

    def excludes(self, path: str) -> bool:
        """As `leaklint --force-exclude PATH` would: the configured and default excludes."""
        return self.files_filter.excluded(path, explicit=True)

    def lint(self, text: str, path: str, pool: SummaryPool) -> LintOutcome:
        """The findings the command line reports for this text: per-file-ignores
        and inline suppressions applied."""
        used = pool.usable(text, path)
        result = self.linter.lint_source(_source(text), path, Summaries(used), module_name_for(path))
        on = self._report_filter(path, text).apply(result.diagnostics, [path])
        problems = tuple(f"internal error in {e.rule}:\n{e.detail}" for e in result.errors)
        if result.skipped:
            problems += (f"not linted: {result.skipped}",)
        findings = tuple(Finding(d.code, d.message, d.line, d.column, d.end_line or d.line, d.end_column or d.column, d.note_line) for d in on)
        return LintOutcome(findings, frozenset(result.summaries), used, problems)

    def fix(self, text: str, path: str, summaries: frozenset[Summary], *, only: Optional[tuple[int, str]], unsafe: bool) -> FixOutcome:
        """`leaklint --fix` on the text: of one finding (`only`: its line and
        code) or of every reported one. `summaries`: every module's, as `--fix`
        is given them."""
        if only is not None:
            allowed: Callable[[str, int, str], bool] = lambda _path, line, code: (line, code) == only
        else:
            allowed = self._report_filter(path, text).allowed
        outcome = fix_text(
            _source(text),
            path,
            self.linter,
            unsafe=unsafe,
            summaries=_summaries(summaries),
            module_name=module_name_for(path),
            allowed=allowed,
        )
        applied = tuple(AppliedFix(a.code, a.line, a.description, a.safe) for a in outcome.applied)
        reasons = tuple(d.reason for d in outcome.dropped if only is None or (d.line, d.code) == only)
        return FixOutcome(outcome.text, applied, reasons)

    def files(self) -> list[str]:
        """The files `leaklint` run in the project's root would lint."""
        if self.root is None:
            return []
        found = discover([self.root], excludes=self.files_filter.unanchored(), defaults=())
        return [path for path in found.files if not self.files_filter.excluded(path)]

    def scan(self, paths: list[str]) -> dict[str, frozenset[Summary]]:
        """What each file exports, after the command line's summary passes."""
        jobs = 1 if len(paths) < SCAN_WORKERS_FROM else None
        cache_dir = os.path.join(self.root, DEFAULT_DIR, SCAN_CACHE) if self.root else None
        run = lint_paths(paths, self.linter, jobs=jobs, cache_dir=cache_dir)
        return {os.path.abspath(result.path): frozenset(result.summaries) for result in run.files}

    def _report_filter(self, path: str, text: str) -> ReportFilter:
        """What the command line would report of this text: per-file-ignores,
        file-level skips and inline suppressions."""
        return ReportFilter(self.files_filter, self.enabled, self.known, texts={path: text})


def find_project_config(directory: str) -> tuple[Optional[str], Optional[str]]:
    """The pyproject.toml whose `[tool.leaklint]` configures files in
    `directory` (None: none does), and the problem that stopped the search."""
    try:
        return find_config(directory), None
    except ConfigError as error:
        return None, str(error)


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    from leaklint.rules import all_rules

    return {code: Rule(code, info.name, info.summary, info.fix, _page(code)) for code, info in all_rules().items()}


def _page(code: str) -> Optional[str]:
    try:
        page = files("leaklint.ruledocs") / f"{code}.md"
        return str(page) if page.is_file() else None
    except (ImportError, OSError, TypeError):
        return None


# -- inline suppressions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Directive:
    """A `# noqa: CODES` comment: where its codes end, and the codes."""

    end_column: int  # 0-based, in code points
    codes: tuple[str, ...]


def noqa_with_codes(text: str, line: int) -> Optional[Directive]:
    """The `# noqa: CODES` comment of a line, if it has one."""
    for directive in suppressions.parse(text).by_line.get(line, ()):
        if directive.codes is not None and directive.text.lstrip("#").strip().lower().startswith("noqa"):
            return Directive(directive.end_column - 1, directive.codes)
    return None


def suppression_lines(text: str, line: int) -> tuple[int, ...]:
    """The lines where a directive suppresses a finding reported at `line`."""
    start = suppressions.parse(text).statement_start.get(line, line)
    return (line,) if start == line else (line, start)


def suppresses(text: str, line: int, code: str) -> bool:
    return suppressions.parse(text).suppresses(line, code)


# -- text -------------------------------------------------------------------------------------------


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _source(text: str) -> Source:
    """An editor's buffer: already text, whatever its coding comment says."""
    newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")
    return Source(text=text, encoding="utf-8", bom=False, newline=newline, raw=_raw(text))
