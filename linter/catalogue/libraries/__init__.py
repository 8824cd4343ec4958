"""What leaklint knows about each client library, as data: one module per
library (or family of libraries), each stating what acquires, what
releases, what `with`/`async with` does and what must be awaited.

Every fact here was read in the library's own source (which call acquires,
which releases, which is a coroutine, which `with` really closes): each
`Library` names that release (`verified`) and its files (`sources`), and
records as `version_notes` the facts that differ in older releases still in
use.
"""
from __future__ import annotations

import functools

from ..catalogue import Catalogue
from .aiopg import AIOPG
from .aiosqlite import AIOSQLITE
from .asyncio_streams import ASYNCIO_STREAMS
from .asyncpg import ASYNCPG
from .databases import DATABASES
from .django import DJANGO
from .generic import GENERIC_POOLED, HEURISTICS
from .http_clients import AIOHTTP, HTTPX, REQUESTS
from .messaging import AIO_PIKA, AIOKAFKA, PIKA
from .mongo import MOTOR, PYMONGO
from .mysql import AIOMYSQL, MYSQL_CONNECTOR, PYMYSQL
from .mysqlclient import MYSQLCLIENT
from .odbc import AIOODBC, PYODBC
from .oracle import CX_ORACLE, ORACLEDB
from .psycopg import PSYCOPG3
from .psycopg2 import PSYCOPG2
from .redis import REDIS, REDIS_ASYNCIO
from .sockets import SOCKET
from .sqlalchemy import SQLALCHEMY, SQLALCHEMY_SCOPED_SESSION
from .sqlite3 import SQLITE3
from .ssl import SSL
from .ssh import PARAMIKO
from .stdlib_clients import FTPLIB, IMAPLIB, POPLIB, SMTPLIB
from .urllib3 import URLLIB3

LIBRARIES = (
    PSYCOPG2,
    PSYCOPG3,
    ASYNCPG,
    AIOPG,
    SQLITE3,
    AIOSQLITE,
    PYMYSQL,
    MYSQLCLIENT,
    MYSQL_CONNECTOR,
    AIOMYSQL,
    ORACLEDB,
    CX_ORACLE,
    PYODBC,
    AIOODBC,
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
    SSL,
    ASYNCIO_STREAMS,
    FTPLIB,
    SMTPLIB,
    IMAPLIB,
    POPLIB,
    PIKA,
    AIO_PIKA,
    AIOKAFKA,
    PARAMIKO,
    DATABASES,
    GENERIC_POOLED,
)

@functools.lru_cache(maxsize=None)
def default_catalogue() -> Catalogue:
    """The catalogue of the libraries above: one immutable table per process."""
    return Catalogue(LIBRARIES, HEURISTICS)
