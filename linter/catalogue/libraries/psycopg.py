"""psycopg 3 and psycopg_pool.

- Acquire: `psycopg.connect()` (= `Connection.connect()`, blocking);
  `AsyncConnection.connect()`, a coroutine (`async with await ...`);
  `cursor()`, plain on both connections, whose first argument `name` makes a
  server-side cursor; `cursor.stream()`, a generator (an async generator on
  an async cursor) that holds the connection's lock while suspended; the pool
  constructors (plain, also for the async pool); `pool.getconn()` (a
  coroutine on the async pool); `pool.connection()`, a `@contextmanager`
  (`@asynccontextmanager` on the async pool) that acquires only when entered.
- Release: `close()`, a coroutine on the async connection, cursors and pool;
  `close()` / `await aclose()` on a stream's generator;
  `pool.putconn(conn)` (a coroutine on the async pool) for a connection
  from `getconn()`. That connection's own `close()` closes it and keeps its
  pool slot, unless the pool was made with `close_returns=True`.
- `with`/`async with` on a connection commits (or rolls back) and then
  closes it, except one that belongs to a pool: then it only ends the
  transaction. It closes cursors and pools (the async ones only with
  `async with`); leaving `pool.connection()` returns the connection.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release, VersionNote
from .common import ASYNC_ACLOSE, ASYNC_CLOSE, DBAPI_BLOCKING, NAMED_CURSOR, PARTIAL_READS, SYNC_CLOSE


PSYCOPG3 = Library(
    name="psycopg",
    module_roots=("psycopg", "psycopg_pool"),
    verified="psycopg 3.3.9, psycopg-pool 3.3.3",
    sources=(
        "psycopg/__init__.py",
        "psycopg/connection.py",
        "psycopg/connection_async.py",
        "psycopg/cursor.py",
        "psycopg/cursor_async.py",
        "psycopg/_server_cursor.py",
        "psycopg/_server_cursor_async.py",
        "psycopg_pool/base.py",
        "psycopg_pool/pool.py",
        "psycopg_pool/pool_async.py",
    ),
    version_notes=(
        VersionNote(
            "psycopg_pool < 3.3",
            "no `close_returns` option: `close()` on a connection from `getconn()` always closes it and "
            "keeps its slot (read in 3.1.9 and 3.2.6).",
        ),
        VersionNote(
            "psycopg >= 3.0",
            "`with`/`async with` on a connection commits or rolls back, then closes it unless it belongs to a "
            "pool; `AsyncConnection.connect()` is a coroutine (the same in 3.0.18, 3.1.20 and 3.3.9).",
        ),
    ),
    functions={
        "psycopg.connect": Acquire("psycopg.Connection", blocking=True),
        "psycopg.Connection.connect": Acquire("psycopg.Connection", blocking=True),
        "psycopg.AsyncConnection.connect": Acquire("psycopg.AsyncConnection", Await.COROUTINE),
        "psycopg_pool.ConnectionPool": Acquire("psycopg_pool.ConnectionPool"),
        "psycopg_pool.AsyncConnectionPool": Acquire("psycopg_pool.AsyncConnectionPool"),
    },
    kinds=(
        Kind(
            name="psycopg.Connection",
            label="psycopg connection",
            library="psycopg",
            types=("psycopg.Connection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={
                "cursor": (Acquire("psycopg.ServerCursor", stream=True, when=NAMED_CURSOR), Acquire("psycopg.Cursor")),
            },
            blocking=("execute", "commit", "rollback"),
        ),
        Kind(
            name="psycopg.Cursor",
            label="psycopg cursor",
            library="psycopg",
            types=("psycopg.Cursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"stream": (Acquire("psycopg.stream", stream=True),)},
            blocking=DBAPI_BLOCKING + ("copy",),
            owned=False,
        ),
        Kind(
            name="psycopg.ServerCursor",
            partial_reads=PARTIAL_READS,
            label="psycopg server-side cursor",
            library="psycopg",
            types=("psycopg.ServerCursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            base="psycopg.Cursor",
        ),
        Kind(
            name="psycopg.stream",
            label="psycopg streamed result",
            library="psycopg",
            releases=SYNC_CLOSE,
        ),
        Kind(
            name="psycopg.AsyncConnection",
            label="psycopg async connection",
            library="psycopg",
            types=("psycopg.AsyncConnection",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={
                "cursor": (Acquire("psycopg.AsyncServerCursor", stream=True, when=NAMED_CURSOR), Acquire("psycopg.AsyncCursor")),
            },
        ),
        Kind(
            name="psycopg.AsyncCursor",
            label="psycopg async cursor",
            library="psycopg",
            types=("psycopg.AsyncCursor",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"stream": (Acquire("psycopg.astream", stream=True),)},
            owned=False,
        ),
        Kind(
            name="psycopg.AsyncServerCursor",
            partial_reads=PARTIAL_READS,
            label="psycopg async server-side cursor",
            library="psycopg",
            types=("psycopg.AsyncServerCursor",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            base="psycopg.AsyncCursor",
        ),
        Kind(
            name="psycopg.astream",
            label="psycopg async streamed result",
            library="psycopg",
            releases=ASYNC_ACLOSE,
        ),
        Kind(
            name="psycopg_pool.ConnectionPool",
            label="psycopg pool",
            library="psycopg_pool",
            types=("psycopg_pool.ConnectionPool",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={
                "getconn": (Acquire("psycopg_pool.PooledConnection", returned_by=(Release("putconn"),), blocking=True),),
                "connection": (Acquire("psycopg.Connection", Await.CM_ONLY, with_exit=Exit.RELEASES),),
            },
        ),
        Kind(
            name="psycopg_pool.PooledConnection",
            label="pooled psycopg connection",
            library="psycopg_pool",
            releases=(),
            with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
            base="psycopg.Connection",
        ),
        Kind(
            name="psycopg_pool.AsyncConnectionPool",
            label="psycopg async pool",
            library="psycopg_pool",
            types=("psycopg_pool.AsyncConnectionPool",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={
                "getconn": (
                    Acquire("psycopg_pool.AsyncPooledConnection", Await.COROUTINE, returned_by=(Release("putconn", Awaiting.ASYNC),)),
                ),
                "connection": (Acquire("psycopg.AsyncConnection", Await.CM_ONLY, async_with_exit=Exit.RELEASES),),
            },
        ),
        Kind(
            name="psycopg_pool.AsyncPooledConnection",
            label="pooled psycopg async connection",
            library="psycopg_pool",
            releases=(),
            async_with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
            base="psycopg.AsyncConnection",
        ),
    ),
)
