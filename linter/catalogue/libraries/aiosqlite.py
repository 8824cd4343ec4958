"""aiosqlite.

- Acquire: `aiosqlite.connect()`, a plain call returning the `Connection`,
  which is awaited or entered with `async with`: only then does its worker
  thread start and connect.
- Release: `await conn.close()`, a coroutine (it closes the sqlite3
  connection and stops the thread).
- `async with` closes the connection; there is no sync `with`.
"""
from __future__ import annotations

from ..model import Acquire, Await, Exit, Kind, Library
from .common import ASYNC_CLOSE


AIOSQLITE = Library(
    name="aiosqlite",
    module_roots=("aiosqlite",),
    verified="aiosqlite 0.22.1",
    sources=("aiosqlite/__init__.py", "aiosqlite/core.py"),
    functions={"aiosqlite.connect": Acquire("aiosqlite.Connection", Await.AWAITABLE)},
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
