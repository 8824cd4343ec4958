"""Fuzzing the engine with generated programs (hypothesis + hypothesmith).

1. Any valid Python program (hypothesmith, from the grammar and from LibCST's
   nodes) is linted without an internal error, with and without the
   prefilter, and never gets LKL000 unless CPython rejects it too.
2. Programs built around the catalogue's own acquire/release calls
   (`conn = psycopg2.connect(dsn)`, `conn = pool.getconn()`, `conn.close()`,
   `pool.putconn(conn)`, `await pool.release(conn)`, `with`, `try/finally`,
   `return`/`break`/`raise`/`yield`), with generated code spliced into the
   function bodies: no internal error; the prefilter never changes a result
   (it may only skip files that would have no findings); and `--fix
   --unsafe-fixes` gives code that compiles and that a second fix leaves as
   it is.

Bounded for the suite: LEAKLINT_FUZZ_EXAMPLES (default 30) examples per
property, no deadline. Under CI (the CI variable set) the examples are
derandomized so a run is reproducible; locally each run explores new ones.

    LEAKLINT_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py
"""
from __future__ import annotations

import os
import tempfile
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leaklint import fixer
from leaklint.catalogue import Await, Awaiting, default_catalogue
from leaklint.engine import Linter
from leaklint.source import decode
from leaklint.summaries import Summaries

