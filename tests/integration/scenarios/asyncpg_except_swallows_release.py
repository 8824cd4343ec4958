"""asyncpg: ``except Exception`` logs, swallows the error and skips the release.

Recording an event is best effort, so errors are only logged. But the
release sits inside the ``try``: every failed INSERT keeps its connection.
"""
import asyncio
import logging
from typing import Optional

import asyncpg

log = logging.getLogger(__name__)

SCHEMA = """
DROP TABLE IF EXISTS lkl_events;
CREATE TABLE lkl_events (
    id serial PRIMARY KEY,
    account_id int NOT NULL,
    kind text NOT NULL CHECK (kind IN ('login', 'logout', 'payment'))
);
"""
KINDS = ["login", "payment", "logout", "payment", "refund"]

pool: Optional[asyncpg.Pool] = None


async def open_pool(dsn):
    global pool
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=5)
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)


async def record_event(account_id, kind):
    try:
        conn = await pool.acquire()  # expect: LKL102
        await conn.execute(
            "INSERT INTO lkl_events (account_id, kind) VALUES ($1, $2)", account_id, kind
        )
        await pool.release(conn)
    except Exception:
        # An event is not worth failing the request for.
        log.warning("could not record %r for account %s", kind, account_id, exc_info=True)


async def run(dsn, iterations):
    await open_pool(dsn)
    for request in range(iterations):
        # 'refund' breaks the CHECK constraint: one request in five fails.
        try:
            await asyncio.wait_for(record_event(request, KINDS[request % 5]), timeout=1)
        except asyncio.TimeoutError:
            pass
    async with pool.acquire(timeout=1) as conn:
        rows = await conn.fetch("SELECT account_id, kind FROM lkl_events ORDER BY id")
    return [tuple(row) for row in rows]
