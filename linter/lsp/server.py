"""The language server: LSP messages routed to linting, code actions and hover.

Handlers run on pygls' event loop and only route: linting, fixing and
scanning run on worker threads (see `linting.py` and `fixes.py`).
"""
from __future__ import annotations

from functools import partial
from typing import Optional

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .actions import FIX_ALL, code_actions, fix_all_edit
from .adapter import VERSION
from .diagnostics import contains
from .fixes import DocumentView, Fixes
from .hover import hover_text
from .linting import Linting
from .log import Log

WATCHED = ("**/*.py", "**/*.pyi", "**/pyproject.toml")  # summaries and configuration come from these


def build_server() -> LanguageServer:
    server = LanguageServer("leaklint", VERSION, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    linting = Linting(server, Log(server))
    fixes = Fixes()

    def view(uri: str) -> Optional[DocumentView]:
        state, snapshot = linting.documents.get(uri), linting.snapshot(uri)
        if state is None or snapshot is None:
            return None
        versioned = get_capability(server.client_capabilities, "workspace.workspace_edit.document_changes", False)
        return DocumentView(
            uri=uri,
            path=state.path,
            version=snapshot.version,
            text=snapshot.text,
            project=state.project.project,
            summaries=linting.summaries(state),
            codec=server.workspace.position_codec,
            versioned_edits=versioned,
        )

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        if not get_capability(server.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        registration = types.Registration(
            id="leaklint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await server.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as error:  # without it, saves in the editor still refresh the summaries
            linting.log.error_once(f"leaklint: the client did not watch files for it: {error}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        linting.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        linting.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        linting.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        linting.closed(params.text_document.uri)
        fixes.forget(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        linting.files_changed(path for path in (to_fs_path(change.uri) for change in params.changes) if path)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True),
    )
    async def code_action(params: types.CodeActionParams) -> Optional[list[types.CodeAction]]:
        document = view(params.text_document.uri)
        if document is None:
            return None
        published = linting.documents[document.uri].published
        fixable = published is not None and any(linting.rules[f.code].fix for f in published.outcome.findings)
        resolvable = "edit" in get_capability(server.client_capabilities, "text_document.code_action.resolve_support.properties", [])
        build = partial(code_actions, fix_all_fixable=fixable, resolve_later=resolvable)
        return await fixes.run(build, document, fixes, params.context.diagnostics, params.context.only, linting.rules)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve_code_action(action: types.CodeAction) -> types.CodeAction:
        uri = action.data.get("uri") if isinstance(action.data, dict) else None
        document = view(uri) if isinstance(uri, str) else None
        if document is not None and action.kind == FIX_ALL:
            action.edit = await fixes.run(fix_all_edit, document, fixes)
        return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> Optional[types.Hover]:
        document = view(params.text_document.uri)
        published = linting.documents[document.uri].published if document is not None else None
        if document is None or published is None or published.version != document.version:
            return None  # what is shown is about to change
        under = [d for d in published.diagnostics if contains(d, params.position)]
        if not under:
            return None
        text = await fixes.run(hover_text, document, fixes, under, linting.rules)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=under[0].range)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        linting.close()
        fixes.close()

    return server
