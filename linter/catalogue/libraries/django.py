"""Django's database layer: `django.db.connection` and `django.db.connections`.

- The connections are made by Django at import, one per alias and thread,
  and closed by its request handling: a function borrows them, it never
  releases them.
- Acquire: `connection.cursor()` / `connections[alias].cursor()` (also
  `chunked_cursor()`) give a cursor wrapper; both connect first if needed
  (blocking, and refused inside a running event loop).
  `temporary_connection()` only works with `with`.
- Release: `cursor.close()`.
- `with connection.cursor() as cursor:` closes the cursor; `with
  connection.temporary_connection() as cursor:` closes the cursor and the
  connection if it opened it. Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Await, Exit, Kind, Library, VersionNote
from .common import DBAPI_BLOCKING, SYNC_CLOSE


CURSOR = Acquire("django.Cursor", blocking=True)


DJANGO = Library(
    name="django",
    module_roots=("django",),
    functions={},
    objects={
        "django.db.connection": "django.DatabaseWrapper",
        "django.db.connections": "django.ConnectionHandler",
    },
    kinds=(
        Kind(
            name="django.ConnectionHandler",
            label="Django connection handler",
            library="django",
            types=("django.db.utils.ConnectionHandler",),
            owned=False,
            items="django.DatabaseWrapper",  # `connections[alias]`
        ),
        Kind(
            name="django.DatabaseWrapper",
            label="Django database connection",
            library="django",
            types=("django.db.backends.base.base.BaseDatabaseWrapper",),
            owned=False,  # per thread, closed by Django at the end of a request
            methods={
                "cursor": (CURSOR,),
                "chunked_cursor": (CURSOR,),
                "temporary_connection": (Acquire("django.Cursor", Await.CM_ONLY, with_exit=Exit.CLOSES, blocking=True),),
            },
            blocking=("connect", "ensure_connection", "commit", "rollback", "close", "savepoint", "savepoint_rollback", "savepoint_commit"),
        ),
        Kind(
            name="django.Cursor",
            label="Django cursor",
            library="django",
            types=("django.db.backends.utils.CursorWrapper", "django.db.backends.utils.CursorDebugWrapper"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            blocking=DBAPI_BLOCKING,
        ),
    ),
    verified="Django 5.2.19",
    sources=("django/db/__init__.py", "django/db/utils.py", "django/utils/connection.py", "django/db/backends/base/base.py", "django/db/backends/utils.py", "django/utils/asyncio.py"),
    version_notes=(VersionNote("< 1.7", "a cursor is no context manager: `with connection.cursor()` fails; close it in `finally`"),),
)
