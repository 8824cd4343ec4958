"""leaklint reads code; it never imports or runs it, and what it prints
cannot steer the terminal or a CI log.

- Linting a directory of hostile files (module-level side effects, packages
  whose `__init__` has side effects, files that shadow the modules leaklint
  imports, a build backend, malicious-looking configuration values) runs none
  of them.
- Control characters from source code and file names are shown escaped in
  the text output (colour or not) and on stderr; JSON stays faithful and
  valid; a GitHub annotation cannot be split into a second command.
"""
from __future__ import annotations


import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import LEAK, run_bounded



ESC = "\x1b"


def _side_effect(marker: Path, label: str) -> str:
    return f"open({str(marker / label)!r}, 'w').write('ran')\n"


def _command(mode: str) -> list[str]:
    if mode == "console-script":
        script = Path(sys.executable).parent / "leaklint"
        if not script.exists():
            found = shutil.which("leaklint")
            if found is None:
                pytest.skip("the `leaklint` console script is not installed beside this interpreter")
            script = Path(found)
        return [str(script)]
    if sys.version_info < (3, 11):
        pytest.skip("python -P (safe path) needs Python 3.11")
    return [sys.executable, "-P", "-m", "leaklint"]


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "PYTHONPATH")}
    env.update(PYTHONIOENCODING="utf-8", **extra)
    return env


