"""Bad input never crashes the run and never loses the other files.

Each test puts one bad input beside a leaky file, runs the real command
(`python -m leaklint` in a subprocess, or `cli.main` in-process where the
fault has to be injected), and checks that:

- the bad input gets one clear line (a per-file diagnostic, a `skipped:` line
  on stderr, or exit status 2 for usage and configuration errors);
- the leaky file beside it is still reported;
- no traceback is printed and nothing in the directory is written.
"""
from __future__ import annotations


import ast
import builtins
import errno
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import LEAK, run_bounded



LEAK_LINE = 5
CACHE_DIRS = {".leaklint_cache"}
SAFE_PATH = ["-P"] if sys.version_info >= (3, 11) else []  # the linted directory is not on sys.path


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def findings(self) -> list[tuple[str, int, str]]:
        if not self.stdout.strip():
            return []
        return [(os.path.normpath(d["path"]), d["line"], d["code"]) for d in json.loads(self.stdout)]

    def lines_about(self, name: str) -> list[str]:
        return [line for line in self.stderr.splitlines() if name in line]


def cli_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PYTHONPATH")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return env


def run_cli(cwd: Path, *args: str, timeout: float = 120) -> Run:
    done = run_bounded(
        [sys.executable, *SAFE_PATH, "-m", "leaklint", "--format", "json", "--no-cache", *args],
        cwd=cwd,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env=cli_env(),
    )
    return Run(done.returncode, done.stdout, done.stderr)


