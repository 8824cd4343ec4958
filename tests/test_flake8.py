"""`flake8 --select LKL`: the real flake8 executable, in a subprocess, reports
what `leaklint` reports; flake8's own selection, `# noqa` and `--jobs` work."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# the flake8 executable installed next to this Python (its console script), as a user runs it
SCRIPT = Path(sys.executable).parent / ("flake8.exe" if sys.platform == "win32" else "flake8")
FLAKE8 = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "flake8"]
FORMAT = "--format=%(path)s:%(row)d:%(col)d:%(code)s"

SAMPLE = '''\
import sqlite3


def never_closed(path):
    conn = sqlite3.connect(path){c5}
    return conn.execute("select 1").fetchall()


def not_guaranteed(path):
    conn = sqlite3.connect(path){c10}
    conn.execute("select 1")
    conn.close()


def txn_only(path):
    with sqlite3.connect(path) as conn:{c16}
        conn.execute("select 1")


def chained(path):
    rows = list({c21}
        sqlite3.connect(path).execute("select 1")
    )
    return rows
'''
ALL = {(5, "LKL101"), (10, "LKL102"), (16, "LKL104"), (22, "LKL101")}


def sample(directory: Path, **comments: str) -> Path:
    values = {key: comments.get(key, "") for key in ("c5", "c10", "c16", "c21")}
    path = directory / "sample.py"
    path.write_text(SAMPLE.format(**values), encoding="utf-8")
    return path


def flake8(*args: str, cwd: Path) -> tuple[int, set[tuple[str, int, int, str]], str]:
    proc = subprocess.run(
        [*FLAKE8, FORMAT, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    if "Traceback" in proc.stderr:
        pytest.fail(f"flake8 crashed:\n{proc.stderr}")
    found = set()
    for line in proc.stdout.splitlines():
        path, row, col, code = line.rsplit(":", 3)
        found.add((path, int(row), int(col), code))
    return proc.returncode, found, proc.stderr


def lines(found) -> set[tuple[int, str]]:
    return {(row, code) for _, row, _, code in found}


def leaklint_json(*args: str, cwd: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "leaklint", "--format", "json", *args], capture_output=True, text=True, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def fixture_files() -> list[str]:
    """Every fixture, the `project_*` folders too: their findings need the
    other files of the project, which are part of the flake8 run."""
    return [str(path) for path in sorted(FIXTURES.rglob("*.py"))]


def compiles(path: str) -> bool:
    try:
        compile(Path(path).read_bytes(), path, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def test_flake8_reports_what_leaklint_reports_on_the_fixture_tree(tmp_path):
    files = fixture_files()
    assert files
    expected = set()
    for d in leaklint_json("--isolated", *files, cwd=tmp_path):
        if d["code"] == "LKL000" and not compiles(d["path"]):
            continue  # flake8 reports E999 itself and runs no plugin on such a file
        expected.add((d["path"], d["line"], d["column"], d["code"]))
    assert expected, "the fixtures have findings"
    status, found, _ = flake8("--isolated", "--select", "LKL", "--jobs", "1", *files, cwd=tmp_path)
    assert found == expected
    assert status == 1
    # --jobs: flake8's worker processes give the same answer
    assert flake8("--isolated", "--select", "LKL", "--jobs", "2", *files, cwd=tmp_path)[1] == expected


def test_flake8_links_the_modules_of_its_run(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "db.py").write_text(
        "import sqlite3\n\n\ndef open_db(path):\n    conn = sqlite3.connect(path)\n    conn.execute('pragma foreign_keys = on')\n    return conn\n",
        encoding="utf-8",
    )
    (tmp_path / "app" / "service.py").write_text(
        "from .db import open_db\n\n\ndef load(path):\n    conn = open_db(path)\n    return conn.execute('select 1').fetchall()\n",
        encoding="utf-8",
    )
    service = str(Path("app") / "service.py")
    found = {(path, row, code) for path, row, _, code in flake8("--isolated", "--select", "LKL", "app", cwd=tmp_path)[1]}
    assert found == {(service, 5, "LKL101")}  # the factory is in another module of the run
    assert flake8("--isolated", "--select", "LKL", "--jobs", "2", "app", cwd=tmp_path)[1] == flake8("--isolated", "--select", "LKL", "app", cwd=tmp_path)[1]
    assert flake8("--isolated", "--select", "LKL", service, cwd=tmp_path)[1] == set()  # without db.py in the run, nothing says it is a factory


def test_flake8_selection(tmp_path):
    path = str(sample(tmp_path))
    assert lines(flake8("--isolated", "--select", "LKL", path, cwd=tmp_path)[1]) == ALL
    assert lines(flake8("--isolated", "--select", "LKL104", path, cwd=tmp_path)[1]) == {(16, "LKL104")}
    assert lines(flake8("--isolated", "--select", "LKL", "--ignore", "LKL101", path, cwd=tmp_path)[1]) == {(10, "LKL102"), (16, "LKL104")}
    assert lines(flake8("--isolated", "--select", "E9", "--extend-select", "LKL102", path, cwd=tmp_path)[1]) == {(10, "LKL102")}


def test_flake8_noqa_and_leaklint_ignore(tmp_path):
    path = str(
        sample(
            tmp_path,
            c5="  # noqa: LKL101",
            c10="  # noqa",
            c16="  # leaklint: ignore[LKL104]",
            c21="  # noqa: LKL101",  # the first line of the statement reported at line 22
        )
    )
    status, found, _ = flake8("--isolated", "--select", "LKL", path, cwd=tmp_path)
    assert (status, found) == (0, set())
    assert lines(flake8("--isolated", "--select", "LKL", "--disable-noqa", path, cwd=tmp_path)[1]) == ALL


def test_flake8_plugin_uses_the_configured_resources(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.leaklint]
            [[tool.leaklint.resources]]
            acquire = "myapp.db.get_db_connection"
            release = ["myapp.db.release_db_connection"]
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "svc.py").write_text(
        textwrap.dedent(
            """\
            from myapp.db import get_db_connection, release_db_connection


            def leaked():
                conn = get_db_connection()
                return conn.execute("select 1")


            def released():
                conn = get_db_connection()
                try:
                    return conn.execute("select 1")
                finally:
                    release_db_connection(conn)
            """
        ),
        encoding="utf-8",
    )
    assert lines(flake8("--select", "LKL", "svc.py", cwd=tmp_path)[1]) == {(5, "LKL101")}


def test_flake8_with_a_broken_configuration_says_why(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.leaklint]\nselct = ['LKL101']\n", encoding="utf-8")
    sample(tmp_path)
    status, _, stderr = flake8("--select", "LKL", "sample.py", cwd=tmp_path)
    assert status != 0
    assert "leaklint:" in stderr and "selct" in stderr and "pyproject.toml" in stderr
