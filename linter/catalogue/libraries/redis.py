"""redis.asyncio (redis-py's asyncio client).

- Acquire: `redis.asyncio.Redis()` / `from_url()`, the connection pool,
  `client.pubsub()`; none of them is awaitable.
- Release: `await aclose()` (`await close()` still works on the client,
  `await disconnect()` on a pool, `await reset()` on a PubSub).
- `async with` closes each of them; there is no sync `with`.
"""
from __future__ import annotations

from ..model import Acquire, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_ACLOSE, ASYNC_CLOSE


REDIS_ASYNCIO = Library(
    name="redis.asyncio",
    module_roots=("redis",),
    functions={
        "redis.asyncio.Redis": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.StrictRedis": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.from_url": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.Redis.from_url": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.client.Redis": Acquire("redis.asyncio.Redis"),
        "redis.asyncio.ConnectionPool": Acquire("redis.asyncio.ConnectionPool"),
        "redis.asyncio.ConnectionPool.from_url": Acquire("redis.asyncio.ConnectionPool"),
    },
    kinds=(
        Kind(
            name="redis.asyncio.Redis",
            label="redis.asyncio client",
            library="redis",
            types=("redis.asyncio.Redis", "redis.asyncio.client.Redis"),
            releases=ASYNC_ACLOSE + ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"pubsub": (Acquire("redis.asyncio.PubSub"),)},
        ),
        Kind(
            name="redis.asyncio.ConnectionPool",
            label="redis.asyncio connection pool",
            library="redis",
            types=("redis.asyncio.ConnectionPool",),
            releases=ASYNC_ACLOSE + (Release("disconnect", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
        ),
        Kind(
            name="redis.asyncio.PubSub",
            label="redis.asyncio PubSub",
            library="redis",
            releases=ASYNC_ACLOSE + (Release("reset", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
        ),
    ),
)
