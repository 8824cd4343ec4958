"""What leaklint knows about each client library, as data: one module per
library (or family of libraries), each stating what acquires, what
releases, what `with`/`async with` does and what must be awaited.

Every fact here is checked against the libraries' behaviour (which call
acquires, which releases, which is a coroutine, which `with` really closes).
"""
from __future__ import annotations

import functools

from ..catalogue import Catalogue
from .aiopg import AIOPG
from .aiosqlite import AIOSQLITE
from .asyncpg import ASYNCPG
from .databases import DATABASES
from .django import DJANGO
from .generic import GENERIC_POOLED, HEURISTICS
from .http_clients import AIOHTTP, HTTPX, REQUESTS
from .mongo import MOTOR, PYMONGO
from .mysql import AIOMYSQL, MYSQL_CONNECTOR, PYMYSQL
from .psycopg import PSYCOPG3
from .psycopg2 import PSYCOPG2
from .redis import REDIS, REDIS_ASYNCIO
from .sockets import SOCKET
from .sqlalchemy import SQLALCHEMY, SQLALCHEMY_SCOPED_SESSION
from .sqlite3 import SQLITE3
from .urllib3 import URLLIB3

LIBRARIES = (
    PSYCOPG2,
    PSYCOPG3,
    ASYNCPG,
    AIOPG,
    SQLITE3,
    AIOSQLITE,
    PYMYSQL,
    MYSQL_CONNECTOR,
    AIOMYSQL,
    SQLALCHEMY,
    SQLALCHEMY_SCOPED_SESSION,
    DJANGO,
    AIOHTTP,
    HTTPX,
    REQUESTS,
    URLLIB3,
    REDIS,
    REDIS_ASYNCIO,
    PYMONGO,
    MOTOR,
    SOCKET,
    DATABASES,
    GENERIC_POOLED,
)

@functools.lru_cache(maxsize=None)
def default_catalogue() -> Catalogue:
    """The catalogue of the libraries above: one immutable table per process."""
    return Catalogue(LIBRARIES, HEURISTICS)
