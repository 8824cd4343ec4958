"""psycopg2: ``return`` from inside the iteration over a named cursor.

A named cursor is a server-side cursor: it stays open on the server (with
its portal, its snapshot and its locks) until it is closed or the
transaction ends. Returning from the loop skips ``cur.close()``, and a
worker that keeps its connection piles up one open cursor per call
(visible in pg_cursors).
"""
import uuid
from typing import Optional

import psycopg2
import psycopg2.extensions

SCHEMA = """
DROP TABLE IF EXISTS lkl_invoices;
CREATE TABLE lkl_invoices (id int PRIMARY KEY, days_overdue int NOT NULL);
INSERT INTO lkl_invoices SELECT i, i % 97 FROM generate_series(1, 2000) AS i;
"""

# The worker's connection, kept for the life of the process.
db: Optional[psycopg2.extensions.connection] = None


def connect(dsn):
    global db
    db = psycopg2.connect(dsn)
    with db.cursor() as cur:
        cur.execute(SCHEMA)
    db.commit()


def first_overdue(conn: psycopg2.extensions.connection, min_days):
    cur = conn.cursor(name=f"overdue_{uuid.uuid4().hex}")
    cur.itersize = 100
    cur.execute("SELECT id, days_overdue FROM lkl_invoices ORDER BY id")
    for invoice_id, days in cur:
        if days >= min_days:
            return invoice_id  # expect: LKL301
    cur.close()
    return None


def run(dsn, iterations):
    connect(dsn)
    return [first_overdue(db, 90 - request % 10) for request in range(iterations)]
