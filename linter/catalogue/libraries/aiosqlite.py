"""aiosqlite.

- Acquire: `aiosqlite.connect()`, an awaitable (await it or enter it with
  `async with`).
- Release: `await conn.close()`.
- `async with` closes the connection; there is no sync `with`.
"""
from __future__ import annotations

from ..model import Acquire, Await, Exit, Kind, Library
from .common import ASYNC_CLOSE


AIOSQLITE = Library(
    name="aiosqlite",
    module_roots=("aiosqlite",),
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
