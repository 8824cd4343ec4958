"""MongoDB clients: pymongo (`MongoClient`, `AsyncMongoClient`) and motor.

- Acquire: `pymongo.MongoClient()` (starts its monitor threads at once
  unless `connect=False`), `pymongo.AsyncMongoClient()`, and motor's
  `AsyncIOMotorClient()` / `MotorClient()` (a pymongo `MongoClient` made
  with `connect=False`, which connects on first use). No constructor is
  awaitable.
- Release: `close()`; a coroutine on `AsyncMongoClient` (with its alias
  `aclose()`), but a plain call on motor's clients, which hand it to the
  pymongo client they wrap: `await client.close()` fails there.
- `with MongoClient()` and `async with AsyncMongoClient()` close the client;
  motor's clients are no context managers of either kind.
- `client[name]` is a `Database` (`AsyncDatabase`) that keeps its client as
  `db.client` (pymongo's `synchronous/database.py` and
  `asynchronous/database.py`; motor's `AgnosticDatabase.client` in
  `core.py`): a helper that returns `client[name]` hands the client to its
  caller, who closes `db.client`.
"""
from __future__ import annotations

from ..model import ITEMS, Acquire, Exit, Kind, Library, VersionNote
from .common import ASYNC_ACLOSE, ASYNC_CLOSE, SYNC_CLOSE


PYMONGO = Library(
    name="pymongo",
    module_roots=("pymongo",),
    functions={
        "pymongo.MongoClient": Acquire("pymongo.MongoClient"),
        "pymongo.mongo_client.MongoClient": Acquire("pymongo.MongoClient"),
        "pymongo.synchronous.mongo_client.MongoClient": Acquire("pymongo.MongoClient"),
        "pymongo.AsyncMongoClient": Acquire("pymongo.AsyncMongoClient"),
        "pymongo.asynchronous.mongo_client.AsyncMongoClient": Acquire("pymongo.AsyncMongoClient"),
    },
    kinds=(
        Kind(
            name="pymongo.MongoClient",
            label="pymongo MongoClient",
            library="pymongo",
            types=("pymongo.MongoClient", "pymongo.mongo_client.MongoClient", "pymongo.synchronous.mongo_client.MongoClient"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            derived={ITEMS: "client"},  # `client[name]` is a Database, which keeps it as `db.client`
        ),
        Kind(
            name="pymongo.AsyncMongoClient",
            label="pymongo AsyncMongoClient",
            library="pymongo",
            types=("pymongo.AsyncMongoClient", "pymongo.asynchronous.mongo_client.AsyncMongoClient"),
            releases=ASYNC_CLOSE + ASYNC_ACLOSE,
            async_with_exit=Exit.CLOSES,
            derived={ITEMS: "client"},
        ),
    ),
    verified="pymongo 4.20.0",
    sources=(
        "pymongo/__init__.py",
        "pymongo/mongo_client.py",
        "pymongo/synchronous/mongo_client.py",
        "pymongo/asynchronous/mongo_client.py",
        "pymongo/synchronous/database.py",
        "pymongo/asynchronous/database.py",
    ),
    version_notes=(VersionNote("< 4.9", "there is no `AsyncMongoClient` (motor is the asyncio client)"),),
)


MOTOR = Library(
    name="motor",
    module_roots=("motor",),
    functions={
        "motor.motor_asyncio.AsyncIOMotorClient": Acquire("motor.MotorClient"),
        "motor.motor_tornado.MotorClient": Acquire("motor.MotorClient"),
        "motor.MotorClient": Acquire("motor.MotorClient"),
    },
    kinds=(
        Kind(
            name="motor.MotorClient",
            label="motor client",
            library="motor",
            types=("motor.motor_asyncio.AsyncIOMotorClient", "motor.motor_tornado.MotorClient", "motor.MotorClient"),
            releases=SYNC_CLOSE,  # delegated to pymongo's sync close(): not a coroutine
            derived={ITEMS: "client"},  # `client[name]` is a MotorDatabase that keeps it as `db.client` (core.py)
        ),
    ),
    verified="motor 3.7.1",
    sources=("motor/core.py", "motor/metaprogramming.py", "motor/motor_asyncio.py", "motor/motor_tornado.py", "motor/__init__.py"),
)
