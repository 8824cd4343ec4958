"""TLS sockets of the standard library's `ssl` module.

- Acquire: `SSLContext.wrap_socket(sock, ...)` gives an `SSLSocket` on the
  descriptor of `sock` (positional or `sock=`). The contexts
  (`SSLContext(...)`, `create_default_context()`,
  `_create_unverified_context()`) hold no connection: not resources, known
  only so that `ctx.wrap_socket()` resolves.
- Ownership: `SSLSocket._create` builds the new socket on `sock.fileno()`
  and calls `sock.detach()`: from then on the wrapper alone owns the
  descriptor. When the TLS handshake fails (`OSError`/`ValueError` from
  `_wrap_socket()` or `do_handshake()`), it calls `self.close()` and
  re-raises, so the descriptor is closed: a failed `wrap_socket` leaves
  nothing for the caller to close. Only the argument checks before the
  detach (not a stream socket, `server_hostname` missing with
  `check_hostname`) raise with `sock` still open; those are programming
  errors, not failures of the network, and are not counted. (In 3.11 an
  unexpected `getpeername()` error after the detach re-raises without the
  `close()`; the new object's finaliser closes the descriptor then.)
- Release: `close()` (sync), or `detach()` as for a plain socket; `with`
  closes (the `socket.socket` context manager it inherits). `unwrap()`
  ends TLS and leaves the socket open. Nothing is awaitable.
"""
from __future__ import annotations

from dataclasses import replace

from ..model import Acquire, Kind, Library, VersionNote
from .sockets import SOCKET_KIND

CONTEXT = Acquire("ssl.SSLContext")
# the socket it wraps is its first argument, `sock`, on the context's method and the old function alike
WRAPS_SOCKET = Acquire("ssl.SSLSocket", adopts=("sock",), adopts_at=(0,))

SSL = Library(
    name="ssl",
    module_roots=("ssl",),
    verified="CPython 3.11.7",
    sources=("lib/python3.11/ssl.py",),
    version_notes=(
        VersionNote("< 3.12", "module-level `ssl.wrap_socket(sock, ...)` (deprecated since 3.7) wraps and takes over `sock` as the context's method does; removed in 3.12"),
        VersionNote(
            ">= 3.13",
            "`SSLSocket._create` closes the new socket on any exception after `sock.detach()`, not only on `OSError`/`ValueError` from the handshake",
        ),
    ),
    functions={
        "ssl.SSLContext": CONTEXT,
        "ssl.create_default_context": CONTEXT,
        "ssl._create_unverified_context": CONTEXT,
        "ssl._create_default_https_context": CONTEXT,
        "ssl._create_stdlib_context": CONTEXT,
        "ssl.wrap_socket": WRAPS_SOCKET,
    },
    kinds=(
        Kind(
            name="ssl.SSLContext",
            label="SSL context",
            library="ssl",
            types=("ssl.SSLContext",),
            owned=False,  # settings and certificates, no connection
            methods={"wrap_socket": (WRAPS_SOCKET,)},
        ),
        # a subclass of `socket.socket`: released and closed by `with` as one
        replace(SOCKET_KIND, name="ssl.SSLSocket", label="TLS socket", library="ssl", types=("ssl.SSLSocket",)),
    ),
)
