"""The project summary passes: a project function that returns a resource is
a factory for its callers, one that releases a parameter is a release, and
their callers may live in any other file of the project.

    first pass     every file, without the other modules' summaries (each
                   file's analysis finds those of its own module); a file
                   that can hold no finding is deferred, not parsed
    helpers        the deferred files in which another file looked up the
                   name of a helper (a function that may release or keep a
                   parameter) are linted whole, for their summaries
    later passes   the summaries all files export, in one canonical order;
                   each file that could use some it was not linted with is
                   linted again with them, unless every name its analysis
                   looked up gets the same answer (then its result stands:
                   no second parse); at most `MAX_SUMMARY_PASSES`, until
                   nothing changes

How a batch of files is linted is up to a `BatchLinter`: `InProcess` here,
or the worker processes and the result cache of `leaklint.runner`. The
passes, the summaries and the order of the results are decided here alone,
so every way of linting gives the same results. Nothing is kept between
runs, and the files may come from disk or from memory (`InProcess` with
`sources`), so any front end can run the passes on what it holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Protocol, Sequence

from .cache import canonical, digest_text
from .results import FileResult, RunResult
from .source import Source
from .stats import STATS, flush
from .summaries import MAX_SUMMARY_PASSES, FunctionSummary, Summaries, module_name_for

if TYPE_CHECKING:
    from .engine import Linter  # the engine calls the passes: no import at run time

SummarySet = tuple[FunctionSummary, ...]  # in canonical order (`SummaryOrder`)
Progress = Callable[[int, int], object]  # (files done, files in all), after each file of the first pass


@dataclass(frozen=True)
class Task:
    """Lint one file with these summaries of other modules (none: the first pass)."""

    index: int  # the file's place in the run
    summaries: SummarySet
    # a file that can hold no finding is left unparsed until another file's
    # analysis looks up a name of its module (`Linter.lint_source`)
    deferrable: bool = True


class BatchLinter(Protocol):
    """A way to lint the files of one run, each known by its index."""

    def __len__(self) -> int:
        """How many files the run has."""

    def lint(self, tasks: Sequence[Task]) -> Iterable[tuple[int, FileResult]]:
        """(index, result) of each task, in any order."""

    def usable(self, indices: Sequence[int], exported: SummarySet) -> Iterable[tuple[int, SummarySet]]:
        """(index, the summaries of `exported` from other modules that the file
        could use) for each index, in any order."""


def lint_project(files: BatchLinter, progress: Optional[Progress] = None) -> RunResult:
    """Every file's result, in the order of the run, with the summaries each
    was last linted with."""
    count = len(files)
    first: dict[int, FileResult] = {}
    for done, (index, result) in enumerate(files.lint([Task(index, ()) for index in range(count)]), start=1):
        first[index] = result
        if progress is not None:
            progress(done, count)
    results = [first[index] for index in range(count)]
    linted_with: list[SummarySet] = [()] * count
    order = SummaryOrder()
    lint_needed_helpers(files, results, linted_with)
    for _ in range(MAX_SUMMARY_PASSES):  # a factory of a factory needs another pass
        exported = order.ordered({s for result in results for s in result.summaries})
        if not exported:
            break
        readable = [index for index, result in enumerate(results) if result.skipped is None]
        usable = dict(files.usable(readable, exported))
        tasks = []
        for index in readable:
            wanted = usable.get(index)
            if not wanted or wanted == linted_with[index]:
                continue
            if still_holds(results[index], linted_with[index], wanted):
                linted_with[index] = wanted  # what linting again would give: no second parse
            else:
                tasks.append(Task(index, wanted, deferrable=not results[index].parsed))  # a helper linted whole stays whole
        if not tasks:
            break
        for task in tasks:
            linted_with[task.index] = task.summaries
        STATS.later_pass_files += len(tasks)
        STATS.parsed_again += sum(results[task.index].parsed for task in tasks)
        for index, result in files.lint(tasks):
            results[index] = result
        lint_needed_helpers(files, results, linted_with)
    flush()
    return RunResult(files=results, linted_with=linted_with)


def lint_needed_helpers(files: BatchLinter, results: list[FileResult], linted_with: list[SummarySet]) -> None:
    """Lint the deferred files in whose module another file's analysis looked
    up the name of one of their helpers (a function that may release or keep
    a parameter): its summary may answer. Until none is left: a helper may
    look up another's."""
    while True:
        wanted: dict[str, set[str]] = {}  # module -> the last names looked up in it
        for result in results:
            for name in result.looked_up:
                for module in _enclosing(name):
                    wanted.setdefault(module, set()).add(name.rsplit(".", 1)[-1])
        tasks = [
            Task(index, linted_with[index], deferrable=False)
            for index, result in enumerate(results)
            if result.deferred and wanted.get(module_name_for(result.path), set()).intersection(result.helpers)
        ]
        if not tasks:
            return
        STATS.helpers_needed += len(tasks)
        for index, result in files.lint(tasks):
            results[index] = result


