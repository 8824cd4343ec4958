"""`--fix`: every fixture under fixtures/fix/<CODE>/ is fixed into its
`.fixed.py`; the result compiles, lints clean (but for the findings it marks
`# remains: LKL...`, each of which must carry a reason), and a second fix
changes nothing. Then the encodings and line endings, the passes for
overlapping fixes, the shapes of the rules still to come (LKL201-LKL203)
and the whole fixture tree.

A fixture with a line `# leaklint-fix: unsafe` is fixed with unsafe fixes on.
"""
from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest
from harness import FIXTURES, expected_findings
from leaklint.engine import Linter
from leaklint.fixer import FIXABLE_CODES, fix_text, run_fixes
from leaklint.fixes import Change, Shape
from leaklint.flow.facts import Site, SiteFacts
from leaklint.rulebase import Finding
from leaklint.source import decode, read
from leaklint.summaries import Summaries, module_name_for
from leaklint.writer import check_text

FIX_FIXTURES = FIXTURES / "fix"
REMAINS = re.compile(r"#\s*remains:\s*(LKL\d{3}(?:\s*,\s*LKL\d{3})*)")
CASES = sorted(p for p in FIX_FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


def findings_of(linter: Linter, text: str, path: str = "fixed.py") -> set[tuple[int, str]]:
    analysed = linter.analyze(decode(text.encode("utf-8")), path, Summaries(), "")
    assert analysed is not None, "the text does not parse"
    _, context, found = analysed
    return {(context.line(f.node), f.code) for f in found}


def remains(text: str) -> set[tuple[int, str]]:
    out = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = REMAINS.search(line)
        if match:
            out |= {(number, code.strip()) for code in match.group(1).split(",")}
    return out


def _id(path: Path) -> str:
    return str(path.relative_to(FIX_FIXTURES))


def test_every_fixable_rule_has_fixtures():
    codes = {p.parent.name for p in CASES}
    assert {"LKL101", "LKL102", "LKL103", "LKL104"} <= codes
    for case in CASES:
        assert case.with_name(case.stem + ".fixed.py").exists(), f"{case.name} has no .fixed.py"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_fix_fixture(case: Path, linter: Linter):
    source = read(str(case))
    unsafe = "# leaklint-fix: unsafe" in source.text
    expected = case.with_name(case.stem + ".fixed.py").read_text(encoding="utf-8")

    # the input's markers document what it reports
    assert findings_of(linter, source.text, str(case)) == expected_findings(case)

    outcome = fix_text(source, str(case), linter, unsafe=unsafe)
    text, applied, unfixable = outcome.text, outcome.applied, outcome.dropped
    assert text == expected
    assert check_text(text, str(case)) is None
    compile(text, str(case), "exec")

    left = findings_of(linter, text, str(case))
    assert left == remains(text), f"{case.name}: left {sorted(left)}"
    reasons = {(d.line, d.code): d.reason for d in unfixable}
    for line, code in left:
        if code in FIXABLE_CODES:
            assert reasons.get((line, code)), f"{case.name}:{line} {code} remains without a reason"
    if text != source.text:
        assert applied

    again = fix_text(replace(source, text=text), str(case), linter, unsafe=unsafe)
    assert again.text == text
    assert not again.applied


# -- reasons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, reason",
    [
        ("LKL101/dropped_result.py", "is dropped"),
        ("LKL101/used_after_block.py", "still used at line 11, outside the block"),
        ("LKL101/cursor_returned.py", "--unsafe-fixes"),
        ("LKL102/releases_differ.py", "the releases differ"),
        ("LKL103/closure_unfixable.py", "escapes into a closure (`run` at line 13)"),
        ("LKL104/used_after_with.py", "still used at line 9, after the `with` block"),
    ],
)
def test_unfixable_reasons(name: str, reason: str, linter: Linter):
    path = FIX_FIXTURES / name
    outcome = fix_text(read(str(path)), str(path), linter)
    assert not outcome.applied
    assert any(reason in d.reason for d in outcome.dropped), [d.reason for d in outcome.dropped]


