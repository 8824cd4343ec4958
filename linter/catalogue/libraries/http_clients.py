"""HTTP clients: aiohttp, httpx and requests.

- Acquire: `aiohttp.ClientSession()` (which takes over a `connector=` it is
  given) and `aiohttp.TCPConnector()`, `httpx.Client()`,
  `httpx.AsyncClient()`, `client.stream()` (only `with`/`async with`),
  `requests.Session()`. No constructor is awaitable.
- Release: `await close()` on aiohttp objects; `close()` on httpx
  `Client`, a streamed httpx response and requests `Session`;
  `await aclose()` on httpx `AsyncClient`.
- `with` closes httpx `Client` and requests `Session`; `async with`
  closes aiohttp `ClientSession` and httpx `AsyncClient`; the `with`
  around `client.stream()` releases the response.
"""
from __future__ import annotations

from ..model import Acquire, Await, Exit, Kind, Library
from .common import ASYNC_ACLOSE, ASYNC_CLOSE, SYNC_CLOSE


AIOHTTP = Library(
    name="aiohttp",
    module_roots=("aiohttp",),
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
            releases=ASYNC_CLOSE,
        ),
    ),
)


HTTPX = Library(
    name="httpx",
    module_roots=("httpx",),
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
            methods={"stream": (Acquire("httpx.Response", Await.CM_ONLY, async_with_exit=Exit.RELEASES),)},
        ),
        Kind(name="httpx.Response", label="httpx streamed response", library="httpx", releases=SYNC_CLOSE, owned=False),
    ),
)


REQUESTS = Library(
    name="requests",
    module_roots=("requests",),
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
