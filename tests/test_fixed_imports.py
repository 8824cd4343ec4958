"""Every fixed fixture passes isort (default profile) and ruff's import
sorting and blank-line rules unchanged: an import a fix adds goes where the
tools put it, and a top-level `def` keeps its two blank lines. Each file is
checked with the configuration the tools find for it (a fixture folder may
have its own pyproject.toml)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES

FIXED = sorted((FIXTURES / "fix").rglob("*.fixed.py"))
TOOLS = Path(sys.executable).parent


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_ruff_accepts_every_fixed_fixture():
    # the E3 blank-line rules are preview rules in ruff
    proc = _run([str(TOOLS / "ruff"), "check", "--no-cache", "--preview", "--select", "I,E3", *map(str, FIXED)], FIXTURES)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("folder", sorted({path.parent for path in FIXED}), ids=lambda folder: str(folder.relative_to(FIXTURES)))
def test_isort_accepts_every_fixed_fixture(folder: Path):
    files = sorted(str(path) for path in FIXED if path.parent == folder)
    proc = _run([str(TOOLS / "isort"), "--check-only", "--diff", "--settings-path", str(folder), *files], folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
