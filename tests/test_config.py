"""[tool.leaklint]: each option changes what `leaklint` reports (a test per
option that fails if the option is ignored), user resources extend the
catalogue, and a bad configuration is one line on stderr and exit 2."""
from __future__ import annotations

import json
import textwrap

import pytest

from leaklint.cli import main
from leaklint.config import ConfigError, Layer, enabled_codes, find_config, load_config

KNOWN = ("LKL000", "LKL101", "LKL102", "LKL103", "LKL104", "LKL105")

# LKL101 at line 5, LKL102 at line 10, LKL104 at line 16
SAMPLE = '''\
import sqlite3


def never_closed(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()


def not_guaranteed(path):
    conn = sqlite3.connect(path)
    conn.execute("select 1")
    conn.close()


def txn_only(path):
    with sqlite3.connect(path) as conn:
        conn.execute("select 1")
'''

# a team's own acquire/release pair: nothing in the default catalogue knows it
USER_PAIR = '''\
from myapp.db import get_db_connection, release_db_connection


def released(user_id):
    conn = get_db_connection()
    try:
        return conn.execute("select 1")
    finally:
        release_db_connection(conn)


def leaked(user_id):
    conn = get_db_connection()
    return conn.execute("select 1")


def not_guaranteed(user_id):
    conn = get_db_connection()
    conn.execute("select 1")
    release_db_connection(conn)
'''


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def lint(capsys, *args):
    """(exit status, {(path, line, code)}, stderr) of an in-process run."""
    status = main(["--format", "json", *args])
    captured = capsys.readouterr()
    found = json.loads(captured.out) if captured.out.strip() else []
    return status, {(d["path"], d["line"], d["code"]) for d in found}, captured.err


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "app" / "sample.py", SAMPLE)
    return tmp_path


def configure(project, body):
    write(project / "pyproject.toml", "[project]\nname = 'demo'\n\n[tool.leaklint]\n" + textwrap.dedent(body))


def codes(found):
    return sorted(code for _, _, code in found)


# -- finding the file ---------------------------------------------------------------


def test_nearest_pyproject_with_a_leaklint_table(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.leaklint]\nselect = ['LKL104']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")  # no [tool.leaklint]: skipped
    (tmp_path / "pkg" / "src").mkdir()
    assert find_config(str(tmp_path / "pkg" / "src")) == str(tmp_path / "pyproject.toml")
    config = load_config(start=str(tmp_path / "pkg" / "src"), known_codes=KNOWN)
    assert config.select == ("LKL104",)
    assert config.root == str(tmp_path)


def test_no_configuration_means_defaults(tmp_path):
    config = load_config(start=str(tmp_path), known_codes=KNOWN)
    assert config.path is None and config.select is None and not config.resources


def test_config_is_searched_upward_from_the_current_directory(project, capsys, monkeypatch):
    configure(project, "select = ['LKL104']\n")
    monkeypatch.chdir(project / "app")
    status, found, _ = lint(capsys, "sample.py")
    assert codes(found) == ["LKL104"]


def test_config_option_chooses_the_file(project, capsys):
    configure(project, "select = ['LKL101']\n")
    write(project / "other.toml", "[tool.leaklint]\nselect = ['LKL102']\n")
    _, found, _ = lint(capsys, "--config", "other.toml", "app")
    assert codes(found) == ["LKL102"]


def test_isolated_ignores_the_configuration(project, capsys):
    configure(project, "select = ['LKL101']\n")
    _, found, _ = lint(capsys, "--isolated", "app")
    assert codes(found) == ["LKL101", "LKL102", "LKL104"]


# -- each option ---------------------------------------------------------------------------


def test_select(project, capsys):
    configure(project, "select = ['LKL104']\n")
    assert codes(lint(capsys, "app")[1]) == ["LKL104"]


def test_extend_select(project, capsys):
    configure(project, "select = ['LKL104']\nextend-select = ['LKL101']\n")
    assert codes(lint(capsys, "app")[1]) == ["LKL101", "LKL104"]


def test_ignore(project, capsys):
    configure(project, "ignore = ['LKL101', 'LKL104']\n")
    assert codes(lint(capsys, "app")[1]) == ["LKL102"]


def test_ignore_by_prefix_and_specific_select_wins(project, capsys):
    configure(project, "ignore = ['LKL1']\nextend-select = ['LKL102']\n")
    assert codes(lint(capsys, "app")[1]) == ["LKL102"]


