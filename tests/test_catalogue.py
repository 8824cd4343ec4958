"""The catalogue's derived decisions, each answered in one place: which exit
a `with` has, whether a release must be awaited, and what
`contextlib.closing()` does. Checked on the shipped data (the facts users
meet) and on small hand-made kinds (the edges the data may not have yet)."""
from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Optional

import leaklint.catalogue
import libcst as cst
import pytest
from leaklint.catalogue import (
    Acquire,
    Awaiting,
    ClosingEffect,
    Exit,
    Kind,
    Library,
    Release,
    closing_releases,
    default_catalogue,
    exit_of,
)
from leaklint.resolve import ModuleIndex, Resolver
from leaklint.summaries import Summaries
from leaklint.syntax import walk

CATALOGUE = default_catalogue()


def method_acquire(kind_name: str, method: str) -> Acquire:
    (acquire,) = CATALOGUE.kind(kind_name).methods[method]
    return acquire


def produced(acquire: Acquire) -> Kind:
    return CATALOGUE.kind(acquire.kind)


# -- which exit a `with` has -----------------------------------------------------------------


def test_the_unawaited_call_as_a_with_item_uses_the_acquires_exit():
    # `async with pool.acquire() as conn`: the pool's context manager returns the connection
    acquire = method_acquire("asyncpg.Pool", "acquire")
    kind = produced(acquire)
    assert kind.exit(asynchronous=True) == Exit.NONE  # the connection itself is no context manager
    assert exit_of(acquire, kind, asynchronous=True, awaited=False) == Exit.RELEASES


def test_an_awaited_acquire_uses_the_kinds_exit():
    # `async with await pool.acquire() as conn` enters the connection, which has no `async with`
    acquire = method_acquire("asyncpg.Pool", "acquire")
    assert exit_of(acquire, produced(acquire), asynchronous=True, awaited=True) == Exit.NONE


def test_a_name_uses_the_kinds_exit():
    # `with pool.connection()` gives the connection back to the pool; `with conn` on a connection closes it
    acquire = method_acquire("psycopg_pool.ConnectionPool", "connection")
    kind = produced(acquire)
    assert exit_of(acquire, kind, asynchronous=False, awaited=False) == Exit.RELEASES
    assert kind.exit(asynchronous=False) == Exit.CLOSES


def test_an_override_of_none_is_an_override():
    # `AsyncConnection.stream()`: only `async with` closes it, though the result has a sync `with`
    acquire = method_acquire("sqlalchemy.AsyncConnection", "stream")
    kind = produced(acquire)
    assert kind.exit(asynchronous=False) == Exit.CLOSES
    assert exit_of(acquire, kind, asynchronous=False, awaited=False) == Exit.NONE
    assert exit_of(acquire, kind, asynchronous=True, awaited=False) == Exit.CLOSES
    assert exit_of(acquire, kind, asynchronous=False, awaited=True) == Exit.CLOSES


def test_without_an_override_the_kind_decides_each_flavour():
    kind = Kind("k", "k", "lib", with_exit=Exit.TXN_ONLY, async_with_exit=Exit.CLOSES)
    acquire = Acquire("k")
    for awaited in (False, True):
        assert exit_of(acquire, kind, asynchronous=False, awaited=awaited) == Exit.TXN_ONLY
        assert exit_of(acquire, kind, asynchronous=True, awaited=awaited) == Exit.CLOSES


# -- whether a release must be awaited -------------------------------------------------------


@pytest.mark.parametrize(
    "awaiting, unawaited_acquire, awaited_acquire",
    [
        (Awaiting.SYNC, False, False),
        (Awaiting.OPTIONAL, False, False),  # sync, returns a future: `await` is allowed, not needed
        (Awaiting.ASYNC, True, True),
        (Awaiting.MIRROR, False, True),  # a pool known only by name: as its acquire was
    ],
)
def test_a_release_is_awaited_by_its_kind_or_as_the_acquire_was(awaiting, unawaited_acquire, awaited_acquire):
    release = Release("release", awaiting)
    assert release.must_be_awaited(acquire_awaited=False) is unawaited_acquire
    assert release.must_be_awaited(acquire_awaited=True) is awaited_acquire


def test_the_generic_pool_releases_mirror_the_acquire():
    for heuristic in CATALOGUE.heuristics:
        (release,) = heuristic.acquire.returned_by
        assert not release.must_be_awaited(acquire_awaited=False)
        assert release.must_be_awaited(acquire_awaited=True)


def test_a_known_async_release_is_awaited_whatever_the_acquire():
    (release,) = method_acquire("asyncpg.Pool", "acquire").returned_by
    assert release.must_be_awaited(acquire_awaited=False)


# -- what `contextlib.closing()` does --------------------------------------------------------


