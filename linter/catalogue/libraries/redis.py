"""redis-py: the sync client (`redis`) and the asyncio client (`redis.asyncio`).

- Acquire: `Redis()` / `from_url()` / `from_pool()` (which takes over the
  pool it is given), the connection pools, `client.pubsub()` (a dedicated
  connection from the first subscribe on), `client.client()` (a
  single-connection client, checked out at once by the sync one) and
  `pool.get_connection()`, a checkout (blocking on the sync pool, a
  coroutine on the asyncio one). No constructor is awaitable.
- Release: `close()` on sync clients, pools and PubSub (`reset()` too);
  `await aclose()` on the asyncio ones (`await close()` / `await reset()`
  remain as deprecated aliases; `await disconnect()` on a pool);
  `pool.release(conn)` (awaited on the asyncio pool) for a checkout, whose
  own `disconnect()` closes the socket but keeps its place in the pool. A
  client's `close()` closes the pool only when the client made it.
- `with` (sync) and `async with` (asyncio) close clients, pools and PubSub,
  and reset a pipeline; neither flavour works on the other's objects. The
  asyncio client counts nested `async with` entries and closes on the last
  exit.
- Pipelines hold no connection of their own: `execute()` checks one out and
  gives it back in its `finally`. Only `pipe.watch(...)` keeps one until
  `execute()`/`reset()`, so a pipeline is not owned where it is created.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release, VersionNote
from .common import ASYNC_ACLOSE, ASYNC_CLOSE, SYNC_CLOSE


# the client made the pool it closes; `from_pool()` takes over the one it is given
FROM_POOL = Acquire("redis.Redis", adopts=("connection_pool",))
ASYNC_FROM_POOL = Acquire("redis.asyncio.Redis", adopts=("connection_pool",))


REDIS = Library(
    name="redis",
    module_roots=("redis",),
    functions={
        "redis.Redis": Acquire("redis.Redis"),
        "redis.StrictRedis": Acquire("redis.Redis"),
        "redis.client.Redis": Acquire("redis.Redis"),
        "redis.client.StrictRedis": Acquire("redis.Redis"),
        "redis.from_url": Acquire("redis.Redis"),
        "redis.utils.from_url": Acquire("redis.Redis"),
        "redis.Redis.from_url": Acquire("redis.Redis"),
        "redis.StrictRedis.from_url": Acquire("redis.Redis"),
        "redis.Redis.from_pool": FROM_POOL,
        "redis.StrictRedis.from_pool": FROM_POOL,
        "redis.ConnectionPool": Acquire("redis.ConnectionPool"),
        "redis.BlockingConnectionPool": Acquire("redis.ConnectionPool"),
        "redis.connection.ConnectionPool": Acquire("redis.ConnectionPool"),
        "redis.connection.BlockingConnectionPool": Acquire("redis.ConnectionPool"),
        "redis.ConnectionPool.from_url": Acquire("redis.ConnectionPool"),
        "redis.BlockingConnectionPool.from_url": Acquire("redis.ConnectionPool"),
    },
    kinds=(
        Kind(
            name="redis.Redis",
            label="redis client",
            library="redis",
            types=("redis.Redis", "redis.StrictRedis", "redis.client.Redis", "redis.client.StrictRedis"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={
                "pubsub": (Acquire("redis.PubSub"),),
                "pipeline": (Acquire("redis.Pipeline"),),
                "client": (Acquire("redis.Redis"),),
            },
            attributes={"connection_pool": "redis.ConnectionPool"},
        ),
        Kind(
            name="redis.ConnectionPool",
            label="redis connection pool",
            library="redis",
            types=("redis.ConnectionPool", "redis.BlockingConnectionPool", "redis.connection.ConnectionPool", "redis.connection.BlockingConnectionPool"),
            releases=SYNC_CLOSE + (Release("disconnect"),),
            with_exit=Exit.CLOSES,
            methods={"get_connection": (Acquire("redis.Connection", returned_by=(Release("release"),), blocking=True),)},
        ),
        Kind(
            name="redis.Connection",
            label="redis pool connection",
            library="redis",
            types=("redis.Connection", "redis.connection.Connection"),
        ),
        Kind(
            name="redis.PubSub",
            label="redis PubSub",
            library="redis",
            types=("redis.client.PubSub",),
            releases=SYNC_CLOSE + (Release("reset"),),
            with_exit=Exit.CLOSES,
        ),
        Kind(
            name="redis.Pipeline",
            label="redis pipeline",
            library="redis",
            types=("redis.client.Pipeline",),
            releases=(Release("reset"),) + SYNC_CLOSE,
            with_exit=Exit.RELEASES,
            owned=False,  # holds a connection only while watching keys
        ),
    ),
    verified="redis 8.1.0",
    sources=("redis/client.py", "redis/connection.py", "redis/utils.py"),
    version_notes=(
        VersionNote("< 5.0.1", "`Redis.close()` gives back the client's connection but never closes the pool the client made; a pool has no `close()` (use `disconnect()`) and there is no `from_pool()`"),
        VersionNote("< 8.1.0", "a `ConnectionPool` is no context manager: `with pool:` raises TypeError"),
    ),
)


REDIS_ASYNCIO = Library(
    name="redis.asyncio",
    module_roots=("redis",),
    functions={
        "redis.asyncio.Redis": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.StrictRedis": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.from_url": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.utils.from_url": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.Redis.from_url": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.StrictRedis.from_url": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.client.Redis": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.Redis.from_pool": ASYNC_FROM_POOL,
        "redis.asyncio.StrictRedis.from_pool": ASYNC_FROM_POOL,
        "redis.asyncio.ConnectionPool": Acquire("redis.asyncio.ConnectionPool"),
        "redis.asyncio.BlockingConnectionPool": Acquire("redis.asyncio.ConnectionPool"),
        "redis.asyncio.connection.ConnectionPool": Acquire("redis.asyncio.ConnectionPool"),
        "redis.asyncio.connection.BlockingConnectionPool": Acquire("redis.asyncio.ConnectionPool"),
        "redis.asyncio.ConnectionPool.from_url": Acquire("redis.asyncio.ConnectionPool"),
        "redis.asyncio.BlockingConnectionPool.from_url": Acquire("redis.asyncio.ConnectionPool"),
    },
    kinds=(
        Kind(
            name="redis.asyncio.Redis",
            label="redis.asyncio client",
            library="redis",
            types=("redis.asyncio.Redis", "redis.asyncio.StrictRedis", "redis.asyncio.client.Redis"),
            releases=ASYNC_ACLOSE + ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={
                "pubsub": (Acquire("redis.asyncio.PubSub"),),
                "pipeline": (Acquire("redis.asyncio.Pipeline"),),
                "client": (Acquire("redis.asyncio.Redis"),),
            },
            attributes={"connection_pool": "redis.asyncio.ConnectionPool"},
        ),
        Kind(
            name="redis.asyncio.ConnectionPool",
            label="redis.asyncio connection pool",
            library="redis",
            types=("redis.asyncio.ConnectionPool", "redis.asyncio.BlockingConnectionPool", "redis.asyncio.connection.ConnectionPool", "redis.asyncio.connection.BlockingConnectionPool"),
            releases=ASYNC_ACLOSE + (Release("disconnect", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
            methods={
                "get_connection": (Acquire("redis.asyncio.Connection", Await.COROUTINE, returned_by=(Release("release", Awaiting.ASYNC),)),),
            },
        ),
        Kind(
            name="redis.asyncio.Connection",
            label="redis.asyncio pool connection",
            library="redis",
            types=("redis.asyncio.Connection", "redis.asyncio.connection.Connection"),
        ),
        Kind(
            name="redis.asyncio.PubSub",
            label="redis.asyncio PubSub",
            library="redis",
            types=("redis.asyncio.client.PubSub",),
            releases=ASYNC_ACLOSE + (Release("reset", Awaiting.ASYNC), Release("close", Awaiting.ASYNC)),
            async_with_exit=Exit.CLOSES,
        ),
        Kind(
            name="redis.asyncio.Pipeline",
            label="redis.asyncio pipeline",
            library="redis",
            types=("redis.asyncio.client.Pipeline",),
            releases=(Release("reset", Awaiting.ASYNC),) + ASYNC_ACLOSE,
            async_with_exit=Exit.RELEASES,
            owned=False,  # holds a connection only while watching keys
        ),
    ),
    verified="redis 8.1.0",
    sources=("redis/asyncio/client.py", "redis/asyncio/connection.py", "redis/asyncio/utils.py"),
    version_notes=(
        VersionNote("< 5.0.1", "there is no `aclose()` and no `from_pool()`: close a client with `await close()`, a PubSub or pipeline with `await reset()`, a pool with `await disconnect()`"),
        VersionNote("< 7.0.0", "`async with` on a client closes it on every exit, nested or not"),
        VersionNote("< 8.1.0", "a `ConnectionPool` is no async context manager: `async with pool:` raises TypeError"),
    ),
)
