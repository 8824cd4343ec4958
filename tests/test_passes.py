"""The summary passes (`leaklint.passes`) are the same for every front end:
the command line (in this process and with workers), the fixer and the
flake8 plugin get the same summaries from them."""
from __future__ import annotations

from pathlib import Path

import pytest

from leaklint import cli, fixer, passes, runner
from leaklint.flake8_plugin import Plugin

FIXTURES = Path(__file__).parent / "fixtures"

OWN_HELPERS = '''\
import sqlite3


def open_db(path):
    return sqlite3.connect(path)


def open_checked(path):
    conn = open_db(path)
    conn.execute("pragma foreign_keys = on")
    return conn


def load(path):
    conn = open_checked(path)
    return conn.execute("select 1").fetchall()
'''


class Runs:
    """The results of `lint_project` as the named modules call it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
        self.results: list = []

        def recording(files, progress=None):
            run = passes.lint_project(files, progress)
            self.results.append(run)
            return run

        for module in modules:
            monkeypatch.setattr(f"leaklint.{module}.lint_project", recording)

    def only(self):
        (run,) = self.results
        self.results.clear()
        return run


def summaries_of(run) -> tuple[list, list]:
    """What each file exports, and what it was linted with."""
    return [result.summaries for result in run.files], run.linted_with


@pytest.mark.parametrize("folder", ["project_helpers", "project_package"])
def test_the_command_line_and_the_fixer_get_the_same_summaries(folder: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runs = Runs(monkeypatch, "runner", "fixer")
    pools = []
    start = runner._Workers._pool

    def recording_pool(workers, tasks):
        pools.append(start(workers, tasks))
        return pools[-1]

    monkeypatch.setattr(runner._Workers, "_pool", recording_pool)
    target = str(FIXTURES / folder)
    options = ["--isolated", "--no-cache", "--exit-zero", "--quiet", "--format", "json"]
    assert cli.main([*options, "--jobs", "1", target]) == 0
    serial = runs.only()
    assert not pools
    assert cli.main([*options, "--jobs", "2", target]) == 0
    with_workers = runs.only()
    assert pools and all(pool is not None for pool in pools)
    fixed_with = {}
    fix_text = fixer.fix_text

    def recording_fix_text(source, path, linter, **settings):
        fixed_with[path] = set(settings["summaries"].items().values())
        return fix_text(source, path, linter, **settings)

    monkeypatch.setattr("leaklint.fixer.fix_text", recording_fix_text)
    assert cli.main(["--isolated", "--no-cache", "--exit-zero", "--diff", "--unsafe-fixes", target]) == 0
    fixing = runs.only()

    assert [f.path for f in serial.files] == [f.path for f in fixing.files]
    assert summaries_of(serial) == summaries_of(with_workers) == summaries_of(fixing)
    assert serial.files == with_workers.files == fixing.files
    assert any(serial.linted_with), "a module of the project uses another one's helper"
    assert any(fixed_with.values()), "a file with fixable findings uses another module's helper"
    paths = [f.path for f in serial.files]
    for path, used in fixed_with.items():
        assert used == set(serial.linted_with[paths.index(path)])


def test_the_flake8_plugin_gets_the_own_module_summaries_the_command_line_gets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "service.py"
    path.write_text(OWN_HELPERS, encoding="utf-8")
    runs = Runs(monkeypatch, "runner", "flake8_plugin")
    assert cli.main(["--isolated", "--no-cache", "--quiet", "--format", "json", str(path)]) == 1
    command_line = runs.only()
    reports = list(Plugin(None, OWN_HELPERS.splitlines(keepends=True), str(path)).run())
    plugin = runs.only()

    (result,) = command_line.files
    assert {s.qualname for s in result.summaries} == {"service.open_db", "service.open_checked"}
    assert summaries_of(plugin) == summaries_of(command_line) == ([result.summaries], [()])
    assert [(line, code.split()[0]) for line, _, code, _ in reports] == [(d.line, d.code) for d in result.diagnostics]
    assert [d.code for d in result.diagnostics] == ["LKL101"]  # `load` calls a factory of a factory


HELPERS = '''\
import sqlite3


def open_db(path):
    return sqlite3.connect(path)


def close_quietly(conn):
    conn.close()
'''


def parses_and_findings(tmp_path, caller: str) -> tuple[int, int, list[str]]:
    """(LibCST parses, files parsed twice, finding codes) of linting a helper module and `caller`."""
    from leaklint import stats
    from leaklint.engine import Linter

    (tmp_path / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (tmp_path / "caller.py").write_text(caller, encoding="utf-8")
    before = stats.Stats(**vars(stats.STATS))
    run = Linter().lint_files([str(tmp_path / "helpers.py"), str(tmp_path / "caller.py")])
    return stats.STATS.parsed - before.parsed, stats.STATS.parsed_again - before.parsed_again, [d.code for d in run.diagnostics]


def test_a_summary_the_caller_never_looks_up_costs_no_second_parse(tmp_path):
    caller = "import sqlite3\nimport helpers\n\n\ndef work(path):\n    # open_db would do too\n    with sqlite3.connect(path) as conn:\n        helpers.close_quietly\n"
    parses, again, codes = parses_and_findings(tmp_path, caller)
    assert (parses, again) == (2, 0)
    assert codes == ["LKL104"]


def test_a_summary_the_caller_uses_lints_it_again(tmp_path):
    caller = "import helpers\n\n\ndef work(path):\n    conn = helpers.open_db(path)\n    conn.execute('select 1')\n"
    parses, again, codes = parses_and_findings(tmp_path, caller)
    assert codes == ["LKL101"]
    assert again <= 1 and parses == 2 + again


CONSTANTS_ONLY = "import sqlite3\n\nFLAGS = sqlite3.PARSE_DECLTYPES\n\n\ndef close_quietly(conn):\n    conn.close()\n"


@pytest.mark.parametrize(
    "code, names",
    [
        (CONSTANTS_ONLY, False),
        ("import sqlite3\n\n\ndef f(p):\n    return sqlite3.connect(p)\n", True),
        ("from sqlite3 import connect\n", True),
        ("import sqlite3 as db\nopen_db = db.connect\n", True),
        ("import sqlite3\n\n\ndef f(c: 'sqlite3.Connection'):\n    c.close()\n", True),
        ("import sqlite3\nmodule = sqlite3\nmodule.connect(':memory:')\n", True),  # not followed
        ("import sqlite3\nmodule = sqlite3\n", False),  # nothing can acquire without a name that does
        ("from sqlite3 import *\nconn = connect(':memory:')\n", True),
        ("import sqlite3\ndef broken(:\n", True),  # LibCST reports it
    ],
)
def test_only_a_file_that_names_nothing_acquiring_can_be_deferred(code: str, names: bool):
    from leaklint.catalogue import default_catalogue
    from leaklint.catalogue.named import helpers_without_acquisition

    helpers = helpers_without_acquisition(code.encode(), default_catalogue())
    assert (helpers is None) is names
    assert names or helpers == ({"close_quietly"} if "close_quietly" in code else set())


HELPER_SHAPES = """\
import socket


