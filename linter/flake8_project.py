"""The other files of a flake8 run, for the plugin: flake8 hands over one file
at a time, but a factory in one module and its callers in another are only
linted right together. The files flake8 checks in this run (its own
expansion of the paths, with its excludes) are linted once per process with
the summary passes, as `leaklint` lints them; each file is then reported as
that run linted it.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Any, Optional

from .engine import Linter
from .passes import InProcess, lint_project
from .runner import lint_paths
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


def jobs_of(options: Any) -> int:
    """leaklint's worker processes for the run: flake8's `--jobs` in flake8's
    main process (`auto`: one per CPU, as flake8), none in flake8's own
    workers, which inherit the run made before they start or make it alone."""
    if multiprocessing.parent_process() is not None:
        return 1
    jobs = getattr(options, "jobs", None)
    if getattr(jobs, "is_auto", False):
        return 0
    count = getattr(jobs, "n_jobs", 1)
    return count if isinstance(count, int) and count >= 1 else 1


class ProjectRun:
    """The run over all the files, and how each was linted."""

    def __init__(self, linter: Linter, files: tuple[str, ...], jobs: int) -> None:
        self.linter = linter
        if jobs == 1:
            self.run: RunResult = lint_project(InProcess(linter, list(files)))
        else:  # no cache: flake8 keeps no files of its own in the project
            self.run = lint_paths(files, linter, jobs=jobs or None, use_cache=False)
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


_RUNS: dict[tuple[Linter, tuple[str, ...]], Optional[ProjectRun]] = {}


def project_run(linter: Linter, files: tuple[str, ...], jobs: int = 1) -> Optional[ProjectRun]:
    """The run of these files with this linter, when the run has more than one
    file: made once, in flake8's main process while it reads its options, so
    that the workers it forks find it made (where flake8 spawns its workers,
    each makes its own)."""
    key = (linter, files)
    if key not in _RUNS:
        if len(_RUNS) >= 2:
            _RUNS.clear()
        _RUNS[key] = ProjectRun(linter, files, jobs) if len(files) > 1 else None
    return _RUNS[key]


def _text_on_disk(path: str) -> Optional[str]:
    try:
        return read(path).text.replace("\r\n", "\n")
    except UnreadableSource:
        return None