def test_unsafe_fix_only_with_unsafe(linter: Linter):
    path = FIX_FIXTURES / "LKL101" / "cursor_returned.py"
    source = read(str(path))
    safe = fix_text(source, str(path), linter)
    unsafe = fix_text(source, str(path), linter, unsafe=True)
    assert safe.text == source.text
    assert "with closing(sqlite3.connect(path)) as db:" in unsafe.text
    assert [a.safe for a in unsafe.applied] == [False]


def test_no_fix_where_a_factorys_cursor_is_closed_before_its_connection(linter: Linter):
    # PyMySQL, mysqlclient and pyodbc drop `cur.connection` on `cur.close()`:
    # a `finally` after it could not reach the connection
    text = (
        "import sqlite3\n"
        "def cursor_for(path):\n"
        "    conn = sqlite3.connect(path)\n"
        "    return conn.cursor()\n"
        "def purge(path):\n"
        "    cur = cursor_for(path)\n"
        "    cur.execute('delete from jobs')\n"
        "    cur.close()\n"
    )
    outcome = fix_text(decode(text.encode()), "f.py", linter)
    assert not outcome.applied
    assert [d.reason for d in outcome.dropped] == [
        "`cur.close()` at line 8 closes `cur` itself, and some drivers drop `cur.connection` with it; "
        "call `cur.connection.close()` before it by hand"
    ]


# -- bytes: line endings, BOM, encodings, tabs ------------------------------------------------------

LEAKY = (
    '"""doc"""\n'
    "import sqlite3\n"
    "\n"
    "\n"
    "def export(path):\n"
    "    # read it all\n"
    "    with sqlite3.connect(path) as db:  # é\n"
    '        return db.execute("SELECT 1").fetchall()\n'
)
FIXED = LEAKY.replace("import sqlite3\n", "import sqlite3\nfrom contextlib import closing\n").replace(
    "with sqlite3.connect(path) as db:", "with closing(sqlite3.connect(path)) as db, db:"
)


def _fix_bytes(tmp_path: Path, linter: Linter, raw: bytes) -> bytes:
    path = tmp_path / "service.py"
    path.write_bytes(raw)
    report = run_fixes([str(path)], linter, unsafe=False, diff_only=False, out=io.StringIO())
    assert not report.errors, report.errors
    assert report.applied == 1
    return path.read_bytes()


def test_crlf_is_kept(tmp_path: Path, linter: Linter):
    raw = LEAKY.replace("\n", "\r\n").encode("utf-8")
    assert _fix_bytes(tmp_path, linter, raw) == FIXED.replace("\n", "\r\n").encode("utf-8")


def test_crlf_try_finally(linter: Linter):
    text = (
        "from psycopg2.pool import ThreadedConnectionPool\r\n"
        "pool = ThreadedConnectionPool(1, 2, '')\r\n"
        "def f():\r\n"
        "    conn = pool.getconn()\r\n"
        "    conn.cursor().execute('x')\r\n"
        "    pool.putconn(conn)\r\n"
    )
    outcome = fix_text(decode(text.encode()), "f.py", linter)
    assert outcome.applied
    assert "\n" not in outcome.text.replace("\r\n", "")
    assert "    try:\r\n        conn.cursor().execute('x')\r\n    finally:\r\n        pool.putconn(conn)\r\n" in outcome.text


def test_bom_is_kept(tmp_path: Path, linter: Linter):
    raw = b"\xef\xbb\xbf" + LEAKY.encode("utf-8")
    assert _fix_bytes(tmp_path, linter, raw) == b"\xef\xbb\xbf" + FIXED.encode("utf-8")


def test_declared_encoding_is_kept(tmp_path: Path, linter: Linter):
    text = "# -*- coding: latin-1 -*-\n" + LEAKY
    fixed = "# -*- coding: latin-1 -*-\n" + FIXED
    assert _fix_bytes(tmp_path, linter, text.encode("latin-1")) == fixed.encode("latin-1")


