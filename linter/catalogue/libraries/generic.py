"""Pools leaklint knows only by a call's shape: `<anything>.getconn()` and
`<...pool>.acquire()` on a receiver that resolves to nothing.

- Acquire: either call, awaited or not (the library is unknown).
- Release: `putconn(conn)` / `release(conn)` on the same receiver, or
  `close()` on what `acquire()` gave; each is awaited exactly when the
  acquire was.
- `with`/`async with` on `acquire()` returns the connection; `with` on a
  connection from `getconn()` only ends the transaction.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Heuristic, Kind, Library, Release


GENERIC_POOLED = Library(
    name="generic",
    module_roots=(),
    functions={},
    kinds=(
        Kind(
            name="generic.pooled_connection",
            label="pooled connection",
            library="generic",
            with_exit=Exit.TXN_ONLY,
            closes_without_returning=("close",),
        ),
        Kind(
            name="generic.pool_checkout",
            label="pool connection",
            library="generic",
            releases=(Release("close", Awaiting.MIRROR),),
        ),
    ),
)

HEURISTICS = (
    Heuristic(
        method="getconn",
        acquire=Acquire("generic.pooled_connection", Await.EITHER, returned_by=(Release("putconn", Awaiting.MIRROR),)),
    ),
    Heuristic(
        method="acquire",
        receiver_contains="pool",
        acquire=Acquire(
            "generic.pool_checkout",
            Await.EITHER,
            returned_by=(Release("release", Awaiting.MIRROR),),
            with_exit=Exit.RELEASES,
            async_with_exit=Exit.RELEASES,
        ),
    ),
)