def test_command_line_select_replaces_the_configured_selection(project, capsys):
    configure(project, "select = ['LKL104']\nignore = ['LKL101']\n")
    assert codes(lint(capsys, "--select", "LKL101", "app")[1]) == ["LKL101"]


def test_command_line_ignore_adds_to_the_configured_selection(project, capsys):
    configure(project, "select = ['LKL101', 'LKL104']\n")
    assert codes(lint(capsys, "--ignore", "LKL104", "app")[1]) == ["LKL101"]


def test_exclude(project, capsys):
    configure(project, "exclude = ['generated/']\n")
    write(project / "app" / "generated" / "models.py", SAMPLE)
    write(project / "build" / "lib.py", SAMPLE)  # exclude replaces the defaults: build/ is linted now
    _, found, _ = lint(capsys, ".")
    paths = {path.replace("\\", "/") for path, _, _ in found}
    assert paths == {"app/sample.py", "build/lib.py"}


def test_extend_exclude_keeps_the_defaults(project, capsys):
    configure(project, "extend-exclude = ['app/generated']\n")
    write(project / "app" / "generated" / "models.py", SAMPLE)
    write(project / "build" / "lib.py", SAMPLE)
    _, found, _ = lint(capsys, ".")
    assert {path.replace("\\", "/") for path, _, _ in found} == {"app/sample.py"}


def test_anchored_exclude_is_relative_to_the_configuration(project, capsys):
    configure(project, "extend-exclude = ['app/generated']\n")
    write(project / "app" / "generated" / "models.py", SAMPLE)
    _, found, _ = lint(capsys, "app")  # walked from app/, the pattern still names app/generated
    assert {path.replace("\\", "/") for path, _, _ in found} == {"app/sample.py"}


def test_explicit_files_are_linted_unless_force_exclude(project, capsys):
    configure(project, "extend-exclude = ['app/generated']\n")
    target = write(project / "app" / "generated" / "models.py", SAMPLE)
    assert lint(capsys, str(target))[1]
    status, found, _ = lint(capsys, "--force-exclude", str(target))
    assert status == 0 and not found


def test_per_file_ignores(project, capsys):
    configure(project, "[tool.leaklint.per-file-ignores]\n'tests/**' = ['LKL101']\n'conftest.py' = ['LKL1']\n")
    write(project / "tests" / "unit" / "test_x.py", SAMPLE)
    write(project / "conftest.py", SAMPLE)
    _, found, _ = lint(capsys, ".")
    by_path: dict = {}
    for path, _, code in found:
        by_path.setdefault(path.replace("\\", "/"), []).append(code)
    assert sorted(by_path["app/sample.py"]) == ["LKL101", "LKL102", "LKL104"]
    assert sorted(by_path["tests/unit/test_x.py"]) == ["LKL102", "LKL104"]
    assert "conftest.py" not in by_path


# -- user resources --------------------------------------------------------------------


def test_user_resource_with_release_function(project, capsys):
    write(project / "svc.py", USER_PAIR)
    assert lint(capsys, "svc.py")[1] == set()  # unknown to the default catalogue
    configure(
        project,
        """
        [[tool.leaklint.resources]]
        acquire = "myapp.db.get_db_connection"
        release = ["myapp.db.release_db_connection"]
        """,
    )
    status, found, _ = lint(capsys, "svc.py")
    assert status == 1
    assert {(line, code) for _, line, code in found} == {(13, "LKL101"), (18, "LKL102")}


def test_user_resource_with_release_method_and_with(project, capsys):
    write(
        project / "svc.py",
        """\
        from myapp.net import open_channel


        def closed():
            ch = open_channel()
            try:
                ch.send(b"x")
            finally:
                ch.shutdown()


        def with_closes():
            with open_channel() as ch:
                ch.send(b"x")


        def leaked():
            ch = open_channel()
            ch.send(b"x")
        """,
    )
    configure(
        project,
        """
        [[tool.leaklint.resources]]
        acquire = "myapp.net.open_channel"
        release-method = "shutdown"
        with = "closes"
        """,
    )
    assert {(line, code) for _, line, code in lint(capsys, "svc.py")[1]} == {(18, "LKL101")}


def test_user_resource_with_transaction_only_with(project, capsys):
    write(
        project / "svc.py",
        """\
        from myapp.db import connect


        def txn():
            with connect() as conn:
                conn.execute("x")
        """,
    )
    configure(
        project,
        """
        [[tool.leaklint.resources]]
        acquire = "myapp.db.connect"
        release-method = ["close"]
        with = "transaction"
        """,
    )
    assert {(line, code) for _, line, code in lint(capsys, "svc.py")[1]} == {(5, "LKL104")}