# generated code is full of `1()` and `"a"[1.0]`; CPython's SyntaxWarnings about them are noise here
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
EXAMPLES = int(os.environ.get("LEAKLINT_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


GRAMMAR = hypothesmith.from_grammar()  # built once: building it compiles the grammar (about a second)


class NoPrefilter(Linter):
    """The engine with the prefilter off: every file is parsed and analysed."""

    def might_have_findings(self, raw: bytes, summaries: Summaries) -> bool:
        return True


_LINTERS: dict[str, Linter] = {}


def linter(kind: str = "normal") -> Linter:
    if kind not in _LINTERS:
        _LINTERS[kind] = NoPrefilter() if kind == "full" else Linter()
    return _LINTERS[kind]


def compiles(code: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(code, "<fuzz>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


def lint(code: str, kind: str = "normal"):
    result = linter(kind).lint_source(decode(code.encode("utf-8")), "fuzz.py", Summaries(), "fuzz")
    assert not result.errors, "\n".join(e.detail for e in result.errors)
    return result


def keys(result) -> list[tuple[int, int, str]]:
    return sorted((d.line, d.column, d.code) for d in result.diagnostics)


# -- 1. any valid program ------------------------------------------------------------------------


def _check_any_program(code: str) -> None:
    full = lint(code, "full")
    normal = lint(code)
    if compiles(code):
        assert "LKL000" not in {d.code for d in full.diagnostics}, "LKL000 on a program CPython compiles"
    assert keys(normal) == keys(full) or not linter().might_have_findings(code.encode(), Summaries()) and not [
        d for d in full.diagnostics if d.code != "LKL000"
    ]


@FUZZ
@given(GRAMMAR)
def test_programs_from_the_grammar(code: str) -> None:
    _check_any_program(code)


@FUZZ
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(code: str) -> None:
    _check_any_program(code)


@FUZZ
@given(GRAMMAR)
def test_lint_files_on_temp_files(code: str) -> None:
    """The whole path from bytes on disk, two files of one package (summaries cross)."""
    with tempfile.TemporaryDirectory() as directory:
        package = Path(directory) / "pkg"
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        first = package / "generated.py"
        second = package / "user.py"
        first.write_text(code, encoding="utf-8")
        second.write_text("import psycopg2\nfrom .generated import *\n\n\ndef f(dsn):\n    conn = psycopg2.connect(dsn)\n    conn.close()\n", encoding="utf-8")
        run = Linter().lint_files([str(first), str(second)])
        assert not run.internal_errors, run.internal_errors
        assert all(f.skipped is None for f in run.files) or not compiles(code)


# -- 2. programs built from the catalogue -------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One way to acquire a resource and the ways to release it."""

    imports: tuple[str, ...]
    params: tuple[str, ...]
    acquire: str  # the expression; `await` included where it must be awaited
    releases: tuple[str, ...]  # statements, `{var}` for the resource
    asynchronous: bool  # only valid in `async def`
    with_header: Optional[str] = None  # `with ... as {var}:` / `async with ... as {var}:`


def _module_of(qualified: str) -> str:
    parts = qualified.split(".")[:-1]
    out = []
    for part in parts:
        if part[:1].isupper():
            break
        out.append(part)
    return ".".join(out) or qualified.split(".")[0]


def _release_statements(kind, var_receiver: Optional[str], acquire) -> tuple[str, ...]:
    out = []
    if kind is not None:
        for release in kind.releases:
            prefix = "await " if release.awaiting == Awaiting.ASYNC else ""
            out.append(f"{prefix}{{var}}.{release.method}()")
    if var_receiver is not None and acquire is not None:
        for release in acquire.returned_by:
            prefix = "await " if release.awaiting == Awaiting.ASYNC else ""
            out.append(f"{prefix}{var_receiver}.{release.method}({{var}})")
    return tuple(out) or ("{var}.close()",)


def catalogue_patterns() -> list[Pattern]:
    catalogue = default_catalogue()
    patterns: list[Pattern] = []
    for qualified, acquire in sorted(catalogue.functions.items()):
        kind = catalogue.kinds.get(acquire.kind)
        module = _module_of(qualified)
        releases = _release_statements(kind, None, None)
        needs_async = any(r.startswith("await") for r in releases)
        call = f"{qualified}(dsn)"
        header = None
        if kind is not None and kind.with_exit.value != "none":
            header = f"with {call} as {{var}}:"
        elif kind is not None and kind.async_with_exit.value != "none":
            header = f"async with {call} as {{var}}:"
        if acquire.awaiting == Await.CM_ONLY:
            continue
        if acquire.awaiting in (Await.COROUTINE, Await.AWAITABLE):
            patterns.append(Pattern((f"import {module}",), (), f"await {call}", releases, True, header))
        else:
            patterns.append(Pattern((f"import {module}",), (), call, releases, needs_async, header))
            last = qualified.rsplit(".", 1)[-1]
            if module == qualified.rsplit(".", 1)[0]:  # `from psycopg2 import connect as open_db`
                patterns.append(Pattern((f"from {module} import {last} as open_{last.lower()}",), (), f"open_{last.lower()}(dsn)", releases, needs_async, None))
    for kind in catalogue.kinds.values():
        if not kind.types:
            continue
        annotation = kind.types[0]
        module = _module_of(annotation + ".x")
        for method, acquires in sorted(kind.methods.items()):
            for acquire in acquires:
                if acquire.when is not None or acquire.awaiting == Await.CM_ONLY:
                    continue
                produced = catalogue.kinds.get(acquire.kind)
                releases = _release_statements(produced, "source", acquire)
                awaited = acquire.awaiting in (Await.COROUTINE, Await.AWAITABLE)
                expression = f"{'await ' if awaited else ''}source.{method}()"
                needs_async = awaited or any(r.startswith("await") for r in releases)
                patterns.append(Pattern((f"import {module}",), (f"source: {annotation}",), expression, releases, needs_async))
    for heuristic in catalogue.heuristics:
        receiver = "db_pool" if heuristic.receiver_contains else "connections"
        returned = {"getconn": "putconn", "acquire": "release"}.get(heuristic.method, "release")
        patterns.append(Pattern((), (), f"{receiver}.{heuristic.method}()", (f"{receiver}.{returned}({{var}})", "{var}.close()"), False))
        patterns.append(
            Pattern((), (), f"await {receiver}.{heuristic.method}()", (f"await {receiver}.{returned}({{var}})",), True)
        )
    return patterns


PATTERNS = catalogue_patterns()
# Import spellings for the generated programs; more (one-line compounds,
# semicolons, backslashes) in test_prefilter_sees_every_import_spelling below.
IMPORT_SPELLINGS = ("{imp}", "import os, sys\n{imp}", "if True:\n    {imp}", "try:\n    {imp}\nexcept ImportError:\n    pass")


@dataclass
class Program:
    code: str
    asynchronous: bool


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, depth: int, text: str) -> None:
        for line in text.splitlines():
            self.lines.append("    " * depth + line)


@st.composite
def statements(draw, writer: _Writer, depth: int, pattern: Pattern, var: str, asynchronous: bool, in_loop: bool, noise: list[str]) -> None:
    count = draw(st.integers(1, 4))
    for _ in range(count):
        choices = ["acquire", "release", "use", "use", "plain", "exit"]
        if depth < 3:
            choices += ["if", "for", "while", "try_finally", "try_except"]
            if pattern.with_header and ("async with" not in pattern.with_header or asynchronous):
                choices.append("with")
        if noise:
            choices.append("noise")
        what = draw(st.sampled_from(choices))
        inner = dict(writer=writer, pattern=pattern, var=var, asynchronous=asynchronous, noise=noise)
        if what == "acquire":
            writer.add(depth, f"{var} = {pattern.acquire}")
        elif what == "release":
            writer.add(depth, draw(st.sampled_from(pattern.releases)).format(var=var))
        elif what == "use":
            writer.add(depth, draw(st.sampled_from([f"{var}.cursor().execute('select 1')", f"work({var})", f"rows = {var}.execute(query)", f"{'await ' if asynchronous else ''}{var}.fetch(query)"])))
        elif what == "plain":
            writer.add(depth, draw(st.sampled_from(["pass", f"{var} = None", "log('x')", "total = total + 1", "del total"])))
        elif what == "exit":
            exits = ["return", f"return {var}", "raise RuntimeError('failed')"]
            if in_loop:
                exits += ["break", "continue"]
            if not asynchronous:
                exits.append(f"yield {var}")
            writer.add(depth, draw(st.sampled_from(exits)))
        elif what == "noise":
            writer.add(depth, draw(st.sampled_from(noise)))
        elif what == "if":
            writer.add(depth, "if flag:")
            draw(statements(depth=depth + 1, in_loop=in_loop, **inner))
            if draw(st.booleans()):
                writer.add(depth, "else:")
                draw(statements(depth=depth + 1, in_loop=in_loop, **inner))
        elif what in ("for", "while"):
            writer.add(depth, draw(st.sampled_from(["for item in items:", "async for item in items:"] if asynchronous else ["for item in items:"])) if what == "for" else "while flag:")
            draw(statements(depth=depth + 1, in_loop=True, **inner))
        elif what == "try_finally":
            writer.add(depth, "try:")
            draw(statements(depth=depth + 1, in_loop=in_loop, **inner))
            writer.add(depth, "finally:")
            writer.add(depth + 1, draw(st.sampled_from(pattern.releases)).format(var=var))
        elif what == "try_except":
            writer.add(depth, "try:")
            draw(statements(depth=depth + 1, in_loop=in_loop, **inner))
            writer.add(depth, draw(st.sampled_from(["except Exception:", "except BaseException:", "except:", "except (ValueError, OSError) as error:"])))
            draw(statements(depth=depth + 1, in_loop=in_loop, **inner))
            if draw(st.booleans()):
                writer.add(depth + 1, "raise")
        elif what == "with":
            writer.add(depth, pattern.with_header.format(var=var))
            draw(statements(depth=depth + 1, in_loop=in_loop, **inner))


@st.composite
def catalogue_programs(draw) -> Program:
    chosen = draw(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3))
    asynchronous = any(p.asynchronous for p in chosen) or draw(st.booleans())
    generated = draw(st.lists(GRAMMAR, max_size=2))
    # statements of the generated code that can stand inside a function body
    noise = [g for g in generated if g.strip() and compiles("def _():\n" + textwrap.indent(g, "    ") + "\n    pass\n")]
    writer = _Writer()
    if generated and compiles(generated[0]):
        writer.add(0, generated[0])  # a generated module first (its `from __future__` stays valid)
    imports = sorted({imp for p in chosen for imp in p.imports})
    for imp in imports:
        writer.add(0, draw(st.sampled_from(IMPORT_SPELLINGS)).format(imp=imp))
    for index, pattern in enumerate(chosen):
        params = ["dsn", "query", "items", "flag", *pattern.params]
        if draw(st.booleans()):
            writer.add(0, draw(st.sampled_from(["@contextlib.contextmanager", "@pytest.fixture", "@staticmethod", "@cache"])).replace("contextlib.contextmanager", "contextmanager") if not asynchronous else "@asynccontextmanager")
        writer.add(0, f"{'async ' if asynchronous else ''}def target_{index}({', '.join(params)}):")
        writer.add(1, "total = 0")
        draw(statements(writer=writer, depth=1, pattern=pattern, var=draw(st.sampled_from(["conn", "session", "pool_conn", "cur"])), asynchronous=asynchronous, in_loop=False, noise=noise))
    code = "\n".join(writer.lines) + "\n"
    assume(compiles(code))
    return Program(code, asynchronous)


@FUZZ
@given(catalogue_programs())
def test_catalogue_programs_lint_without_internal_errors(program: Program) -> None:
    full = lint(program.code, "full")
    normal = lint(program.code)
    assert "LKL000" not in {d.code for d in full.diagnostics}, program.code
    # the prefilter only ever skips files that have nothing to report
    if not linter().might_have_findings(program.code.encode(), Summaries()):
        assert not full.diagnostics, f"the prefilter dropped a file with findings:\n{program.code}"
    else:
        assert keys(normal) == keys(full)


@FUZZ
@given(catalogue_programs())
def test_catalogue_programs_fixes_compile_and_are_idempotent(program: Program) -> None:
    source = decode(program.code.encode("utf-8"))
    first = fixer.fix_text(source, "fuzz.py", Linter(), unsafe=True).text
    assert compiles(first), f"the fix does not compile:\n--- before\n{program.code}\n--- after\n{first}"
    lint(first, "full")  # the fixed code lints without an internal error
    second = fixer.fix_text(decode(first.encode("utf-8")), "fuzz.py", Linter(), unsafe=True).text
    assert second == first, f"a second fix changed the code:\n--- first\n{first}\n--- second\n{second}"


# -- the prefilter on every spelling of an import ------------------------------------------------

BODY = "\n\ndef leak(dsn, pools):\n    conn = {acquire}\n    conn.cursor().execute('x')\n"


@pytest.mark.parametrize(
    "head, acquire",
    [
        pytest.param("import psycopg2\n", "psycopg2.connect(dsn)", id="plain"),
        pytest.param("import os, psycopg2\n", "psycopg2.connect(dsn)", id="comma"),
        pytest.param("from psycopg2 import (\n    connect,\n)\n", "connect(dsn)", id="parenthesised"),
        pytest.param("import psycopg2 as pg\n", "pg.connect(dsn)", id="alias"),
        pytest.param("", "pools['main'].getconn()", id="getconn-subscript"),
        pytest.param("", "app.state.pool.acquire()", id="acquire-attribute"),
        pytest.param("import os; import psycopg2\n", "psycopg2.connect(dsn)", id="semicolon"),
        pytest.param("if True: import psycopg2\n", "psycopg2.connect(dsn)", id="one-line-if"),
        pytest.param("try: import psycopg2\nexcept ImportError: pass\n", "psycopg2.connect(dsn)", id="one-line-try"),
        pytest.param("import \\\n    psycopg2\n", "psycopg2.connect(dsn)", id="backslash"),
        pytest.param("from \\\n    psycopg2 import connect\n", "connect(dsn)", id="from-backslash"),
        pytest.param(
            "", "pools[0].acquire()", id="acquire-subscript",
        ),
        pytest.param(
            "", "get_pool().acquire()", id="acquire-call",
        ),
        pytest.param(
            "", "db_pool.acquire\\\n        ()", id="acquire-continuation",
        ),
    ],
)
def test_prefilter_sees_every_import_spelling(head: str, acquire: str) -> None:
    code = head + BODY.format(acquire=acquire)
    assert compiles(code)
    full = lint(code, "full")
    assert [d.code for d in full.diagnostics] == ["LKL101"], code
    assert keys(lint(code)) == keys(full), "the prefilter dropped a file with findings"
