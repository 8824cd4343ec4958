"""ODBC: pyodbc and aioodbc (asyncio over pyodbc, each call run in a thread).

- Acquire: `pyodbc.connect()` (blocking); `aioodbc.connect()`,
  `aioodbc.create_pool()` and `pool.acquire()` (awaitables: await them or
  enter them with `async with`); `cursor()` (awaitable on aioodbc).
- Release: `close()` on pyodbc objects; `await close()` on aioodbc
  connections and cursors; `await pool.release(conn)` for a pooled aioodbc
  connection, whose own `close()` keeps the pool slot; `pool.close()`
  (sync) then `await pool.wait_closed()` for the pool.
- `with` on a pyodbc connection or cursor only commits (when autocommit is
  off; the connection also rolls back on error) and closes nothing.
  `async with` closes aioodbc connections (committing first), cursors and
  pools, and returns an acquired connection to its pool.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_CLOSE, DBAPI_BLOCKING, SYNC_CLOSE


PYODBC = Library(
    name="pyodbc",
    module_roots=("pyodbc",),
    functions={"pyodbc.connect": Acquire("pyodbc.Connection", blocking=True)},
    kinds=(
        Kind(
            name="pyodbc.Connection",
            label="pyodbc connection",
            library="pyodbc",
            types=("pyodbc.Connection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.TXN_ONLY,
            methods={"cursor": (Acquire("pyodbc.Cursor"),)},
            blocking=("execute", "commit", "rollback"),
        ),
        Kind(
            name="pyodbc.Cursor",
            label="pyodbc cursor",
            library="pyodbc",
            types=("pyodbc.Cursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.TXN_ONLY,  # commits; the cursor stays open
            blocking=DBAPI_BLOCKING,
            owned=False,
        ),
    ),
    verified="pyodbc 5.5.0",
    sources=("src/connection.cpp", "src/cursor.cpp", "src/pyodbcmodule.cpp"),
)


AIOODBC = Library(
    name="aioodbc",
    module_roots=("aioodbc",),
    functions={
        "aioodbc.connect": Acquire("aioodbc.Connection", Await.AWAITABLE),
        "aioodbc.connection.connect": Acquire("aioodbc.Connection", Await.AWAITABLE),
        "aioodbc.create_pool": Acquire("aioodbc.Pool", Await.AWAITABLE),
        "aioodbc.pool.create_pool": Acquire("aioodbc.Pool", Await.AWAITABLE),
    },
    kinds=(
        Kind(
            name="aioodbc.Connection",
            label="aioodbc connection",
            library="aioodbc",
            types=("aioodbc.Connection", "aioodbc.connection.Connection"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"cursor": (Acquire("aioodbc.Cursor", Await.AWAITABLE),)},
        ),
        Kind(
            name="aioodbc.Cursor",
            label="aioodbc cursor",
            library="aioodbc",
            types=("aioodbc.Cursor", "aioodbc.cursor.Cursor"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            owned=False,
        ),
        Kind(
            name="aioodbc.Pool",
            label="aioodbc pool",
            library="aioodbc",
            types=("aioodbc.Pool", "aioodbc.pool.Pool"),
            releases=SYNC_CLOSE,  # marks it closing; `await pool.wait_closed()` then waits
            async_with_exit=Exit.CLOSES,
            methods={
                "acquire": (
                    Acquire(
                        "aioodbc.PoolConnection",
                        Await.AWAITABLE,
                        returned_by=(Release("release", Awaiting.ASYNC),),
                        async_with_exit=Exit.RELEASES,
                    ),
                ),
            },
        ),
        Kind(
            name="aioodbc.PoolConnection",
            label="aioodbc pool connection",
            library="aioodbc",
            releases=(),
            closes_without_returning=("close",),  # the pool still counts it as used
            base="aioodbc.Connection",
        ),
    ),
    verified="aioodbc 0.5.0",
    sources=("aioodbc/connection.py", "aioodbc/pool.py", "aioodbc/cursor.py", "aioodbc/utils.py"),
)