def _enclosing(qualname: str) -> Iterable[str]:
    """"a.b.c" -> "a", "a.b": the modules (or classes) a looked-up name may live in."""
    parts = qualname.split(".")
    return (".".join(parts[:end]) for end in range(1, len(parts)))


def still_holds(result: FileResult, linted_with: SummarySet, wanted: SummarySet) -> bool:
    """Whether linting the file again with `wanted` instead of `linted_with`
    would give `result` again: its analysis looked up no name that the two
    answer differently, each completed by the file's own summaries as the
    analysis completes them (a method's summary comes back from the passes
    as if from another module). A file the prefilter (or a parse error)
    stopped before its analysis looked nothing up: the new names may let it through."""
    if not result.parsed or result.errors:
        return False
    before = Summaries((*linted_with, *result.summaries))
    after = Summaries((*wanted, *result.summaries))
    return before.answers_alike(after, result.looked_up)


class SummaryOrder:
    """The canonical text of each summary (`leaklint.cache.canonical`), worked
    out once: summaries are sorted and digested in every pass."""

    def __init__(self) -> None:
        self._known: dict[FunctionSummary, str] = {}

    def __call__(self, summary: FunctionSummary) -> str:
        text = self._known.get(summary)
        if text is None:
            text = self._known[summary] = repr(canonical(summary))
        return text

    def ordered(self, summaries: Iterable[FunctionSummary]) -> SummarySet:
        """One order in every process (a set's order depends on string hashing):
        `Summaries` keeps the last of two summaries with the same name."""
        return tuple(sorted(summaries, key=self))

    def digest(self, ordered: SummarySet) -> str:
        return digest_text("\n".join(map(self, ordered)))


def usable_summaries(raw: Optional[bytes], path: str, exported: Summaries, order: SummaryOrder) -> SummarySet:
    """The summaries of `exported` from other modules that the file at `path`
    could use (none when it cannot be read)."""
    if raw is None:
        return ()
    return order.ordered(exported.usable_from_elsewhere(raw, module_name_for(path)))


class InProcess:
    """Lints in this process: each file read from disk, or, with `sources`
    (one per path), the text held in memory."""

    def __init__(self, linter: Linter, paths: Sequence[str], sources: Optional[Sequence[Source]] = None) -> None:
        self.linter = linter
        self.paths = list(paths)
        self.sources = sources
        self.order = SummaryOrder()

    def __len__(self) -> int:
        return len(self.paths)

    def lint(self, tasks: Sequence[Task]) -> Iterable[tuple[int, FileResult]]:
        for task in tasks:
            path, summaries = self.paths[task.index], Summaries(task.summaries)
            if self.sources is None:
                yield task.index, self.linter.lint_file(path, summaries, defer_helpers=task.deferrable)
            else:
                source = self.sources[task.index]
                yield task.index, self.linter.lint_source(source, path, summaries, module_name_for(path), defer_helpers=task.deferrable)

    def usable(self, indices: Sequence[int], exported: SummarySet) -> Iterable[tuple[int, SummarySet]]:
        summaries = Summaries(exported)
        for index in indices:
            raw = read_bytes(self.paths[index]) if self.sources is None else self.sources[index].raw
            yield index, usable_summaries(raw, self.paths[index], summaries, self.order)


def read_bytes(path: str) -> Optional[bytes]:
    """The file's bytes; None if it cannot be read (linting it says why)."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