def test_user_async_resource(project, capsys):
    write(
        project / "svc.py",
        """\
        from myapp.db import acquire_conn


        async def leaked():
            conn = await acquire_conn()
            await conn.fetch("x")


        async def released():
            conn = await acquire_conn()
            try:
                await conn.fetch("x")
            finally:
                await conn.release()
        """,
    )
    configure(
        project,
        """
        [[tool.leaklint.resources]]
        acquire = "myapp.db.acquire_conn"
        release-method = "release"
        async = true
        """,
    )
    assert {(line, code) for _, line, code in lint(capsys, "svc.py")[1]} == {(5, "LKL101")}


def test_resources_become_catalogue_entries(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        """\
        [tool.leaklint]
        [[tool.leaklint.resources]]
        acquire = "myapp.db.get_db_connection"
        release = "myapp.db.release_db_connection"
        release-method = "close"
        with = "releases"
        label = "app connection"
        """,
    )
    config = load_config(str(tmp_path / "pyproject.toml"), known_codes=KNOWN)
    (library,) = config.libraries()
    (kind,) = library.kinds
    assert kind.label == "app connection"
    assert [r.method for r in kind.releases] == ["close"]
    assert kind.with_exit.value == "releases"
    summaries = {s.qualname: s for s in config.summaries()}
    assert summaries["myapp.db.get_db_connection"].returns.kind == kind.name
    assert summaries["myapp.db.release_db_connection"].releases == frozenset({0})


# -- rule selection layering --------------------------------------------------------------


def test_layers_follow_ruff():
    configured = Layer(select=("LKL1",), ignore=("LKL102",))
    assert enabled_codes([configured], KNOWN) == {"LKL101", "LKL103", "LKL104", "LKL105"}
    assert enabled_codes([configured, Layer(extend_select=("LKL102",))], KNOWN) == {"LKL101", "LKL102", "LKL103", "LKL104", "LKL105"}
    assert enabled_codes([configured, Layer(select=("LKL0",))], KNOWN) == {"LKL000"}
    assert enabled_codes([Layer(), Layer(ignore=("LKL",))], KNOWN) == frozenset()


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, words",
    [
        ("selct = ['LKL101']\n", ["selct", "did you mean 'select'"]),
        ("select = ['LKL999']\n", ["select", "LKL999"]),
        ("select = ['E501']\n", ["select", "E501"]),
        ("ignore = 'LKL1x'\n", ["ignore", "LKL1X"]),
        ("select = 101\n", ["select", "list of strings"]),
        ("exclude = [1]\n", ["exclude", "list of strings"]),
        ("per-file-ignores = ['x']\n", ["per-file-ignores", "table"]),
        ("[tool.leaklint.per-file-ignores]\n'tests/*' = ['X1']\n", ["per-file-ignores.\"tests/*\"", "X1"]),
        ("[[tool.leaklint.resources]]\nrelease = ['a.b']\n", ["resources[1].acquire", "missing"]),
        ("[[tool.leaklint.resources]]\nacquire = 'get_conn'\nrelease = ['a.b']\n", ["resources[1].acquire", "qualified name"]),
        ("[[tool.leaklint.resources]]\nacquire = 'a.get'\nrelease-method = 'close'\nwith = 'maybe'\n", ["resources[1].with", "closes"]),
        ("[[tool.leaklint.resources]]\nacquire = 'a.get'\nrelease-method = 'close'\nasync = 'yes'\n", ["resources[1].async", "true or false"]),
        ("[[tool.leaklint.resources]]\nacquire = 'a.get'\nrelease-methods = 'close'\n", ["resources[1].release-methods", "release-method"]),
        ("[[tool.leaklint.resources]]\nacquire = 'a.get'\n", ["resources[1]", "nothing releases it"]),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(project, capsys, body, words):
    configure(project, body)
    status = main(["app"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "pyproject.toml" in lines[0]
    for word in words:
        assert word in lines[0]


def test_invalid_toml_names_the_file(project, capsys):
    write(project / "pyproject.toml", "[tool.leaklint\nselect = 1\n")
    assert main(["app"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pyproject.toml" in err and "invalid TOML" in err


def test_missing_config_file(project, capsys):
    assert main(["--config", "nope.toml", "app"]) == 2
    assert "nope.toml" in capsys.readouterr().err


def test_config_error_raised_by_the_loader(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.leaklint]\nunknown = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: \[tool\.leaklint\] unknown: unknown key"):
        load_config(str(tmp_path / "pyproject.toml"), known_codes=KNOWN)
