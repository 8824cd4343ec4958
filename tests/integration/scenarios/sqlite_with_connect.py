"""sqlite3: ``with sqlite3.connect(path) as db:`` does not close the connection.

The connection's ``with`` only commits or rolls back. After the block the
connection is still open and usable, and keeps its file descriptor (and,
on Windows, the file) for as long as anything refers to it.
"""
import sqlite3

SCHEMA = """
DROP TABLE IF EXISTS notes;
CREATE TABLE notes (id INTEGER PRIMARY KEY, tag TEXT NOT NULL, body TEXT NOT NULL);
"""


def create_schema(path):
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO notes (tag, body) VALUES (?, ?)",
            [(f"tag-{i % 4}", f"note {i}") for i in range(40)],
        )
        db.commit()
    finally:
        db.close()


def notes_tagged(path, tag):
    with sqlite3.connect(path) as db:  # expect: LKL104
        return db.execute("SELECT count(*) FROM notes WHERE tag = ?", (tag,)).fetchone()[0]


def run(path, iterations):
    create_schema(path)
    return [notes_tagged(path, f"tag-{request % 5}") for request in range(iterations)]