def stores(self, conn):
    self.conn = conn


def releases(pool, conn):
    pool.putconn(conn)


def calls_and_returns(make):
    return make()


def outer(conn):
    def inner(timeout):
        conn.close()  # inside `inner`, but it releases the parameter of `outer`
    return inner


class Holder:
    def keep(self, sock):
        self.items[0] = sock


def reads_only(conn, sql):
    return conn.execute(sql)


def closes_its_own():
    sock = socket.create_server(("", 0))
    sock.close()
"""


def test_the_second_look_names_the_functions_that_hand_a_parameter_on():
    import ast

    from leaklint.catalogue import default_catalogue
    from leaklint.catalogue.named import _helpers

    found = _helpers(ast.parse(HELPER_SHAPES), default_catalogue().release_methods)
    assert found == {"stores", "releases", "calls_and_returns", "outer", "keep"}


def test_a_deferred_helper_is_linted_when_another_file_needs_its_summary(tmp_path):
    from leaklint.engine import Linter

    (tmp_path / "helpers.py").write_text(CONSTANTS_ONLY, encoding="utf-8")
    (tmp_path / "unused.py").write_text(CONSTANTS_ONLY, encoding="utf-8")
    caller = "import sqlite3\nimport helpers\n\n\ndef work(path):\n    conn = sqlite3.connect(path)\n    helpers.close_quietly(conn)\n"
    (tmp_path / "caller.py").write_text(caller, encoding="utf-8")
    helper, unused, used = Linter().lint_files([str(tmp_path / name) for name in ("helpers.py", "unused.py", "caller.py")]).files
    assert not helper.deferred and helper.parsed and [s.qualname for s in helper.summaries] == ["helpers.close_quietly"]
    assert unused.deferred and not unused.parsed
    assert used.diagnostics == []  # the helper's summary says it closes the connection


def test_a_deferred_file_stays_unparsed_when_the_names_looked_up_in_it_are_no_helpers(tmp_path):
    from leaklint.engine import Linter

    (tmp_path / "helpers.py").write_text(CONSTANTS_ONLY + "\n\ndef describe(conn):\n    return str(conn)\n", encoding="utf-8")
    caller = "import sqlite3\nimport helpers\n\n\ndef work(path):\n    conn = sqlite3.connect(path)\n    helpers.describe(conn)\n"
    (tmp_path / "caller.py").write_text(caller, encoding="utf-8")
    helper, used = Linter().lint_files([str(tmp_path / "helpers.py"), str(tmp_path / "caller.py")]).files
    assert helper.deferred and helper.helpers == ("close_quietly",)
    assert [d.code for d in used.diagnostics] == ["LKL101"]


IMPORT_SHAPES = b"""\
import os, sqlite3 as db
from app.compat import (
    sqlite3,
    connect,
)
from . import helpers; import psycopg2
try: import redis
except ImportError: redis = None
def reimport(fromage): pass
value = yield_from = 1
raise ValueError("x") from error
from \\
    pkg import tool
