"""`leaklint -` with `--stdin-filename PATH`: the text on standard input is
linted as PATH (its configuration and per-file settings, its name in every
report); `--fix` prints the fixed source, `--diff` a diff."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from leaklint.cli import main

LEAKY = '''\
import sqlite3
from contextlib import closing


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()


def stale(path):
    with closing(sqlite3.connect(path)) as conn:  # noqa: LKL101
        return conn.execute("select 1").fetchall()
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.leaklint]\nextend-select = ["LKL900"]\n[tool.leaklint.per-file-ignores]\n"scripts/*" = ["LKL101"]\n',
        encoding="utf-8",
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "scripts").mkdir()
    return tmp_path


def run(monkeypatch, capsys, text: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    status = main(["--no-cache", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_reports_the_stdin_filename_with_its_configuration(project, tmp_path_factory, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # an editor's working directory
    status, out, _ = run(monkeypatch, capsys, LEAKY, "-", "--stdin-filename", str(project / "app" / "db.py"), "--format", "json")
    assert status == 1
    assert {(d["path"], d["line"], d["code"]) for d in json.loads(out)} == {
        (str(project / "app" / "db.py"), 6, "LKL101"),
        (str(project / "app" / "db.py"), 11, "LKL900"),  # extend-select of PATH's pyproject.toml
    }
    assert not (project / "app" / "db.py").exists()


def test_per_file_ignores_of_the_path_apply(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    status, out, _ = run(monkeypatch, capsys, LEAKY, "-", "--stdin-filename", "./app/db.py", "--format", "concise")
    assert status == 1 and out.startswith("app/db.py:6:12: LKL101")  # reported without `./`
    # LKL101 is ignored in scripts/: no finding, and its noqa is not reported unused either
    assert run(monkeypatch, capsys, LEAKY, "-", "--stdin-filename", "scripts/tool.py")[:2] == (0, "No leaks found.\n")


def test_fix_prints_the_fixed_source(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    status, out, err = run(monkeypatch, capsys, LEAKY, "--stdin-filename", "app/db.py", "--fix", "--unsafe-fixes")
    assert "with closing(sqlite3.connect(path)) as conn:\n        return" in out
    assert "# noqa" not in out  # LKL900's fix too
    compile(out, "db.py", "exec")
    assert "Fixed 2" in err and status == 0  # the report goes to stderr


def test_diff_prints_a_diff_of_the_path(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    status, out, _ = run(monkeypatch, capsys, LEAKY, "-", "--stdin-filename", "app/db.py", "--diff", "--unsafe-fixes")
    assert status == 1
    assert out.startswith("--- a/app/db.py\n+++ b/app/db.py\n")
    assert "-    conn = sqlite3.connect(path)" in out


def test_an_excluded_path_is_passed_through(project, monkeypatch, capsys):
    (project / "pyproject.toml").write_text('[tool.leaklint]\nextend-exclude = ["generated"]\n', encoding="utf-8")
    monkeypatch.chdir(project)
    status, out, err = run(monkeypatch, capsys, LEAKY, "-", "--stdin-filename", "generated/db.py", "--force-exclude", "--fix")
    assert (status, out, err) == (0, LEAKY, "No leaks found.\n")


def test_standard_input_goes_alone(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert run(monkeypatch, capsys, LEAKY, "-", "app")[0] == 2
    assert run(monkeypatch, capsys, LEAKY, "-", "--add-noqa")[0] == 2


def test_the_real_command_reads_standard_input(project):
    proc = subprocess.run(
        [sys.executable, "-m", "leaklint", "--no-cache", "--format", "github", "-", "--stdin-filename", "app/db.py"],
        input=LEAKY,
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert proc.returncode == 1, proc.stderr
    assert "file=app/db.py,line=6," in proc.stdout
