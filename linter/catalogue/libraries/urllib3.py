"""urllib3: `PoolManager` / `ProxyManager` and the connection pools.

- Acquire: `PoolManager()`, `ProxyManager()` / `proxy_from_url()`,
  `HTTPConnectionPool()` / `HTTPSConnectionPool()` /
  `connection_from_url()`. No connection is made until the first request.
- Release: `pool.close()` closes the pool's idle connections; a manager has
  no `close()`: `clear()` drops its pools, and each pool closes its idle
  connections when it is garbage-collected (a `weakref.finalize`).
  Connections still lent to an unread response are closed by neither.
- `with` calls `clear()` on a manager and `close()` on a pool. Nothing is
  awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, Release, VersionNote
from .common import SYNC_CLOSE


URLLIB3 = Library(
    name="urllib3",
    module_roots=("urllib3",),
    functions={
        "urllib3.PoolManager": Acquire("urllib3.PoolManager"),
        "urllib3.poolmanager.PoolManager": Acquire("urllib3.PoolManager"),
        "urllib3.ProxyManager": Acquire("urllib3.PoolManager"),
        "urllib3.poolmanager.ProxyManager": Acquire("urllib3.PoolManager"),
        "urllib3.proxy_from_url": Acquire("urllib3.PoolManager"),
        "urllib3.poolmanager.proxy_from_url": Acquire("urllib3.PoolManager"),
        "urllib3.HTTPConnectionPool": Acquire("urllib3.HTTPConnectionPool"),
        "urllib3.HTTPSConnectionPool": Acquire("urllib3.HTTPConnectionPool"),
        "urllib3.connectionpool.HTTPConnectionPool": Acquire("urllib3.HTTPConnectionPool"),
        "urllib3.connectionpool.HTTPSConnectionPool": Acquire("urllib3.HTTPConnectionPool"),
        "urllib3.connection_from_url": Acquire("urllib3.HTTPConnectionPool"),
        "urllib3.connectionpool.connection_from_url": Acquire("urllib3.HTTPConnectionPool"),
    },
    kinds=(
        Kind(
            name="urllib3.PoolManager",
            label="urllib3 PoolManager",
            library="urllib3",
            types=("urllib3.PoolManager", "urllib3.poolmanager.PoolManager", "urllib3.ProxyManager", "urllib3.poolmanager.ProxyManager"),
            releases=(Release("clear"),),
            with_exit=Exit.CLOSES,
        ),
        Kind(
            name="urllib3.HTTPConnectionPool",
            label="urllib3 connection pool",
            library="urllib3",
            types=(
                "urllib3.HTTPConnectionPool",
                "urllib3.HTTPSConnectionPool",
                "urllib3.connectionpool.HTTPConnectionPool",
                "urllib3.connectionpool.HTTPSConnectionPool",
            ),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
        ),
    ),
    verified="urllib3 2.8.0",
    sources=("urllib3/__init__.py", "urllib3/poolmanager.py", "urllib3/connectionpool.py", "urllib3/_collections.py"),
    version_notes=(
        VersionNote("< 1.26.16", "`clear()` (and so `with`) closes every pool of the manager at once; from 1.26.16 it drops them and each pool closes when it is garbage-collected"),
    ),
)
