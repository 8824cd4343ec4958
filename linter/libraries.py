"""What leaklint knows about each client library, as data.

Every fact here is checked against the libraries' behaviour (which call
acquires, which releases, which is a coroutine, which `with` really closes).
"""
from __future__ import annotations

from .catalogue import (
    Acquire,
    Await,
    Awaiting,
    Exit,
    Heuristic,
    Kind,
    Library,
    Release,
    When,
)

SYNC_CLOSE = (Release("close"),)
ASYNC_CLOSE = (Release("close", Awaiting.ASYNC),)
ASYNC_ACLOSE = (Release("aclose", Awaiting.ASYNC),)
PARTIAL_READS = ("fetchone", "fetchmany", "__next__", "scalar_one_or_none")
DBAPI_BLOCKING = ("execute", "executemany", "executescript", "commit", "rollback", "fetchone", "fetchmany", "fetchall", "callproc")

NAMED_CURSOR = When(keyword="name", position=0)
SS_CURSOR = When(keyword="cursor", position=0, endswith="SSCursor")
STREAM_OPTION = When(keyword="stream_results", truthy=True)
YIELD_PER = When(keyword="yield_per")
YIELD_PER_OPTION = When(keyword="execution_options", mentions="yield_per")
STREAM_RESULTS_OPTION = When(keyword="execution_options", mentions="stream_results")


def _acq(kind: str, awaiting: Await = Await.NO, **extra) -> Acquire:
    return Acquire(kind=kind, awaiting=awaiting, **extra)


