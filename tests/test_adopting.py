"""Adopting leaklint on existing code: a baseline (`--write-baseline`,
`--baseline`), `--add-noqa`, LKL900 chosen in the configuration and fixed by
`--fix`, and file-level skips (`# flake8: noqa` as real flake8 reads it,
`# leaklint: skip-file`)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leaklint.cli import main

LEGACY = '''\
import sqlite3


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "legacy.py").write_text(LEGACY, encoding="utf-8")
    return tmp_path


def findings(capsys, *args) -> tuple[int, list[tuple[str, int, str]]]:
    status = main(["--isolated", "--no-cache", "--jobs", "1", "--format", "json", *args])
    return status, [(d["path"], d["line"], d["code"]) for d in json.loads(capsys.readouterr().out)]


# -- baseline ---------------------------------------------------------------------------------


def test_write_then_use_a_baseline(project, capsys):
    assert main(["--isolated", "--no-cache", "--write-baseline", "leaklint-baseline.json"]) == 0
    assert "wrote 1 finding to leaklint-baseline.json" in capsys.readouterr().err
    written = json.loads((project / "leaklint-baseline.json").read_text(encoding="utf-8"))
    assert written == {
        "version": 1,
        "findings": [{"path": "app/legacy.py", "code": "LKL101", "function": "load", "text": "sqlite3.connect(path)", "count": 1}],
    }
    assert findings(capsys, "--baseline", "leaklint-baseline.json") == (0, [])


def test_the_baseline_survives_moved_lines_and_counts_repeats(project, capsys):
    assert main(["--isolated", "--no-cache", "--write-baseline", "base.json"]) == 0
    moved = LEGACY.replace("import sqlite3\n", "import sqlite3\n\nTIMEOUT = 5\nRETRIES = 3\n")
    repeated = moved.replace("    return conn", "    again = sqlite3.connect(path)\n    return conn")
    (project / "app" / "legacy.py").write_text(moved, encoding="utf-8")
    assert findings(capsys, "--baseline", "base.json") == (0, [])
    (project / "app" / "legacy.py").write_text(repeated, encoding="utf-8")
    assert findings(capsys, "--baseline", "base.json") == (1, [("app/legacy.py", 9, "LKL101")])  # the second of one key


def test_a_baseline_from_another_directory_keys_paths_by_its_own(project, capsys, monkeypatch):
    assert main(["--isolated", "--no-cache", "--write-baseline", "base.json", "app"]) == 0
    monkeypatch.chdir(project / "app")
    assert findings(capsys, "--baseline", "../base.json", "legacy.py") == (0, [])


@pytest.mark.parametrize("content", ["{not json", '{"version": 99, "findings": []}', '{"version": 1, "findings": [{"path": 1}]}'])
def test_an_unusable_baseline_is_an_error(project, capsys, content):
    (project / "base.json").write_text(content, encoding="utf-8")
    assert main(["--isolated", "--no-cache", "--baseline", "base.json"]) == 2
    assert "base.json" in capsys.readouterr().err


# -- add-noqa ---------------------------------------------------------------------------------


def test_add_noqa_adds_merges_and_takes_a_reason(project, capsys):
    source = LEGACY + '''

def txn(path):
    with sqlite3.connect(path) as conn:  # noqa: E501 long
        conn.execute("select 1")
'''
    (project / "app" / "legacy.py").write_text(source, encoding="utf-8")
    assert main(["--isolated", "--no-cache", "--add-noqa=legacy code", "app"]) == 0
    assert "added 2 noqa codes" in capsys.readouterr().err
    lines = (project / "app" / "legacy.py").read_text(encoding="utf-8").splitlines()
    assert lines[4] == "    conn = sqlite3.connect(path)  # noqa: LKL101 legacy code"
    assert lines[9] == "    with sqlite3.connect(path) as conn:  # noqa: E501, LKL104 long"
    assert findings(capsys) == (0, [])


def test_add_noqa_without_a_reason_leaves_paths_alone(project, capsys):
    assert main(["--isolated", "--no-cache", "--add-noqa", "app"]) == 0
    assert "# noqa: LKL101\n" in (project / "app" / "legacy.py").read_text(encoding="utf-8")


MULTI_LINE_STRING = '''\
import psycopg2


def report(dsn):
    rows = psycopg2.connect(dsn).cursor().execute(
        """
        select 1
        """).fetchall()
    text = """
    header""" + str(psycopg2.connect(dsn).cursor().fetchall())
    return rows, text
'''


def test_add_noqa_never_breaks_a_multi_line_string(project, capsys):
    path = project / "app" / "legacy.py"
    path.write_text(MULTI_LINE_STRING, encoding="utf-8")
    assert [line for _, line, _ in findings(capsys)[1]] == [5, 10]
    assert main(["--isolated", "--no-cache", "--add-noqa"]) == 0
    fixed = path.read_text(encoding="utf-8")
    compile(fixed, str(path), "exec")
    assert '    rows = psycopg2.connect(dsn).cursor().execute(  # noqa: LKL101\n' in fixed
    # line 10 ends a string that starts on line 9: the comment goes on the statement's first line... which
    # ends inside that string, so the line of the report (after the string) takes it
    assert '    header""" + str(psycopg2.connect(dsn).cursor().fetchall())  # noqa: LKL101\n' in fixed
    assert findings(capsys) == (0, [])


