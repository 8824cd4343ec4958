"""sqlite3 (the standard library).

- Acquire: `sqlite3.connect()` (blocking), `conn.cursor()`,
  `conn.execute()` (a new cursor).
- Release: `close()`, sync; closing does not commit.
- `with conn:` only commits, or rolls back on an exception: the connection
  stays open (`contextlib.closing()` closes it). A cursor is no context
  manager.
- Nothing is awaitable.

`Connection` and `Cursor` are compiled (`_sqlite3`): their `__enter__`,
`__exit__` and `close()` were read in that module's own docstrings, and the
connection used after a `with` in the release's tests.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library
from .common import DBAPI_BLOCKING, SYNC_CLOSE


SQLITE3 = Library(
    name="sqlite3",
    module_roots=("sqlite3",),
    verified="CPython 3.11.7",
    sources=("sqlite3/__init__.py", "sqlite3/dbapi2.py", "test/test_sqlite3/test_dbapi.py"),
    functions={
        "sqlite3.connect": Acquire("sqlite3.Connection", blocking=True),
        "sqlite3.dbapi2.connect": Acquire("sqlite3.Connection", blocking=True),
        "sqlite3.Connection": Acquire("sqlite3.Connection", blocking=True),
    },
    kinds=(
        Kind(
            name="sqlite3.Connection",
            label="sqlite3 connection",
            library="sqlite3",
            types=("sqlite3.Connection",),
            releases=SYNC_CLOSE,
            with_exit=Exit.TXN_ONLY,
            methods={"cursor": (Acquire("sqlite3.Cursor"),), "execute": (Acquire("sqlite3.Cursor"),)},
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
