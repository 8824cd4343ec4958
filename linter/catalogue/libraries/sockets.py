"""Sockets of the standard library's `socket` module.

- Acquire: `socket.socket()`, `create_connection()`, `create_server()`,
  `fromfd()`.
- Release: `close()` or `detach()`, sync.
- `with` closes the socket. Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, Release
from .common import SYNC_CLOSE


SOCKET = Library(
    name="socket",
    module_roots=("socket",),
    functions={
        "socket.socket": Acquire("socket.socket"),
        "socket.create_connection": Acquire("socket.socket"),
        "socket.create_server": Acquire("socket.socket"),
        "socket.fromfd": Acquire("socket.socket"),
    },
    kinds=(
        Kind(
            name="socket.socket",
            label="socket",
            library="socket",
            types=("socket.socket", "socket.SocketType"),
            releases=SYNC_CLOSE + (Release("detach"),),
            with_exit=Exit.CLOSES,
        ),
    ),
)
