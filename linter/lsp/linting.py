"""Linting open documents without holding up the editor.

Opening and saving lint at once, a change after a pause in typing. One
worker thread lints, one scans projects, so that neither waits for the
other and the event loop only routes messages. A lint whose document
changed meanwhile is cancelled before it starts, or its result is dropped.

When a document's summaries change (a factory or a releasing helper is
added, changed or removed), the other open documents of its project are
linted again if the summaries they could use changed. The files on disk are
scanned when a project is first seen, and again after a save or a change on
disk.
"""
from __future__ import annotations

import asyncio
import os
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .adapter import LintOutcome, Project, SummaryPool, Summary, rules
from .diagnostics import to_lsp
from .log import Log
from .projects import Projects, ProjectState
from .text import Lines

DEBOUNCE_SECONDS = 0.1  # long enough to skip the lints of a word being typed
SCAN_DELAY_SECONDS = 0.5  # a "save all" starts one scan, not one per file
MAX_REFRESH_DEPTH = 3  # callers of callers are refreshed; a cycle of modules cannot relint forever
PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_FILE = "pyproject.toml"
NOTHING = LintOutcome((), frozenset(), frozenset(), ())


@dataclass(frozen=True)
class Snapshot:
    version: Optional[int]
    text: str


@dataclass(frozen=True)
class Published:
    """What the client was last told about a document."""

    version: Optional[int]
    outcome: LintOutcome
    diagnostics: list[types.Diagnostic]


class OpenDocument:
    def __init__(self, uri: str, path: str, project: ProjectState) -> None:
        self.uri = uri
        self.path = path  # the file's path, or the URI of a document that is not a file
        self.project = project
        self.published: Optional[Published] = None
        self.pending: Optional[asyncio.Task] = None
        self.pending_is_refresh = False


