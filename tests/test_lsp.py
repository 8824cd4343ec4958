"""`leaklint server` end to end: the real server process over stdio, driven
by pytest-lsp with VS Code's client capabilities, on workspaces in tmp_path."""
from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import Callable, Sequence

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from harness import FIXTURES, expected_findings

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parent.parent
LEAKY = (ROOT / "examples" / "leaky_service.py").read_text(encoding="utf-8")
WAIT_SECONDS = 20  # a loaded CI machine; a passing run takes well under a second per wait

Predicate = Callable[[Sequence[types.Diagnostic]], bool]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "leaklint", "server"]))
async def client(lsp_client: LanguageClient, root: Path):
    """One server for the module (starting one takes seconds); each test works in a workspace folder of its own."""

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def workspace(client: LanguageClient, root: Path, request: pytest.FixtureRequest) -> Path:
    """A new workspace folder: a project of its own, without configuration unless the test writes one."""
    folder = root / request.node.name
    folder.mkdir()
    added = types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)
    event = types.WorkspaceFoldersChangeEvent(added=[added], removed=[])
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(event=event))
    return folder


# -- helpers ------------------------------------------------------------------------------------------


def open_document(client: LanguageClient, path: Path, text: str) -> str:
    """Writes `text` to `path` and opens it, as an editor does."""
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    document = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=document))
    return uri


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    change = types.TextDocumentContentChangeWholeDocument(text=text)
    document = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
    client.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document, content_changes=[change]))


async def diagnostics_until(client: LanguageClient, uri: str, predicate: Predicate) -> Sequence[types.Diagnostic]:
    """The document's diagnostics, once the server has published some that satisfy `predicate`."""

    async def wait() -> Sequence[types.Diagnostic]:
        while uri not in client.diagnostics or not predicate(client.diagnostics[uri]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]

    return await asyncio.wait_for(wait(), WAIT_SECONDS)


def found(diagnostics: Sequence[types.Diagnostic]) -> set[tuple[int, str]]:
    """(1-based line, code) of each diagnostic, as `# expect:` markers say them."""
    return {(d.range.start.line + 1, str(d.code)) for d in diagnostics}


def apply_edit(text: str, edit: types.WorkspaceEdit) -> str:
    edits = [e for change in edit.document_changes or [] for e in change.edits] or [e for edits in (edit.changes or {}).values() for e in edits]
    for text_edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = _offset(text, text_edit.range.start), _offset(text, text_edit.range.end)
        text = text[:start] + text_edit.new_text + text[end:]
    return text


def _offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    before = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return before + index
        units += 2 if ord(char) > 0xFFFF else 1
    return before + len(line)


async def actions_at(client: LanguageClient, uri: str, diagnostic: types.Diagnostic, only: list[str] | None = None) -> list[types.CodeAction]:
    context = types.CodeActionContext(diagnostics=[diagnostic], only=only)
    params = types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range, context=context)
    return list(await client.text_document_code_action_async(params) or [])


def by_code(diagnostics: Sequence[types.Diagnostic], code: str) -> types.Diagnostic:
    return next(d for d in diagnostics if d.code == code)


# -- diagnostics --------------------------------------------------------------------------------------


async def test_diagnostics_of_an_opened_document_at_the_exact_ranges(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "service.py", LEAKY)
    diagnostics = await diagnostics_until(client, uri, bool)
    assert found(diagnostics) == {(16, "LKL102"), (25, "LKL102"), (27, "LKL103"), (37, "LKL102"), (46, "LKL104")}
    first = by_code(diagnostics, "LKL102")
    assert first.range == types.Range(start=types.Position(line=15, character=11), end=types.Position(line=15, character=25))  # pool.getconn()
    assert first.severity == types.DiagnosticSeverity.Warning
    assert first.source == "leaklint"
    assert first.code_description is not None and first.code_description.href.endswith("/LKL102.md")
    early_exit = by_code(diagnostics, "LKL103")
    assert early_exit.range.start == types.Position(line=26, character=8)  # the return
    (acquired,) = early_exit.related_information
    assert acquired.message == "acquired here"
    assert acquired.location.uri == uri
    assert acquired.location.range == types.Range(start=types.Position(line=24, character=4), end=types.Position(line=24, character=25))


async def test_columns_are_in_utf16_code_units(client: LanguageClient, workspace: Path) -> None:
    text = 'import sqlite3\n\n\ndef export(path):\n    label = "😀"; db = sqlite3.connect(path)\n    db.execute(label)\n'
    uri = open_document(client, workspace / "emoji.py", text)
    (diagnostic,) = await diagnostics_until(client, uri, bool)
    # 4 spaces, `label = "`, an emoji that is two UTF-16 units, `"; db = `
    assert diagnostic.range.start == types.Position(line=4, character=4 + 9 + 2 + 8)


async def test_an_edit_updates_the_diagnostics(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "service.py", LEAKY)
    await diagnostics_until(client, uri, bool)
    fixed = LEAKY.replace("with sqlite3.connect(path) as db:  # commits, but never closes", "with closing(sqlite3.connect(path)) as db, db:")
    change_document(client, uri, 2, fixed)
    diagnostics = await diagnostics_until(client, uri, lambda ds: (46, "LKL104") not in found(ds))
    assert found(diagnostics) == {(16, "LKL102"), (25, "LKL102"), (27, "LKL103"), (37, "LKL102")}


async def test_a_file_that_does_not_parse_gives_lkl000_and_the_server_goes_on(client: LanguageClient, workspace: Path) -> None:
    broken = open_document(client, workspace / "broken.py", "import psycopg2\n\n\ndef f(:\n    pass\n")
    (diagnostic,) = await diagnostics_until(client, broken, bool)
    assert (diagnostic.code, diagnostic.range.start.line, diagnostic.severity) == ("LKL000", 3, types.DiagnosticSeverity.Error)
    uri = open_document(client, workspace / "service.py", LEAKY)
    assert len(await diagnostics_until(client, uri, bool)) == 5