def test_tabs(linter: Linter):
    text = "import sqlite3\n\n\ndef f(p):\n\tdb = sqlite3.connect(p)\n\tdb.execute('x')\n"
    new = fix_text(decode(text.encode()), "f.py", linter).text
    assert "\twith closing(sqlite3.connect(p)) as db:\n\t\tdb.execute('x')\n" in new


# -- passes ------------------------------------------------------------------------------------------

NESTED = '''import sqlite3

from psycopg2.pool import ThreadedConnectionPool

pool = ThreadedConnectionPool(1, 2, "")


def both(path):
    conn = pool.getconn()
    db = sqlite3.connect(path)
    db.execute("SELECT 1")
    conn.cursor().execute("SELECT 1")
'''


def test_overlapping_fixes_take_two_passes(linter: Linter):
    source = decode(NESTED.encode())
    outcome = fix_text(source, "both.py", linter)
    assert outcome.passes == 2
    assert {a.code for a in outcome.applied} == {"LKL101"} and len(outcome.applied) == 2
    assert outcome.remaining == 0
    assert check_text(outcome.text) is None
    assert findings_of(linter, outcome.text) == set()
    assert (
        "    conn = pool.getconn()\n"
        "    try:\n"
        "        with closing(sqlite3.connect(path)) as db:\n"
        '            db.execute("SELECT 1")\n'
        '        conn.cursor().execute("SELECT 1")\n'
        "    finally:\n"
        "        pool.putconn(conn)\n"
    ) in outcome.text
    assert fix_text(replace(source, text=outcome.text), "both.py", linter).text == outcome.text


def test_a_fix_that_does_not_compile_is_dropped(monkeypatch, linter: Linter):
    def broken(fx, findings):
        line = fx.statement_line(findings[0].site.site.statement)
        bad = cst.SimpleStatementLine([cst.Expr(cst.Await(cst.Name("nothing")))])
        return Change(findings, {line: bad}, True, "broken")

    shape = Shape("broken", ("LKL101",), lambda f: True, lambda f: id(f.node), broken)
    monkeypatch.setattr("leaklint.fixes.plan.shape_for", lambda finding: shape)
    source = decode(b"import sqlite3\n\ndef f(p):\n    db = sqlite3.connect(p)\n    db.execute('x')\n")
    outcome = fix_text(source, "f.py", linter)
    assert outcome.text == source.text
    assert not outcome.applied
    assert [d.code for d in outcome.dropped] == ["LKL101"]
    assert "does not compile" in outcome.dropped[0].reason


# -- the shapes of LKL201-LKL203, on findings made by hand ----------------------------------------------


def _finding(linter: Linter, text: str, code: str, pick):
    analysed = linter.analyze(decode(text.encode()), "f.py", Summaries(), "")
    module, context, _ = analysed
    node = pick(module)
    function = next(n for n in _walk(module) if isinstance(n, cst.FunctionDef))
    return module, context, Finding(code, node, "made by hand", function=function)


def _walk(node):
    from leaklint.syntax import walk

    return walk(node, into_scopes=True)


def _is_call_of(node, method: str) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method


def _fix_one(context, finding) -> str:
    from leaklint.fixes import FixContext, shape_for
    from leaklint.fixes.apply import apply_changes
    from leaklint.fixes.sections import Sections

    shape = shape_for(finding)
    change = shape.build(FixContext(context), [finding])
    return apply_changes(FixContext(context), [change], Sections()).code


@pytest.mark.parametrize(
    "before, after",
    [
        ("    conn.close()\n", "    await conn.close()\n"),
        ("    x = conn.close()\n", "    x = await conn.close()\n"),
        ("    conn.close().add_done_callback(f)\n", "    (await conn.close()).add_done_callback(f)\n"),
    ],
)
def test_insert_await(before: str, after: str, linter: Linter):
    text = "import asyncpg\n\nasync def f(conn, f):\n" + before
    _, context, finding = _finding(linter, text, "LKL201", lambda m: next(n for n in _walk(m) if _is_call_of(n, "close")))
    assert _fix_one(context, finding) == "import asyncpg\n\nasync def f(conn, f):\n" + after


