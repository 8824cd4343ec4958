"""aiopg (asyncio over psycopg2).

- Acquire: `aiopg.connect()`, `aiopg.create_pool()` and `pool.acquire()`,
  plain calls whose result is awaited or entered with `async with`.
- Release: `conn.close()` and `pool.release(conn)` are sync and return a
  future, so awaiting them is allowed but not needed. A pooled connection's
  own `close()` closes it but keeps it among the pool's used connections
  until `release()`. `pool.close()` and `pool.terminate()` are sync;
  `close()` only stops new acquires and closes connections as they come
  back: the idle ones are closed by `await pool.wait_closed()`.
- `async with` closes a connection, closes a pool (`close()` then
  `wait_closed()`) and releases an acquired connection; a connection and a
  pool have no usable sync `with` (`with pool` raises).
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release


AIOPG = Library(
    name="aiopg",
    module_roots=("aiopg",),
    verified="aiopg 1.4.0",
    sources=("aiopg/__init__.py", "aiopg/connection.py", "aiopg/pool.py", "aiopg/utils.py"),
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
            closes_without_returning=("close",),  # it stays among the pool's used connections
        ),
    ),
)
