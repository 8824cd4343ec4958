"""The only file named on the command line: the factory in db.py is known."""
from db import open_connection


def run():
    conn = open_connection()  # expect: LKL101
    conn.cursor().execute("select 1")
