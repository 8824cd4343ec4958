"""LKL900 selected in [tool.leaklint]: stale suppressions are reported."""
import sqlite3
from contextlib import closing


def load(path):
    with closing(sqlite3.connect(path)) as conn:  # noqa: LKL101  # expect: LKL900
        return conn.execute("select 1").fetchall()


def leak(path):
    conn = sqlite3.connect(path)  # noqa: LKL101, LKL102  # expect: LKL900
    return conn.execute("select 1").fetchall()
