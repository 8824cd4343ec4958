"""psycopg 3 and psycopg_pool.

- Acquire: `psycopg.connect()` / `Connection.connect()` (blocking),
  `AsyncConnection.connect()` (a coroutine: `async with await ...`),
  `cursor()` (with a name, a server-side stream), `cursor.stream()`, the
  pool constructors, `pool.getconn()` (awaited on the async pool) and
  `pool.connection()` (only `with`/`async with`, which returns it to the pool).
- Release: `close()`, awaited on the async objects; `await aclose()` on an
  async stream; `pool.putconn(conn)` (awaited on the async pool) for a pooled
  connection, whose `close()` keeps the pool slot.
- `with` closes connections, cursors and pools (`async with` on the async
  ones); on a connection from `getconn()` it only ends the transaction.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_ACLOSE, ASYNC_CLOSE, DBAPI_BLOCKING, NAMED_CURSOR, PARTIAL_READS, SYNC_CLOSE


PSYCOPG3 = Library(
    name="psycopg",
    module_roots=("psycopg", "psycopg_pool"),
    functions={
        "psycopg.connect": Acquire("psycopg.Connection", blocking=True),
        "psycopg.Connection.connect": Acquire("psycopg.Connection", blocking=True),
        "psycopg.AsyncConnection.connect": Acquire("psycopg.AsyncConnection", Await.COROUTINE),
        "psycopg_pool.ConnectionPool": Acquire("psycopg_pool.ConnectionPool"),
        "psycopg_pool.AsyncConnectionPool": Acquire("psycopg_pool.AsyncConnectionPool"),
    },
    kinds=(
        Kind(
            name="psycopg.Connection",
            label="psycopg connection",
            library="psycopg",
            types=("psycopg.Connection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={
                "cursor": (Acquire("psycopg.ServerCursor", stream=True, when=NAMED_CURSOR), Acquire("psycopg.Cursor")),
            },
            blocking=("execute", "commit", "rollback"),
        ),
        Kind(
            name="psycopg.Cursor",
            label="psycopg cursor",
            library="psycopg",
            types=("psycopg.Cursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"stream": (Acquire("psycopg.stream", stream=True),)},
            blocking=DBAPI_BLOCKING + ("copy",),
            owned=False,
        ),
        Kind(
            name="psycopg.ServerCursor",
            partial_reads=PARTIAL_READS,
            label="psycopg server-side cursor",
            library="psycopg",
            types=("psycopg.ServerCursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            base="psycopg.Cursor",
        ),
        Kind(
            name="psycopg.stream",
            label="psycopg streamed result",
            library="psycopg",
            releases=SYNC_CLOSE,
        ),
        Kind(
            name="psycopg.AsyncConnection",
            label="psycopg async connection",
            library="psycopg",
            types=("psycopg.AsyncConnection",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={
                "cursor": (Acquire("psycopg.AsyncServerCursor", stream=True, when=NAMED_CURSOR), Acquire("psycopg.AsyncCursor")),
            },
        ),
        Kind(
            name="psycopg.AsyncCursor",
            label="psycopg async cursor",
            library="psycopg",
            types=("psycopg.AsyncCursor",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"stream": (Acquire("psycopg.astream", stream=True),)},
            owned=False,
        ),
        Kind(
            name="psycopg.AsyncServerCursor",
            partial_reads=PARTIAL_READS,
            label="psycopg async server-side cursor",
            library="psycopg",
            types=("psycopg.AsyncServerCursor",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            base="psycopg.AsyncCursor",
        ),
        Kind(
            name="psycopg.astream",
            label="psycopg async streamed result",
            library="psycopg",
            releases=ASYNC_ACLOSE,
        ),
        Kind(
            name="psycopg_pool.ConnectionPool",
            label="psycopg pool",
            library="psycopg_pool",
            types=("psycopg_pool.ConnectionPool",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={
                "getconn": (Acquire("psycopg_pool.PooledConnection", returned_by=(Release("putconn"),), blocking=True),),
                "connection": (Acquire("psycopg.Connection", Await.CM_ONLY, with_exit=Exit.RELEASES),),
            },
        ),
        Kind(
            name="psycopg_pool.PooledConnection",
            label="pooled psycopg connection",
            library="psycopg_pool",
            releases=(),
            with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
            base="psycopg.Connection",
        ),
        Kind(
            name="psycopg_pool.AsyncConnectionPool",
            label="psycopg async pool",
            library="psycopg_pool",
            types=("psycopg_pool.AsyncConnectionPool",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={
                "getconn": (
                    Acquire("psycopg_pool.AsyncPooledConnection", Await.COROUTINE, returned_by=(Release("putconn", Awaiting.ASYNC),)),
                ),
                "connection": (Acquire("psycopg.AsyncConnection", Await.CM_ONLY, async_with_exit=Exit.RELEASES),),
            },
        ),
        Kind(
            name="psycopg_pool.AsyncPooledConnection",
            label="pooled psycopg async connection",
            library="psycopg_pool",
            releases=(),
            async_with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
            base="psycopg.AsyncConnection",
        ),
    ),
)
