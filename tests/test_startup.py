"""Start-up cost: `leaklint --version` and a fully cached run import neither
LibCST nor rich (nor the rules, which import LibCST)."""
from __future__ import annotations

import re
import subprocess
import sys

from leaklint import __version__

HEAVY = ("libcst", "rich", "leaklint.rules")
LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$")

LEAKY = '''\
import sqlite3


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()
'''


def imported(stderr: str) -> set[str]:
    return {match.group(1) for match in map(LINE.match, stderr.splitlines()) if match}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "leaklint", *args], capture_output=True, text=True, cwd=cwd)


def test_version_imports_nothing_heavy():
    proc = run("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"leaklint {__version__}"
    modules = imported(proc.stderr)
    assert "leaklint.cli" in modules
    assert heavy(modules) == []
    assert "pathspec" not in modules and "leaklint.engine" not in modules


def test_a_cached_run_imports_nothing_heavy(tmp_path):
    (tmp_path / "leaky.py").write_text(LEAKY, encoding="utf-8")
    (tmp_path / "clean.py").write_text("import os\n", encoding="utf-8")
    args = ("--isolated", "--format", "json", ".")
    first = run(*args, cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert "libcst" in imported(first.stderr)  # the first run parses leaky.py
    cached = run(*args, cwd=tmp_path)
    assert cached.returncode == 1, cached.stderr
    assert cached.stdout == first.stdout
    assert heavy(imported(cached.stderr)) == []
