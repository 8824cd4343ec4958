"""The standard library's protocol clients: `ftplib`, `smtplib`, `imaplib`
and `poplib`. Each holds a socket from its constructor on; `FTP()` and
`SMTP()` without a host open it at `connect()`, and are counted as the
resource from the constructor all the same (an object never connected is
rare outside tests).

- Acquire: `FTP()`/`FTP_TLS()`, `SMTP()`/`SMTP_SSL()`/`LMTP()`,
  `IMAP4()`/`IMAP4_SSL()`/`IMAP4_stream()`, `POP3()`/`POP3_SSL()`.
- Release: `quit()` (sends QUIT, then closes) or `close()` on FTP, SMTP and
  POP3; `logout()` on IMAP4, whose `close()` only closes the selected
  mailbox and leaves the connection open. A `quit()` whose QUIT command
  fails can leave the socket open: `with` (or `close()` in `finally`) is
  the safe form.
- `with` closes FTP, SMTP and IMAP4 clients (sending QUIT/LOGOUT first);
  POP3 is no context manager. Nothing is awaitable.
"""
from __future__ import annotations

from ..model import Acquire, Exit, Kind, Library, Release

QUIT_OR_CLOSE = (Release("quit"), Release("close"))


def _client(
    module: str,
    classes: tuple[str, ...],
    label: str,
    releases: tuple[Release, ...],
    *,
    with_exit: Exit = Exit.NONE,
    blocking: tuple[str, ...] = (),
    connects: bool = False,
) -> Library:
    """One module's client classes, all of one kind (the first class's)."""
    names = tuple(f"{module}.{name}" for name in classes)
    acquire = Acquire(names[0], blocking=connects)
    return Library(
        name=module,
        module_roots=(module,),
        functions={name: acquire for name in names},
        kinds=(
            Kind(
                name=names[0],
                label=label,
                library=module,
                types=names,
                releases=releases,
                with_exit=with_exit,
                blocking=blocking,
            ),
        ),
        verified="CPython 3.11.7",
        sources=(f"lib/python3.11/{module}.py",),
    )


FTPLIB = _client(
    "ftplib",
    ("FTP", "FTP_TLS"),
    "FTP client",
    QUIT_OR_CLOSE,
    with_exit=Exit.CLOSES,
    blocking=("connect", "login", "retrbinary", "retrlines", "storbinary", "storlines", "nlst", "mlsd"),
)
SMTPLIB = _client(
    "smtplib",
    ("SMTP", "SMTP_SSL", "LMTP"),
    "SMTP client",
    QUIT_OR_CLOSE,
    with_exit=Exit.CLOSES,
    blocking=("connect", "ehlo", "starttls", "login", "sendmail", "send_message"),
)
IMAPLIB = _client(
    "imaplib",
    ("IMAP4", "IMAP4_SSL", "IMAP4_stream"),
    "IMAP4 client",
    (Release("logout"),),  # not `close()`: it closes the selected mailbox only
    with_exit=Exit.CLOSES,
    blocking=("login", "select", "search", "fetch", "store"),
    connects=True,
)
POPLIB = _client(
    "poplib",
    ("POP3", "POP3_SSL"),
    "POP3 client",
    QUIT_OR_CLOSE,
    blocking=("user", "pass_", "stat", "list", "retr"),
    connects=True,
)
