"""Facts several libraries share: the usual `close()` releases, what a DB-API
cursor does that blocks or reads a stream in part, and the condition that
makes `cursor(...)` a named, server-side cursor."""
from __future__ import annotations

from ..model import Awaiting, Release, When

SYNC_CLOSE = (Release("close"),)
ASYNC_CLOSE = (Release("close", Awaiting.ASYNC),)
ASYNC_ACLOSE = (Release("aclose", Awaiting.ASYNC),)
PARTIAL_READS = ("fetchone", "fetchmany", "__next__", "scalar_one_or_none")
DBAPI_BLOCKING = ("execute", "executemany", "executescript", "commit", "rollback", "fetchone", "fetchmany", "fetchall", "callproc")

NAMED_CURSOR = When(keyword="name", position=0)
