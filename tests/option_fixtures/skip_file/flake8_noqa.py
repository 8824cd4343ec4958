# flake8: noqa
"""flake8's file-level directive: the whole file is skipped, as flake8 skips it."""
import sqlite3


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()
