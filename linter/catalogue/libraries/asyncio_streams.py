"""Streams of the standard library's `asyncio` (`asyncio/streams.py`).

- Acquire: `await asyncio.open_connection(...)` and
  `await asyncio.open_unix_connection(...)` are coroutines that give a
  `(StreamReader, StreamWriter)` tuple. The writer (element 1) holds the
  transport and so the socket: it is the resource. The tuple kept whole is
  not followed. With `sock=` the transport takes over that socket
  (`base_events._create_connection_transport`: a failed connection closes
  the transport, and the socket with it).
- Release: `writer.close()`, a plain method (`return
  self._transport.close()`), not a coroutine. `await writer.wait_closed()`
  after it waits until the connection is gone: good practice, not needed to
  release it.
- `StreamWriter` has no `__enter__`/`__aenter__`: no `with` of any kind;
  `try/finally: writer.close()` is the safe form.
"""
from __future__ import annotations

from ..model import Acquire, Await, Kind, Library, VersionNote
from .common import SYNC_CLOSE

OPENS_STREAMS = Acquire("asyncio.StreamWriter", awaiting=Await.COROUTINE, part=1, adopts=("sock",))

ASYNCIO_STREAMS = Library(
    name="asyncio streams",
    module_roots=("asyncio",),
    verified="CPython 3.11.7",
    sources=("lib/python3.11/asyncio/streams.py", "lib/python3.11/asyncio/base_events.py"),
    version_notes=(
        VersionNote(
            "3.10",
            "`StreamWriter` has no `__del__` (read in 3.10.13): a writer left open stays open until its transport is collected; "
            "3.11.7, 3.12.1 and 3.13.0 close it when collected and warn `ResourceWarning: unclosed`",
        ),
    ),
    functions={
        f"{module}.{function}": OPENS_STREAMS
        for module in ("asyncio", "asyncio.streams")
        for function in ("open_connection", "open_unix_connection")
    },
    kinds=(
        Kind(
            name="asyncio.StreamWriter",
            label="asyncio stream writer",
            library="asyncio",
            types=("asyncio.StreamWriter", "asyncio.streams.StreamWriter"),
            releases=SYNC_CLOSE,
        ),
    ),
)
