"""asyncpg.

- Acquire: `asyncpg.connect()`, a coroutine; `asyncpg.create_pool()` and
  `pool.acquire()`, plain calls whose result is awaited or entered with
  `async with` (nothing connects before); `conn.cursor()`, a cursor factory
  to await or iterate with `async for`: a server-side portal.
- Release: `await conn.close()`, or the sync `terminate()`; on a pooled
  connection either one also frees its pool slot. `await pool.release(conn)`
  returns it. `await pool.close()` (it waits for every acquired connection
  to come back) or the sync `pool.terminate()`.
- `async with` on a pool closes it; on `pool.acquire()` it releases the
  connection. A connection is no context manager of either kind. A cursor
  has no `close()`: it lives until its transaction ends.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_CLOSE


ASYNCPG = Library(
    name="asyncpg",
    module_roots=("asyncpg",),
    verified="asyncpg 0.32.0",
    sources=("asyncpg/__init__.py", "asyncpg/connection.py", "asyncpg/pool.py", "asyncpg/cursor.py"),
    functions={
        "asyncpg.connect": Acquire("asyncpg.Connection", Await.COROUTINE),
        "asyncpg.connection.connect": Acquire("asyncpg.Connection", Await.COROUTINE),
        "asyncpg.create_pool": Acquire("asyncpg.Pool", Await.AWAITABLE),
        "asyncpg.pool.create_pool": Acquire("asyncpg.Pool", Await.AWAITABLE),
    },
    kinds=(
        Kind(
            name="asyncpg.Connection",
            label="asyncpg connection",
            library="asyncpg",
            types=("asyncpg.Connection", "asyncpg.connection.Connection"),
            releases=ASYNC_CLOSE + (Release("terminate"),),
            methods={"cursor": (Acquire("asyncpg.Cursor", Await.AWAITABLE, stream=True),)},
        ),
        Kind(
            name="asyncpg.Pool",
            label="asyncpg pool",
            library="asyncpg",
            types=("asyncpg.Pool", "asyncpg.pool.Pool"),
            releases=ASYNC_CLOSE + (Release("terminate"),),
            async_with_exit=Exit.CLOSES,
            methods={
                "acquire": (
                    Acquire(
                        "asyncpg.PoolConnection",
                        Await.AWAITABLE,
                        returned_by=(Release("release", Awaiting.ASYNC),),
                        async_with_exit=Exit.RELEASES,
                    ),
                ),
            },
        ),
        Kind(
            name="asyncpg.PoolConnection",
            label="asyncpg pool connection",
            library="asyncpg",
            types=("asyncpg.pool.PoolConnectionProxy",),
            base="asyncpg.Connection",
            releases=ASYNC_CLOSE + (Release("terminate"),),
        ),
        Kind(
            name="asyncpg.Cursor",
            label="asyncpg cursor",
            library="asyncpg",
            releases=(),
        ),
    ),
)