class Linting:
    def __init__(self, server: LanguageServer, log: Log) -> None:
        self.server = server
        self.log = log
        self.projects = Projects(self._folders)
        self.documents: dict[str, OpenDocument] = {}
        self.rules = rules()
        self._lint_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leaklint-lint")
        self._scan_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leaklint-scan")

    # -- what the client tells us --------------------------------------------------------------

    def opened(self, uri: str) -> None:
        document = self.server.workspace.text_documents.get(uri)
        if document is None or not _is_python(uri, document.language_id):
            return
        path = _file_path(uri)
        state = OpenDocument(uri, path or uri, self._project(path))
        self.documents[uri] = state
        self._schedule(state, 0)

    def changed(self, uri: str) -> None:
        state = self.documents.get(uri)
        if state is not None:
            self._schedule(state, DEBOUNCE_SECONDS)

    def saved(self, uri: str) -> None:
        path = _file_path(uri)
        if path is not None:
            self.files_changed([path])
        state = self.documents.get(uri)
        if state is not None:
            self._schedule(state, 0)

    def closed(self, uri: str) -> None:
        state = self.documents.pop(uri, None)
        if state is None:
            return
        if state.pending is not None:
            state.pending.cancel()
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if state.project.drop_buffer(state.path):
            self._refresh(state.project, 0)

    def files_changed(self, paths: Iterable[str]) -> None:
        """Files changed on disk (saved, or changed by another program)."""
        paths = list(paths)
        if any(os.path.basename(path) == CONFIG_FILE for path in paths):
            self._configuration_changed()
            return
        for project in {p for path in paths if path.endswith(PYTHON_SUFFIXES) for p in self.projects.holding(path)}:
            self._request_scan(project, SCAN_DELAY_SECONDS)

    def close(self) -> None:
        for state in self.documents.values():
            if state.pending is not None:
                state.pending.cancel()
        self._lint_worker.shutdown(wait=False, cancel_futures=True)
        self._scan_worker.shutdown(wait=False, cancel_futures=True)

    # -- what the handlers of requests read ----------------------------------------------------------------

    def snapshot(self, uri: str) -> Optional[Snapshot]:
        document = self.server.workspace.text_documents.get(uri)
        return None if document is None else Snapshot(document.version, document.source)

    def summaries(self, state: OpenDocument) -> frozenset[Summary]:
        """Every summary in force in the document's project (what `--fix` is given)."""
        return state.project.pool().entries

    # -- linting -------------------------------------------------------------------------------------

    def _schedule(self, state: OpenDocument, delay: float, *, refresh: bool = False, depth: int = 0) -> None:
        """Lint after `delay`; a refresh lints only if the summaries the document could use changed."""
        if state.pending is not None and not state.pending.done():
            if refresh and not state.pending_is_refresh:
                return  # a full lint is on its way
            state.pending.cancel()
        state.pending_is_refresh = refresh
        state.pending = asyncio.ensure_future(self._lint(state, delay, refresh, depth))

    async def _lint(self, state: OpenDocument, delay: float, refresh: bool, depth: int) -> None:
        if delay:
            await asyncio.sleep(delay)
        snapshot = self.snapshot(state.uri)
        if snapshot is None:
            return
        previous = state.published if refresh else None
        pool = state.project.pool()
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self._lint_worker, _lint_job, state.project.project, state.path, snapshot, pool, previous)
        except Exception as error:  # a bug must cost one file its diagnostics, not the server
            self.log.error_once(f"leaklint failed on {state.path}:\n{traceback.format_exc()}", key=f"{state.path}: {error!r}")
            outcome = NOTHING
        if state.pending is asyncio.current_task():
            state.pending = None  # done with the worker: what is scheduled from here on is another lint
        current = self.snapshot(state.uri)
        if outcome is None or self.documents.get(state.uri) is not state or current is None or current.version != snapshot.version:
            return
        for problem in outcome.problems:
            self.log.error_once(f"{state.path}: {problem}")
        self._publish(state, snapshot, outcome)
        if state.project.pool() is not pool:  # other modules' summaries changed while this lint ran
            self._schedule(state, 0, refresh=True, depth=depth)
        if state.project.set_buffer(state.path, outcome.exported) and depth < MAX_REFRESH_DEPTH:
            self._refresh(state.project, depth + 1, state)

    def _publish(self, state: OpenDocument, snapshot: Snapshot, outcome: LintOutcome) -> None:
        lines = Lines(snapshot.text, self.server.workspace.position_codec)
        diagnostics = to_lsp(outcome.findings, lines, state.uri, self.rules)
        state.published = Published(snapshot.version, outcome, diagnostics)
        params = types.PublishDiagnosticsParams(uri=state.uri, diagnostics=diagnostics, version=snapshot.version)
        self.server.text_document_publish_diagnostics(params)

    def _refresh(self, project: ProjectState, depth: int, changed: Optional[OpenDocument] = None) -> None:
        for state in list(self.documents.values()):
            if state.project is project and state is not changed:
                self._schedule(state, 0, refresh=True, depth=depth)

    # -- projects ------------------------------------------------------------------------------------

    def _project(self, path: Optional[str]) -> ProjectState:
        project = self.projects.for_path(path)
        if project.project.error:
            self.log.error_once(f"leaklint: {project.project.error}; using the default configuration", show=True)
        if project.scan is None:
            self._request_scan(project, SCAN_DELAY_SECONDS)  # the document that was opened is linted first
        return project

    def _configuration_changed(self) -> None:
        self.projects.forget()
        for state in self.documents.values():
            state.project = self._project(_file_path(state.uri))
            self._schedule(state, 0)

    def _request_scan(self, project: ProjectState, delay: float) -> None:
        if project.project.root is None:
            return
        if project.scan is not None and not project.scan.done():
            project.rescan = True
            return
        project.scan = asyncio.ensure_future(self._scan(project, delay))

    async def _scan(self, project: ProjectState, delay: float) -> None:
        await asyncio.sleep(delay)
        loop = asyncio.get_running_loop()
        while True:
            project.rescan = False  # requests until now are served by this scan
            try:
                found = await loop.run_in_executor(self._scan_worker, _scan_job, project.project)
            except Exception as error:
                self.log.error_once(f"leaklint could not scan {project.project.root}:\n{traceback.format_exc()}", key=repr(error))
                return
            if project.set_disk(found):
                self._refresh(project, 0)
            if not project.rescan:
                return

    def _folders(self) -> list[str]:
        workspace = self.server.workspace
        uris = [folder.uri for folder in workspace.folders.values()] + ([workspace.root_uri] if workspace.root_uri else [])
        return [path for path in map(_file_path, uris) if path is not None]


# -- on the worker threads ----------------------------------------------------------------------------


def _lint_job(project: Project, path: str, snapshot: Snapshot, pool: SummaryPool, previous: Optional[Published]) -> Optional[LintOutcome]:
    """The document's outcome; None when a refresh finds nothing new to use."""
    if project.excludes(path):
        return NOTHING
    if previous is not None and previous.version == snapshot.version and pool.usable(snapshot.text, path) == previous.outcome.used:
        return None
    return project.lint(snapshot.text, path, pool)


def _scan_job(project: Project) -> dict[str, frozenset[Summary]]:
    return project.scan(project.files())


def _file_path(uri: str) -> Optional[str]:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return os.path.abspath(path) if path else None


def _is_python(uri: str, language_id: Optional[str]) -> bool:
    return language_id == "python" or uri.endswith(PYTHON_SUFFIXES)
