"""Linting a set of files for the command line: the summary passes of
`leaklint.passes`, with each file linted in worker processes and its result
kept in the result cache.

Only the linting of single files, and the reading of which summaries each
could use, is spread over the workers; the passes, the summaries and the
order of the results stay in this process, so the result is the one a
serial run gives, in the order of `paths`.

Each file's result is cached (see `leaklint.cache`): a result linted without
the other modules' summaries by the file's content; which summaries a file
could use by its content and a digest of all the summaries in force, and its
result with them by its content and a digest of the summaries it used. A
fully cached run reads and hashes the files and never imports LibCST.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from typing import Callable, Iterable, Optional, Sequence

from . import cache as result_cache
from .catalogue import Catalogue, default_catalogue
from .diagnostics import Diagnostic
from .engine import Linter
from .passes import (
    Progress,
    SummaryOrder,
    SummarySet,
    Task,
    lint_project,
    read_bytes,
    usable_summaries,
)
from .results import FileResult, RunResult
from .selection import Selection
from .stats import flush as flush_stats
from .summaries import SUMMARY_TYPES, FunctionSummary, Summaries, module_name_for

MIN_FILES_FOR_WORKERS = 2  # one file is linted in this process: starting workers costs more
MAX_CHUNK = 32  # files per task sent to a worker
CHUNKS_PER_WORKER = 16  # about as many bytes in each chunk: a worker that gets big files gets fewer


def lint_paths(
    paths: Sequence[str],
    linter: Linter,
    *,
    jobs: Optional[int] = None,
    cache_dir: Optional[str] = None,
    use_cache: bool = True,
    progress: Optional[Progress] = None,
) -> RunResult:
    """Lint `paths` as `linter.lint_files(paths)` would, with `jobs` worker
    processes (None or less than 1: one per CPU; 1: in this process) and the
    cache in `cache_dir` (default `.leaklint_cache`) unless `use_cache` is false."""
    paths = list(paths)
    store = _open_cache(linter, cache_dir) if use_cache else None
    workers = _Workers(linter, _job_count(jobs))
    try:
        run = lint_project(_CachedWorkers(paths, store, workers), progress)
    finally:
        workers.close()
    if store is not None:
        store.save(_rule_codes(linter, store))
    return run


def _job_count(jobs: Optional[int]) -> int:
    if jobs is not None and jobs >= 1:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the CPUs this process may use
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# -- the files of one run ---------------------------------------------------------------------------


class _CachedWorkers:
    """A `passes.BatchLinter`: each result taken from the cache, or computed
    by the workers and then stored."""

    def __init__(self, paths: list[str], store: Optional[result_cache.ResultCache], workers: _Workers) -> None:
        self.paths = paths
        self.store = store
        self.workers = workers
        self.keys: list[Optional[str]] = [None] * len(paths)  # cache keys of the files with a valid entry
        self.order = SummaryOrder()

    def __len__(self) -> int:
        return len(self.paths)

    def lint(self, tasks: Sequence[Task]) -> Iterable[tuple[int, FileResult]]:
        yield from self._lint_alone([task for task in tasks if task.deferrable and not task.summaries])
        yield from self._lint_with_summaries([task for task in tasks if task.summaries or not task.deferrable])

    def _lint_alone(self, tasks: list[Task]) -> Iterable[tuple[int, FileResult]]:
        """Results of the first pass, without other modules' summaries: an entry by the file's content."""
        raws: dict[int, bytes] = {}
        found: dict[int, tuple[str, str]] = {}  # index -> (key, module) of the files read here
        todo: list[Task] = []
        for task in tasks:
            path = self.paths[task.index]
            if self.store is not None:
                raw = read_bytes(path)
                if raw is not None:
                    key, module = os.path.abspath(path), module_name_for(path)
                    entry = self.store.lookup(key, path, module, result_cache.content_hash(raw))
                    result = _unpack(path, entry[3]) if entry is not None else None
                    if result is not None:
                        self.keys[task.index] = key
                        yield task.index, result
                        continue
                    raws[task.index] = raw
                    found[task.index] = (key, module)
            todo.append(task)
        for index, result, content in self.workers.lint(self.paths, todo, raws, self.store is not None):
            if index in found and content is not None and _cacheable(result):
                key, module = found[index]
                self.store.store_first(key, self.paths[index], module, content, _pack(result))
                self.keys[index] = key
            yield index, result

    def _lint_with_summaries(self, tasks: list[Task]) -> Iterable[tuple[int, FileResult]]:
        """Results of later passes (with other modules' summaries, or of a
        deferred file that another one needs): kept in the file's entry under a
        digest of the summaries."""
        todo: list[Task] = []
        result_keys: dict[int, Optional[tuple]] = {}
        for task in tasks:
            kind = "result" if task.deferrable else "whole"  # a deferred file that another one needs
            result_key = self._use((kind, self.order.digest(task.summaries)))
            stored = self._stored(task.index, result_key)
            cached = _unpack(self.paths[task.index], stored) if stored is not None else None
            if cached is not None:
                yield task.index, cached
                continue
            result_keys[task.index] = result_key
            todo.append(task)
        for index, result, _ in self.workers.lint(self.paths, todo, {}, False):
            if _cacheable(result):
                self._store(index, result_keys[index], _pack(result))
            yield index, result

    def usable(self, indices: Sequence[int], exported: SummarySet) -> Iterable[tuple[int, SummarySet]]:
        """Cached by the summaries in force, computed by the workers."""
        exported_key = self._use(("usable", self.order.digest(exported)))
        todo: list[int] = []
        for index in indices:
            stored = self._stored(index, exported_key)
            if isinstance(stored, tuple) and all(isinstance(s, SUMMARY_TYPES) for s in stored):
                yield index, stored
            else:
                todo.append(index)
        for index, usable in self.workers.usable(self.paths, todo, exported):
            self._store(index, exported_key, usable)
            yield index, usable

    def _use(self, key: tuple) -> Optional[tuple]:
        if self.store is None:
            return None
        self.store.use(key)
        return key

    def _stored(self, index: int, key: Optional[tuple]) -> object:
        if key is None or self.keys[index] is None:
            return None
        entry = self.store.lookup_key(self.keys[index])
        return entry[4].get(key) if entry is not None else None

    def _store(self, index: int, key: Optional[tuple], value: object) -> None:
        if key is not None and self.keys[index] is not None:
            self.store.store_later(self.keys[index], key, value)


# -- results in the cache -----------------------------------------------------------------------------

_STORED_FIELDS = tuple(f.name for f in dataclasses.fields(FileResult) if f.name not in ("path", "errors"))


def _cacheable(result: FileResult) -> bool:
    """Internal errors are not cached: the next run shows (and retries) them."""
    return not result.errors


def _pack(result: FileResult) -> dict:
    return {name: getattr(result, name) for name in _STORED_FIELDS}


def _unpack(path: str, stored: object) -> Optional[FileResult]:
    """The cached result, or None if the entry does not hold a valid one."""
    if not isinstance(stored, dict) or set(stored) != set(_STORED_FIELDS):
        return None
    diagnostics, summaries = stored.get("diagnostics"), stored.get("summaries")
    if not isinstance(diagnostics, list) or not all(isinstance(d, Diagnostic) for d in diagnostics):
        return None
    if not isinstance(summaries, list) or not all(isinstance(s, SUMMARY_TYPES) for s in summaries):
        return None
    try:
        return FileResult(path=path, **{name: _copy(value) for name, value in stored.items()})
    except TypeError:
        return None


def _copy(value: object) -> object:
    return list(value) if isinstance(value, list) else value


def _open_cache(linter: Linter, cache_dir: Optional[str]) -> Optional[result_cache.ResultCache]:
    try:
        key = result_cache.digest(
            (
                f"{type(linter).__module__}.{type(linter).__qualname__}",
                linter.selection,
                _catalogue_part(linter.catalogue),
                tuple(linter.configured),
                linter.label_fixes,
            )
        )
    except result_cache.Uncacheable:
        return None
    return result_cache.ResultCache(cache_dir, key)


def _catalogue_part(catalogue: Catalogue) -> object:
    """The additions to the default catalogue (the default one is code, in the
    cache's fingerprint); the whole catalogue when it is another one."""
    additions = _additions(catalogue)
    if additions is not None:
        return ("default+", additions)
    return ("catalogue", catalogue.libraries, catalogue.heuristics)


def _additions(catalogue: Catalogue) -> Optional[tuple]:
    """The libraries added to the default catalogue; None if it is not built on it."""
    default = default_catalogue()
    if catalogue is default:
        return ()
    base = default.libraries
    if (
        catalogue.heuristics == default.heuristics
        and len(catalogue.libraries) >= len(base)
        and all(a is b for a, b in zip(catalogue.libraries, base))
    ):
        return catalogue.libraries[len(base) :]
    return None


def _rule_codes(linter: Linter, store: result_cache.ResultCache) -> Optional[tuple[str, ...]]:
    """The rule codes for the cache's header, when it does not hold them yet
    (the rules import LibCST, so this costs time only once)."""
    if store.rule_codes is not None:
        return None
    try:
        return tuple(linter.rules)
    except Exception:
        return None


# -- workers ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _LinterSpec:
    """What a worker needs to build the parent's linter (picklable)."""

    selection: Selection
    additions: Optional[tuple]  # None: `catalogue` is used instead
    catalogue: Optional[Catalogue]
    configured: tuple[FunctionSummary, ...]
    label_fixes: bool

    @classmethod
    def of(cls, linter: Linter) -> Optional["_LinterSpec"]:
        if type(linter) is not Linter:  # a subclass may lint differently: keep it in this process
            return None
        additions = _additions(linter.catalogue)
        catalogue = None if additions is not None else linter.catalogue
        return cls(linter.selection, additions, catalogue, tuple(linter.configured), linter.label_fixes)

    def build(self) -> Linter:
        catalogue = self.catalogue
        if catalogue is None:
            catalogue = default_catalogue()
            if self.additions:
                catalogue = catalogue.with_additions(self.additions)
        return Linter(catalogue=catalogue, selection=self.selection, summaries=self.configured, label_fixes=self.label_fixes)


_WORKER_LINTER: Optional[Linter] = None  # the linter of a worker process


def _start_worker(spec: _LinterSpec, recursion_limit: int) -> None:
    global _WORKER_LINTER
    sys.setrecursionlimit(recursion_limit)
    _WORKER_LINTER = spec.build()


def _lint_chunk(tasks: list[tuple[int, str, tuple, bool]], want_hash: bool) -> list[tuple]:
    """In a worker: (index, result, content hash) of each (index, path, summaries, deferrable)."""
    assert _WORKER_LINTER is not None
    results = _lint_all(_WORKER_LINTER, tasks, {}, want_hash)
    flush_stats()
    return results


def _usable_chunk(tasks: list[tuple[int, str]], exported: SummarySet) -> list[tuple]:
    """In a worker: (index, usable summaries) of each (index, path)."""
    return _usable_all(tasks, exported)


def _lint_all(linter: Linter, tasks: list, raws: dict, want_hash: bool) -> list[tuple]:
    return [
        (index,) + _lint_one(linter, path, Summaries(summaries), raws.get(index), want_hash, deferrable)
        for index, path, summaries, deferrable in tasks
    ]


def _usable_all(tasks: list, exported: SummarySet) -> list[tuple]:
    summaries, order = _indexed(exported)
    return [(index, usable_summaries(read_bytes(path), path, summaries, order)) for index, path in tasks]


_INDEXED: list[tuple] = []  # the last exported set and its index: files are asked about one at a time


def _indexed(exported: SummarySet) -> tuple[Summaries, SummaryOrder]:
    """`exported` as `Summaries`, indexed once per pass, not once per file."""
    if not _INDEXED or _INDEXED[0][0] is not exported:
        _INDEXED[:] = [(exported, Summaries(exported), SummaryOrder())]
    return _INDEXED[0][1], _INDEXED[0][2]


def _lint_one(linter: Linter, path: str, summaries: Summaries, raw: Optional[bytes], want_hash: bool, deferrable: bool) -> tuple:
    """(result, content hash or None) of one file."""
    if raw is None:
        raw = read_bytes(path)
        if raw is None:
            return linter.lint_file(path, summaries), None  # the engine says why it cannot be read
    result = linter.lint_file(path, summaries, raw=raw, defer_helpers=deferrable)
    return result, (result_cache.content_hash(raw) if want_hash else None)


class _Workers:
    """A process pool, started the first time there is enough to do."""

    def __init__(self, linter: Linter, jobs: int) -> None:
        self.linter = linter
        self.jobs = jobs
        self.spec = _LinterSpec.of(linter) if jobs > 1 else None
        self.pool = None

    def lint(
        self, paths: Sequence[str], tasks: list[Task], raws: dict[int, bytes], want_hash: bool
    ) -> Iterable[tuple[int, FileResult, Optional[bytes]]]:
        """(index, result, content hash) for each task, in no particular order."""
        work = [(task.index, paths[task.index], task.summaries, task.deferrable) for task in tasks]
        sizes = [_size(paths[task.index], raws.get(task.index)) for task in tasks]
        return self._run(_lint_chunk, (want_hash,), work, sizes, lambda rest: _lint_all(self.linter, rest, raws, want_hash))

    def usable(self, paths: Sequence[str], indices: list[int], exported: SummarySet) -> Iterable[tuple[int, SummarySet]]:
        """(index, the summaries of `exported` it could use) for each index, in no particular order."""
        work = [(index, paths[index]) for index in indices]
        sizes = [_size(paths[index], None) for index in indices]
        return self._run(_usable_chunk, (exported,), work, sizes, lambda rest: _usable_all(rest, exported))

    def _run(self, function: Callable, arguments: tuple, work: list, sizes: list[int], here: Callable) -> Iterable[tuple]:
        if not work:
            return
        remaining = work
        if self.spec is not None and (self.pool is not None or len(work) >= MIN_FILES_FOR_WORKERS):
            remaining = yield from self._in_workers(function, arguments, work, sizes)
        for item in remaining:  # one at a time, so that results come as they are done
            yield from here([item])

    def _in_workers(self, function: Callable, arguments: tuple, work: list, sizes: list[int]):
        """Yields results from the workers; returns the work it could not do
        there (the workers could not start, or one died)."""
        from concurrent.futures import CancelledError, as_completed
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool(len(work))
        if pool is None:
            return work
        pending = {}
        try:
            for chunk in _chunks(work, sizes, self.jobs):
                pending[pool.submit(function, chunk, *arguments)] = chunk
        except (BrokenProcessPool, RuntimeError, OSError):
            self._broken()
        submitted = {id(item) for chunk in pending.values() for item in chunk}
        failed = [item for item in work if id(item) not in submitted]
        for future in as_completed(pending):
            try:
                answers = future.result()
            except (BrokenProcessPool, CancelledError):
                self._broken()
                failed.extend(pending[future])
                continue
            yield from answers
        return failed

    def _pool(self, tasks: int):
        if self.pool is None and self.spec is not None:
            try:
                import pickle
                from concurrent.futures import ProcessPoolExecutor

                context = _context()
                if context.get_start_method() != "fork":
                    pickle.dumps(self.spec)  # everything must reach the workers
                self.pool = ProcessPoolExecutor(
                    max_workers=max(1, min(self.jobs, tasks)),
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(self.spec, sys.getrecursionlimit()),
                )
            except Exception:  # no processes here (a sandbox, an unpicklable catalogue): lint in this process
                self.spec = None
                self.pool = None
        return self.pool

    def _broken(self) -> None:
        """A worker died: the rest is linted in this process."""
        self.spec = None
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _context():
    """fork where it is safe (Linux, no other threads): workers start at once
    and share what this process has loaded; spawn elsewhere."""
    import multiprocessing
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        try:
            return multiprocessing.get_context("fork")
        except ValueError:
            pass
    return multiprocessing.get_context("spawn")


def _chunks(tasks: list, sizes: list[int], jobs: int) -> list[list]:
    """The tasks in chunks of about the same size, the largest files first, so
    that no worker is left with a big file at the end while the others wait."""
    target = max(1, sum(sizes) // (jobs * CHUNKS_PER_WORKER))
    chunks: list[list] = []
    chunk: list = []
    weight = 0
    for size, task in sorted(zip(sizes, tasks), key=lambda pair: -pair[0]):
        chunk.append(task)
        weight += size
        if weight >= target or len(chunk) >= MAX_CHUNK:
            chunks.append(chunk)
            chunk, weight = [], 0
    if chunk:
        chunks.append(chunk)
    return chunks


def _size(path: str, raw: Optional[bytes]) -> int:
    if raw is not None:
        return len(raw)
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
