"""The `leaklint` command: flags, exit statuses, the `check`/`rule`/`rules`
commands, and how it hands work to the runner and the fixer."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import types

import pytest

from leaklint import __version__
from leaklint.cli import main

LEAKY = '''\
import sqlite3


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()


def txn(path):
    with sqlite3.connect(path) as conn:
        conn.execute("select 1")
'''


@pytest.fixture
def leaky(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "leaky.py").write_text(LEAKY, encoding="utf-8")
    (tmp_path / "clean.py").write_text("import sqlite3\n", encoding="utf-8")
    return tmp_path


def codes(capsys, *args):
    status = main(["--isolated", "--format", "json", *args])
    return status, [d["code"] for d in json.loads(capsys.readouterr().out)]


def test_exit_statuses(capsys, leaky):
    assert codes(capsys, "leaky.py") == (1, ["LKL101", "LKL104"])
    assert codes(capsys, "clean.py") == (0, [])
    assert main(["--isolated", "missing.py"]) == 2
    assert "missing.py" in capsys.readouterr().err


def test_default_path_is_the_current_directory(capsys, leaky):
    assert codes(capsys) == (1, ["LKL101", "LKL104"])


def test_select_and_ignore(capsys, leaky):
    assert codes(capsys, "--select", "LKL104", "leaky.py") == (1, ["LKL104"])
    assert codes(capsys, "--ignore", "LKL104", "leaky.py") == (1, ["LKL101"])
    assert codes(capsys, "--select", "LKL1", "--ignore", "LKL1", "--extend-select", "LKL101", "leaky.py") == (1, ["LKL101"])
    assert codes(capsys, "--select", "LKL101,LKL104", "leaky.py")[1] == ["LKL101", "LKL104"]


def test_bad_selector_is_a_usage_error(capsys, leaky):
    assert main(["--select", "LKL999", "leaky.py"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("leaklint: ") and "LKL999" in err and len(err.splitlines()) == 1


def test_exit_zero(capsys, leaky):
    assert main(["--isolated", "--exit-zero", "leaky.py"]) == 0


def test_run_flags_are_accepted(capsys, leaky, tmp_path):
    status = main(["--isolated", "-q", "--jobs", "2", "--no-cache", "--cache-dir", str(tmp_path / "cache"), "leaky.py"])
    assert status == 1
    assert "Found" not in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"leaklint {__version__}"


def test_check_subcommand(capsys, leaky):
    assert codes(capsys, "leaky.py") == (main(["check", "--isolated", "leaky.py"]), ["LKL101", "LKL104"])


def test_isolated_and_config_conflict(capsys, leaky):
    assert main(["--isolated", "--config", "x.toml", "leaky.py"]) == 2


def test_unparseable_file_is_reported_and_others_still_linted(capsys, leaky):
    (leaky / "broken.py").write_text("import sqlite3\n\ndef f(:\n    pass\n", encoding="utf-8")
    status, found = codes(capsys, "broken.py", "leaky.py")
    assert status == 1 and found == ["LKL000", "LKL101", "LKL104"]


def test_the_console_script_runs(leaky):
    proc = subprocess.run([sys.executable, "-m", "leaklint", "--isolated", "--format", "concise", "leaky.py"], capture_output=True, text=True, cwd=leaky)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("leaky.py:5:12: LKL101 ")


# -- the runner and the fixer --------------------------------------------------------------


def test_results_come_from_the_runner(capsys, leaky, monkeypatch):
    calls = []

    def lint_paths(paths, linter, jobs=None, cache_dir=None, use_cache=True, progress=None):
        calls.append((list(paths), jobs, cache_dir, use_cache))
        return linter.lint_files(paths)

    monkeypatch.setattr("leaklint.runner.lint_paths", lint_paths)
    assert codes(capsys, "--jobs", "3", "--cache-dir", "c", "--no-cache", "leaky.py") == (1, ["LKL101", "LKL104"])
    assert calls == [(["leaky.py"], 3, "c", False)]


def test_fix_calls_the_fixer(capsys, leaky, monkeypatch):
    calls = []

    def run_fixes(paths, linter, *, unsafe, diff_only, out, allowed):
        calls.append((list(paths), unsafe, diff_only, allowed("leaky.py", 5, "LKL101"), allowed("leaky.py", 5, "LKL104")))
        if diff_only:
            out.write("--- a/leaky.py\n+++ b/leaky.py\n")
        return types.SimpleNamespace(applied=1, errors=[], changed_files=["leaky.py"])

    monkeypatch.setattr("leaklint.fixer.run_fixes", run_fixes)
    assert main(["--isolated", "--fix", "--unsafe-fixes", "--ignore", "LKL104", "leaky.py"]) == 1
    assert calls == [(["leaky.py"], True, False, True, False)]
    assert "Fixed 1 leak." in capsys.readouterr().out
    assert main(["--isolated", "--diff", "leaky.py"]) == 1  # it would change a file
    assert calls[-1][1:3] == (False, True)
    assert capsys.readouterr().out == "--- a/leaky.py\n+++ b/leaky.py\n"


# -- paths, the cache's place and warnings -------------------------------------------------


def test_diff_of_the_default_path_applies_with_git(capsys, leaky):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=leaky, check=True)
    assert main(["--isolated", "--no-cache", "--diff", "--unsafe-fixes"]) == 1
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/leaky.py\n+++ b/leaky.py\n")  # not `a/./leaky.py`
    (leaky / "fix.patch").write_text(diff, encoding="utf-8")
    proc = subprocess.run(["git", "apply", "--check", "fix.patch"], cwd=leaky, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["git", "apply", "fix.patch"], cwd=leaky, check=True)
    assert "closing(sqlite3.connect(path))" in (leaky / "leaky.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["concise", "json", "github"])
def test_reported_paths_have_no_dot_slash(capsys, leaky, fmt):
    main(["--isolated", "--no-cache", "--format", fmt, "."])
    out = capsys.readouterr().out
    assert "leaky.py" in out and "./leaky.py" not in out


def test_unsafe_fixes_alone_says_it_does_nothing(capsys, leaky):
    assert main(["--isolated", "--no-cache", "--unsafe-fixes", "leaky.py"]) == 1
    assert "--unsafe-fixes does nothing without --fix or --diff" in capsys.readouterr().err
    assert main(["--isolated", "--no-cache", "--unsafe-fixes", "--diff", "leaky.py"]) == 1
    assert "does nothing" not in capsys.readouterr().err


def test_the_cache_lives_beside_the_configuration_whatever_the_directory(capsys, leaky, monkeypatch):
    (leaky / "pyproject.toml").write_text("[tool.leaklint]\n", encoding="utf-8")
    (leaky / "pkg").mkdir()
    (leaky / "pkg" / "mod.py").write_text(LEAKY, encoding="utf-8")
    monkeypatch.chdir(leaky / "pkg")
    assert main(["--format", "json", "."]) == 1
    assert (leaky / ".leaklint_cache" / "results.cache").is_file()
    assert not (leaky / "pkg" / ".leaklint_cache").exists()
