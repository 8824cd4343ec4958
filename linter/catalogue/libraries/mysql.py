"""MySQL drivers: PyMySQL, mysql-connector-python and aiomysql (asyncio over
PyMySQL, so both stream with an `SSCursor`).

- Acquire: `pymysql.connect()` (= `Connection`) and
  `mysql.connector.connect()` (blocking); `mysql.connector.aio.connect()`, a
  coroutine; `aiomysql.connect()`, `aiomysql.create_pool()` and
  `pool.acquire()`, plain calls whose result is awaited or entered with
  `async with`; mysql-connector's `MySQLConnectionPool` (no public close,
  so not owned) and its `get_connection()`; `cursor()`, which given an
  `SSCursor` is an unbuffered stream (awaitable on aiomysql).
- Release: `close()`. It is sync on PyMySQL (a second `close()` raises),
  on mysql-connector and on aiomysql connections (aiomysql's
  `close()` drops the socket and returns None; `await ensure_closed()` sends
  QUIT first); a coroutine on mysql-connector's aio connection and on
  aiomysql cursors. `disconnect()` is the same method as `close()` on
  mysql-connector. A pooled mysql-connector connection's `close()` returns it
  to the pool. aiomysql's `pool.release(conn)` is sync and returns a future;
  an acquired connection's own `close()` keeps it among the pool's used
  connections. aiomysql's `pool.close()` only stops new acquires and closes
  connections as they come back: `await pool.wait_closed()` closes the idle
  ones.
- `with` closes PyMySQL and mysql-connector connections and PyMySQL cursors,
  and returns a pooled mysql-connector connection; `async with` closes the
  async connections, cursors and pools (`close()` then `wait_closed()`) and
  releases an acquired aiomysql connection. With pool arguments
  (`pool_name`, `pool_size`) `mysql.connector.connect()` returns a pooled
  connection: its `close()` and `with` return it to the pool.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release, VersionNote, When
from .common import ASYNC_CLOSE, DBAPI_BLOCKING, PARTIAL_READS, SYNC_CLOSE


SS_CURSOR = When(keyword="cursor", position=0, endswith="SSCursor")


PYMYSQL = Library(
    name="pymysql",
    module_roots=("pymysql",),
    verified="PyMySQL 1.2.4",
    sources=("pymysql/__init__.py", "pymysql/connections.py", "pymysql/cursors.py"),
    version_notes=(
        VersionNote(
            "< 0.10",
            "`with conn:` gives a new cursor (deprecated) and commits or rolls back on exit; the connection stays "
            "open (read in 0.9.3).",
        ),
        VersionNote("0.10.x", "a connection is no context manager (read in 0.10.1); 1.0 made `with conn:` close it."),
    ),
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
    verified="mysql-connector-python 26.10.0",
    sources=(
        "mysql/connector/__init__.py",
        "mysql/connector/pooling.py",
        "mysql/connector/abstracts.py",
        "mysql/connector/connection.py",
        "mysql/connector/connection_cext.py",
        "mysql/connector/aio/__init__.py",
        "mysql/connector/aio/pooling.py",
        "mysql/connector/aio/abstracts.py",
        "mysql/connector/aio/connection.py",
    ),
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
    verified="aiomysql 0.3.2",
    sources=("aiomysql/__init__.py", "aiomysql/connection.py", "aiomysql/cursors.py", "aiomysql/pool.py", "aiomysql/utils.py"),
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
            closes_without_returning=("close", "ensure_closed"),  # it stays among the pool's used connections
        ),
    ),
)
