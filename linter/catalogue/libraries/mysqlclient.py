"""mysqlclient (`import MySQLdb`), the C-extension MySQL driver.

- Acquire: `MySQLdb.connect()` (also spelled `Connect` and `Connection`;
  blocking); `conn.cursor()`, given an `SSCursor` or `SSDictCursor`, an
  unbuffered stream that keeps the connection busy until read or closed.
- Release: `close()` on connections and cursors, sync.
- `with` closes a connection (since 2.0: see the version notes) and a
  cursor. Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, VersionNote, When
from .common import DBAPI_BLOCKING, PARTIAL_READS, SYNC_CLOSE

# the argument is named `cursorclass`; both unbuffered classes stream
SS_CURSORS = tuple(When(keyword="cursorclass", position=0, endswith=name) for name in ("SSCursor", "SSDictCursor"))


MYSQLCLIENT = Library(
    name="mysqlclient",
    module_roots=("MySQLdb",),
    functions={
        # one factory of `connections.Connection` under three names
        "MySQLdb.connect": Acquire("MySQLdb.Connection", blocking=True),
        "MySQLdb.Connect": Acquire("MySQLdb.Connection", blocking=True),
        "MySQLdb.Connection": Acquire("MySQLdb.Connection", blocking=True),
        "MySQLdb.connections.Connection": Acquire("MySQLdb.Connection", blocking=True),
    },
    kinds=(
        Kind(
            name="MySQLdb.Connection",
            label="mysqlclient connection",
            library="mysqlclient",
            types=("MySQLdb.Connection", "MySQLdb.connections.Connection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={
                "cursor": tuple(Acquire("MySQLdb.SSCursor", stream=True, when=when) for when in SS_CURSORS)
                + (Acquire("MySQLdb.Cursor"),),
            },
            blocking=("commit", "rollback", "ping", "select_db", "query"),
        ),
        Kind(
            name="MySQLdb.Cursor",
            label="mysqlclient cursor",
            library="mysqlclient",
            types=("MySQLdb.cursors.Cursor",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            blocking=DBAPI_BLOCKING,
            owned=False,
        ),
        Kind(
            name="MySQLdb.SSCursor",
            partial_reads=PARTIAL_READS,
            label="mysqlclient unbuffered cursor",
            library="mysqlclient",
            types=("MySQLdb.cursors.SSCursor", "MySQLdb.cursors.SSDictCursor"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            base="MySQLdb.Cursor",
        ),
    ),
    verified="mysqlclient 2.3.2",
    sources=("src/MySQLdb/__init__.py", "src/MySQLdb/connections.py", "src/MySQLdb/cursors.py", "src/MySQLdb/_mysql.c"),
    version_notes=(
        VersionNote(
            "< 1.4.0",
            "`with conn as cur:` gives a new cursor and commits or rolls back; the connection stays open (read in 1.3.14)",
        ),
        VersionNote(">= 1.4.0, < 2.0.0", "a connection is no context manager: `with conn:` raises (read in 1.4.6)"),
        VersionNote(">= 2.0.0", "`with conn:` closes the connection (read in 2.0.0 and 2.3.2)"),
    ),
)
