"""Oracle drivers: python-oracledb and its predecessor cx_Oracle.

- Acquire: `oracledb.connect()` / `cx_Oracle.connect()` (blocking), the
  pools (`create_pool()`, `ConnectionPool`, `SessionPool`) and
  `pool.acquire()` (blocking); oracledb's `connect_async()` and the async
  pool's `acquire()` (awaitables: await them or enter them with
  `async with`), `create_pool_async()` (a plain call).
- Release: `close()` on connections and pools (awaited on the async ones);
  `pool.release(conn)` or `pool.drop(conn)` (awaited on the async pool). A
  pooled connection's own `close()` gives it back to its pool.
- `with` closes a connection (a pooled one goes back to its pool) and a
  cursor; `async with` does the same for the async connection. Pools are no
  context managers.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release, VersionNote
from .common import ASYNC_CLOSE, DBAPI_BLOCKING, SYNC_CLOSE

CONNECTION_BLOCKING = ("commit", "rollback", "ping")
# the pool takes a connection back with either; `drop()` also closes it
SYNC_POOL_RETURNS = (Release("release"), Release("drop"))
ASYNC_POOL_RETURNS = (Release("release", Awaiting.ASYNC), Release("drop", Awaiting.ASYNC))


def _cursor(name: str, label: str, library: str, async_with_exit: Exit = Exit.NONE) -> Kind:
    """A client-side cursor: it lives and dies with its connection. Its
    `close()` is sync, also on the async connection's cursor."""
    return Kind(
        name=name,
        label=label,
        library=library,
        releases=SYNC_CLOSE,
        with_exit=Exit.CLOSES,
        async_with_exit=async_with_exit,
        blocking=DBAPI_BLOCKING,
        owned=False,
    )


