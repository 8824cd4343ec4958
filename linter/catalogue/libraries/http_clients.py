"""HTTP clients: aiohttp, httpx and requests.

- Acquire: `aiohttp.ClientSession()` (which takes over a `connector=` it is
  given: it closes it unless `connector_owner=False`) and
  `aiohttp.TCPConnector()`; `httpx.Client()` and `httpx.AsyncClient()`;
  `client.stream()`, a `@contextmanager` (`@asynccontextmanager` on
  `AsyncClient`) that acquires only when entered; `requests.Session()` (and
  the old `requests.session()`). No constructor is awaitable.
- Release: `await session.close()` on aiohttp's `ClientSession`, a
  coroutine. The connector's `close()` closes its connections at once and
  returns an awaitable that warns when it is not awaited, so it is taken as a
  coroutine. `close()` on httpx `Client`, on a response of `Client.stream()`
  and on requests `Session`, all sync; `await aclose()` on httpx
  `AsyncClient` and on a response of `AsyncClient.stream()` (their sync
  `close()` does not exist or raises).
- `with` closes httpx `Client` and requests `Session`; `async with` closes
  aiohttp `ClientSession` (a sync `with` raises) and httpx `AsyncClient`;
  leaving `client.stream()` closes the response, which gives its connection
  back to the client's pool.
"""
from __future__ import annotations

from ..model import Acquire, Await, Exit, Kind, Library, VersionNote
from .common import ASYNC_ACLOSE, ASYNC_CLOSE, SYNC_CLOSE


AIOHTTP = Library(
    name="aiohttp",
    module_roots=("aiohttp",),
    verified="aiohttp 3.14.5",
    sources=("aiohttp/__init__.py", "aiohttp/client.py", "aiohttp/connector.py"),
    version_notes=(
        VersionNote(
            "< 3.0",
            "`ClientSession.close()` is a plain call that closes at once and returns an awaitable; a sync "
            "`with ClientSession()` also closes it, with a DeprecationWarning (read in 2.3.10).",
        ),
    ),
    functions={
        # the session closes a connector given to it (connector_owner=True by default)
        "aiohttp.ClientSession": Acquire("aiohttp.ClientSession", adopts=("connector",)),
        "aiohttp.client.ClientSession": Acquire("aiohttp.ClientSession", adopts=("connector",)),
        "aiohttp.TCPConnector": Acquire("aiohttp.TCPConnector"),
    },
    kinds=(
        Kind(
            name="aiohttp.ClientSession",
            label="aiohttp ClientSession",
            library="aiohttp",
            types=("aiohttp.ClientSession", "aiohttp.client.ClientSession"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
        ),
        Kind(
            name="aiohttp.TCPConnector",
            label="aiohttp connector",
            library="aiohttp",
            types=("aiohttp.TCPConnector",),
            # close() acts at once, but an unawaited result warns "Connector.close() is a coroutine"
            releases=ASYNC_CLOSE,
        ),
    ),
)


HTTPX = Library(
    name="httpx",
    module_roots=("httpx",),
    verified="httpx 0.28.1",
    sources=("httpx/__init__.py", "httpx/_client.py", "httpx/_models.py"),
    functions={
        "httpx.Client": Acquire("httpx.Client"),
        "httpx.AsyncClient": Acquire("httpx.AsyncClient"),
    },
    kinds=(
        Kind(
            name="httpx.Client",
            label="httpx client",
            library="httpx",
            types=("httpx.Client",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"stream": (Acquire("httpx.Response", Await.CM_ONLY, with_exit=Exit.RELEASES),)},
        ),
        Kind(
            name="httpx.AsyncClient",
            label="httpx AsyncClient",
            library="httpx",
            types=("httpx.AsyncClient",),
            releases=ASYNC_ACLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"stream": (Acquire("httpx.AsyncResponse", Await.CM_ONLY, async_with_exit=Exit.RELEASES),)},
        ),
        Kind(name="httpx.Response", label="httpx streamed response", library="httpx", releases=SYNC_CLOSE, owned=False),
        # a response on an async stream: its sync close() raises RuntimeError
        Kind(name="httpx.AsyncResponse", label="httpx streamed response", library="httpx", releases=ASYNC_ACLOSE, owned=False),
    ),
)


REQUESTS = Library(
    name="requests",
    module_roots=("requests",),
    verified="requests 2.34.2",
    sources=("requests/__init__.py", "requests/sessions.py", "requests/adapters.py"),
    functions={"requests.Session": Acquire("requests.Session"), "requests.session": Acquire("requests.Session")},
    kinds=(
        Kind(
            name="requests.Session",
            label="requests Session",
            library="requests",
            types=("requests.Session", "requests.sessions.Session"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
        ),
    ),
)
