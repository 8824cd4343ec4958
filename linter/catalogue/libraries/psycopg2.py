"""psycopg2: `psycopg2.connect()` and the pools of `psycopg2.pool`.

- Acquire: `psycopg2.connect()` (blocking); `conn.cursor()`, whose first
  argument `name` makes a named, server-side cursor that streams until it is
  closed or its transaction ends; the pool constructors, which open
  `minconn` connections at once; `pool.getconn()` (blocking; it raises
  `PoolError` when `maxconn` connections are out, it never waits).
- Release: `close()` on connections and cursors. A pooled connection goes
  back with `pool.putconn(conn)`; its own `close()` closes it but keeps it
  among the pool's used connections, so the slot stays taken.
  `pool.closeall()` closes every connection, checked out or not.
- `with cursor:` closes the cursor. `with conn:` commits (or rolls back on an
  exception) and leaves the connection open, pooled or not. A pool has no
  `__enter__`.
- Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, Release, VersionNote
from .common import DBAPI_BLOCKING, NAMED_CURSOR, PARTIAL_READS, SYNC_CLOSE


PSYCOPG2 = Library(
    name="psycopg2",
    module_roots=("psycopg2",),
    verified="psycopg2 2.9.13",
    sources=("psycopg2/pool.py", "psycopg2/extras.py", "psycopg/connection_type.c", "psycopg/cursor_type.c"),
    version_notes=(
        VersionNote(
            "< 2.8",
            "`psycopg2.pool.PersistentConnectionPool` exists (deprecated; one connection per thread): "
            "`getconn()`, `putconn()` and `closeall()` as on the other pools (read in 2.7.7). 2.8 removed it.",
        ),
    ),
    functions={
        "psycopg2.connect": Acquire("psycopg2.connection", blocking=True),
        "psycopg2.pool.SimpleConnectionPool": Acquire("psycopg2.pool"),
        "psycopg2.pool.ThreadedConnectionPool": Acquire("psycopg2.pool"),
        "psycopg2.pool.PersistentConnectionPool": Acquire("psycopg2.pool"),
    },
    kinds=(
        Kind(
            name="psycopg2.connection",
            label="psycopg2 connection",
            library="psycopg2",
            types=("psycopg2.extensions.connection", "psycopg2._psycopg.connection", "psycopg2.extras.DictConnection", "psycopg2.extras.RealDictConnection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.TXN_ONLY,
            methods={
                "cursor": (
                    Acquire("psycopg2.named_cursor", stream=True, when=NAMED_CURSOR),
                    Acquire("psycopg2.cursor"),
                ),
            },
            blocking=("commit", "rollback", "set_session", "reset"),
        ),
        Kind(
            name="psycopg2.cursor",
            label="psycopg2 cursor",
            library="psycopg2",
            types=("psycopg2.extensions.cursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            blocking=DBAPI_BLOCKING + ("copy_expert", "copy_from", "copy_to"),
            owned=False,
        ),
        Kind(
            name="psycopg2.named_cursor",
            partial_reads=PARTIAL_READS,
            label="psycopg2 named cursor",
            library="psycopg2",
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            base="psycopg2.cursor",
        ),
        Kind(
            name="psycopg2.pool",
            label="psycopg2 pool",
            library="psycopg2",
            types=("psycopg2.pool.AbstractConnectionPool", "psycopg2.pool.SimpleConnectionPool", "psycopg2.pool.ThreadedConnectionPool"),
            releases=(Release("closeall"),),
            methods={
                "getconn": (Acquire("psycopg2.pooled_connection", returned_by=(Release("putconn"),), blocking=True),),
            },
        ),
        Kind(
            name="psycopg2.pooled_connection",
            label="pooled psycopg2 connection",
            library="psycopg2",
            with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
            base="psycopg2.connection",
        ),
    ),
)
