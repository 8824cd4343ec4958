"""psycopg2: a pooled connection taken with getconn() is never given back.

Every call keeps one slot of the pool. Once maxconn calls have run,
getconn() raises PoolError("connection pool exhausted") at once, and every
later request fails.
"""
from typing import Optional

from psycopg2.pool import PoolError, ThreadedConnectionPool

SCHEMA = """
DROP TABLE IF EXISTS lkl_users;
CREATE TABLE lkl_users (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO lkl_users SELECT i, 'user-' || i FROM generate_series(1, 50) AS i;
"""

pool: Optional[ThreadedConnectionPool] = None


def open_pool(dsn):
    global pool
    pool = ThreadedConnectionPool(1, 4, dsn)
    conn = pool.getconn()
    try:
        with conn.cursor() as cur:
            cur.execute(SCHEMA)
        conn.commit()
    finally:
        pool.putconn(conn)


def user_name(user_id):
    conn = pool.getconn()  # expect: LKL101
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM lkl_users WHERE id = %s", (user_id,))
        return cur.fetchone()[0]


def run(dsn, iterations):
    open_pool(dsn)
    names = []
    for request in range(iterations):
        try:
            names.append(user_name(request % 50 + 1))
        except PoolError:
            names.append(None)
    return names