def test_insert_await_needs_async_def(linter: Linter):
    from leaklint.fixes import FixContext, Unfixable, shape_for

    text = "def f(conn):\n    conn.close()\n"
    _, context, finding = _finding(linter, text, "LKL201", lambda m: next(n for n in _walk(m) if isinstance(n, cst.Call)))
    with pytest.raises(Unfixable, match="async def"):
        shape_for(finding).build(FixContext(context), [finding])


def test_async_with(linter: Linter):
    text = "async def f(pool):\n    with pool.acquire() as conn:\n        await conn.execute('x')\n"
    _, context, finding = _finding(linter, text, "LKL203", lambda m: next(n for n in _walk(m) if isinstance(n, cst.WithItem)))
    assert _fix_one(context, finding) == text.replace("    with", "    async with")


def test_unawaited_acquire(linter: Linter):
    text = "async def f(pool):\n    conn = pool.acquire()\n    await pool.release(conn)\n"
    _, context, finding = _finding(linter, text, "LKL202", lambda m: next(n for n in _walk(m) if isinstance(n, cst.Call)))
    assert _fix_one(context, finding) == text.replace("= pool.acquire()", "= await pool.acquire()")


# -- run_fixes ----------------------------------------------------------------------------------------


def test_run_fixes_diff_mode_writes_nothing(tmp_path: Path, linter: Linter):
    path = tmp_path / "service.py"
    path.write_text(LEAKY, encoding="utf-8")
    out = io.StringIO()
    report = run_fixes([str(path)], linter, unsafe=False, diff_only=True, out=out)
    assert path.read_text(encoding="utf-8") == LEAKY
    diff = out.getvalue()
    assert diff.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert "-    with sqlite3.connect(path) as db:  # é\n" in diff
    assert "+    with closing(sqlite3.connect(path)) as db, db:  # é\n" in diff
    assert "+from contextlib import closing\n" in diff
    (entry,) = report.files
    assert entry.changed and not entry.written and entry.fixed == 1 and entry.remaining == 0
    assert report.diff == diff


def test_run_fixes_reports_and_is_idempotent(tmp_path: Path, linter: Linter):
    leaky = tmp_path / "leaky.py"
    leaky.write_text(LEAKY, encoding="utf-8")
    os.chmod(leaky, 0o640)
    unfixable = tmp_path / "unfixable.py"
    unfixable.write_text("def f(pool):\n    pool.getconn()\n", encoding="utf-8")
    clean = tmp_path / "clean.py"
    clean.write_text("x = 1\n", encoding="utf-8")
    paths = [str(leaky), str(unfixable), str(clean)]
    report = run_fixes(paths, linter, unsafe=False, diff_only=False, out=io.StringIO())
    by_path = {f.path: f for f in report.files}
    assert by_path[str(leaky)].written and by_path[str(leaky)].fixed == 1
    assert leaky.read_text(encoding="utf-8") == FIXED
    assert oct(os.stat(leaky).st_mode & 0o777) == oct(0o640)
    assert by_path[str(unfixable)].remaining == 1 and not by_path[str(unfixable)].changed
    assert [d.code for d in by_path[str(unfixable)].dropped] == ["LKL101"]
    assert by_path[str(clean)].remaining == 0
    assert report.applied == 1 and report.remaining == 1
    assert sorted(os.listdir(tmp_path)) == ["clean.py", "leaky.py", "unfixable.py"]  # no temporary files left
    again = run_fixes(paths, linter, unsafe=False, diff_only=False, out=io.StringIO())
    assert again.applied == 0 and not again.changed_files