def _run(command: list[str], cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run_bounded(
        [*command, "--no-cache", *args],
        cwd=cwd,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=120,
        env=_env(**env),
    )


# -- nothing runs ---------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose every file would leave a marker if it were imported or run."""
    project = tmp_path / "project"
    markers = tmp_path / "markers"
    project.mkdir()
    markers.mkdir()
    (project / "service.py").write_text(
        "import os\n" + _side_effect(markers, "service") + LEAK + "\nif __name__ == '__main__':\n    " + _side_effect(markers, "main"),
        encoding="utf-8",
    )
    package = project / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(_side_effect(markers, "package-init") + "import psycopg2\n", encoding="utf-8")
    (package / "db.py").write_text(
        "from . import helpers\n" + _side_effect(markers, "pkg-db") + LEAK, encoding="utf-8"
    )
    (package / "helpers.py").write_text(_side_effect(markers, "helpers") + "def connect(dsn):\n    import psycopg2\n    return psycopg2.connect(dsn)\n", encoding="utf-8")
    # files that would shadow what leaklint itself imports, if the directory were on sys.path
    for module in ("json", "libcst", "pathspec", "tomllib", "tomli", "rich", "typing_extensions", "argparse", "re", "sitecustomize", "usercustomize", "conftest", "setup"):
        (project / f"{module}.py").write_text(_side_effect(markers, f"shadow-{module}") + "raise SystemExit(99)\n", encoding="utf-8")
    (project / "evil_backend.py").write_text(_side_effect(markers, "build-backend"), encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "evil_backend"\nbackend-path = ["."]\n\n'
        "[project]\nname = \"x\"\nversion = \"$(touch pwned)\"\n",
        encoding="utf-8",
    )
    (project / "leaky.pth").write_text(f"import os; {_side_effect(markers, 'pth').strip()}\n", encoding="utf-8")
    return project, markers


@pytest.mark.parametrize("mode", ["console-script", "python-P"])
def test_linting_runs_none_of_the_code(hostile: tuple[Path, Path], mode: str) -> None:
    project, markers = hostile
    done = _run(_command(mode), project, "--format", "json", ".")
    assert list(markers.iterdir()) == [], f"code ran: {sorted(p.name for p in markers.iterdir())}"
    assert not (project / "pwned").exists()
    assert done.returncode == 1, done.stderr
    paths = {os.path.normpath(d["path"]) for d in json.loads(done.stdout)}
    assert {"service.py", "pkg/db.py"} <= paths


def test_fix_runs_none_of_the_code(hostile: tuple[Path, Path]) -> None:
    project, markers = hostile
    _run(_command("console-script"), project, "--fix", "--unsafe-fixes", ".")
    assert list(markers.iterdir()) == []
    compile((project / "service.py").read_text(encoding="utf-8"), "service.py", "exec")


def test_in_process_lint_runs_none_of_the_code(hostile: tuple[Path, Path]) -> None:
    from leaklint.engine import Linter

    project, markers = hostile
    before = set(sys.modules)
    paths = sorted(str(p) for p in project.rglob("*.py"))
    run = Linter().lint_files(paths)
    assert list(markers.iterdir()) == []
    assert not run.internal_errors
    assert not {m for m in set(sys.modules) - before if m in ("service", "pkg", "evil_backend") or m.startswith("pkg.")}


@pytest.mark.parametrize(
    "table, status",
    [
        ('exclude = ["$(touch {m}/exclude)", "`touch {m}/exclude2`", "; touch {m}/exclude3"]', (1,)),
        ("select = [\"__import__('os').system('touch {m}/select')\"]", (2,)),
        ("[[tool.leaklint.resources]]\nacquire = [\"os.system('touch {m}/resource')\"]\nrelease-method = [\"close\"]", (1, 2)),
        ('per-file-ignores = {{ "$(touch {m}/pfi)" = ["LKL101"] }}', (1, 2)),
    ],
    ids=["exclude-shell", "select-python", "resource-call", "per-file-ignores-shell"],
)
def test_malicious_looking_configuration_values(tmp_path: Path, table: str, status: tuple[int, ...]) -> None:
    project = tmp_path / "project"
    markers = tmp_path / "markers"
    project.mkdir()
    markers.mkdir()
    (project / "leaky.py").write_text(LEAK, encoding="utf-8")
    body = table.format(m=markers)
    header = "" if body.startswith("[[") else "[tool.leaklint]\n"
    (project / "pyproject.toml").write_text(header + body + "\n", encoding="utf-8")
    done = _run(_command("console-script"), project, "--format", "json", ".")
    assert list(markers.iterdir()) == []
    assert done.returncode in status, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    if done.returncode == 2:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "pyproject.toml" in done.stderr


# -- nothing steers the terminal ----------------------------------------------------------------


EVIL_NAME = f"evil{ESC}[2J{ESC}]0;owned\x07name.py"
EVIL_SOURCE = (
    "import psycopg2\n\n\ndef leak(dsn, pools):\n"
    f'    conn = pools["{ESC}[31mRED\x07"].getconn()\n'
    f'    conn.cursor().execute("{ESC}]0;title\x07")\n'
)


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    (tmp_path / EVIL_NAME).write_text(EVIL_SOURCE, encoding="utf-8")
    return tmp_path


def _only_colour_codes(text: str) -> str:
    """text without rich's own SGR sequences (ESC [ digits/semicolons m)."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("fmt", ["full", "concise"])
@pytest.mark.parametrize("colour", ["NO_COLOR", "FORCE_COLOR"])
def test_text_output_escapes_control_characters(evil: Path, fmt: str, colour: str) -> None:
    done = _run(_command("console-script"), evil, "--format", fmt, ".", **{colour: "1"})
    assert done.returncode == 1, done.stderr
    out = done.stdout if colour == "NO_COLOR" else _only_colour_codes(done.stdout)
    assert ESC not in out and "\x07" not in out, repr(out)
    assert "evil\\x1b[2J" in out  # the name is shown, escaped
    assert "\\x1b[31mRED\\x07" in out  # so is the source in the message


def test_stderr_escapes_file_names(tmp_path: Path) -> None:
    (tmp_path / f"bin{ESC}[2Jary.py").write_bytes(b"\x00\x01\x02")
    (tmp_path / "leaky.py").write_text(LEAK, encoding="utf-8")
    done = _run(_command("console-script"), tmp_path, ".", NO_COLOR="1")
    assert ESC not in done.stderr, repr(done.stderr)
    assert "bin\\x1b[2Jary.py" in done.stderr


def test_json_output_is_faithful_and_escaped(evil: Path) -> None:
    done = _run(_command("console-script"), evil, "--format", "json", ".", NO_COLOR="1")
    assert ESC not in done.stdout  # JSON escapes control characters as \\u001b
    [finding] = json.loads(done.stdout)
    assert os.path.normpath(finding["path"]) == EVIL_NAME
    assert f"{ESC}[31mRED\x07" in finding["message"]


def test_github_annotations_cannot_be_split(tmp_path: Path) -> None:
    name = "inject\n::warning file=x::pwned\r\n.py"
    (tmp_path / name).write_text(LEAK, encoding="utf-8")
    (tmp_path / "leaky.py").write_text(LEAK, encoding="utf-8")
    done = _run(_command("console-script"), tmp_path, "--format", "github", ".", NO_COLOR="1")
    if done.returncode == 2 and "invalid choice" in done.stderr:
        pytest.skip("no github output format yet")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert all(line.startswith("::error ") for line in lines), lines
