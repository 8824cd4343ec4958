"""Sockets of the standard library's `socket` module.

- Acquire: `socket.socket()`, `create_connection()`, `create_server()`,
  `fromfd()` (a new socket on a duplicate of the descriptor).
- Release: `close()`, sync (while a `makefile()` file is open the
  descriptor stays open until that file is closed too); `detach()` closes
  the object and hands the still-open descriptor to the caller.
- `with` closes the socket. Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, Release
from .common import SYNC_CLOSE


SOCKET_KIND = Kind(
    name="socket.socket",
    label="socket",
    library="socket",
    types=("socket.socket", "socket.SocketType"),
    releases=SYNC_CLOSE + (Release("detach"),),
    with_exit=Exit.CLOSES,
)

SOCKET = Library(
    name="socket",
    module_roots=("socket",),
    verified="CPython 3.11.7",
    sources=("socket.py",),
    functions={
        "socket.socket": Acquire("socket.socket"),
        "socket.create_connection": Acquire("socket.socket"),
        "socket.create_server": Acquire("socket.socket"),
        "socket.fromfd": Acquire("socket.socket"),
    },
    kinds=(SOCKET_KIND,),
)