PSYCOPG2 = Library(
    name="psycopg2",
    module_roots=("psycopg2",),
    functions={
        "psycopg2.connect": _acq("psycopg2.connection", blocking=True),
        "psycopg2.pool.SimpleConnectionPool": _acq("psycopg2.pool"),
        "psycopg2.pool.ThreadedConnectionPool": _acq("psycopg2.pool"),
        "psycopg2.pool.PersistentConnectionPool": _acq("psycopg2.pool"),
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
                    _acq("psycopg2.named_cursor", stream=True, when=NAMED_CURSOR),
                    _acq("psycopg2.cursor"),
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
                "getconn": (_acq("psycopg2.pooled_connection", returned_by=(Release("putconn"),), blocking=True),),
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

PSYCOPG3 = Library(
    name="psycopg",
    module_roots=("psycopg", "psycopg_pool"),
    functions={
        "psycopg.connect": _acq("psycopg.Connection", blocking=True),
        "psycopg.Connection.connect": _acq("psycopg.Connection", blocking=True),
        "psycopg.AsyncConnection.connect": _acq("psycopg.AsyncConnection", Await.COROUTINE),
        "psycopg_pool.ConnectionPool": _acq("psycopg_pool.ConnectionPool"),
        "psycopg_pool.AsyncConnectionPool": _acq("psycopg_pool.AsyncConnectionPool"),
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
                "cursor": (_acq("psycopg.ServerCursor", stream=True, when=NAMED_CURSOR), _acq("psycopg.Cursor")),
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
            methods={"stream": (_acq("psycopg.stream", stream=True),)},
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
                "cursor": (_acq("psycopg.AsyncServerCursor", stream=True, when=NAMED_CURSOR), _acq("psycopg.AsyncCursor")),
            },
        ),
        Kind(
            name="psycopg.AsyncCursor",
            label="psycopg async cursor",
            library="psycopg",
            types=("psycopg.AsyncCursor",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"stream": (_acq("psycopg.astream", stream=True),)},
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
                "getconn": (_acq("psycopg_pool.PooledConnection", returned_by=(Release("putconn"),), blocking=True),),
                "connection": (_acq("psycopg.Connection", Await.CM_ONLY, with_exit=Exit.RELEASES),),
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
                    _acq("psycopg_pool.AsyncPooledConnection", Await.COROUTINE, returned_by=(Release("putconn", Awaiting.ASYNC),)),
                ),
                "connection": (_acq("psycopg.AsyncConnection", Await.CM_ONLY, async_with_exit=Exit.RELEASES),),
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

ASYNCPG = Library(
    name="asyncpg",
    module_roots=("asyncpg",),
    functions={
        "asyncpg.connect": _acq("asyncpg.Connection", Await.COROUTINE),
        "asyncpg.connection.connect": _acq("asyncpg.Connection", Await.COROUTINE),
        "asyncpg.create_pool": _acq("asyncpg.Pool", Await.AWAITABLE),
        "asyncpg.pool.create_pool": _acq("asyncpg.Pool", Await.AWAITABLE),
    },
    kinds=(
        Kind(
            name="asyncpg.Connection",
            label="asyncpg connection",
            library="asyncpg",
            types=("asyncpg.Connection", "asyncpg.connection.Connection"),
            releases=ASYNC_CLOSE + (Release("terminate"),),
            methods={"cursor": (_acq("asyncpg.Cursor", Await.AWAITABLE, stream=True),)},
        ),
        Kind(
            name="asyncpg.Pool",
            label="asyncpg pool",
            library="asyncpg",
            types=("asyncpg.Pool", "asyncpg.pool.Pool"),
            releases=ASYNC_CLOSE + (Release("terminate"),),
            async_with_exit=Exit.CLOSES,
            methods={
                "acquire": (
                    _acq(
                        "asyncpg.PoolConnection",
                        Await.AWAITABLE,
                        returned_by=(Release("release", Awaiting.ASYNC),),
                        async_with_exit=Exit.RELEASES,
                    ),
                ),
            },
        ),
        Kind(
            name="asyncpg.PoolConnection",
            label="asyncpg pool connection",
            library="asyncpg",
            types=("asyncpg.pool.PoolConnectionProxy",),
            base="asyncpg.Connection",
            releases=ASYNC_CLOSE + (Release("terminate"),),
        ),
        Kind(
            name="asyncpg.Cursor",
            label="asyncpg cursor",
            library="asyncpg",
            releases=(),
        ),
    ),
)

AIOPG = Library(
    name="aiopg",
    module_roots=("aiopg",),
    functions={
        "aiopg.connect": _acq("aiopg.Connection", Await.AWAITABLE),
        "aiopg.create_pool": _acq("aiopg.Pool", Await.AWAITABLE),
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
                    _acq(
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

SQLITE3 = Library(
    name="sqlite3",
    module_roots=("sqlite3",),
    functions={
        "sqlite3.connect": _acq("sqlite3.Connection", blocking=True),
        "sqlite3.dbapi2.connect": _acq("sqlite3.Connection", blocking=True),
        "sqlite3.Connection": _acq("sqlite3.Connection", blocking=True),
    },
    kinds=(
        Kind(
            name="sqlite3.Connection",
            label="sqlite3 connection",
            library="sqlite3",
            types=("sqlite3.Connection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.TXN_ONLY,
            methods={"cursor": (_acq("sqlite3.Cursor"),), "execute": (_acq("sqlite3.Cursor"),)},
            blocking=DBAPI_BLOCKING + ("backup", "iterdump"),
        ),
        Kind(
            name="sqlite3.Cursor",
            label="sqlite3 cursor",
            library="sqlite3",
            types=("sqlite3.Cursor",),
            releases=SYNC_CLOSE,
            blocking=DBAPI_BLOCKING,
            owned=False,
        ),
    ),
)

AIOSQLITE = Library(
    name="aiosqlite",
    module_roots=("aiosqlite",),
    functions={"aiosqlite.connect": _acq("aiosqlite.Connection", Await.AWAITABLE)},
    kinds=(
        Kind(
            name="aiosqlite.Connection",
            label="aiosqlite connection",
            library="aiosqlite",
            types=("aiosqlite.Connection", "aiosqlite.core.Connection"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
        ),
    ),
)

PYMYSQL = Library(
    name="pymysql",
    module_roots=("pymysql",),
    functions={
        "pymysql.connect": _acq("pymysql.Connection", blocking=True),
        "pymysql.Connect": _acq("pymysql.Connection", blocking=True),
        "pymysql.connections.Connection": _acq("pymysql.Connection", blocking=True),
    },
    kinds=(
        Kind(
            name="pymysql.Connection",
            label="PyMySQL connection",
            library="pymysql",
            types=("pymysql.connections.Connection", "pymysql.Connection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"cursor": (_acq("pymysql.SSCursor", stream=True, when=SS_CURSOR), _acq("pymysql.Cursor"))},
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
        "mysql.connector.connect": _acq("mysql.connector.Connection", blocking=True),
        "mysql.connector.aio.connect": _acq("mysql.connector.aio.Connection", Await.COROUTINE),
        "mysql.connector.pooling.MySQLConnectionPool": _acq("mysql.connector.Pool"),
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
            methods={"get_connection": (_acq("mysql.connector.PooledConnection", with_exit=Exit.RELEASES, blocking=True),)},
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
        "aiomysql.connect": _acq("aiomysql.Connection", Await.AWAITABLE),
        "aiomysql.create_pool": _acq("aiomysql.Pool", Await.AWAITABLE),
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
            methods={"cursor": (_acq("aiomysql.SSCursor", Await.AWAITABLE, stream=True, when=SS_CURSOR, async_with_exit=Exit.CLOSES),)},
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
                    _acq(
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

SQLALCHEMY = Library(
    name="sqlalchemy",
    module_roots=("sqlalchemy",),
    functions={
        "sqlalchemy.create_engine": _acq("sqlalchemy.Engine"),
        "sqlalchemy.engine.create_engine": _acq("sqlalchemy.Engine"),
        "sqlalchemy.orm.Session": _acq("sqlalchemy.Session"),
        "sqlalchemy.orm.session.Session": _acq("sqlalchemy.Session"),
        "sqlalchemy.orm.sessionmaker": _acq("sqlalchemy.sessionmaker"),
        "sqlalchemy.orm.session.sessionmaker": _acq("sqlalchemy.sessionmaker"),
        "sqlalchemy.ext.asyncio.create_async_engine": _acq("sqlalchemy.AsyncEngine"),
        "sqlalchemy.ext.asyncio.AsyncSession": _acq("sqlalchemy.AsyncSession"),
        "sqlalchemy.ext.asyncio.async_sessionmaker": _acq("sqlalchemy.async_sessionmaker"),
    },
    kinds=(
        Kind(
            name="sqlalchemy.Engine",
            label="SQLAlchemy engine",
            library="sqlalchemy",
            types=("sqlalchemy.Engine", "sqlalchemy.engine.Engine", "sqlalchemy.engine.base.Engine"),
            releases=(Release("dispose"),),
            owned=False,  # connects lazily and is meant to live as long as the process
            methods={
                "connect": (_acq("sqlalchemy.Connection", blocking=True),),
                "begin": (_acq("sqlalchemy.Connection", Await.CM_ONLY, with_exit=Exit.RELEASES, blocking=True),),
                "raw_connection": (_acq("sqlalchemy.RawConnection", blocking=True),),
            },
        ),
        Kind(
            name="sqlalchemy.Connection",
            label="SQLAlchemy connection",
            library="sqlalchemy",
            types=("sqlalchemy.Connection", "sqlalchemy.engine.Connection", "sqlalchemy.engine.base.Connection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.RELEASES,
            methods={
                "execute": (_acq("sqlalchemy.CursorResult", stream=True, when=YIELD_PER_OPTION), _acq("sqlalchemy.CursorResult", stream=True, when=STREAM_RESULTS_OPTION)),
                "execution_options": (_acq("sqlalchemy.StreamingConnection", when=STREAM_OPTION),),
            },
            blocking=("execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback"),
        ),
        Kind(
            name="sqlalchemy.StreamingConnection",
            label="SQLAlchemy connection with stream_results",
            library="sqlalchemy",
            owned=False,  # the same connection object, changed in place
            methods={"execute": (_acq("sqlalchemy.CursorResult", stream=True),)},
            base="sqlalchemy.Connection",
        ),
        Kind(
            name="sqlalchemy.CursorResult",
            label="SQLAlchemy streamed result",
            library="sqlalchemy",
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            partial_reads=("fetchone", "fetchmany", "first_row"),
        ),
        Kind(
            name="sqlalchemy.RawConnection",
            label="SQLAlchemy raw connection",
            library="sqlalchemy",
            releases=SYNC_CLOSE,
            with_exit=Exit.RELEASES,
            blocking=("commit", "rollback"),
        ),
        Kind(
            name="sqlalchemy.Session",
            label="SQLAlchemy session",
            library="sqlalchemy",
            types=("sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session"),
            releases=SYNC_CLOSE,
            with_exit=Exit.RELEASES,
            methods={
                "begin": (_acq("sqlalchemy.SessionTransaction", Await.CM_ONLY, with_exit=Exit.TXN_ONLY),),
                "execute": (_acq("sqlalchemy.CursorResult", stream=True, when=YIELD_PER_OPTION),),
            },
            blocking=("execute", "scalar", "scalars", "get", "commit", "rollback", "flush", "refresh", "query", "merge"),
        ),
        Kind(
            name="sqlalchemy.SessionTransaction",
            label="SQLAlchemy session transaction",
            library="sqlalchemy",
            with_exit=Exit.TXN_ONLY,
            owned=False,
        ),
        Kind(
            name="sqlalchemy.sessionmaker",
            label="SQLAlchemy sessionmaker",
            library="sqlalchemy",
            types=("sqlalchemy.orm.sessionmaker",),
            owned=False,
            call=_acq("sqlalchemy.Session"),
            methods={"begin": (_acq("sqlalchemy.Session", Await.CM_ONLY, with_exit=Exit.RELEASES),)},
        ),
        Kind(
            name="sqlalchemy.AsyncEngine",
            label="SQLAlchemy async engine",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.AsyncEngine",),
            releases=(Release("dispose", Awaiting.ASYNC),),
            owned=False,
            methods={
                "connect": (_acq("sqlalchemy.AsyncConnection", Await.AWAITABLE, async_with_exit=Exit.RELEASES),),
                "begin": (_acq("sqlalchemy.AsyncConnection", Await.CM_ONLY, async_with_exit=Exit.RELEASES),),
                "raw_connection": (_acq("sqlalchemy.RawConnection", Await.COROUTINE),),
            },
        ),
        Kind(
            name="sqlalchemy.AsyncConnection",
            label="SQLAlchemy async connection",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.AsyncConnection",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.RELEASES,
            methods={
                "stream": (_acq("sqlalchemy.AsyncResult", Await.AWAITABLE, stream=True, with_exit=Exit.NONE, async_with_exit=Exit.CLOSES),),
                "stream_scalars": (_acq("sqlalchemy.AsyncResult", Await.AWAITABLE, stream=True, with_exit=Exit.NONE, async_with_exit=Exit.CLOSES),),
            },
        ),
        Kind(
            name="sqlalchemy.AsyncSession",
            label="SQLAlchemy async session",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.AsyncSession",),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.RELEASES,
            methods={
                "stream": (_acq("sqlalchemy.AsyncResult", Await.COROUTINE, stream=True),),
                "stream_scalars": (_acq("sqlalchemy.AsyncResult", Await.COROUTINE, stream=True),),
            },
        ),
        Kind(
            name="sqlalchemy.async_sessionmaker",
            label="SQLAlchemy async_sessionmaker",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.async_sessionmaker",),
            owned=False,
            call=_acq("sqlalchemy.AsyncSession"),
            methods={"begin": (_acq("sqlalchemy.AsyncSession", Await.CM_ONLY, async_with_exit=Exit.RELEASES),)},
        ),
        Kind(
            name="sqlalchemy.AsyncResult",
            label="SQLAlchemy streamed result",
            library="sqlalchemy",
            releases=ASYNC_CLOSE,
            with_exit=Exit.CLOSES,
            partial_reads=("fetchone", "fetchmany"),
        ),
    ),
)

AIOHTTP = Library(
    name="aiohttp",
    module_roots=("aiohttp",),
    functions={
        # the session closes a connector given to it (connector_owner=True by default)
        "aiohttp.ClientSession": _acq("aiohttp.ClientSession", adopts=("connector",)),
        "aiohttp.client.ClientSession": _acq("aiohttp.ClientSession", adopts=("connector",)),
        "aiohttp.TCPConnector": _acq("aiohttp.TCPConnector"),
    },
    kinds=(
        Kind(
            name="aiohttp.ClientSession",
            label="aiohttp ClientSession",
            library="aiohttp",
            types=("aiohttp.ClientSession", "aiohttp.client.ClientSession"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
        ),
        Kind(
            name="aiohttp.TCPConnector",
            label="aiohttp connector",
            library="aiohttp",
            types=("aiohttp.TCPConnector",),
            releases=ASYNC_CLOSE,
        ),
    ),
)

HTTPX = Library(
    name="httpx",
    module_roots=("httpx",),
    functions={
        "httpx.Client": _acq("httpx.Client"),
        "httpx.AsyncClient": _acq("httpx.AsyncClient"),
    },
    kinds=(
        Kind(
            name="httpx.Client",
            label="httpx client",
            library="httpx",
            types=("httpx.Client",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"stream": (_acq("httpx.Response", Await.CM_ONLY, with_exit=Exit.RELEASES),)},
        ),
        Kind(
            name="httpx.AsyncClient",
            label="httpx AsyncClient",
            library="httpx",
            types=("httpx.AsyncClient",),
            releases=ASYNC_ACLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"stream": (_acq("httpx.Response", Await.CM_ONLY, async_with_exit=Exit.RELEASES),)},
        ),
        Kind(name="httpx.Response", label="httpx streamed response", library="httpx", releases=SYNC_CLOSE, owned=False),
    ),
)

REQUESTS = Library(
    name="requests",
    module_roots=("requests",),
    functions={"requests.Session": _acq("requests.Session"), "requests.session": _acq("requests.Session")},
    kinds=(
        Kind(
            name="requests.Session",
            label="requests Session",
            library="requests",
            types=("requests.Session", "requests.sessions.Session"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
        ),
    ),
)

REDIS_ASYNCIO = Library(
    name="redis.asyncio",
    module_roots=("redis",),
    functions={
        "redis.asyncio.Redis": _acq("redis.asyncio.Redis"),
        "redis.asyncio.StrictRedis": _acq("redis.asyncio.Redis"),
        "redis.asyncio.from_url": _acq("redis.asyncio.Redis"),
        "redis.asyncio.Redis.from_url": _acq("redis.asyncio.Redis"),
        "redis.asyncio.client.Redis": _acq("redis.asyncio.Redis"),
        "redis.asyncio.ConnectionPool": _acq("redis.asyncio.ConnectionPool"),
        "redis.asyncio.ConnectionPool.from_url": _acq("redis.asyncio.ConnectionPool"),
    },
    kinds=(
        Kind(
            name="redis.asyncio.Redis",
            label="redis.asyncio client",
            library="redis",
            types=("redis.asyncio.Redis", "redis.asyncio.client.Redis"),
            releases=ASYNC_ACLOSE + ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"pubsub": (_acq("redis.asyncio.PubSub"),)},
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

SOCKET = Library(
    name="socket",
    module_roots=("socket",),
    functions={
        "socket.socket": _acq("socket.socket"),
        "socket.create_connection": _acq("socket.socket"),
        "socket.create_server": _acq("socket.socket"),
        "socket.fromfd": _acq("socket.socket"),
    },
    kinds=(
        Kind(
            name="socket.socket",
            label="socket",
            library="socket",
            types=("socket.socket", "socket.SocketType"),
            releases=SYNC_CLOSE + (Release("detach"),),
            with_exit=Exit.CLOSES,
        ),
    ),
)

DATABASES = Library(
    name="databases",
    module_roots=("databases",),
    functions={"databases.Database": _acq("databases.Database")},
    kinds=(
        Kind(
            name="databases.Database",
            label="databases Database",
            library="databases",
            types=("databases.Database",),
            releases=(Release("disconnect", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
            owned=False,  # connects only when `connect()` is awaited; usually app-wide
            methods={"iterate": (_acq("databases.iterate", stream=True),)},
        ),
        Kind(
            name="databases.iterate",
            label="databases streamed query",
            library="databases",
            releases=ASYNC_ACLOSE,
        ),
    ),
)

LIBRARIES = (
    PSYCOPG2,
    PSYCOPG3,
    ASYNCPG,
    AIOPG,
    SQLITE3,
    AIOSQLITE,
    PYMYSQL,
    MYSQL_CONNECTOR,
    AIOMYSQL,
    SQLALCHEMY,
    AIOHTTP,
    HTTPX,
    REQUESTS,
    REDIS_ASYNCIO,
    SOCKET,
    DATABASES,
)

# A connection taken from a pool leaklint cannot resolve: `<anything>.getconn()`,
# `<...pool>.acquire()`. The release mirrors the acquire: awaited if it was.
GENERIC_POOLED = Library(
    name="generic",
    module_roots=(),
    functions={},
    kinds=(
        Kind(
            name="generic.pooled_connection",
            label="pooled connection",
            library="generic",
            with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
        ),
        Kind(
            name="generic.pool_checkout",
            label="pool connection",
            library="generic",
            releases=(Release("close", Awaiting.MIRROR),),
        ),
    ),
)
LIBRARIES = LIBRARIES + (GENERIC_POOLED,)

HEURISTICS = (
    Heuristic(
        method="getconn",
        acquire=_acq("generic.pooled_connection", Await.EITHER, returned_by=(Release("putconn", Awaiting.MIRROR),)),
    ),
    Heuristic(
        method="acquire",
        receiver_contains="pool",
        acquire=_acq(
            "generic.pool_checkout",
            Await.EITHER,
            returned_by=(Release("release", Awaiting.MIRROR),),
            with_exit=Exit.RELEASES,
            async_with_exit=Exit.RELEASES,
        ),
    ),
)