@pytest.mark.parametrize(
    "kind_name, effect",
    [
        ("sqlite3.Connection", ClosingEffect.RELEASES),
        ("psycopg2.connection", ClosingEffect.RELEASES),
        ("aiomysql.Connection", ClosingEffect.RELEASES),  # `close()` is sync on aiomysql
        ("aiosqlite.Connection", ClosingEffect.DROPS_COROUTINE),
        ("asyncpg.Connection", ClosingEffect.DROPS_COROUTINE),  # its sync `terminate()` is not `close()`
        ("httpx.AsyncClient", ClosingEffect.DROPS_COROUTINE),
        ("aiopg.Connection", ClosingEffect.NO_RELEASE),  # `close()` returns a future
        ("psycopg2.pool", ClosingEffect.NO_RELEASE),  # `closeall()`, no `close()`
        ("generic.pooled_connection", ClosingEffect.NO_RELEASE),
        ("redis.Redis", ClosingEffect.RELEASES),
        ("redis.asyncio.Redis", ClosingEffect.DROPS_COROUTINE),
        ("motor.MotorClient", ClosingEffect.RELEASES),  # pymongo's sync close(), delegated
        ("pymongo.AsyncMongoClient", ClosingEffect.DROPS_COROUTINE),
        ("urllib3.PoolManager", ClosingEffect.NO_RELEASE),  # `clear()`, no `close()`
        ("django.Cursor", ClosingEffect.RELEASES),
    ],
)
def test_what_closing_does_to_a_kind(kind_name, effect):
    assert CATALOGUE.kind(kind_name).closing_effect is effect


def test_a_close_that_keeps_the_pool_slot_is_no_release():
    kind = Kind("k", "k", "lib", releases=(Release("close"),), closes_without_returning=("close",))
    assert kind.closing_effect is ClosingEffect.NO_RELEASE


def test_closing_releases_a_plain_acquire_but_not_a_pool_checkout():
    connect = CATALOGUE.function("sqlite3.connect")
    assert closing_releases(connect, produced(connect))
    getconn = method_acquire("psycopg_pool.ConnectionPool", "getconn")
    checked_out = Kind("k", "k", "lib", releases=(Release("close"),))  # even with a plain close()
    assert not closing_releases(getconn, checked_out)


def test_nothing_on_a_derived_cursor_closes_the_connection_it_keeps():
    # `cur = cursor_for(path)`, a factory returning `conn.cursor()`: the caller releases `cur.connection`
    connect = replace(CATALOGUE.function("psycopg.connect"), reached_through="connection")
    kind = produced(connect)
    assert kind.exit(asynchronous=False) == Exit.CLOSES  # `with conn` closes the connection itself
    assert exit_of(connect, kind, asynchronous=False, awaited=False) == Exit.NONE
    assert exit_of(connect, kind, asynchronous=True, awaited=True) == Exit.NONE
    sqlite = replace(CATALOGUE.function("sqlite3.connect"), reached_through="connection")
    assert not closing_releases(sqlite, produced(sqlite))
    assert sqlite.released_through("cur") == "cur.connection"


def test_closing_releases_nothing_whose_close_is_a_coroutine():
    connect = CATALOGUE.function("aiosqlite.connect")
    assert not closing_releases(connect, produced(connect))


# -- facts that differ between libraries ----------------------------------------------------


def test_a_pooled_oracle_connection_is_given_back_by_its_own_close():
    # oracledb and cx_Oracle return a pooled connection on close(); psycopg2's pool does not
    for pool_kind in ("oracledb.ConnectionPool", "cx_Oracle.SessionPool"):
        acquire = method_acquire(pool_kind, "acquire")
        kind = produced(acquire)
        assert "close" in {r.method for r in kind.releases}
        assert not kind.closes_without_returning
        assert exit_of(acquire, kind, asynchronous=False, awaited=False) == Exit.RELEASES
    assert CATALOGUE.kind("psycopg2.pooled_connection").closes_without_returning == ("close",)


def test_an_aioodbc_pooled_connection_is_given_back_only_by_the_pool():
    acquire = method_acquire("aioodbc.Pool", "acquire")
    (release,) = acquire.returned_by
    assert release.must_be_awaited(acquire_awaited=True)
    assert produced(acquire).closes_without_returning == ("close",)


@pytest.mark.parametrize(
    "kind_name, with_exit",
    [
        ("pyodbc.Connection", Exit.TXN_ONLY),  # commits; the connection stays open
        ("MySQLdb.Connection", Exit.CLOSES),  # mysqlclient 2.0 and later
        ("cx_Oracle.Connection", Exit.CLOSES),  # cx_Oracle 7.0 and later
        ("pika.BlockingConnection", Exit.CLOSES),
        ("poplib.POP3", Exit.NONE),
    ],
)
def test_what_a_sync_with_does_per_library(kind_name, with_exit):
    assert CATALOGUE.kind(kind_name).exit(asynchronous=False) == with_exit