STATEMENT_START = '''\
import psycopg2


def report(dsn):
    print(
        psycopg2.connect("""
        dbname=app""").cursor(),
    )
'''


def test_add_noqa_moves_to_the_statement_start_when_the_line_ends_in_a_string(project, capsys):
    path = project / "app" / "legacy.py"
    path.write_text(STATEMENT_START, encoding="utf-8")
    assert findings(capsys)[1] == [("app/legacy.py", 6, "LKL101")]
    assert main(["--isolated", "--no-cache", "--add-noqa"]) == 0
    assert "    print(  # noqa: LKL101\n" in path.read_text(encoding="utf-8")
    assert findings(capsys) == (0, [])


# -- LKL900 -----------------------------------------------------------------------------------


STALE = '''\
import sqlite3
from contextlib import closing


def load(path):
    with closing(sqlite3.connect(path)) as conn:  # noqa: LKL101, E501
        return conn.execute("select 1").fetchall()  # leaklint: ignore[LKL102] reason


def leak(path):
    # noqa: LKL104
    conn = sqlite3.connect(path)  # noqa: LKL101, LKL102
    return conn.execute("select 1").fetchall()
'''
FIXED = '''\
import sqlite3
from contextlib import closing


def load(path):
    with closing(sqlite3.connect(path)) as conn:  # noqa: E501
        return conn.execute("select 1").fetchall()


def leak(path):
    conn = sqlite3.connect(path)  # noqa: LKL101
    return conn.execute("select 1").fetchall()
'''


def test_lkl900_is_fixed_by_fix(project, capsys):
    (project / "pyproject.toml").write_text('[tool.leaklint]\nextend-select = ["LKL900"]\n', encoding="utf-8")
    path = project / "app" / "legacy.py"
    path.write_text(STALE, encoding="utf-8")
    status = main(["--no-cache", "--format", "json", "app"])
    reported = json.loads(capsys.readouterr().out)
    assert status == 1 and [(d["line"], d["code"]) for d in reported] == [(6, "LKL900"), (7, "LKL900"), (11, "LKL900"), (12, "LKL900")]
    assert all(d["fix"]["safety"] == "safe" for d in reported)
    assert main(["--no-cache", "--fix", "app"]) == 0
    assert path.read_text(encoding="utf-8") == FIXED
    assert "Fixed 4" in capsys.readouterr().out


def test_lkl900_selectors(project, capsys):
    (project / "app" / "legacy.py").write_text(STALE, encoding="utf-8")
    assert findings(capsys, "--extend-select", "LKL9")[1] == [("app/legacy.py", line, "LKL900") for line in (6, 7, 11, 12)]
    assert findings(capsys, "--select", "LKL900")[1] == []  # no rule on: no code could have matched
    assert findings(capsys, "--select", "ALL")[1] == []
    assert findings(capsys, "--report-unused-suppressions", "--ignore", "LKL900")[1] == []


# -- file-level skips, as flake8 reads them ---------------------------------------------------


SKIPS = {
    "start.py": "# flake8: noqa\n",
    "indented.py": "def f():\n    # FLAKE8: NOQA\n    pass\n",
    "equals.py": "# flake8=noqa\n",
    "codes.py": "# flake8: noqa: E501\n",
    "after_code.py": "x = 1  # flake8: noqa\n",
    "no_space.py": "#flake8: noqa\n",
    "other.py": "",
}


def test_flake8_noqa_skips_the_files_flake8_skips(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, header in SKIPS.items():
        (tmp_path / name).write_text(header + LEGACY, encoding="utf-8")
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "LKL", *sorted(SKIPS)], capture_output=True, text=True, cwd=tmp_path
    )
    assert flake8.returncode in (0, 1), flake8.stderr
    flagged_by_flake8 = {line.split(":")[0] for line in flake8.stdout.splitlines()}
    flagged = {path for path, _, _ in findings(capsys, *sorted(SKIPS))[1]}
    assert flagged == flagged_by_flake8 == {"after_code.py", "no_space.py", "other.py"}


def test_leaklint_skip_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "skipped.py").write_text(LEGACY + "# leaklint: skip-file\n", encoding="utf-8")
    (tmp_path / "trailing.py").write_text(LEGACY.replace("import sqlite3", "import sqlite3  # leaklint: skip-file"), encoding="utf-8")
    assert findings(capsys, "skipped.py", "trailing.py")[1] == [("trailing.py", 5, "LKL101")]
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "LKL", "skipped.py"], capture_output=True, text=True)
    assert flake8.stdout == "" and flake8.returncode == 0


def test_a_skipped_file_is_not_fixed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(Path(__file__).parent / "option_fixtures" / "skip_file" / "flake8_noqa.py", tmp_path / "one.py")
    before = (tmp_path / "one.py").read_text(encoding="utf-8")
    assert main(["--isolated", "--no-cache", "--fix", "--unsafe-fixes", "one.py"]) == 0
    assert (tmp_path / "one.py").read_text(encoding="utf-8") == before
