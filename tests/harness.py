"""Fixture harness: a fixture marks each diagnostic it expects with a trailing
comment on the reported line, `# expect: LKL101` (several: `# expect: LKL101, LKL203`).
Any missing or extra diagnostic fails. A `project_*` folder is linted as one
project, with the resources its own pyproject.toml declares."""
from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

from leaklint.catalogue import default_catalogue
from leaklint.config import load_config
from leaklint.engine import Linter

EXPECT = re.compile(r"#\s*expect:\s*(LKL\d{3}(?:\s*,\s*LKL\d{3})*)")
FIXTURES = Path(__file__).parent / "fixtures"


def expected_findings(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in match.group(1).split(","):
                found.add((number, code.strip()))
    return found


def linter_for(unit: list[Path]) -> Linter:
    """The default linter; for a `project_*` folder with a pyproject.toml, one
    with its `[[tool.leaklint.resources]]`, as `leaklint` run there would be."""
    folder = next((p for p in unit[0].parents if p.name.startswith("project_")), None)
    if folder is None or not (folder / "pyproject.toml").is_file():
        return Linter()
    config = load_config(str(folder / "pyproject.toml"))
    return Linter(catalogue=default_catalogue().with_additions(config.libraries()), summaries=config.summaries())


def actual_findings(paths: list[Path], linter: Linter | None = None) -> dict[Path, set[tuple[int, str]]]:
    linter = linter or linter_for(paths)
    run = linter.lint_files([str(p) for p in paths])
    out: dict[Path, set[tuple[int, str]]] = {p: set() for p in paths}
    for result in run.files:
        assert not result.errors, result.errors
        out[Path(result.path)] = {(d.line, d.code) for d in result.diagnostics}
    return out


def lint_units() -> list[list[Path]]:
    """Each fixture file is one unit, except folders named `project_*`, which are
    linted together (their summaries cross files)."""
    units = []
    for path in sorted(FIXTURES.rglob("*.py")):
        if any(part.startswith("project_") for part in path.relative_to(FIXTURES).parts[:-1]):
            continue
        if ".fixed" in path.name or "/fix/" in path.as_posix():
            continue
        units.append([path])
    for folder in sorted(p for p in FIXTURES.rglob("project_*") if p.is_dir()):
        units.append(sorted(folder.rglob("*.py")))
    return units


# a leak every CLI-level test can plant beside a bad file
LEAK = 'import psycopg2\n\n\ndef leak(dsn):\n    conn = psycopg2.connect(dsn)\n    conn.cursor().execute("select 1")\n'


def run_bounded(command: list, *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run, but a timeout kills the whole process group (the CLI's
    worker processes too), so a hang never leaves orphans behind."""
    with subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)
