"""psycopg2: putconn() is skipped when the query raises.

putconn() sits after the work instead of in a ``finally``. A duplicate tag
makes the INSERT raise UniqueViolation; the caller handles that, but the
connection never goes back, and after maxconn such errors the pool is empty.
"""
from typing import Optional

import psycopg2.errors
from psycopg2.pool import PoolError, ThreadedConnectionPool

SCHEMA = """
DROP TABLE IF EXISTS lkl_user_tags;
CREATE TABLE lkl_user_tags (user_id int, tag text, PRIMARY KEY (user_id, tag));
"""

pool: Optional[ThreadedConnectionPool] = None


def open_pool(dsn):
    global pool
    pool = ThreadedConnectionPool(1, 3, dsn)
    conn = pool.getconn()
    try:
        with conn.cursor() as cur:
            cur.execute(SCHEMA)
        conn.commit()
    finally:
        pool.putconn(conn)


def add_tag(user_id, tag):
    conn = pool.getconn()  # expect: LKL102
    cur = conn.cursor()
    cur.execute("INSERT INTO lkl_user_tags (user_id, tag) VALUES (%s, %s)", (user_id, tag))
    conn.commit()
    cur.close()
    pool.putconn(conn)


def run(dsn, iterations):
    open_pool(dsn)
    outcomes = []
    for request in range(iterations):
        # Every third request sends the previous tag again.
        tag = f"tag-{request - 1}" if request % 3 == 2 else f"tag-{request}"
        try:
            add_tag(7, tag)
            outcomes.append("added")
        except psycopg2.errors.UniqueViolation:
            outcomes.append("duplicate")
        except PoolError:
            outcomes.append(None)
    return outcomes
