"""A factory: linted for its summary with --project-context, never reported."""
import psycopg2


def open_connection():
    conn = psycopg2.connect("dbname=app")
    conn.set_session(autocommit=True)
    return conn


def leaky_but_not_reported():
    conn = psycopg2.connect("dbname=app")
    conn.cursor().execute("select 1")
