"""aiopg (asyncio over psycopg2).

- Acquire: `aiopg.connect()`, `aiopg.create_pool()` and `pool.acquire()`,
  all awaitables (await them or enter them with `async with`).
- Release: `conn.close()` and `pool.release(conn)` are sync and return a
  future, so awaiting them is allowed but not needed; `pool.close()` and
  `terminate()` are sync.
- `async with` closes a connection or a pool and returns an acquired
  connection; there is no sync `with`.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release


AIOPG = Library(
    name="aiopg",
    module_roots=("aiopg",),
    functions={
        "aiopg.connect": Acquire("aiopg.Connection", Await.AWAITABLE),
        "aiopg.create_pool": Acquire("aiopg.Pool", Await.AWAITABLE),
    },
    kinds=(
        Kind(
            name="aiopg.Connection",
            label="aiopg connection",
            library="aiopg",
            types=("aiopg.Connection", "aiopg.connection.Connection"),
            releases=(Release("close", Awaiting.OPTIONAL),),
            async_with_exit=Exit.CLOSES,
        ),
        Kind(
            name="aiopg.Pool",
            label="aiopg pool",
            library="aiopg",
            types=("aiopg.Pool", "aiopg.pool.Pool"),
            releases=(Release("close"), Release("terminate")),
            async_with_exit=Exit.CLOSES,
            methods={
                "acquire": (
                    Acquire(
                        "aiopg.PoolConnection",
                        Await.AWAITABLE,
                        returned_by=(Release("release", Awaiting.OPTIONAL),),
                        async_with_exit=Exit.RELEASES,
                    ),
                ),
            },
        ),
        Kind(
            name="aiopg.PoolConnection",
            label="aiopg pool connection",
            library="aiopg",
            base="aiopg.Connection",
            releases=(),
            closes_without_returning=(),
        ),
    ),
)
