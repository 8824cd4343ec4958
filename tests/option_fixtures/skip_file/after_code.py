"""After code, `# flake8: noqa` skips nothing (flake8 warns and lints the file)."""
import sqlite3

VERSION = 1  # flake8: noqa


def load(path):
    conn = sqlite3.connect(path)  # expect: LKL101
    return conn.execute("select 1").fetchall()
