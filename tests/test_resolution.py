"""The parts of resolution that the fixtures show only through findings: the
order of base classes, the choice among import alternatives, relative
imports, and the summaries that carry them between modules (and through the
result cache)."""
from __future__ import annotations

import io
import pickle
from typing import Optional

import libcst as cst
import pytest

from leaklint import cache
from leaklint.aliases import choose
from leaklint.catalogue import Acquire, default_catalogue
from leaklint.resolve import Resolver
from leaklint.scopes import ModuleIndex, absolute_module
from leaklint.summaries import ClassSummary, FunctionSummary, InstanceOf, ModuleAlias, Summaries, Wanted

CATALOGUE = default_catalogue()


def resolver_for(code: str, function: Optional[str] = None, *, summaries: Summaries = Summaries()) -> Resolver:
    """The resolver of `function` (None: the module scope) in module `app.mod`."""
    index = ModuleIndex(cst.parse_module(code), "app.mod")
    found = next((f for f in index.functions if f.qualname == function), None)
    return Resolver(CATALOGUE, index, summaries, found)


def acquired_kind(code: str, *, summaries: Summaries = Summaries()) -> Optional[str]:
    """The kind the call on the last line of function `f` acquires (`f` ends with a call)."""
    resolver = resolver_for(code, "f", summaries=summaries)
    call = resolver.function.node.body.body[-1].body[0].value
    acquire = resolver.acquire_of(call)
    return acquire.kind if acquire is not None else None


def test_methods_are_found_in_c3_order():
    code = "class A:\n    pass\nclass B(A):\n    pass\nclass C(A):\n    pass\nclass D(B, C):\n    pass\n"
    classes = resolver_for(code).classes
    assert classes.mro("app.mod.D") == ["app.mod.D", "app.mod.B", "app.mod.C", "app.mod.A"]


def test_an_override_in_the_first_base_wins_over_a_factory_in_the_second():
    code = (
        "import sqlite3\n"
        "class Factory:\n    def connect(self):\n        return sqlite3.connect('x')\n"
        "class Lender:\n    def connect(self):\n        return self.shared\n"
        "class Both(Lender, Factory):\n    pass\n"
    )
    found = resolver_for(code).classes.find_method("app.mod.Both", "connect")
    assert found is not None and found.qualname == "app.mod.Lender.connect"


@pytest.mark.parametrize(
    ("candidates", "chosen"),
    [
        (["pysqlite3.dbapi2.connect", "sqlite3.connect"], "sqlite3.connect"),  # a drop-in outside the catalogue
        (["MySQLdb.connect", "pymysql.connect"], "MySQLdb.connect"),  # released the same way: the preferred
        (["psycopg2.connect", "psycopg.connect"], None),  # `with` only commits in one, closes in the other
        (["vendor.connect", "other.connect"], "vendor.connect"),  # nothing the catalogue knows
    ],
)
def test_alternatives_resolve_to_the_preferred_one_that_agrees(candidates, chosen):
    assert choose(candidates, CATALOGUE) == chosen


@pytest.mark.parametrize(
    ("level", "module", "package", "absolute"),
    [
        (1, "db", "app.store", "app.store.db"),
        (1, "", "app.store", "app.store"),
        (2, "store.db", "app.jobs", "app.store.db"),
        (3, "", "app.jobs", ""),
    ],
)
def test_relative_imports_are_made_absolute(level, module, package, absolute):
    assert absolute_module(level, module, package) == absolute


def test_a_package_init_imports_relative_to_itself():
    index = ModuleIndex(cst.parse_module("from .db import connect\n"), "app.store", is_package=True)
    assert index.bindings.imports["connect"] == "app.store.db.connect"
    index = ModuleIndex(cst.parse_module("from .db import connect\n"), "app.store.jobs")
    assert index.bindings.imports["connect"] == "app.store.db.connect"


def test_a_reexported_driver_resolves_through_the_module_that_exports_it():
    summaries = Summaries([ModuleAlias("app.compat.sqlite", ("pysqlite3.dbapi2", "sqlite3"))])
    code = "from .compat import sqlite\ndef f(path):\n    sqlite.connect(path)\n"
    assert acquired_kind(code, summaries=summaries) == "sqlite3.Connection"


def test_a_project_class_decides_over_the_name_heuristics():
    code = "class Cache:\n    def getconn(self):\n        return self.cached\ndef f(cache: Cache):\n    cache.getconn()\n"
    assert acquired_kind(code) is None
    assert acquired_kind("def f(cache):\n    cache.getconn()\n") is not None  # nothing resolves: the heuristic


def test_a_wanted_name_is_usable_only_by_the_module_that_defines_it():
    wanted = Wanted("app.util.Wrapper.__init__")
    summaries = Summaries([wanted])
    assert wanted in summaries.usable_by(b"class Wrapper:\n    pass\n", "app.util").items().values()
    assert not summaries.usable_by(b"from app.util import Wrapper\nWrapper.__init__\n", "app.other").items()
    assert not summaries.usable_by(b"x = 1\n", "app.util").items()  # it does not name it


def test_a_reexport_is_usable_only_where_it_is_imported_from_its_module():
    alias = ModuleAlias("app.compat.sqlite3", ("sqlite3",))
    summaries = Summaries([alias])
    assert summaries.usable_by(b"from .compat import sqlite3\n", "app.store").items()
    assert summaries.usable_by(b"from . import compat\ncompat.sqlite3.connect()\n", "app.store").items()
    assert not summaries.usable_by(b"import sqlite3\nfrom .compat import other\nsqlite3.connect()\n", "app.store").items()


def test_summaries_of_every_kind_come_back_from_the_result_cache():
    summaries = [
        FunctionSummary("app.db.open_pair", returns_parts=(Acquire("sqlite3.Connection"), None)),
        FunctionSummary("app.db.cursor_for", returns=Acquire("sqlite3.Connection", reached_through="connection")),
        FunctionSummary("app.db.scope", lends=InstanceOf("app.db.Engine")),
        ClassSummary("app.db.Cache", methods=frozenset({"getconn"}), used_through=frozenset({"getconn"})),
        ModuleAlias("app.compat.sqlite3", ("sqlite3",)),
        Wanted("app.util.Wrapper"),
    ]
    data = pickle.dumps(summaries, protocol=cache.PROTOCOL)
    assert cache._Unpickler(io.BytesIO(data)).load() == summaries


FACTORIES = """\
import sqlite3

def cursor_for(path):
    conn = sqlite3.connect(path)
    return conn.cursor()

def handed_on(path):
    cur = cursor_for(path)
    return cur

def connection_for(path):
    conn = sqlite3.connect(path)
    return conn

def either(path, raw):
    conn = sqlite3.connect(path)
    if raw:
        return conn
    return conn.cursor()
"""


def test_a_factory_of_a_cursor_says_its_callers_reach_the_connection_through_it():
    from leaklint.engine import Linter
    from leaklint.source import decode

    _, context, _ = Linter().analyze(decode(FACTORIES.encode()), "app/db.py", Summaries(), "app.db")
    reached = {s.qualname.rpartition(".")[2]: s.returns.reached_through for s in context.facts.summaries}
    # handed on with `return cur`, it stays a cursor; returned as itself on some path, it is the connection
    assert reached == {"cursor_for": "connection", "handed_on": "connection", "connection_for": None, "either": None}
