"""paramiko's SSH client.

- Acquire: `SSHClient()`; its `connect()` opens the transport (a socket and
  a thread; blocking), so the client is the resource from the constructor
  on. `client.open_sftp()` opens an SFTP session on that transport, which
  the client's `close()` ends with it (like a client-side cursor).
- Release: `close()`, sync, on the client and on an SFTP session.
- `with` closes either (`ClosingContextManager`). Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library
from .common import SYNC_CLOSE


PARAMIKO = Library(
    name="paramiko",
    module_roots=("paramiko",),
    functions={
        "paramiko.SSHClient": Acquire("paramiko.SSHClient"),
        "paramiko.client.SSHClient": Acquire("paramiko.SSHClient"),
    },
    kinds=(
        Kind(
            name="paramiko.SSHClient",
            label="SSH client",
            library="paramiko",
            types=("paramiko.SSHClient", "paramiko.client.SSHClient"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"open_sftp": (Acquire("paramiko.SFTPClient", blocking=True),)},
            blocking=("connect", "exec_command", "invoke_shell"),
        ),
        Kind(
            name="paramiko.SFTPClient",
            label="SFTP session",
            library="paramiko",
            types=("paramiko.SFTPClient", "paramiko.sftp_client.SFTPClient"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            blocking=("get", "put", "listdir", "stat", "remove", "rename"),
            owned=False,  # ended with its client
        ),
    ),
    verified="paramiko 5.1.0",
    sources=("paramiko/client.py", "paramiko/sftp_client.py", "paramiko/util.py", "paramiko/transport.py"),
)
