"""Fixtures for the integration tests: a PostgreSQL server and a way to watch it.

These tests need a real server. scripts/with-postgres.sh starts a throw-away
one and sets LEAKLINT_TEST_DSN; without it every test here is skipped.
"""
import os
import secrets
from pathlib import Path
from urllib.parse import quote

import pytest

HERE = Path(__file__).parent
DSN_VARIABLE = "LEAKLINT_TEST_DSN"
SKIP_REASON = (
    f"{DSN_VARIABLE} is not set: run the integration tests under "
    "scripts/with-postgres.sh, e.g. scripts/with-postgres.sh python -m pytest "
    "tests/integration -m integration"
)

# (scenario, variant) -> (held, failed requests, requests), for the summary.
MEASURED = {}


def pytest_collection_modifyitems(config, items):
    if os.environ.get(DSN_VARIABLE):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if not MEASURED:
        return
    terminalreporter.section("still held after run(): backends, pool slots, cursors or files")
    for (name, variant), (held, failed, requests) in sorted(MEASURED.items()):
        terminalreporter.write_line(
            f"{name:38} {variant:6} held={held:<3} failed requests={failed}/{requests}"
        )


class Server:
    """Watches the test server through a connection of its own."""

    def __init__(self, dsn):
        try:
            import psycopg2
        except ImportError:  # pragma: no cover - depends on the environment
            pytest.fail(
                "the database drivers are missing: "
                "pip install -r tests/integration/requirements.txt"
            )
        self.dsn = dsn
        self.conn = psycopg2.connect(self.dsn_for("leaklint-monitor"))
        self.conn.autocommit = True

    def dsn_for(self, application_name):
        separator = "&" if "?" in self.dsn else "?"
        return f"{self.dsn}{separator}application_name={quote(application_name)}"

    def new_tag(self, scenario, variant):
        # application_name keeps 63 bytes; the random part keeps runs apart.
        return f"lkl-{variant}-{scenario}"[:52] + "-" + secrets.token_hex(4)

    def backends(self, tag):
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (tag,)
            )
            return cur.fetchone()[0]

    def terminate(self, tag):
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (tag,),
            )

    def close(self):
        self.conn.close()


@pytest.fixture(scope="session")
def server():
    dsn = os.environ.get(DSN_VARIABLE)
    if not dsn:
        pytest.skip(SKIP_REASON)
    watcher = Server(dsn)
    yield watcher
    watcher.close()


@pytest.fixture(scope="session")
def measured():
    return MEASURED


@pytest.fixture(scope="session")
def leaky_outcomes():
    """Outcomes of the leaky runs, shared by the tests that compare with them."""
    return {}
