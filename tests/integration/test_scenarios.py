"""Each scenario leaks for real, leaklint finds it, and its fix stops the leak.

For every module in scenarios/:
  (a) the leaky code, run against the server, holds connections afterwards
      (or made requests fail on an exhausted pool);
  (b) ``leaklint --format json`` reports exactly the ``# expect:`` markers;
  (c) ``leaklint --fix`` rewrites the file into one leaklint finds clean;
  (d) the fixed code, run the same way, holds nothing beyond the pool's idle
      connections and returns what the leaky code returned.
Modules are imported from copies in a temporary directory, never in place.
"""
import asyncio
import gc
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

pytestmark = [
    pytest.mark.integration,
    # The leaks themselves warn (unawaited close(), unclosed connections).
    pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore:The garbage collector is trying to clean up"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

SCENARIOS_DIR = Path(__file__).parent / "scenarios"
EXPECT = re.compile(r"#\s*expect:\s*(LKL\d{3}(?:\s*,\s*LKL\d{3})*)")
JSON_KEYS = {"code", "name", "message", "path", "line", "column", "end_line", "end_column", "fix"}
RUN_TIMEOUT = 60
SETTLE_SECONDS = 2  # for a pool's background work to finish before counting


# -- how much each scenario still holds after run() ----------------------------

def psycopg2_pool_held(module, probe):
    # psycopg2's pool has no public counters; _pool is its idle list.
    return probe.backends() - len(module.pool._pool)


def asyncpg_pool_held(module, probe):
    return probe.backends() - module.pool.get_idle_size()


def psycopg_pool_held(module, probe):
    # A dropped pooled connection is closed when collected, but its slot
    # stays taken: count slots, not backends. `pool_size` also counts a
    # connection the pool is still opening in the background (it grows while
    # a request waits), so give that one a moment to become available.
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        stats = module.pool.get_stats()
        held = stats["pool_size"] - stats["pool_available"]
        if held == 0 or time.monotonic() > deadline:
            return held
        time.sleep(0.05)


def sqlalchemy_pool_held(module, probe):
    return probe.backends() - module.engine.pool.checkedin()


def open_server_cursors(module, probe):
    # pg_cursors only shows the cursors of the session that asks.
    with module.db.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_cursors")
        return cur.fetchone()[0]


def open_backends(module, probe):
    return probe.backends()


def open_database_files(module, probe):
    target = os.path.realpath(probe.target)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == target
        except OSError:
            pass
    return count


# -- how each scenario's long-lived objects are shut down ----------------------

def close_psycopg2_pool(module):
    if module.pool is not None:
        module.pool.closeall()  # closes checked-out connections too


def terminate_asyncpg_pool(module):
    if module.pool is not None:
        module.pool.terminate()  # close() would wait for the leaked ones


def close_psycopg_pool(module):
    if module.pool is not None:
        module.pool.close(timeout=1)


async def dispose_engine(module):
    if module.engine is not None:
        await module.engine.dispose()


def close_worker_connection(module):
    if module.db is not None:
        module.db.close()


def nothing(module):
    pass


@dataclass(frozen=True)
class Scenario:
    name: str
    iterations: int
    held: Callable[[Any, "Probe"], int]
    shutdown: Callable[[Any], Any]
    # A connection that nothing refers to is closed by reference counting
    # as soon as the function returns, which hides the leak. For these
    # scenarios the harness keeps what ``<keep>.connect()`` returned, as a
    # cache, a traceback or a reference cycle would, and counts which of
    # them the code left open.
    keep: Optional[str] = None
    sqlite: bool = False


SCENARIOS = [
    Scenario("psycopg2_getconn_no_putconn", 10, psycopg2_pool_held, close_psycopg2_pool),
    Scenario("psycopg2_putconn_skipped_by_exception", 12, psycopg2_pool_held, close_psycopg2_pool),
    Scenario("psycopg2_return_before_putconn", 12, psycopg2_pool_held, close_psycopg2_pool),
    Scenario("asyncpg_acquire_never_released", 100, asyncpg_pool_held, terminate_asyncpg_pool),
    Scenario("asyncpg_except_swallows_release", 20, asyncpg_pool_held, terminate_asyncpg_pool),
    Scenario("sqlalchemy_async_session_not_closed", 100, sqlalchemy_pool_held, dispose_engine),
    Scenario("psycopg2_named_cursor_early_return", 10, open_server_cursors, close_worker_connection),
    Scenario("asyncpg_close_not_awaited", 8, open_backends, nothing, keep="asyncpg"),
    Scenario("sqlite_with_connect", 10, open_database_files, nothing, keep="sqlite3", sqlite=True),
    Scenario("psycopg_pool_with_getconn", 4, psycopg_pool_held, close_psycopg_pool),
]
by_name = pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])


# -- running a copy ------------------------------------------------------------

@dataclass
class Outcome:
    result: Any
    held: int
    failed: int


class Probe:
    def __init__(self, server, tag, target):
        self.server = server
        self.tag = tag
        self.target = target
        self.kept = []

    def backends(self):
        return self.server.backends(self.tag)


def load(path):
    name = f"_scenario_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # SQLAlchemy's declarative classes look it up
    spec.loader.exec_module(module)
    return module


@contextmanager
def keeping(module_name, kept):
    """Keep every connection that ``module_name.connect`` returns."""
    if module_name is None:
        yield
        return
    driver = importlib.import_module(module_name)
    real = driver.connect
    if inspect.iscoroutinefunction(real):
        async def connect(*args, **kwargs):
            kept.append(await real(*args, **kwargs))
            return kept[-1]
    else:
        def connect(*args, **kwargs):
            kept.append(real(*args, **kwargs))
            return kept[-1]
    driver.connect = connect
    try:
        yield
    finally:
        driver.connect = real


