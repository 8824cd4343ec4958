"""The pre-commit hooks, for real: `pre-commit try-repo` installs leaklint
from the checkout into its own environment and runs the hook on a file of a
temporary git repository.

try-repo clones a commit: it includes uncommitted changes to tracked files
(as a shadow commit) but not untracked files. So that the test checks the
working tree as it is, the checkout's files (tracked and untracked, less what
.gitignore leaves out) are committed into a snapshot repository first, and
try-repo runs on that.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

CHECKOUT = Path(__file__).resolve().parent.parent
LEAKY = '''\
import sqlite3


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()
'''
CLEAN = '''\
import sqlite3
from contextlib import closing


def load(path):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("select 1").fetchall()
'''
# what pre-commit says when it cannot build the hook's environment (no network, no index)
INSTALL_FAILURES = (
    "Could not find a version",
    "No matching distribution",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Could not fetch URL",
    "ProxyError",
)


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def snapshot(destination: Path) -> Path:
    """The checkout's working tree, committed into a repository of its own."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=CHECKOUT)
    for name in filter(None, listed.split("\0")):
        source = CHECKOUT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "--no-verify", "-m", "snapshot", cwd=destination)
    return destination


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (CHECKOUT / ".git").exists():
        pytest.skip("not a git checkout")
    return snapshot(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(home: Path, work: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", *arguments],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 and any(marker in output for marker in INSTALL_FAILURES):
        pytest.skip(f"pre-commit could not install leaklint into its environment (no package index?):\n{output[-2000:]}")
    return proc


def try_repo(hook_repo: Path, home: Path, work: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    return pre_commit(home, work, "try-repo", str(hook_repo), hook, "--color", "never", "--files", *files)


@pytest.fixture
def work(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / "leaky.py").write_text(LEAKY, encoding="utf-8")
    (repo / "clean.py").write_text(CLEAN, encoding="utf-8")
    (repo / "notes.txt").write_text("conn = sqlite3.connect(path)\n", encoding="utf-8")
    git("add", "-A", cwd=repo)
    return repo


@pytest.mark.slow
def test_hook_reports_the_leak(hook_repo, pre_commit_home, work):
    proc = try_repo(hook_repo, pre_commit_home, work, "leaklint", "leaky.py", "notes.txt")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "leaklint" in output and "Failed" in output
    assert "leaky.py:5:12: LKL101" in output
    assert "notes.txt" not in output.split("Failed", 1)[1]  # types: [python]

    proc = try_repo(hook_repo, pre_commit_home, work, "leaklint", "clean.py")  # the environment is reused
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


@pytest.mark.slow
def test_hook_applies_the_configured_excludes(hook_repo, pre_commit_home, work):
    (work / "pyproject.toml").write_text("[tool.leaklint]\nextend-exclude = ['leaky.py']\n", encoding="utf-8")
    proc = try_repo(hook_repo, pre_commit_home, work, "leaklint", "leaky.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hooks_manifest():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"leaklint", "leaklint-fix", "leaklint-project"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["python"]
        assert hook["entry"].split()[:2] == ["leaklint", "--force-exclude"]
        assert hook.get("pass_filenames", True) is True
        assert not hook.get("args"), "a user's `args:` replaces the hook's: what a hook needs goes in its entry"
    assert "--fix" in hooks["leaklint-fix"]["entry"].split()
    assert "--project-context" in hooks["leaklint-project"]["entry"].split()
    assert "--fix" not in hooks["leaklint"]["entry"]


def run_configured(hook_repo: Path, home: Path, work: Path, hook: dict, *files: str) -> subprocess.CompletedProcess:
    """`pre-commit run` with a .pre-commit-config.yaml that uses `hook` (with
    the user's own `args:`) from the snapshot repository."""
    rev = git("rev-parse", "HEAD", cwd=hook_repo).strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [hook]}]}
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return pre_commit(home, work, "run", hook["id"], "--color", "never", "--files", *files)


@pytest.mark.slow
def test_the_fix_hook_still_fixes_with_user_args(hook_repo, pre_commit_home, work):
    # `args:` used to replace the hook's own `--fix`: the hook reported and fixed nothing
    proc = run_configured(hook_repo, pre_commit_home, work, {"id": "leaklint-fix", "args": ["--unsafe-fixes"]}, "leaky.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the file changed: pre-commit fails the commit
    assert "closing(sqlite3.connect(path))" in (work / "leaky.py").read_text(encoding="utf-8")


DB = """\
import psycopg2


def open_connection():
    conn = psycopg2.connect("dbname=app")
    conn.set_session(autocommit=True)
    return conn
"""
SERVICE = """\
from db import open_connection


def run():
    conn = open_connection()
    conn.cursor().execute("select 1")
"""


@pytest.mark.slow
def test_the_project_hook_knows_helpers_in_unstaged_modules(hook_repo, pre_commit_home, tmp_path):
    work = tmp_path / "split"
    work.mkdir()
    git("init", "-q", cwd=work)
    (work / "db.py").write_text(DB, encoding="utf-8")
    (work / "service.py").write_text(SERVICE, encoding="utf-8")
    git("add", "-A", cwd=work)
    # pre-commit hands over only the staged file: the factory in db.py is not known
    assert try_repo(hook_repo, pre_commit_home, work, "leaklint", "service.py").returncode == 0
    proc = try_repo(hook_repo, pre_commit_home, work, "leaklint-project", "service.py")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "service.py:5:12: LKL101" in output
    assert "db.py:" not in output  # linted for its summaries, not reported
    assert (work / ".leaklint_cache").is_dir()  # the next commit reuses the results
