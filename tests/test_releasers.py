"""The release that applies when the project has its own: a pool wrapper's
helper for what its factory hands out, a declared release function for a
declared resource. The messages advise it and the fixes write it (the fix
side: test_fixes.test_a_project_s_own_release_is_written)."""
from __future__ import annotations

from pathlib import Path

import pytest
from harness import FIXTURES, linter_for

from leaklint.catalogue import Acquire, Release
from leaklint.source import decode
from leaklint.summaries import FunctionSummary, Summaries


def _messages(folder: str) -> dict[tuple[str, int], str]:
    paths = sorted((FIXTURES / folder).rglob("*.py"))
    run = linter_for(paths).lint_files([str(p) for p in paths])
    return {(str(Path(d.path).relative_to(FIXTURES / folder)), d.line): d.message for d in run.diagnostics}


@pytest.mark.parametrize(
    "folder, where, advice",
    [
        ("project_pool_wrapper", ("reports.py", 8), "give the pooled psycopg2 connection back with `put_connection(conn)` in a `finally`"),
        ("project_pool_wrapper", ("orders.py", 6), "give the pooled psycopg2 connection back with `db.put_connection(conn)` in a `finally`"),
        ("project_helpers", ("service.py", 29), "give the pooled psycopg2 connection back with `give_back(conn)` in a `finally`"),
        ("project_config", ("app/service.py", 7), "is never released; release the app database connection with `release_db(conn)` in a `finally`"),
        ("project_config", ("app/service.py", 12), "is not released if `print()` at line 13 raises; release the app database connection with `release_db(conn)`"),
    ],
)
def test_the_advice_names_the_project_s_release(folder: str, where: tuple[str, int], advice: str):
    message = _messages(folder)[where]
    assert advice in message
    assert "putconn" not in message and "close()" not in message


def _helper(qualname: str, *methods: str) -> FunctionSummary:
    return FunctionSummary(qualname, releases=frozenset({0}), release_methods=frozenset(methods))


def test_the_factory_s_module_comes_first_then_its_package():
    factory = FunctionSummary("app.db.pool.checkout", returns=Acquire("psycopg2.pool.connection", returned_by=(Release("putconn"),)))
    here, sibling, elsewhere, kept = (
        _helper("app.db.pool.give_back", "putconn"),
        _helper("app.db.helpers.put_back", "putconn"),
        _helper("app.web.release", "putconn"),
        FunctionSummary("app.db.pool.keep", releases=frozenset({0}), keeps=frozenset({0})),
    )
    summaries = Summaries([factory, elsewhere, sibling, here, kept])
    assert summaries.releasers_near(factory) == [here, sibling]


def test_a_file_that_uses_a_factory_knows_its_module_s_helpers():
    factory = FunctionSummary("db.get_connection", returns=Acquire("psycopg2.pool.connection"))
    helper = _helper("db.put_connection", "putconn")
    unrelated = _helper("other.put", "putconn")
    raw = decode(b"from db import get_connection\n\nconn = get_connection()\n").raw
    usable = Summaries([factory, helper, unrelated]).usable_by(raw, "reports")
    assert set(usable.items()) == {"db.get_connection", "db.put_connection"}


SPELLINGS = {
    "from db import get_connection, put_connection\n": ("put_connection(conn)", ()),
    "import db\n": ("db.put_connection(conn)", ()),
    "from db import get_connection\n": ("put_connection(conn)", (("db", "put_connection"),)),
    "from db import get_connection\n\nput_connection = None\n": ("db.put_connection(conn)", (("db", None),)),
}


@pytest.mark.parametrize("imports", SPELLINGS, ids=["imported", "through-its-module", "imported-by-the-fix", "name-taken"])
def test_the_release_is_spelled_as_the_module_can_call_it(imports: str):
    import libcst as cst

    from leaklint.engine import Linter
    from leaklint.fixes.base import FixContext
    from leaklint.releasers import spell

    text = imports + "\n\ndef f():\n    conn = get_connection()\n"
    summaries = Summaries([_helper("db.put_connection", "putconn")])
    _, context, _ = Linter().analyze(decode(text.encode()), "reports.py", summaries, "reports")
    fx = FixContext(context)
    function = next(n for n in context.module.body if isinstance(n, cst.FunctionDef))
    release = spell(fx.resolver(function), summaries.items()["db.put_connection"], fx.name_taken)
    assert (release.text("conn"), release.imports) == SPELLINGS[imports]
