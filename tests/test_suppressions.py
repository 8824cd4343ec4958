"""Inline suppressions (`# noqa`, `# noqa: CODES`, `# leaklint: ignore[...]`)
on the reported line or the first line of its statement, and the opt-in
report of unused ones (LKL900)."""
from __future__ import annotations

import json
import textwrap

import pytest

from leaklint import suppressions
from leaklint.cli import main


def run(capsys, tmp_path, source, *args):
    path = tmp_path / "mod.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    status = main(["--isolated", "--format", "json", *args, str(path)])
    found = json.loads(capsys.readouterr().out)
    return status, [(d["line"], d["code"]) for d in found], found


LEAK = '''\
import sqlite3


def load(path):
    conn = sqlite3.connect(path){comment}
    return conn.execute("select 1").fetchall()
'''


def leak(comment):
    return LEAK.format(comment=comment)


def test_unsuppressed_finding(capsys, tmp_path):
    assert run(capsys, tmp_path, leak(""))[:2] == (1, [(5, "LKL101")])


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa",
        "  # NOQA",
        "  # noqa: LKL101",
        "  # noqa:LKL101,E501",
        "  # noqa: E501, LKL101",
        "  # noqa: LKL1",
        "  # leaklint: ignore[LKL101]",
        "  # leaklint: ignore[LKL102, LKL101]",
        "  # leaklint: ignore",
        "  # type: ignore  # noqa: LKL101",
    ],
)
def test_suppressed(capsys, tmp_path, comment):
    assert run(capsys, tmp_path, leak(comment))[:2] == (0, [])


@pytest.mark.parametrize(
    "comment",
    ["  # noqa: LKL102", "  # noqa: E501", "  # leaklint: ignore[LKL104]", "  # noqa LKL101 in words", "  # no qa"],
)
def test_other_codes_do_not_suppress(capsys, tmp_path, comment):
    status, found, _ = run(capsys, tmp_path, leak(comment))
    if comment == "  # noqa LKL101 in words":  # flake8 reads this as a bare `# noqa`
        assert found == []
    else:
        assert found == [(5, "LKL101")]


def test_comment_on_another_line_does_not_suppress(capsys, tmp_path):
    source = '''\
    import sqlite3


    def load(path):  # noqa: LKL101
        conn = sqlite3.connect(path)
        return conn.execute("select 1").fetchall()  # noqa: LKL101
    '''
    assert run(capsys, tmp_path, source)[1] == [(5, "LKL101")]


def test_noqa_inside_a_string_is_not_a_comment(capsys, tmp_path):
    source = '''\
    import sqlite3


    def load(path):
        conn = sqlite3.connect(path + "  # noqa")
        return conn.execute("select 1").fetchall()
    '''
    assert run(capsys, tmp_path, source)[1] == [(5, "LKL101")]


MULTI_LINE = '''\
import sqlite3


def load(path):
    rows = list({first}
        sqlite3.connect(path).execute("select 1")
    )
    return rows
'''


def test_first_line_of_a_multi_line_statement(capsys, tmp_path):
    assert run(capsys, tmp_path, MULTI_LINE.format(first=""))[1] == [(6, "LKL101")]
    assert run(capsys, tmp_path, MULTI_LINE.format(first="  # noqa: LKL101"))[1] == []
    assert run(capsys, tmp_path, MULTI_LINE.format(first="  # leaklint: ignore[LKL101]"))[1] == []


def test_first_line_of_a_multi_line_with_header(capsys, tmp_path):
    source = '''\
    import sqlite3


    def load(path):
        with (  # leaklint: ignore[LKL104]
            sqlite3.connect(path) as conn
        ):
            conn.execute("select 1")
    '''
    assert run(capsys, tmp_path, source)[1] == []


# -- unused suppressions ------------------------------------------------------------------


UNUSED = '''\
import os
import sqlite3


def load(path):
    conn = sqlite3.connect(path)  # noqa: LKL101, LKL102
    return conn.execute("select 1").fetchall()


def clean(path):
    value = os.getcwd()  # noqa: LKL104
    other = os.sep  # noqa
    third = os.name  # leaklint: ignore
    fourth = os.curdir  # noqa: E501
    return value, other, third, fourth
'''


def test_unused_suppressions_are_not_reported_by_default(capsys, tmp_path):
    assert run(capsys, tmp_path, UNUSED)[:2] == (0, [])


def test_report_unused_suppressions(capsys, tmp_path):
    status, found, raw = run(capsys, tmp_path, UNUSED, "--report-unused-suppressions")
    assert status == 1
    # line 6: LKL101 used, LKL102 not; line 11: LKL104 unused; line 13: bare leaklint ignore unused;
    # a bare `# noqa` (line 12) and other tools' codes (line 14) are never reported
    assert found == [(6, "LKL900"), (11, "LKL900"), (13, "LKL900")]
    by_line = {d["line"]: d for d in raw}
    assert by_line[6]["message"].endswith("no LKL102 reported here")
    assert by_line[6]["name"] == "unused-suppression"
    assert by_line[6]["column"] == UNUSED.splitlines()[5].index("# noqa") + 1
    assert by_line[6]["fix"]["safety"] == "safe"


def test_codes_of_disabled_rules_are_not_reported_unused(capsys, tmp_path):
    status, found, _ = run(capsys, tmp_path, UNUSED, "--report-unused-suppressions", "--ignore", "LKL102,LKL104")
    assert found == [(13, "LKL900")]


def test_unused_in_a_file_without_findings(capsys, tmp_path):
    status, found, _ = run(capsys, tmp_path, "import os\nx = os.sep  # leaklint: ignore[LKL101]\n", "--report-unused-suppressions")
    assert (status, found) == (1, [(2, "LKL900")])


# -- the parser -----------------------------------------------------------------------------


def test_parse_directives():
    parsed = suppressions.parse("x = 1  # noqa: lkl101,LKL2\ny = 2  # leaklint: ignore[LKL104]\nz = (\n  3)  # noqa\n")
    assert parsed.suppresses(1, "LKL101") and parsed.suppresses(1, "LKL203") and not parsed.suppresses(1, "LKL102")
    assert parsed.suppresses(2, "LKL104") and not parsed.suppresses(2, "LKL101")
    assert parsed.suppresses(4, "LKL101")
    assert not parsed.suppresses(3, "LKL101")  # the comment is on the statement's last line, not its first


def test_parse_survives_text_that_does_not_tokenize():
    parsed = suppressions.parse('x = (\n"unterminated  # noqa: LKL000\n')
    assert parsed.suppresses(2, "LKL000")
