"""SQLAlchemy, Core and ORM, sync and asyncio.

- Acquire: `create_engine()` and `create_async_engine()` (they connect
  lazily and are meant to live as long as the process, so not owned);
  `engine.connect()`, which checks a connection out at once (blocking; on
  the async engine a plain call whose `AsyncConnection` is awaited or entered
  with `async with`); `engine.begin()`, a `@contextmanager`
  (`@asynccontextmanager` on the async engine) that acquires only when
  entered; `raw_connection()` (a coroutine on the async engine);
  `Session()` and `AsyncSession()`, which check out nothing until first
  used; the sessionmakers and their `begin()`; streamed results: the
  `stream_results` / `yield_per` execution options, `AsyncConnection.stream()`
  (await it or enter it with `async with`) and `AsyncSession.stream()` (a
  coroutine).
- Release: `close()` (a coroutine on the async objects) rolls back and
  returns a connection, a session's connections or a raw connection to the
  pool, and closes a result; `engine.dispose()` (a coroutine on the async
  engine). `Connection.execution_options()` changes the connection in place
  and returns it.
- `with`/`async with` on a connection, a session or a raw connection
  returns it to the pool without committing; on `engine.begin()` and
  `sessionmaker.begin()` it commits, then returns it; `with session.begin()`
  only ends the transaction. A result closes on a sync `with`; an
  `AsyncResult` has only that sync `with`. An engine is no context manager.

`scoped_session` / `async_scoped_session` (their own entry below):

- Acquire: the registry; calling it gives the current scope's session,
  which belongs to the registry (borrowed), and the registry proxies the
  session's methods.
- Release: `remove()` closes the current session and forgets it; the
  proxied `close()` closes it too (both awaited on `async_scoped_session`,
  which also proxies `aclose()`).
- Neither registry is a context manager. A registry made at module level
  lives as long as the process; a framework's teardown calls `remove()`.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release, VersionNote, When
from .common import ASYNC_CLOSE, SYNC_CLOSE


STREAM_OPTION = When(keyword="stream_results", truthy=True)
YIELD_PER_OPTION = When(keyword="execution_options", mentions="yield_per")
STREAM_RESULTS_OPTION = When(keyword="execution_options", mentions="stream_results")


SQLALCHEMY = Library(
    name="sqlalchemy",
    module_roots=("sqlalchemy",),
    verified="SQLAlchemy 2.1.9",
    sources=(
        "sqlalchemy/engine/create.py",
        "sqlalchemy/engine/base.py",
        "sqlalchemy/engine/result.py",
        "sqlalchemy/engine/util.py",
        "sqlalchemy/pool/base.py",
        "sqlalchemy/orm/session.py",
        "sqlalchemy/ext/asyncio/base.py",
        "sqlalchemy/ext/asyncio/engine.py",
        "sqlalchemy/ext/asyncio/session.py",
        "sqlalchemy/ext/asyncio/result.py",
    ),
    version_notes=(
        VersionNote(
            "1.4",
            "`Connection.execution_options()` returns a copy sharing the DBAPI connection on a legacy engine; only a "
            "`future=True` engine's connection is changed in place and returned (read in 1.4.54).",
        ),
        VersionNote("1.4", "a `Result` and a raw connection are no context managers (read in 1.4.54)."),
        VersionNote(
            "1.4",
            "`AsyncConnection.stream()` and `stream_scalars()` are plain coroutines: await them, `async with` raises; "
            "`AsyncEngine.begin()` can also be awaited (read in 1.4.54).",
        ),
        VersionNote(
            ">= 1.4",
            "`with Session(...)` and `async with AsyncSession(...)` close the session without committing; "
            "`sessionmaker.begin()` commits, then closes (the same in 1.4.54 and 2.1.9).",
        ),
    ),
    functions={
        "sqlalchemy.create_engine": Acquire("sqlalchemy.Engine"),
        "sqlalchemy.engine.create_engine": Acquire("sqlalchemy.Engine"),
        "sqlalchemy.orm.Session": Acquire("sqlalchemy.Session"),
        "sqlalchemy.orm.session.Session": Acquire("sqlalchemy.Session"),
        "sqlalchemy.orm.sessionmaker": Acquire("sqlalchemy.sessionmaker"),
        "sqlalchemy.orm.session.sessionmaker": Acquire("sqlalchemy.sessionmaker"),
        "sqlalchemy.ext.asyncio.create_async_engine": Acquire("sqlalchemy.AsyncEngine"),
        "sqlalchemy.ext.asyncio.AsyncSession": Acquire("sqlalchemy.AsyncSession"),
        "sqlalchemy.ext.asyncio.async_sessionmaker": Acquire("sqlalchemy.async_sessionmaker"),
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
                "connect": (Acquire("sqlalchemy.Connection", blocking=True),),
                "begin": (Acquire("sqlalchemy.Connection", Await.CM_ONLY, with_exit=Exit.RELEASES, blocking=True),),
                "raw_connection": (Acquire("sqlalchemy.RawConnection", blocking=True),),
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
                "execute": (Acquire("sqlalchemy.CursorResult", stream=True, when=YIELD_PER_OPTION), Acquire("sqlalchemy.CursorResult", stream=True, when=STREAM_RESULTS_OPTION)),
                "execution_options": (Acquire("sqlalchemy.StreamingConnection", when=STREAM_OPTION),),
            },
            returns_receiver=("execution_options",),
            blocking=("execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback"),
        ),
        Kind(
            name="sqlalchemy.StreamingConnection",
            label="SQLAlchemy connection with stream_results",
            library="sqlalchemy",
            owned=False,  # the same connection object, changed in place
            methods={"execute": (Acquire("sqlalchemy.CursorResult", stream=True),)},
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
                "begin": (Acquire("sqlalchemy.SessionTransaction", Await.CM_ONLY, with_exit=Exit.TXN_ONLY),),
                "execute": (Acquire("sqlalchemy.CursorResult", stream=True, when=YIELD_PER_OPTION),),
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
            call=Acquire("sqlalchemy.Session"),
            methods={"begin": (Acquire("sqlalchemy.Session", Await.CM_ONLY, with_exit=Exit.RELEASES),)},
        ),
        Kind(
            name="sqlalchemy.AsyncEngine",
            label="SQLAlchemy async engine",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.AsyncEngine",),
            releases=(Release("dispose", Awaiting.ASYNC),),
            owned=False,
            methods={
                "connect": (Acquire("sqlalchemy.AsyncConnection", Await.AWAITABLE, async_with_exit=Exit.RELEASES),),
                "begin": (Acquire("sqlalchemy.AsyncConnection", Await.CM_ONLY, async_with_exit=Exit.RELEASES),),
                "raw_connection": (Acquire("sqlalchemy.RawConnection", Await.COROUTINE),),
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
                "stream": (Acquire("sqlalchemy.AsyncResult", Await.AWAITABLE, stream=True, with_exit=Exit.NONE, async_with_exit=Exit.CLOSES),),
                "stream_scalars": (Acquire("sqlalchemy.AsyncResult", Await.AWAITABLE, stream=True, with_exit=Exit.NONE, async_with_exit=Exit.CLOSES),),
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
                "stream": (Acquire("sqlalchemy.AsyncResult", Await.COROUTINE, stream=True),),
                "stream_scalars": (Acquire("sqlalchemy.AsyncResult", Await.COROUTINE, stream=True),),
            },
        ),
        Kind(
            name="sqlalchemy.async_sessionmaker",
            label="SQLAlchemy async_sessionmaker",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.async_sessionmaker",),
            owned=False,
            call=Acquire("sqlalchemy.AsyncSession"),
            methods={"begin": (Acquire("sqlalchemy.AsyncSession", Await.CM_ONLY, async_with_exit=Exit.RELEASES),)},
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


SQLALCHEMY_SCOPED_SESSION = Library(
    name="sqlalchemy scoped_session",
    module_roots=("sqlalchemy",),
    functions={
        "sqlalchemy.orm.scoped_session": Acquire("sqlalchemy.scoped_session"),
        "sqlalchemy.orm.scoping.scoped_session": Acquire("sqlalchemy.scoped_session"),
        "sqlalchemy.ext.asyncio.async_scoped_session": Acquire("sqlalchemy.async_scoped_session"),
        "sqlalchemy.ext.asyncio.scoping.async_scoped_session": Acquire("sqlalchemy.async_scoped_session"),
    },
    kinds=(
        Kind(
            name="sqlalchemy.scoped_session",
            label="SQLAlchemy scoped_session",
            library="sqlalchemy",
            types=("sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoping.scoped_session"),
            releases=(Release("remove"), Release("close")),
            call=Acquire("sqlalchemy.ScopedSession"),
            base="sqlalchemy.Session",  # it proxies the session's methods
        ),
        Kind(
            name="sqlalchemy.ScopedSession",
            label="SQLAlchemy session of a scoped_session",
            library="sqlalchemy",
            owned=False,  # the registry's: `remove()` on the registry closes it
            base="sqlalchemy.Session",
        ),
        Kind(
            name="sqlalchemy.async_scoped_session",
            label="SQLAlchemy async_scoped_session",
            library="sqlalchemy",
            types=("sqlalchemy.ext.asyncio.async_scoped_session", "sqlalchemy.ext.asyncio.scoping.async_scoped_session"),
            releases=(Release("remove", Awaiting.ASYNC), Release("close", Awaiting.ASYNC), Release("aclose", Awaiting.ASYNC)),
            call=Acquire("sqlalchemy.AsyncScopedSession"),
            base="sqlalchemy.AsyncSession",
        ),
        Kind(
            name="sqlalchemy.AsyncScopedSession",
            label="SQLAlchemy async session of an async_scoped_session",
            library="sqlalchemy",
            owned=False,
            base="sqlalchemy.AsyncSession",
        ),
    ),
    verified="SQLAlchemy 2.1.9",
    sources=("sqlalchemy/orm/scoping.py", "sqlalchemy/ext/asyncio/scoping.py"),
    version_notes=(
        VersionNote("< 1.4.19", "there is no `async_scoped_session`"),
        VersionNote("< 2.0.20", "`async_scoped_session` has no `aclose()`: use `await remove()` or `await close()`"),
    ),
)