# -- code actions and hover ---------------------------------------------------------------------------


async def test_a_quick_fix_removes_its_finding(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "service.py", LEAKY)
    target = by_code(await diagnostics_until(client, uri, bool), "LKL104")
    actions = await actions_at(client, uri, target)
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.title == "Fix LKL104: close it on exit and keep the transaction: `with closing(sqlite3.connect(path)) as db, db:`"
    fixed = apply_edit(LEAKY, fix.edit)
    assert "from contextlib import closing" in fixed
    change_document(client, uri, 2, fixed)
    diagnostics = await diagnostics_until(client, uri, lambda ds: "LKL104" not in {d.code for d in ds})
    assert len(diagnostics) == 4  # the other findings stay


async def test_an_unsafe_fix_is_labelled_and_not_preferred(client: LanguageClient, workspace: Path) -> None:
    text = (FIXTURES / "fix" / "LKL101" / "cursor_returned_unsafe.py").read_text(encoding="utf-8")
    uri = open_document(client, workspace / "cursor.py", text)
    target = by_code(await diagnostics_until(client, uri, bool), "LKL101")
    fix = next(a for a in await actions_at(client, uri, target) if a.title.startswith("Fix"))
    assert fix.title.startswith("Fix LKL101 (unsafe): ")
    assert not fix.is_preferred


async def test_fix_all_applies_every_safe_fix(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "service.py", LEAKY)
    target = (await diagnostics_until(client, uri, bool))[0]
    (action,) = await actions_at(client, uri, target, only=[types.CodeActionKind.SourceFixAll])
    assert (action.kind, action.edit) == ("source.fixAll.leaklint", None)  # the edit comes with resolve
    resolved = await client.code_action_resolve_async(action)
    change_document(client, uri, 2, apply_edit(LEAKY, resolved.edit))
    assert not await diagnostics_until(client, uri, lambda ds: not ds)


async def test_the_noqa_action_suppresses_the_finding(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "service.py", LEAKY)
    target = by_code(await diagnostics_until(client, uri, bool), "LKL104")
    noqa = next(a for a in await actions_at(client, uri, target) if a.title.startswith("Suppress"))
    edited = apply_edit(LEAKY, noqa.edit)
    assert "with sqlite3.connect(path) as db:  # commits, but never closes  # noqa: LKL104\n" in edited
    change_document(client, uri, 2, edited)
    diagnostics = await diagnostics_until(client, uri, lambda ds: "LKL104" not in {d.code for d in ds})
    assert len(diagnostics) == 4


async def test_hover_shows_the_rule_and_its_fix(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "service.py", LEAKY)
    target = by_code(await diagnostics_until(client, uri, bool), "LKL102")
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=target.range.start)
    hover = await client.text_document_hover_async(params)
    text = hover.contents.value
    assert "**LKL102** `release-not-guaranteed`: A resource is released on the normal path only" in text
    assert "Fix (safe, a quick fix): move the release into a `finally`: `pool.putconn(conn)`" in text
    nowhere = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
    assert await client.text_document_hover_async(nowhere) is None


# -- the workspace --------------------------------------------------------------------------------------


async def test_the_projects_configuration_is_honoured(client: LanguageClient, workspace: Path) -> None:
    (workspace / "pyproject.toml").write_text('[tool.leaklint]\nignore = ["LKL104"]\nper-file-ignores = { "legacy/*" = ["LKL103"] }\n')
    (workspace / "legacy").mkdir()
    uri = open_document(client, workspace / "service.py", LEAKY)
    legacy = open_document(client, workspace / "legacy" / "old.py", LEAKY)
    assert found(await diagnostics_until(client, uri, bool)) == {(16, "LKL102"), (25, "LKL102"), (27, "LKL103"), (37, "LKL102")}
    assert found(await diagnostics_until(client, legacy, bool)) == {(16, "LKL102"), (25, "LKL102"), (37, "LKL102")}


async def test_a_broken_configuration_is_shown_and_the_defaults_apply(client: LanguageClient, workspace: Path) -> None:
    (workspace / "pyproject.toml").write_text('[tool.leaklint]\nselect = ["LKL9999"]\n')
    uri = open_document(client, workspace / "service.py", LEAKY)
    assert len(await diagnostics_until(client, uri, bool)) == 5
    (shown,) = [m for m in client.messages if "pyproject.toml" in m.message]
    assert shown.type == types.MessageType.Error and "select" in shown.message


async def test_cross_module_findings_follow_the_helpers_module(client: LanguageClient, workspace: Path) -> None:
    for name in ("dbutil.py", "service.py"):
        shutil.copy(FIXTURES / "project_helpers" / name, workspace / name)
    service_text = (workspace / "service.py").read_text(encoding="utf-8")
    expected = expected_findings(workspace / "service.py")
    service = open_document(client, workspace / "service.py", service_text)
    assert found(await diagnostics_until(client, service, lambda ds: found(ds) == expected)) == expected

    # the helper, edited in the editor and not saved: `open_connection` no longer hands out a connection
    helper_text = (workspace / "dbutil.py").read_text(encoding="utf-8")
    helper = open_document(client, workspace / "dbutil.py", helper_text)
    await diagnostics_until(client, helper, lambda ds: True)
    change_document(client, helper, 2, helper_text.replace("    return conn\n", "    conn.close()\n", 1))
    diagnostics = await diagnostics_until(client, service, lambda ds: (7, "LKL101") not in found(ds))
    assert (26, "LKL101") not in found(diagnostics)  # `dbutil.open_connection()` too
