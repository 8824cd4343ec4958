"""asyncpg.

- Acquire: `asyncpg.connect()` (a coroutine), `asyncpg.create_pool()` and
  `pool.acquire()` (awaitables: await them or enter them with `async with`),
  `conn.cursor()` (a server-side stream).
- Release: `await conn.close()` (or the sync `terminate()`),
  `await pool.release(conn)`, `await pool.close()` (or `terminate()`).
- `async with` closes a pool and returns an acquired connection; a
  connection itself is no context manager. A cursor has no `close()`: it
  lives until the transaction ends.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_CLOSE


ASYNCPG = Library(
    name="asyncpg",
    module_roots=("asyncpg",),
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
