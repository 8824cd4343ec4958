"""A module adopted with a baseline: its old leaks are listed in baseline.json
(by function and code, not by line: the lines above them moved since)."""
import sqlite3

from psycopg2.pool import ThreadedConnectionPool

pool = ThreadedConnectionPool(1, 10, "dbname=app")
VERSION = 2  # added after the baseline was written: every line below moved


def load(path):
    conn = sqlite3.connect(path)  # in the baseline
    return conn.execute("select 1").fetchall()


def count_users():
    conn = pool.getconn()  # in the baseline
    cur = conn.cursor()
    cur.execute("select count(*) from users")
    pool.putconn(conn)


def load_twice(path):
    first = sqlite3.connect(path)  # in the baseline (count 1)
    second = sqlite3.connect(path)  # expect: LKL101
    return first.execute("select 1").fetchall() + second.execute("select 1").fetchall()


def new_code(path):
    conn = sqlite3.connect(path)  # expect: LKL101
    return conn.execute("select 2").fetchall()