"""


def test_the_quick_scan_of_imports_finds_the_words_of_every_import_statement():
    """What the passes read to know which summaries a file could use: the
    same words as the full pattern, and no line naming two words together
    that no statement names together."""
    from leaklint.summaries import IMPORTS, WORD, import_lines

    quick, full = import_lines(IMPORT_SHAPES), IMPORTS.findall(IMPORT_SHAPES)
    assert set(WORD.findall(b"\n".join(quick))) == set(WORD.findall(b"\n".join(full)))
    assert {b"compat", b"connect", b"helpers", b"psycopg2", b"redis", b"error"} <= set(WORD.findall(b"\n".join(quick)))
    assert not {b"fromage", b"reimport", b"yield_from"} & set(WORD.findall(b"\n".join(quick)))
    assert all(any(line in statement for statement in full) for line in quick)


@pytest.mark.parametrize("text", ["x = 1  # NOQA\n", "# LeakLint: skip-file\n", "x = 1  # noqa: LKL101\n"])
def test_directives_are_found_whatever_their_case(text):
    from leaklint import suppressions

    assert suppressions.might_have_directives(text)
    assert not suppressions.might_have_directives(text.lower().replace("noqa", "").replace("leaklint", ""))


@pytest.mark.parametrize(
    "text, kept",
    [
        (b"import sqlite3\n", True),
        (b"x = 1; import psycopg2\n", True),
        (b"try: import redis\nexcept ImportError: pass\n", True),
        (b"import os, json as j, \\\n    sqlite3\n", True),
        (b"from psycopg2.extras import RealDictCursor\n", True),
        (b"from \\\n  sqlite3 import connect\n", True),
        (b"reimport sqlite3\n", False),
        (b"fromsqlite3 = 1\n", False),
        (b"import sqlite3x\n", False),
        (b"# sqlite3 is mentioned, never imported\n", False),
    ],
)
def test_the_byte_prefilter_keeps_a_file_for_an_import_of_a_catalogue_module(text, kept):
    from leaklint.catalogue import Prefilter, default_catalogue

    prefilter = Prefilter(default_catalogue().prefilter_parts())
    assert (prefilter.reason(text) == "import") is kept