def test_imap_close_is_no_release():
    # IMAP4.close() closes the selected mailbox; logout() ends the connection
    kind = CATALOGUE.kind("imaplib.IMAP4")
    assert [r.method for r in kind.releases] == ["logout"]
    assert kind.closing_effect is ClosingEffect.NO_RELEASE

# -- objects a library makes at import, and the objects they hold ------------------------------


# `db.conn` is made by the library at import; `db.conns[alias]` is one too; a
# connection's `.pool` hands out cursors
OBJECTS_LIBRARY = Library(
    name="db",
    module_roots=("db",),
    functions={},
    objects={"db.conn": "db.Connection", "db.conns": "db.Handler"},
    kinds=(
        Kind("db.Handler", "handler", "db", owned=False, items="db.Connection"),
        Kind("db.Connection", "connection", "db", owned=False, methods={"cursor": (Acquire("db.Cursor"),)}, attributes={"pool": "db.Pool"}),
        Kind("db.Pool", "pool", "db", owned=False, methods={"checkout": (Acquire("db.Cursor"),)}),
        Kind("db.Cursor", "cursor", "db", releases=(Release("close"),)),
        Kind("db.TracedConnection", "traced connection", "db", owned=False, base="db.Connection"),
    ),
)
WITH_OBJECTS = CATALOGUE.with_additions([OBJECTS_LIBRARY])


def acquired_in(code: str) -> Optional[str]:
    """The kind the one call in `f` acquires, if any."""
    index = ModuleIndex(cst.parse_module(code))
    (function,) = index.functions
    resolver = Resolver(WITH_OBJECTS, index, Summaries(), function)
    calls = [node for node in walk(function.node.body) if isinstance(node, cst.Call)]
    acquire = resolver.acquire_of(calls[0])
    return acquire.kind if acquire is not None else None


@pytest.mark.parametrize(
    "code",
    [
        "from db import conn\ndef f():\n    conn.cursor()\n",
        "import db\ndef f():\n    db.conn.cursor()\n",
        "from db import conn as default\ndef f():\n    c = default\n    c.cursor()\n",
        "from db import conns\ndef f(alias):\n    conns[alias].cursor()\n",
        "import db\ndef f():\n    db.conns['default'].cursor()\n",
        "from db import conn\ndef f():\n    conn.pool.checkout()\n",
        "from db import conns\ndef f():\n    conns['x'].pool.checkout()\n",
    ],
)
def test_an_object_made_at_import_and_what_it_holds_resolve(code):
    assert acquired_in(code) == "db.Cursor"


@pytest.mark.parametrize(
    "code",
    [
        "from db import conn\ndef f(conn):\n    conn.cursor()\n",  # a parameter shadows the object
        "import db\ndef f():\n    db.other.cursor()\n",  # not an object of the library
        "from db import conn\ndef f():\n    conn.other.checkout()\n",  # not an attribute the kind declares
        "from db import conn\ndef f():\n    conn[0].cursor()\n",  # a connection declares no items
    ],
)
def test_only_declared_objects_attributes_and_items_resolve(code):
    assert acquired_in(code) is None


def test_attributes_and_items_are_inherited_from_the_base_kind():
    traced = WITH_OBJECTS.kind("db.TracedConnection")
    assert traced.attributes == {"pool": "db.Pool"}
    assert "cursor" in traced.methods
    assert WITH_OBJECTS.object_kind("db.conns") == "db.Handler"
    assert WITH_OBJECTS.object_kind(None) is None


# -- the package ---------------------------------------------------------------------------------


PACKAGE = Path(leaklint.catalogue.__file__).parent


def package_imports() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        package = parts[:-1]  # what `from .x import` is relative to
        module = parts[:-1] if parts[-1] == "__init__" else parts
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                target = base + (tuple(node.module.split(".")) if node.module else ())
                found.add(".".join(target) or "__init__")
        graph[".".join(module) or "__init__"] = found
    return graph


def test_the_package_has_no_import_cycle():
    graph = package_imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join(path + (module,))}"
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, path + (module,))
        done.add(module)

    for module in graph:
        visit(module, ())
    assert graph["model"] == set()  # the words come first; everything else is built on them
    assert "__init__" not in set().union(*graph.values())


# -- tuples and adoption ----------------------------------------------------------------


def test_a_call_giving_a_tuple_names_the_element_that_is_the_resource():
    opens = CATALOGUE.function("asyncio.open_connection")
    assert opens.part == 1
    reader, writer = opens.parts
    assert reader is None and writer.kind == "asyncio.StreamWriter" and writer.part is None
    assert Acquire("x").parts == ()  # the call gives the resource itself


def test_a_wrapper_takes_over_its_argument_by_position_or_keyword():
    wraps = CATALOGUE.kind("ssl.SSLContext").methods["wrap_socket"][0]
    assert wraps.kind == "ssl.SSLSocket" and wraps.adopts_at == (0,) and wraps.adopts == ("sock",)
    assert not CATALOGUE.kind("ssl.SSLContext").owned  # a context holds no connection