def test_run_fixes_leaves_a_file_changed_meanwhile(tmp_path: Path, linter: Linter, monkeypatch):
    path = tmp_path / "service.py"
    path.write_text(LEAKY, encoding="utf-8")
    import leaklint.fixer as fixer

    real = fixer.fix_text

    def edit_while_fixing(*args, **kwargs):
        outcome = real(*args, **kwargs)
        path.write_text(LEAKY + "# edited\n", encoding="utf-8")
        return outcome

    monkeypatch.setattr(fixer, "fix_text", edit_while_fixing)
    report = run_fixes([str(path)], linter, unsafe=False, diff_only=False, out=io.StringIO())
    assert path.read_text(encoding="utf-8") == LEAKY + "# edited\n"
    (entry,) = report.files
    assert not entry.written and entry.fixed == 0
    assert "changed on disk" in entry.error


# -- the whole fixture tree ----------------------------------------------------------------------------------


def _tree_units() -> list[list[Path]]:
    from harness import lint_units

    return lint_units()


@pytest.mark.parametrize("unit", _tree_units(), ids=lambda u: str(u[0].relative_to(FIXTURES)))
def test_fixture_tree(unit: list[Path]):
    """Every finding of a fixable rule is fixed or has a reason; the fixed
    text compiles; a second fix changes nothing."""
    from harness import linter_for

    linter = linter_for(unit)
    run = linter.lint_files([str(p) for p in unit])
    if any(result.errors for result in run.files):
        pytest.skip("the linter itself fails on this unit: " + run.internal_errors[0].detail.strip().splitlines()[-1])
    if any(d.code == "LKL000" for d in run.diagnostics):
        pytest.skip("a file of this unit does not parse: there is nothing to fix")
    summaries = Summaries([s for result in run.files for s in result.summaries])
    for path in unit:
        source = read(str(path))
        outcome = fix_text(source, str(path), linter, unsafe=True, summaries=summaries)
        assert check_text(outcome.text, str(path)) is None
        analysed = linter.analyze(replace(source, text=outcome.text), str(path), summaries, module_name_for(str(path)))
        _, context, left = analysed
        reasons = {(d.line, d.code) for d in outcome.dropped if d.reason}
        for finding in left:
            if finding.code in FIXABLE_CODES:
                key = (context.line(finding.node), finding.code)
                assert key in reasons, f"{path.name}:{key[0]} {key[1]} is neither fixed nor explained"
        again = fix_text(replace(source, text=outcome.text), str(path), linter, unsafe=True, summaries=summaries)
        assert again.text == outcome.text, f"{path.name}: a second fix changed it"


@pytest.mark.parametrize(
    "folder, name, expected",
    [
        ("project_pool_wrapper", "reports.py", ["from db import get_connection, put_connection\n", "    finally:\n        put_connection(conn)\n"]),
        ("project_pool_wrapper", "orders.py", ["    finally:\n        db.put_connection(conn)\n\n\ndef archive"]),
        ("project_config", "app/jobs.py", ["from app.db import connect, release_db\n", "    finally:\n        release_db(conn)\n"]),
        ("project_config", "app/service.py", ["    try:\n        print(conn, table)\n    finally:\n        release_db(conn)\n\n\ndef total"]),
    ],
)
def test_a_project_s_own_release_is_written(folder: str, name: str, expected: list[str], tmp_path: Path):
    """A pooled connection from a project factory is given back with the
    factory's own helper, a declared resource with its declared release;
    a missing import of it is added beside the factory's."""
    from harness import linter_for

    shutil.copytree(FIXTURES / folder, tmp_path / folder)
    paths = sorted(str(p) for p in (tmp_path / folder).rglob("*.py"))
    report = run_fixes(paths, linter_for([FIXTURES / folder / name]), unsafe=False, diff_only=False, out=io.StringIO())
    assert not report.errors and not report.dropped, (report.errors, report.dropped)
    fixed = (tmp_path / folder / name).read_text(encoding="utf-8")
    for text in expected:
        assert text in fixed


