"""`ALL` (like `LKL`) leaves LKL900 off: it is opt-in."""
import sqlite3
from contextlib import closing


def load(path):
    with closing(sqlite3.connect(path)) as conn:  # noqa: LKL101
        return conn.execute("select 1").fetchall()


def leak(path):
    conn = sqlite3.connect(path)  # expect: LKL101
    return conn.execute("select 1").fetchall()
