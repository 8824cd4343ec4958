"""Fixes of one document version, computed with the real fixer on a thread
of their own and kept until the document changes: a code action and a
hover on the same finding ask for the same fix."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from .adapter import FixOutcome, Project, Summary
from .text import Lines, edit_to

T = TypeVar("T")
Target = tuple[int, str]  # a finding: its line (1-based) and code


@dataclass(frozen=True)
class DocumentView:
    """One version of a document and what fixing it needs, taken on the event loop."""

    uri: str
    path: str
    version: Optional[int]
    text: str
    project: Project
    summaries: frozenset[Summary]
    codec: PositionCodec
    versioned_edits: bool  # the client takes edits bound to a document version

    def lines(self) -> Lines:
        return Lines(self.text, self.codec)

    def edit(self, new_text: str) -> types.WorkspaceEdit:
        """The workspace edit that turns this version into `new_text`."""
        return self.workspace_edit([edit_to(self.lines(), new_text)])

    def workspace_edit(self, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        if self.versioned_edits:
            document = types.OptionalVersionedTextDocumentIdentifier(uri=self.uri, version=self.version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])
        return types.WorkspaceEdit(changes={self.uri: edits})


class Fixes:
    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leaklint-fix")
        self._known: dict[str, tuple[Optional[int], dict]] = {}  # uri -> (version, outcomes); used on the worker only

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` on the fixes' thread."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *args)

    def outcome(self, view: DocumentView, only: Optional[Target], unsafe: bool) -> FixOutcome:
        """On the fixes' thread: fix one finding (`only`) or all of them."""
        version, known = self._known.get(view.uri, (None, {}))
        if version != view.version:
            known = {}
            self._known[view.uri] = (view.version, known)
        key = (only, unsafe)
        if key not in known:
            known[key] = view.project.fix(view.text, view.path, view.summaries, only=only, unsafe=unsafe)
        return known[key]

    def forget(self, uri: str) -> None:
        self._worker.submit(self._known.pop, uri, None)

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
