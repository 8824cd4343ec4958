"""psycopg 3 + psycopg_pool: ``with pool.getconn() as conn:``.

A pooled connection's ``with`` commits or rolls back, but neither closes
the connection nor gives it back to the pool (that is what
``with pool.connection()`` is for). Each call keeps a slot: the dropped
connection is closed when it is garbage-collected, but the pool still counts
it as in use. Once max_size slots are gone, getconn() waits ``timeout``
seconds and raises PoolTimeout.
"""
from typing import Optional

from psycopg_pool import ConnectionPool, PoolTimeout

SCHEMA = """
DROP TABLE IF EXISTS lkl_stock;
CREATE TABLE lkl_stock (sku int PRIMARY KEY, quantity int NOT NULL);
INSERT INTO lkl_stock SELECT i, i * 3 FROM generate_series(1, 10) AS i;
"""

pool: Optional[ConnectionPool] = None


def open_pool(dsn):
    global pool
    pool = ConnectionPool(dsn, min_size=1, max_size=3, timeout=1, open=True)
    with pool.connection() as conn:
        conn.execute(SCHEMA)


def take_one(sku):
    with pool.getconn() as conn:  # expect: LKL104
        row = conn.execute(
            "UPDATE lkl_stock SET quantity = quantity - 1 WHERE sku = %s RETURNING quantity",
            (sku,),
        ).fetchone()
        return row[0]


def run(dsn, iterations):
    open_pool(dsn)
    left = []
    for request in range(iterations):
        try:
            left.append(take_one(request % 10 + 1))
        except PoolTimeout:
            left.append(None)
    return left