def release(scenario, module, probe):
    for conn in probe.kept:
        # asyncpg's close() is a coroutine; terminate() is not.
        getattr(conn, "terminate", conn.close)()
    if not scenario.sqlite:
        probe.server.terminate(probe.tag)


def run_sync(scenario, module, probe):
    try:
        with keeping(scenario.keep, probe.kept):
            result = module.run(probe.target, scenario.iterations)
        return result, scenario.held(module, probe)
    finally:
        try:
            scenario.shutdown(module)
        finally:
            release(scenario, module, probe)


async def run_async(scenario, module, probe):
    try:
        with keeping(scenario.keep, probe.kept):
            result = await asyncio.wait_for(
                module.run(probe.target, scenario.iterations), RUN_TIMEOUT
            )
        return result, scenario.held(module, probe)
    finally:
        # Let objects the leaky code dropped be finalised while the loop runs.
        gc.collect()
        try:
            closing = scenario.shutdown(module)
            if inspect.isawaitable(closing):
                await closing
        finally:
            release(scenario, module, probe)


def execute(scenario, path, variant, server, tmp_path, measured):
    module = load(path)
    tag = server.new_tag(scenario.name, variant)
    if scenario.sqlite:
        target = str(tmp_path / f"{variant}.sqlite3")
    else:
        target = server.dsn_for(tag)
    probe = Probe(server, tag, target)
    try:
        if inspect.iscoroutinefunction(module.run):
            result, held = asyncio.run(run_async(scenario, module, probe))
        else:
            result, held = run_sync(scenario, module, probe)
    finally:
        sys.modules.pop(module.__name__, None)
    failed = result.count(None) if isinstance(result, list) else 0
    measured[scenario.name, variant] = (held, failed, scenario.iterations)
    return Outcome(result, held, failed)


def copy_of(scenario, directory):
    directory.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SCENARIOS_DIR / f"{scenario.name}.py", directory))


def leaky_outcome(scenario, server, tmp_path, leaky_outcomes, measured):
    if scenario.name not in leaky_outcomes:
        path = copy_of(scenario, tmp_path / "leaky")
        leaky_outcomes[scenario.name] = execute(
            scenario, path, "leaky", server, tmp_path, measured
        )
    return leaky_outcomes[scenario.name]


# -- running leaklint ----------------------------------------------------------

def leaklint(*args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "leaklint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "No module named leaklint" in proc.stderr:
        pytest.fail("leaklint is not importable here: pip install -e . first")
    assert proc.returncode in (0, 1), f"leaklint exited {proc.returncode}:\n{proc.stderr}"
    return proc


def findings(path):
    proc = leaklint("--format", "json", path.name, cwd=path.parent)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"leaklint did not print JSON:\n{proc.stdout}\n{proc.stderr}")


def expected_findings(path):
    pairs = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            pairs += [(code.strip(), number) for code in match.group(1).split(",")]
    return sorted(pairs)


@pytest.fixture(scope="session")
def fixed_copies(tmp_path_factory):
    """One ``leaklint --fix``-ed copy per scenario, shared by (c) and (d)."""
    copies = {}

    def fixed_copy(scenario):
        if scenario.name not in copies:
            path = copy_of(scenario, tmp_path_factory.mktemp("fixed"))
            leaklint("--fix", path.name, cwd=path.parent)
            copies[scenario.name] = path
        return copies[scenario.name]

    return fixed_copy


def same_where_completed(leaky, fixed):
    """The fixed result equals the leaky one on every request both served."""
    if isinstance(leaky, list) and None in leaky and len(leaky) == len(fixed):
        return all(old is None or old == new for old, new in zip(leaky, fixed))
    return leaky == fixed


# -- the tests -----------------------------------------------------------------

def test_every_scenario_module_is_run():
    modules = {p.stem for p in SCENARIOS_DIR.glob("*.py") if p.stem != "__init__"}
    assert modules == {s.name for s in SCENARIOS}
    for name in modules:
        assert expected_findings(SCENARIOS_DIR / f"{name}.py"), f"{name} has no # expect: marker"


@by_name
def test_leaky_version_leaks(scenario, server, tmp_path, leaky_outcomes, measured):
    outcome = leaky_outcome(scenario, server, tmp_path, leaky_outcomes, measured)
    assert outcome.held > 0 or outcome.failed > 0, (
        f"{scenario.name} did not leak: held={outcome.held}, failed={outcome.failed}"
    )


@by_name
def test_leaklint_reports_expected(scenario, tmp_path):
    path = copy_of(scenario, tmp_path)
    reported = findings(path)
    for finding in reported:
        assert JSON_KEYS <= finding.keys(), finding
    assert sorted((f["code"], f["line"]) for f in reported) == expected_findings(path)


@by_name
def test_fix_rewrites_the_leak(scenario, fixed_copies):
    original = (SCENARIOS_DIR / f"{scenario.name}.py").read_text()
    path = fixed_copies(scenario)
    fixed = path.read_text()
    assert fixed != original
    compile(fixed, str(path), "exec")
    assert findings(path) == []


@by_name
def test_fixed_version_releases(scenario, server, tmp_path, leaky_outcomes, measured, fixed_copies):
    leaky = leaky_outcome(scenario, server, tmp_path, leaky_outcomes, measured)
    path = fixed_copies(scenario)
    original = (SCENARIOS_DIR / f"{scenario.name}.py").read_text()
    assert path.read_text() != original, "leaklint --fix left the file unchanged"
    fixed = execute(scenario, path, "fixed", server, tmp_path, measured)
    assert fixed.held == 0
    assert fixed.failed == 0
    assert same_where_completed(leaky.result, fixed.result), (leaky.result, fixed.result)
