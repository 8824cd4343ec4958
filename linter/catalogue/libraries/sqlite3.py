"""sqlite3 (the standard library).

- Acquire: `sqlite3.connect()` (blocking), `conn.cursor()`,
  `conn.execute()`.
- Release: `close()`, sync.
- `with conn:` only commits or rolls back: the connection stays open
  (`contextlib.closing()` closes it). A cursor is no context manager.
- Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library
from .common import DBAPI_BLOCKING, SYNC_CLOSE


SQLITE3 = Library(
    name="sqlite3",
    module_roots=("sqlite3",),
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
