"""What a message names: the call that can really raise (not a context
manager that only suppresses), and the resource a rebinding overwrites."""
from __future__ import annotations

import textwrap
from pathlib import Path

from leaklint.engine import Linter
from leaklint.source import decode
from leaklint.summaries import Summaries


def messages(code: str) -> list[tuple[int, str, str]]:
    source = decode(textwrap.dedent(code).encode())
    result = Linter().lint_source(source, "example.py", Summaries())
    return [(d.line, d.code, d.message) for d in result.diagnostics]


def test_the_trigger_is_a_call_that_can_raise_not_the_suppressing_context_manager():
    found = messages(
        """
        import contextlib
        import sqlite3


        def purge(path):
            conn = sqlite3.connect(path)
            with contextlib.suppress(ValueError):
                conn.execute("delete from jobs")
            conn.close()
        """
    )
    assert found == [(7, "LKL102", "`conn` from `sqlite3.connect()` (line 7) is not closed if `conn.execute()` at line 9 raises; call `conn.close()` in a `finally`")]


def test_a_rebinding_names_the_connection_it_overwrites():
    found = messages(
        """
        import sqlite3


        def copy(source, target):
            conn = sqlite3.connect(source)
            conn.execute("select 1")
            conn = sqlite3.connect(target)
            conn.close()
        """
    )
    assert found == [(8, "LKL105", "`conn` is rebound while it still holds the sqlite3 connection from `sqlite3.connect()` (line 6); close it before reassigning")]


def test_a_generator_based_coroutine_is_told_to_yield_from():
    code = (Path(__file__).parent / "fixtures" / "precision" / "generator_coroutine_close.py").read_text(encoding="utf-8")
    found = [(line, code_, message) for line, code_, message in messages(code) if code_ == "LKL201"]
    assert found == [(26, "LKL201", "`session.close()` is a coroutine: without `yield from` the aiohttp ClientSession is never closed; use `yield from session.close()`")]
