"""What of the lint results is reported: per-file-ignores, files that ask to
be skipped (`# flake8: noqa`, `# leaklint: skip-file`), inline suppressions
and, when LKL900 is on, the suppressions that suppressed nothing. Applied
after linting (and after the cache), on every run."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Sequence

from . import suppressions
from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from .config import FileFilter


@dataclass
class FileOutcome:
    """One file's reported diagnostics and its stale suppressions (for LKL900's fix)."""

    diagnostics: list[Diagnostic]
    stale: list[suppressions.Stale]


class ReportFilter:
    def __init__(
        self,
        files_filter: FileFilter,
        enabled: frozenset[str],
        known: Sequence[str],
        texts: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.files_filter = files_filter
        self.enabled = enabled
        self.known = known
        self.texts = dict(texts or {})  # sources that are not on disk (stdin), by path

    def text(self, path: str) -> Optional[str]:
        """The source of `path` (None when it cannot be read)."""
        from .source import UnreadableSource, read

        if path in self.texts:
            return self.texts[path]
        try:
            return read(path).text
        except UnreadableSource:
            return None

    def allowed(self, path: str, line: int, code: str) -> bool:
        """For the fixer: the finding is enabled for the file and not suppressed."""
        if not self.files_filter.enabled(code, path, self.enabled):
            return False
        text = self.text(path)
        return text is None or not (suppressions.skips_file(text) or suppressions.parse(text).suppresses(line, code))

    def apply(self, diagnostics: Sequence[Diagnostic], paths: Sequence[str]) -> list[Diagnostic]:
        """The diagnostics to report, sorted."""
        return sorted(d for outcome in self.outcomes(diagnostics, paths).values() for d in outcome.diagnostics)

    def outcomes(self, diagnostics: Sequence[Diagnostic], paths: Sequence[str]) -> dict[str, FileOutcome]:
        by_path: dict[str, list[Diagnostic]] = {}
        for d in diagnostics:
            by_path.setdefault(d.path, []).append(d)
        return {path: self._file(path, by_path.get(path, [])) for path in dict.fromkeys(list(paths) + list(by_path))}

    def _file(self, path: str, diagnostics: list[Diagnostic]) -> FileOutcome:
        found = [d for d in diagnostics if self.files_filter.enabled(d.code, path, self.enabled)]
        report_unused = self.files_filter.enabled(suppressions.UNUSED_CODE, path, self.enabled)
        if not found and not report_unused:
            return FileOutcome([], [])
        text = self.text(path)
        if text is None or not suppressions.might_have_directives(text):
            return FileOutcome(found, [])  # no directive word at all: nothing to tokenize
        if suppressions.skips_file(text):
            return FileOutcome([], [])
        parsed = suppressions.parse(text)
        used: set = set()
        kept = suppressions.apply(found, parsed, used)
        if not report_unused or not parsed:
            return FileOutcome(kept, [])
        stale = suppressions.stale(parsed, used, self._on(path))
        return FileOutcome(kept + [suppressions.unused_diagnostic(path, s) for s in stale], stale)

    def _on(self, path: str) -> Callable[[str], bool]:
        def on(selector: str) -> bool:
            return any(code.startswith(selector) and self.files_filter.enabled(code, path, self.enabled) for code in self.known)

        return on
