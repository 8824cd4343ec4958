"""Parts of `leaklint server` that are hard to reach through a client: an
engine crash, positions in unusual text, and where a `# noqa` can go."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace import Workspace
from pygls.workspace.position_codec import PositionCodec

from harness import LEAK
from leaklint.lsp import adapter
from leaklint.lsp.linting import Linting
from leaklint.lsp.log import Log
from leaklint.lsp.noqa import noqa_edit
from leaklint.lsp.text import Lines, edit_to

UTF16 = PositionCodec(types.PositionEncodingKind.Utf16)


class RecordingServer:
    """What `Linting` uses of a pygls server, recording what it sends."""

    def __init__(self) -> None:
        self.workspace = Workspace(None)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.logged: list[str] = []

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.append(params)

    def window_log_message(self, params: types.LogMessageParams) -> None:
        self.logged.append(params.message)

    def window_show_message(self, params: types.ShowMessageParams) -> None:
        self.logged.append(params.message)


async def _published(server: RecordingServer, count: int) -> None:
    for _ in range(500):
        if len(server.published) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(server.published)} publications, expected {count}")


def test_a_crash_in_one_files_analysis_is_logged_once_and_linting_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lint = adapter.Project.lint

    def crashing(project, text, path, pool):
        if path.endswith("crash.py"):
            raise RuntimeError("boom")
        return lint(project, text, path, pool)

    monkeypatch.setattr(adapter.Project, "lint", crashing)
    crash, fine = (tmp_path / "crash.py").as_uri(), (tmp_path / "fine.py").as_uri()

    async def scenario(server: RecordingServer) -> None:
        linting = Linting(server, Log(server))
        try:
            for version in (1, 2):  # opened, then edited: the same crash again
                server.workspace.put_text_document(types.TextDocumentItem(uri=crash, language_id="python", version=version, text=LEAK))
                linting.opened(crash)
                await _published(server, version)
            server.workspace.put_text_document(types.TextDocumentItem(uri=fine, language_id="python", version=1, text=LEAK))
            linting.opened(fine)
            await _published(server, 3)
        finally:
            linting.close()

    server = RecordingServer()
    asyncio.run(scenario(server))
    assert [p.diagnostics for p in server.published[:2]] == [[], []]
    assert [d.code for d in server.published[2].diagnostics] == ["LKL101"]
    (message,) = server.logged
    assert message.startswith(f"leaklint failed on {tmp_path / 'crash.py'}:") and "RuntimeError: boom" in message


def test_lines_end_where_python_ends_them() -> None:
    lines = Lines("a = 1\x0c\r\nb = '😀'\rc\n", UTF16)  # a form feed is not a line end; CRLF and CR are
    assert [lines.line(n) for n in (1, 2, 3, 4)] == ["a = 1\x0c", "b = '😀'", "c", ""]
    assert lines.line(2) == "b = '😀'"
    assert lines.position(lines.offset(2, 8)) == types.Position(line=1, character=8)  # after the emoji: two UTF-16 units
    assert lines.position(lines.offset(3, 2)) == types.Position(line=2, character=1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc", "a\nb\nc\nd"),
        ("a\nb\n", "x\na\nb\n"),
        ("a\n", ""),
    ],
)
def test_an_edit_spans_only_the_lines_that_differ(old: str, new: str) -> None:
    edit = edit_to(Lines(old, UTF16), new)
    lines = Lines(old, UTF16)
    start = lines.offset(edit.range.start.line + 1, edit.range.start.character + 1)
    end = lines.offset(edit.range.end.line + 1, edit.range.end.character + 1)
    assert old[:start] + edit.new_text + old[end:] == new
    assert len(edit.new_text) <= len(new)


def _noqa(text: str, line: int, code: str = "LKL101") -> str:
    edit = noqa_edit(Lines(text, UTF16), line, code)
    assert edit is not None
    lines = Lines(text, UTF16)
    at = lines.offset(edit.range.start.line + 1, edit.range.start.character + 1)
    return text[:at] + edit.new_text + text[at:]


def test_noqa_joins_the_lines_own_noqa() -> None:
    assert _noqa("x = connect()  # noqa: E501\n", 1) == "x = connect()  # noqa: E501,LKL101\n"


def test_noqa_goes_to_the_first_line_of_a_statement_whose_line_ends_in_a_string() -> None:
    assert _noqa('f(1,\n  connect("""\n"""))\n', 2) == 'f(1,  # noqa: LKL101\n  connect("""\n"""))\n'


def test_no_noqa_where_no_comment_can_suppress() -> None:
    assert noqa_edit(Lines('x = connect("""\n""")\n', UTF16), 1, "LKL101") is None