ORACLEDB = Library(
    name="oracledb",
    module_roots=("oracledb",),
    functions={
        "oracledb.connect": Acquire("oracledb.Connection", blocking=True),
        "oracledb.Connection": Acquire("oracledb.Connection", blocking=True),
        "oracledb.connection.connect": Acquire("oracledb.Connection", blocking=True),
        "oracledb.create_pool": Acquire("oracledb.ConnectionPool"),
        "oracledb.pool.create_pool": Acquire("oracledb.ConnectionPool"),
        "oracledb.ConnectionPool": Acquire("oracledb.ConnectionPool"),
        "oracledb.SessionPool": Acquire("oracledb.ConnectionPool"),
        # connects when awaited or entered; `async with` closes it
        "oracledb.connect_async": Acquire("oracledb.AsyncConnection", Await.AWAITABLE),
        "oracledb.connection.connect_async": Acquire("oracledb.AsyncConnection", Await.AWAITABLE),
        "oracledb.create_pool_async": Acquire("oracledb.AsyncConnectionPool"),
        "oracledb.pool.create_pool_async": Acquire("oracledb.AsyncConnectionPool"),
    },
    kinds=(
        Kind(
            name="oracledb.Connection",
            label="oracledb connection",
            library="oracledb",
            types=("oracledb.Connection", "oracledb.connection.Connection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"cursor": (Acquire("oracledb.Cursor"),)},
            blocking=CONNECTION_BLOCKING,
        ),
        _cursor("oracledb.Cursor", "oracledb cursor", "oracledb"),
        Kind(
            name="oracledb.ConnectionPool",
            label="oracledb pool",
            library="oracledb",
            types=("oracledb.ConnectionPool", "oracledb.pool.ConnectionPool", "oracledb.SessionPool"),
            releases=SYNC_CLOSE,
            methods={"acquire": (Acquire("oracledb.PooledConnection", returned_by=SYNC_POOL_RETURNS, blocking=True),)},
        ),
        Kind(
            name="oracledb.PooledConnection",
            label="pooled oracledb connection",
            library="oracledb",
            releases=SYNC_CLOSE,  # gives it back to its pool
            with_exit=Exit.RELEASES,
            base="oracledb.Connection",
        ),
        Kind(
            name="oracledb.AsyncConnection",
            label="oracledb async connection",
            library="oracledb",
            types=("oracledb.AsyncConnection", "oracledb.connection.AsyncConnection"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"cursor": (Acquire("oracledb.AsyncCursor"),)},
        ),
        _cursor("oracledb.AsyncCursor", "oracledb async cursor", "oracledb", async_with_exit=Exit.CLOSES),
        Kind(
            name="oracledb.AsyncConnectionPool",
            label="oracledb async pool",
            library="oracledb",
            types=("oracledb.AsyncConnectionPool", "oracledb.pool.AsyncConnectionPool"),
            releases=ASYNC_CLOSE,
            methods={
                "acquire": (
                    Acquire(
                        "oracledb.AsyncPooledConnection",
                        Await.AWAITABLE,
                        returned_by=ASYNC_POOL_RETURNS,
                        async_with_exit=Exit.RELEASES,
                    ),
                ),
            },
        ),
        Kind(
            name="oracledb.AsyncPooledConnection",
            label="pooled oracledb async connection",
            library="oracledb",
            releases=ASYNC_CLOSE,  # gives it back to its pool
            async_with_exit=Exit.RELEASES,
            base="oracledb.AsyncConnection",
        ),
    ),
    verified="oracledb 26.1.0",
    sources=(
        "src/oracledb/connection.py",
        "src/oracledb/pool.py",
        "src/oracledb/cursor.py",
        "src/oracledb/__init__.py",
    ),
    version_notes=(
        VersionNote("< 2.0", "no asyncio API: `connect_async()` and `create_pool_async()` do not exist (read in 1.4.2; present in 2.0.0)"),
    ),
)


CX_ORACLE = Library(
    name="cx_Oracle",
    module_roots=("cx_Oracle",),
    functions={
        # `connect` is the Connection type itself
        "cx_Oracle.connect": Acquire("cx_Oracle.Connection", blocking=True),
        "cx_Oracle.Connection": Acquire("cx_Oracle.Connection", blocking=True),
        "cx_Oracle.SessionPool": Acquire("cx_Oracle.SessionPool"),
    },
    kinds=(
        Kind(
            name="cx_Oracle.Connection",
            label="cx_Oracle connection",
            library="cx_Oracle",
            types=("cx_Oracle.Connection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"cursor": (Acquire("cx_Oracle.Cursor"),)},
            blocking=CONNECTION_BLOCKING,
        ),
        _cursor("cx_Oracle.Cursor", "cx_Oracle cursor", "cx_Oracle"),
        Kind(
            name="cx_Oracle.SessionPool",
            label="cx_Oracle session pool",
            library="cx_Oracle",
            types=("cx_Oracle.SessionPool",),
            releases=SYNC_CLOSE,
            methods={"acquire": (Acquire("cx_Oracle.PooledConnection", returned_by=SYNC_POOL_RETURNS, blocking=True),)},
        ),
        Kind(
            name="cx_Oracle.PooledConnection",
            label="pooled cx_Oracle connection",
            library="cx_Oracle",
            releases=SYNC_CLOSE,  # releases the session to its pool
            with_exit=Exit.RELEASES,
            base="cx_Oracle.Connection",
        ),
    ),
    verified="cx_Oracle 8.3.0",
    sources=(
        "src/cxoConnection.c",
        "src/cxoSessionPool.c",
        "src/cxoCursor.c",
        "src/cxoModule.c",
        "odpi/src/dpiConn.c",
    ),
    version_notes=(
        VersionNote(
            "< 7.0",
            "`with conn:` only commits or rolls back and leaves the connection open, unless"
            " `cx_Oracle.__future__.ctx_mgr_close = True` (read in 6.4.1; 7.0.0 closes)",
        ),
    ),
)
