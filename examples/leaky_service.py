"""A small service with the connection leaks leaklint finds (and fixes).

Run `leaklint examples/` to see them, `leaklint --diff examples/` for the fixes.
"""
import logging
import sqlite3

import asyncpg
from psycopg2.pool import ThreadedConnectionPool

log = logging.getLogger(__name__)
pool = ThreadedConnectionPool(1, 20, "dbname=app")


def count_users():
    conn = pool.getconn()
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM users")
    (count,) = cur.fetchone()
    pool.putconn(conn)  # skipped when execute() raises
    return count


def find_user(user_id, use_cache, cache):
    conn = pool.getconn()
    if use_cache and user_id in cache:
        return cache[user_id]  # the connection is never given back
    cur = conn.cursor()
    try:
        cur.execute("SELECT name FROM users WHERE id = %s", (user_id,))
        return cur.fetchone()
    finally:
        pool.putconn(conn)


async def record_visit(apool: asyncpg.Pool, user_id):
    conn = await apool.acquire()
    try:
        await conn.execute("INSERT INTO visits VALUES ($1)", user_id)
        await apool.release(conn)
    except Exception:
        log.exception("could not record the visit")


def export_settings(path):
    with sqlite3.connect(path) as db:  # commits, but never closes
        return db.execute("SELECT key, value FROM settings").fetchall()
