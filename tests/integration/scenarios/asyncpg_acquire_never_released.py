"""asyncpg: ``await pool.acquire()`` with no release, under concurrent load.

Each request keeps its connection. With 100 requests at once, the first
max_size take the whole pool and the rest wait in acquire() until their
deadline passes.
"""
import asyncio
from typing import Optional

import asyncpg

SCHEMA = """
DROP TABLE IF EXISTS lkl_accounts;
CREATE TABLE lkl_accounts (id int PRIMARY KEY, balance_cents bigint NOT NULL);
INSERT INTO lkl_accounts SELECT i, i * 1000 FROM generate_series(1, 20) AS i;
"""

pool: Optional[asyncpg.Pool] = None


async def open_pool(dsn):
    global pool
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)


async def balance(account_id):
    conn = await pool.acquire()  # expect: LKL101
    return await conn.fetchval(
        "SELECT balance_cents FROM lkl_accounts WHERE id = $1", account_id
    )


async def handle(account_id):
    # Each request has a one-second deadline, as behind a proxy.
    try:
        return await asyncio.wait_for(balance(account_id), timeout=1)
    except asyncio.TimeoutError:
        return None


async def run(dsn, iterations):
    await open_pool(dsn)
    return await asyncio.gather(*(handle(i % 20 + 1) for i in range(iterations)))
