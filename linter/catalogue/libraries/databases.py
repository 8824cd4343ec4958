"""databases (encode/databases).

- Acquire: `databases.Database()` (plain; it connects only when `connect()`
  is awaited and is usually application-wide, so not owned), `db.iterate()`
  (an async generator that holds a pooled connection and a transaction
  while suspended).
- Release: `await db.disconnect()`; `await aclose()` on the generator.
- `async with` on a `Database` connects, then disconnects.
"""
from __future__ import annotations

from ..model import Acquire, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_ACLOSE


DATABASES = Library(
    name="databases",
    module_roots=("databases",),
    verified="databases 0.9.0",
    sources=("databases/__init__.py", "databases/core.py"),
    functions={"databases.Database": Acquire("databases.Database")},
    kinds=(
        Kind(
            name="databases.Database",
            label="databases Database",
            library="databases",
            types=("databases.Database",),
            releases=(Release("disconnect", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
            owned=False,  # connects only when `connect()` is awaited; usually app-wide
            methods={"iterate": (Acquire("databases.iterate", stream=True),)},
        ),
        Kind(
            name="databases.iterate",
            label="databases streamed query",
            library="databases",
            releases=ASYNC_ACLOSE,
        ),
    ),
)
