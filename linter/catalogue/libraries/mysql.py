"""MySQL drivers: PyMySQL, mysql-connector-python and aiomysql (asyncio over
PyMySQL, so both stream with an `SSCursor`).

- Acquire: `pymysql.connect()` and `mysql.connector.connect()` (blocking),
  `mysql.connector.aio.connect()` (a coroutine), `aiomysql.connect()`,
  `aiomysql.create_pool()` and `pool.acquire()` (awaitables),
  mysql-connector's `MySQLConnectionPool` (no public close, so not owned)
  and its `get_connection()`, `cursor()` (given an `SSCursor`, an
  unbuffered stream; awaitable on aiomysql).
- Release: `close()`: sync on PyMySQL, mysql-connector and aiomysql
  connections (aiomysql's awaited close is `ensure_closed()`), awaited on
  mysql-connector's aio connection and aiomysql cursors; `disconnect()` on
  mysql-connector (awaited on aio); `pool.release(conn)` on aiomysql (sync,
  returns a future). A pooled mysql-connector connection's `close()`
  returns it to the pool.
- `with` closes PyMySQL and mysql-connector connections and PyMySQL
  cursors, and returns a pooled mysql-connector connection; `async with`
  closes the async connections, cursors and pools and returns an acquired
  aiomysql connection.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release, When
from .common import ASYNC_CLOSE, DBAPI_BLOCKING, PARTIAL_READS, SYNC_CLOSE


SS_CURSOR = When(keyword="cursor", position=0, endswith="SSCursor")


PYMYSQL = Library(
    name="pymysql",
    module_roots=("pymysql",),
    functions={
        "pymysql.connect": Acquire("pymysql.Connection", blocking=True),
        "pymysql.Connect": Acquire("pymysql.Connection", blocking=True),
        "pymysql.connections.Connection": Acquire("pymysql.Connection", blocking=True),
    },
    kinds=(
        Kind(
            name="pymysql.Connection",
            label="PyMySQL connection",
            library="pymysql",
            types=("pymysql.connections.Connection", "pymysql.Connection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"cursor": (Acquire("pymysql.SSCursor", stream=True, when=SS_CURSOR), Acquire("pymysql.Cursor"))},
            blocking=("commit", "rollback", "ping", "select_db"),
        ),
        Kind(
            name="pymysql.Cursor",
            label="PyMySQL cursor",
            library="pymysql",
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            blocking=DBAPI_BLOCKING,
            owned=False,
        ),
        Kind(
            name="pymysql.SSCursor",
            partial_reads=PARTIAL_READS,
            label="PyMySQL unbuffered cursor",
            library="pymysql",
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            base="pymysql.Cursor",
        ),
    ),
)


MYSQL_CONNECTOR = Library(
    name="mysql-connector",
    module_roots=("mysql",),
    functions={
        "mysql.connector.connect": Acquire("mysql.connector.Connection", blocking=True),
        "mysql.connector.aio.connect": Acquire("mysql.connector.aio.Connection", Await.COROUTINE),
        "mysql.connector.pooling.MySQLConnectionPool": Acquire("mysql.connector.Pool"),
    },
    kinds=(
        Kind(
            name="mysql.connector.Connection",
            label="mysql-connector connection",
            library="mysql-connector",
            types=("mysql.connector.MySQLConnection", "mysql.connector.connection.MySQLConnection"),
            releases=SYNC_CLOSE + (Release("disconnect"),),
            with_exit=Exit.CLOSES,
            blocking=("commit", "rollback", "cmd_query", "ping"),
        ),
        Kind(
            name="mysql.connector.aio.Connection",
            label="mysql-connector async connection",
            library="mysql-connector",
            releases=ASYNC_CLOSE + (Release("disconnect", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
        ),
        Kind(
            name="mysql.connector.Pool",
            label="mysql-connector pool",
            library="mysql-connector",
            types=("mysql.connector.pooling.MySQLConnectionPool",),
            owned=False,  # has no public close: it lives as long as the process
            methods={"get_connection": (Acquire("mysql.connector.PooledConnection", with_exit=Exit.RELEASES, blocking=True),)},
        ),
        Kind(
            name="mysql.connector.PooledConnection",
            label="pooled mysql-connector connection",
            library="mysql-connector",
            types=("mysql.connector.pooling.PooledMySQLConnection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.RELEASES,
            base="mysql.connector.Connection",
        ),
    ),
)


AIOMYSQL = Library(
    name="aiomysql",
    module_roots=("aiomysql",),
    functions={
        "aiomysql.connect": Acquire("aiomysql.Connection", Await.AWAITABLE),
        "aiomysql.create_pool": Acquire("aiomysql.Pool", Await.AWAITABLE),
    },
    kinds=(
        Kind(
            name="aiomysql.Connection",
            label="aiomysql connection",
            library="aiomysql",
            types=("aiomysql.Connection", "aiomysql.connection.Connection"),
            # close() is sync and returns None; ensure_closed() is the async one
            releases=(Release("close"), Release("ensure_closed", Awaiting.ASYNC)),
            async_with_exit=Exit.CLOSES,
            methods={"cursor": (Acquire("aiomysql.SSCursor", Await.AWAITABLE, stream=True, when=SS_CURSOR, async_with_exit=Exit.CLOSES),)},
        ),
        Kind(
            name="aiomysql.SSCursor",
            label="aiomysql unbuffered cursor",
            library="aiomysql",
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            partial_reads=("fetchone", "fetchmany"),
        ),
        Kind(
            name="aiomysql.Pool",
            label="aiomysql pool",
            library="aiomysql",
            types=("aiomysql.Pool", "aiomysql.pool.Pool"),
            releases=(Release("close"), Release("terminate")),
            async_with_exit=Exit.CLOSES,
            methods={
                "acquire": (
                    Acquire(
                        "aiomysql.PoolConnection",
                        Await.AWAITABLE,
                        returned_by=(Release("release", Awaiting.OPTIONAL),),
                        async_with_exit=Exit.RELEASES,
                    ),
                ),
            },
        ),
        Kind(
            name="aiomysql.PoolConnection",
            label="aiomysql pool connection",
            library="aiomysql",
            base="aiomysql.Connection",
            releases=(),
        ),
    ),
)
