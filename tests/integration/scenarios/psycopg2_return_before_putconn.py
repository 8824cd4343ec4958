"""psycopg2: a guard clause returns between getconn() and putconn().

The ``try/finally`` that gives the connection back starts one statement too
late: an empty batch returns early and keeps its connection.
"""
from typing import Optional

from psycopg2.pool import PoolError, ThreadedConnectionPool

SCHEMA = """
DROP TABLE IF EXISTS lkl_orders;
CREATE TABLE lkl_orders (id int PRIMARY KEY, total_cents int NOT NULL);
INSERT INTO lkl_orders SELECT i, i * 125 FROM generate_series(1, 100) AS i;
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


def order_totals(order_ids):
    conn = pool.getconn()
    if not order_ids:
        return {}  # expect: LKL103
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT id, total_cents FROM lkl_orders WHERE id = ANY(%s)",
                (list(order_ids),),
            )
            return dict(cur.fetchall())
    finally:
        pool.putconn(conn)


def run(dsn, iterations):
    open_pool(dsn)
    totals = []
    for request in range(iterations):
        # Every fourth batch is empty, as when a cart holds nothing.
        batch = [] if request % 4 == 0 else [request, request + 1, request + 2]
        try:
            totals.append(order_totals(batch))
        except PoolError:
            totals.append(None)
    return totals