def run_in_process(cwd: Path, capsys, monkeypatch, *args: str) -> Run:
    from leaklint import cli

    monkeypatch.chdir(cwd)
    code = cli.main(["--format", "json", "--no-cache", "--jobs", "1", *args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root: contents, mtime and mode (links and FIFOs by their lstat)."""
    out = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in CACHE_DIRS]
        for name in dirnames + filenames:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            content = None
            if stat.S_ISREG(info.st_mode):
                try:
                    with open(path, "rb") as handle:
                        content = handle.read()
                except OSError:
                    content = "unreadable"
            elif stat.S_ISLNK(info.st_mode):
                content = os.readlink(path)
            out[os.path.relpath(path, root)] = (content, info.st_mtime_ns, info.st_mode)
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "leaky.py").write_text(LEAK, encoding="utf-8")
    return tmp_path


def assert_sane(run: Run, leaky: str = "leaky.py", *, status: tuple[int, ...] = (1,)) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.returncode in status, (run.returncode, run.stderr)
    assert (os.path.normpath(leaky), LEAK_LINE, "LKL101") in run.findings, (run.findings, run.stderr)


def assert_one_line(run: Run, name: str, *words: str) -> str:
    lines = run.lines_about(name)
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert line.startswith("leaklint: "), line
    for word in words:
        assert word in line, line
    return line


def lint_and_check(project: Path, *args: str, status: tuple[int, ...] = (1,), timeout: float = 120) -> Run:
    before = snapshot(project)
    run = run_cli(project, *(args or (".",)), timeout=timeout)
    assert_sane(run, status=status)
    assert snapshot(project) == before, "lint wrote to the directory"
    return run


def acquire_line(raw: bytes) -> int:
    """The line CPython gives the `psycopg2.connect` call in raw (any encoding)."""
    for node in ast.walk(ast.parse(raw)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect":
            return node.lineno
    raise AssertionError("no connect call")


# -- encodings and line endings --------------------------------------------------------


def test_empty_file(project: Path) -> None:
    (project / "empty.py").write_bytes(b"")
    run = lint_and_check(project)
    assert not [f for f in run.findings if f[0] == "empty.py"]
    assert not run.lines_about("empty.py")


def test_non_utf8_bytes(project: Path) -> None:
    (project / "latin_no_cookie.py").write_bytes(b"import psycopg2\n\nNAME = 'caf\xe9'\n")
    run = lint_and_check(project)
    assert_one_line(run, "latin_no_cookie.py", "skipped", "line 3", "utf-8")


def test_latin1_coding_cookie_is_linted(project: Path) -> None:
    raw = (
        b"# -*- coding: latin-1 -*-\n"
        b'"""Caf\xe9 \xab service \xbb."""\n'
        b"import psycopg2\n\n\n"
        b"def leak(dsn):\n"
        b"    label = 'na\xefve'\n"
        b"    conn = psycopg2.connect(dsn)\n"
        b"    conn.cursor().execute(label)\n"
    )
    (project / "latin.py").write_bytes(raw)
    run = lint_and_check(project)
    assert ("latin.py", acquire_line(raw), "LKL101") in run.findings
    assert not run.lines_about("latin.py")


def test_utf8_bom(project: Path) -> None:
    raw = b"\xef\xbb\xbf" + LEAK.encode()
    (project / "bom.py").write_bytes(raw)
    run = lint_and_check(project)
    assert ("bom.py", LEAK_LINE, "LKL101") in run.findings
    [column] = [d["column"] for d in json.loads(run.stdout) if os.path.normpath(d["path"]) == "bom.py"]
    assert column == 12  # the BOM is not a column


@pytest.mark.parametrize(
    "name, raw",
    [
        ("crlf.py", LEAK.replace("\n", "\r\n").encode()),
        ("cr_only.py", LEAK.replace("\n", "\r").encode()),
        ("mixed.py", b"import psycopg2\r\n\n\rdef leak(dsn):\r\n    'a'\r    conn = psycopg2.connect(dsn)\n    conn.cursor().execute('x')\r\n"),
        ("formfeed.py", b"import psycopg2\n\x0c\n\x0cdef leak(dsn):\n    conn = psycopg2.connect(dsn)\n    conn.close\n"),
    ],
)
def test_line_endings(project: Path, name: str, raw: bytes) -> None:
    (project / name).write_bytes(raw)
    run = lint_and_check(project)
    assert (name, acquire_line(raw), "LKL101") in run.findings, run.findings
    assert not run.lines_about(name)


# -- not Python at all ---------------------------------------------------------------


def test_nul_bytes(project: Path) -> None:
    (project / "nul.py").write_bytes(b"import psycopg2\nx = 1\x00\n")
    run = lint_and_check(project)
    assert_one_line(run, "nul.py", "skipped", "NUL")


def test_binary_file_named_py(project: Path) -> None:
    (project / "image.py").write_bytes(bytes(range(256)) * 64)
    (project / "noise.py").write_bytes(bytes((i * 131 + 7) % 251 + 1 for i in range(5000)))  # no NUL
    run = lint_and_check(project)
    assert_one_line(run, "image.py", "skipped", "binary")
    assert_one_line(run, "noise.py", "skipped")


def test_unknown_and_non_text_encodings(project: Path) -> None:
    (project / "unknown.py").write_bytes(b"# coding: klingon\nimport psycopg2\n")
    (project / "hex.py").write_bytes(b"# coding: hex\nimport psycopg2\n")
    (project / "bom_cookie.py").write_bytes(b"\xef\xbb\xbf# coding: latin-1\nimport psycopg2\n")
    run = lint_and_check(project)
    assert_one_line(run, "unknown.py", "skipped", "klingon")
    assert_one_line(run, "hex.py", "skipped", "hex")
    assert_one_line(run, "bom_cookie.py", "skipped", "byte-order mark")


def test_python2_syntax_is_lkl000_at_cpythons_line(project: Path) -> None:
    raw = b'import psycopg2\n\n\ndef main():\n    """Old."""\n    print "x"\n'
    (project / "py2.py").write_bytes(raw)
    with pytest.raises(SyntaxError) as expected:
        compile(raw, "py2.py", "exec")
    run = lint_and_check(project)
    assert ("py2.py", expected.value.lineno, "LKL000") in run.findings
    assert expected.value.lineno == 6


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "except ValueError, error:\n    pass\n",
            marks=pytest.mark.xfail(
                reason="known limitation: LibCST parses `except A, e:`, which CPython rejects, so no LKL000 is reported (checking every parsed file with compile() too would cost about a tenth of the parse)", strict=False
            ),
        ),
        "exec 'x = 1'\n",
        "x = `1`\n",
        "x = 0777\n",
        "raise ValueError, 'x'\n",
    ],
)
def test_more_python2_syntax(project: Path, code: str) -> None:
    raw = ("import psycopg2\ntry:\n    pass\n" + code if code.startswith("except") else "import psycopg2\n" + code).encode()
    (project / "old.py").write_bytes(raw)
    with pytest.raises(SyntaxError) as expected:
        compile(raw, "old.py", "exec")
    run = lint_and_check(project)
    assert ("old.py", expected.value.lineno, "LKL000") in run.findings


# -- size and depth ------------------------------------------------------------------------


def test_five_megabyte_file(project: Path) -> None:
    """A generated data module: a leak, 1 MB of constants and 4 MB of data in a string."""
    head = LEAK + "\n\n"
    constants = "".join(f"CONSTANT_{i} = {'x' * 40!r}  # generated\n" for i in range(14_000))
    blob = 'BLOB = """\n' + ("0123456789abcdef" * 4 + "\n") * 66_000 + '"""\n'
    text = head + constants + blob
    assert len(text) > 5 * 1024 * 1024
    (project / "big.py").write_text(text, encoding="utf-8")
    run = lint_and_check(project, timeout=240)
    assert ("big.py", LEAK_LINE, "LKL101") in run.findings


DEEP_INVALID = {  # beyond CPython's own limits: LKL000 or linted, never a crash
    "parens_1000": "x = " + "(" * 1000 + "1" + ")" * 1000,
    "lists_1000": "x = " + "[" * 1000 + "]" * 1000,
}
DEEP_VALID = {  # valid Python that CPython compiles
    "lists_150": "x = " + "[" * 150 + "]" * 150,
    "calls_150": "x = " + "f(" * 150 + ")" * 150,
    "compare_1000": "x = " + " < ".join(["a"] * 1000),
    "ifs_90": "".join(" " * i + "if x:\n" for i in range(90)) + " " * 90 + "pass",
    "elif_300": "if x == 0:\n    pass\n" + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, 300)),
    "binop_1000": "x = " + " + ".join(["1"] * 1000),
    "strcat_1000": "x = " + " + ".join(["'a'"] * 1000),
    "attribute_2000": "x = a" + ".b" * 2000,
    "boolop_1000": "x = " + " and ".join(["a"] * 1000),
    "unary_1000": "x = " + "-" * 1000 + "1",
    "elif_600": "if x == 0:\n    pass\n" + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, 600)),
}
KNOWN_DEEP_BUGS: dict = {}  # every depth above is handled; add a case here only with its bug


def _deep_cases() -> list:
    cases = []
    for name, code in {**DEEP_INVALID, **DEEP_VALID}.items():
        reason = KNOWN_DEEP_BUGS.get(name)
        marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
        cases.append(pytest.param(name, code, id=name, marks=marks))
    return cases


@pytest.mark.parametrize("name, code", _deep_cases())
def test_deeply_nested_code(project: Path, name: str, code: str) -> None:
    """Every kind of depth, in a file that also holds a leak."""
    text = LEAK + "\n\n" + code + "\n"
    (project / "deep.py").write_text(text, encoding="utf-8")
    try:
        compile(text, "deep.py", "exec")
        valid = True
    except (SyntaxError, RecursionError, MemoryError):
        valid = False
    assert valid == (name in DEEP_VALID)
    run = lint_and_check(project, timeout=90)
    own = [f for f in run.findings if f[0] == "deep.py"]
    if valid:
        assert ("deep.py", LEAK_LINE, "LKL101") in own, (own, run.stderr)
    else:  # not Python; LibCST may parse more than CPython does
        assert own == [("deep.py", LEAK_LINE, "LKL101")] or [f[2] for f in own] == ["LKL000"] or run.lines_about("deep.py"), run.stderr


# -- files that cannot be read ------------------------------------------------------------


def _deny(monkeypatch, victim: Path) -> None:
    real_open = builtins.open
    victim_real = os.path.realpath(victim)

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and os.path.realpath(os.fsdecode(file)) == victim_real:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)


def test_unreadable_file_in_process(project: Path, capsys, monkeypatch) -> None:
    """chmod 000 does not stop root, so the refusal is injected into `open`."""
    (project / "secret.py").write_text(LEAK, encoding="utf-8")
    before = snapshot(project)
    _deny(monkeypatch, project / "secret.py")
    run = run_in_process(project, capsys, monkeypatch, ".")
    assert_sane(run)
    assert_one_line(run, "secret.py", "skipped", "Permission denied")
    assert not [f for f in run.findings if f[0] == "secret.py"]
    monkeypatch.undo()
    assert snapshot(project) == before


def test_unreadable_file_engine(project: Path, monkeypatch) -> None:
    from leaklint.engine import Linter

    (project / "secret.py").write_text(LEAK, encoding="utf-8")
    _deny(monkeypatch, project / "secret.py")
    run = Linter().lint_files([str(project / "secret.py"), str(project / "leaky.py")])
    by_path = {os.path.basename(f.path): f for f in run.files}
    assert by_path["secret.py"].skipped == "Permission denied"
    assert [d.code for d in by_path["leaky.py"].diagnostics] == ["LKL101"]
    assert not run.internal_errors


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="running as root: chmod 000 does not stop root from reading (the in-process tests inject the refusal instead)")
def test_unreadable_file_chmod(project: Path) -> None:
    secret = project / "secret.py"
    secret.write_text(LEAK, encoding="utf-8")
    secret.chmod(0)
    try:
        run = lint_and_check(project)
        assert_one_line(run, "secret.py", "skipped")
    finally:
        secret.chmod(0o644)


# -- paths ---------------------------------------------------------------------------------


def test_symlink_loops(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "inner.py").write_text(LEAK, encoding="utf-8")
    os.symlink("..", project / "pkg" / "up")  # a directory loop
    os.symlink("b.py", project / "a.py")  # a file loop
    os.symlink("a.py", project / "b.py")
    os.symlink("nowhere.py", project / "dangling.py")
    run = lint_and_check(project, timeout=60)
    assert ("pkg/inner.py", LEAK_LINE, "LKL101") in run.findings
    assert_one_line(run, "a.py", "skipped", "symbolic links")
    assert_one_line(run, "dangling.py", "skipped")


def test_symlink_loop_named_explicitly(project: Path) -> None:
    os.symlink("loop.py", project / "loop.py")
    run = lint_and_check(project, "loop.py", "leaky.py", status=(1, 2))
    assert_one_line(run, "loop.py")


def test_nonexistent_path_argument(project: Path) -> None:
    run = lint_and_check(project, "missing.py", "leaky.py", status=(2,))
    assert_one_line(run, "missing.py", "no such file")


def test_only_nonexistent_paths(project: Path) -> None:
    run = run_cli(project, "missing.py")
    assert run.returncode == 2
    assert_one_line(run, "missing.py", "no such file")
    assert "Traceback" not in run.stderr


def test_directory_named_like_a_module(project: Path) -> None:
    (project / "x.py").mkdir()
    (project / "x.py" / "inner.py").write_text(LEAK, encoding="utf-8")
    run = lint_and_check(project)
    assert ("x.py/inner.py", LEAK_LINE, "LKL101") in run.findings
    explicit = lint_and_check(project, "x.py", "leaky.py")
    assert ("x.py/inner.py", LEAK_LINE, "LKL101") in explicit.findings


def test_path_with_spaces_and_non_ascii(project: Path) -> None:
    folder = project / "dir with spaces" / "ünïcødé ✓"
    folder.mkdir(parents=True)
    (folder / "mödülé ñame.py").write_text(LEAK, encoding="utf-8")
    run = lint_and_check(project)
    assert ("dir with spaces/ünïcødé ✓/mödülé ñame.py", LEAK_LINE, "LKL101") in run.findings
    explicit = lint_and_check(project, "dir with spaces/ünïcødé ✓/mödülé ñame.py", "leaky.py")
    assert ("dir with spaces/ünïcødé ✓/mödülé ñame.py", LEAK_LINE, "LKL101") in explicit.findings


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_named_like_a_module_does_not_block(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    run = lint_and_check(project, timeout=60)
    assert not run.lines_about("pipe.py")


def test_invalid_gitignore_pattern(project: Path) -> None:
    (project / ".gitignore").write_text("[z-a]\n!\nignored.py\n", encoding="utf-8")
    (project / "ignored.py").write_text(LEAK, encoding="utf-8")
    run = lint_and_check(project)
    assert not [f for f in run.findings if f[0] == "ignored.py"]


# -- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "[tool.leaklint\nselect = [\n",
        '[tool.leaklint]\nselect = "LKL1" "LKL2"\n',
        "[tool.leaklint]\nselect = 5\n",
        '[tool.leaklint]\nnot-a-key = true\n',
        pytest.param(
            b"[tool.leaklint]\nselect = ['\xff']\n",
        ),
    ],
    ids=["unclosed", "bad-toml-value", "wrong-type", "unknown-key", "not-utf8"],
)
def test_broken_pyproject(project: Path, content) -> None:
    raw = content if isinstance(content, bytes) else content.encode()
    (project / "pyproject.toml").write_bytes(raw)
    before = snapshot(project)
    run = run_cli(project, ".")
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "pyproject.toml" in lines[0]
    assert "Traceback" not in run.stderr
    assert snapshot(project) == before
