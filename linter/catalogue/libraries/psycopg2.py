"""psycopg2: `psycopg2.connect()` and the pools of `psycopg2.pool`.

- Acquire: `psycopg2.connect()` (blocking), `conn.cursor()` (a named
  cursor, `cursor("name")`, is a server-side stream), the pool
  constructors, `pool.getconn()` (blocking).
- Release: `close()` on connections and cursors; `pool.putconn(conn)` for a
  pooled connection (its `close()` keeps the pool slot); `pool.closeall()`.
- `with`: closes a cursor; on a connection, pooled or not, it only commits
  or rolls back. A pool is no context manager.
- Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, Release
from .common import DBAPI_BLOCKING, NAMED_CURSOR, PARTIAL_READS, SYNC_CLOSE


PSYCOPG2 = Library(
    name="psycopg2",
    module_roots=("psycopg2",),
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
