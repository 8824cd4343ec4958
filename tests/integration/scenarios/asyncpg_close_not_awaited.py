"""asyncpg: ``conn.close()`` called without ``await``.

close() is a coroutine: called bare it only makes a coroutine object that is
dropped (RuntimeWarning: never awaited) and the connection stays open,
visible in pg_stat_activity, for as long as anything refers to it.
"""
import asyncpg

SCHEMA = """
DROP TABLE IF EXISTS lkl_jobs;
CREATE TABLE lkl_jobs (id int PRIMARY KEY, state text NOT NULL);
INSERT INTO lkl_jobs
SELECT i, CASE WHEN i % 3 = 0 THEN 'done' ELSE 'queued' END FROM generate_series(1, 30) AS i;
"""


async def create_schema(dsn):
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


async def queued_jobs(dsn, limit):
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM lkl_jobs WHERE state = 'queued' AND id <= $1", limit
        )
    finally:
        conn.close()  # expect: LKL201


async def run(dsn, iterations):
    await create_schema(dsn)
    return [await queued_jobs(dsn, request + 1) for request in range(iterations)]
