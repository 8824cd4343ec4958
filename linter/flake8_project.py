"""The other files of a flake8 run, for the plugin: flake8 hands over one file
at a time, but a factory in one module and its callers in another are only
linted right together. The files flake8 checks in this run (its own
expansion of the paths, with its excludes) are linted once per process with
the summary passes, as `leaklint` lints them; each file is then reported as
that run linted it.
"""
from __future__ import annotations

import functools
import os
from typing import Any, Optional

from .engine import Linter
from .passes import InProcess, lint_project
from .results import FileResult, RunResult
from .source import Source, UnreadableSource, read
from .summaries import Summaries, module_name_for


def files_of_the_run(options: Any) -> tuple[str, ...]:
    """The Python files flake8 checks in this run; none when it reads stdin
    (or when this flake8 cannot say)."""
    try:
        from flake8.discover_files import expand_paths
    except ImportError:
        return ()
    paths = tuple(getattr(options, "filenames", None) or ())
    if "-" in paths:
        return ()
    exclude = (*getattr(options, "exclude", ()), *getattr(options, "extend_exclude", ()))
    try:
        found = expand_paths(
            paths=paths,
            stdin_display_name=getattr(options, "stdin_display_name", "stdin"),
            filename_patterns=getattr(options, "filename", ["*.py"]),
            exclude=exclude,
        )
        return tuple(sorted({os.path.abspath(path) for path in found if path.endswith(".py")}))
    except (OSError, TypeError, ValueError):
        return ()


class ProjectRun:
    """The run over all the files, and how each was linted."""

    def __init__(self, linter: Linter, files: tuple[str, ...]) -> None:
        self.linter = linter
        self.run: RunResult = lint_project(InProcess(linter, list(files)))
        self.index = {path: i for i, path in enumerate(files)}

    def result_for(self, filename: str, source: Source) -> Optional[FileResult]:
        """The file's result as the run linted it (linted again with the same
        summaries where flake8's text is not the file's on disk); None for a
        file outside the run."""
        index = self.index.get(os.path.abspath(filename))
        if index is None:
            return None
        if _text_on_disk(filename) == source.text.replace("\r\n", "\n"):
            return self.run.files[index]
        summaries = Summaries(self.run.linted_with[index])
        return self.linter.lint_source(source, filename, summaries, module_name_for(filename))


@functools.lru_cache(maxsize=2)
def project_run(linter: Linter, files: tuple[str, ...]) -> Optional[ProjectRun]:
    """One run per process (flake8's workers each make theirs), when the run has more than one file."""
    return ProjectRun(linter, files) if len(files) > 1 else None


def _text_on_disk(path: str) -> Optional[str]:
    try:
        return read(path).text.replace("\r\n", "\n")
    except UnreadableSource:
        return None