def test_stream_early_exit_closes_in_finally(linter: Linter):
    """LKL301 on a named server-side cursor: its close() moves into `finally`
    (the finding is made by hand from the flow facts of the stream)."""
    text = (
        "import psycopg2\n"
        "\n"
        "\n"
        "def first_overdue(conn: psycopg2.extensions.connection, min_days):\n"
        '    cur = conn.cursor(name="overdue")\n'
        '    cur.execute("SELECT id, days FROM invoices")\n'
        "    for invoice_id, days in cur:\n"
        "        if days >= min_days:\n"
        "            return invoice_id\n"
        "    cur.close()\n"
        "    return None\n"
    )
    analysed = linter.analyze(decode(text.encode()), "f.py", Summaries(), "")
    module, context, _ = analysed
    function = next(n for n in _walk(module) if isinstance(n, cst.FunctionDef))
    call = next(n for n in _walk(module) if _is_call_of(n, "cursor"))
    acquire = context.facts.resolvers[function].acquire_of(call)
    assert acquire is not None and acquire.stream
    statement = next(n for n in _walk(module) if isinstance(n, cst.Assign))
    site = Site(0, call, acquire, linter.catalogue.kind(acquire.kind), "cur", statement)
    facts = SiteFacts(site, released=True)
    exit_node = next(n for n in _walk(module) if isinstance(n, cst.Return))
    finding = Finding("LKL301", exit_node, "by hand", call, site=facts, function=function)
    fixed = _fix_one(context, finding)
    assert fixed == text.replace(
        '    cur.execute("SELECT id, days FROM invoices")\n'
        "    for invoice_id, days in cur:\n"
        "        if days >= min_days:\n"
        "            return invoice_id\n"
        "    cur.close()\n",
        "    try:\n"
        '        cur.execute("SELECT id, days FROM invoices")\n'
        "        for invoice_id, days in cur:\n"
        "            if days >= min_days:\n"
        "                return invoice_id\n"
        "    finally:\n"
        "        cur.close()\n",
    )


def test_allowed_keeps_suppressed_findings(tmp_path: Path, linter: Linter):
    path = tmp_path / "two.py"
    text = (
        "import sqlite3\n"
        "\n"
        "\n"
        "def a(p):\n"
        "    with sqlite3.connect(p) as db:  # noqa: LKL104\n"
        "        db.execute('x')\n"
        "\n"
        "\n"
        "def b(p):\n"
        "    with sqlite3.connect(p) as db:\n"
        "        db.execute('y')\n"
    )
    path.write_text(text, encoding="utf-8")
    asked = []

    def allowed(where: str, line: int, code: str) -> bool:
        asked.append((line, code))
        return line != 5

    report = run_fixes([str(path)], linter, unsafe=False, diff_only=False, out=io.StringIO(), allowed=allowed)
    (entry,) = report.files
    assert entry.fixed == 1 and not entry.dropped
    fixed = path.read_text(encoding="utf-8")
    assert "    with sqlite3.connect(p) as db:  # noqa: LKL104\n" in fixed
    assert "    with closing(sqlite3.connect(p)) as db, db:\n" in fixed
    assert (5, "LKL104") in asked


def test_each_finding_is_labelled_with_its_own_fix(linter: Linter):
    """The same rule's findings get the fix the fixer plans for each: unsafe
    with its reason, or none with the reason why."""
    (unsafe,) = linter.lint_files([str(FIX_FIXTURES / "LKL101" / "cursor_returned.py")]).diagnostics
    assert unsafe.fix.safety == "unsafe" and "closing(sqlite3.connect(path))" in unsafe.fix.description
    assert "may outlive it" in unsafe.fix.unsafe_reason
    (none,) = linter.lint_files([str(FIX_FIXTURES / "LKL101" / "dropped_result.py")]).diagnostics
    assert none.fix is None and "dropped" in none.no_fix_reason
    (safe,) = linter.lint_files([str(FIX_FIXTURES / "LKL101" / "sqlite_closing.py")]).diagnostics
    assert safe.fix.safety == "safe" and safe.fix.description.startswith("wrap the uses of `")
