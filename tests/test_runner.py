"""The runner: worker processes and the result cache under the summary
passes give exactly what `Linter.lint_files` (the passes in this process) gives."""
from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest

from leaklint import cache, runner
from leaklint.catalogue import default_catalogue
from leaklint.cli import main
from leaklint.config import parse_config
from leaklint.engine import Linter
from leaklint.selection import Selection
from leaklint.summaries import Summaries

FIXTURES = Path(__file__).parent / "fixtures"

FACTORY = '''\
import sqlite3


def connect(path):
    conn = sqlite3.connect(path)
    conn.execute("pragma foreign_keys = on")
    return conn
'''
NOT_A_FACTORY = '''\
def connect(path):
    return path
'''
CALLER = '''\
from app.db import connect


def load(path):
    conn = connect(path)
    return conn.execute("select 1").fetchall()
'''
LEAKY = '''\
import sqlite3


def load(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()
'''


def fixture_paths() -> list[str]:
    return sorted(str(p) for p in FIXTURES.rglob("*.py"))


@pytest.fixture(scope="module")
def serial_fixtures():
    paths = fixture_paths()
    return paths, Linter().lint_files(paths)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """app/db.py exports a factory that app/service.py calls; app/plain.py leaks on its own."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "db.py").write_text(FACTORY, encoding="utf-8")
    (tmp_path / "app" / "service.py").write_text(CALLER, encoding="utf-8")
    (tmp_path / "app" / "plain.py").write_text(LEAKY, encoding="utf-8")
    return tmp_path


def project_paths() -> list[str]:
    return [os.path.join("app", name) for name in ("__init__.py", "db.py", "plain.py", "service.py")]


class Spy:
    """Records which files the (in-process) linter lints, and how many files
    are read for the summaries they could use."""

    def __init__(self, monkeypatch):
        self.linted: list[str] = []
        self.summarised: list[bytes] = []
        lint_file, usable_from_elsewhere = Linter.lint_file, Summaries.usable_from_elsewhere

        def spy_lint(linter, path, summaries, raw=None, **options):
            self.linted.append(path)
            return lint_file(linter, path, summaries, raw, **options)

        def spy_usable(summaries, raw, module_name):
            self.summarised.append(raw)
            return usable_from_elsewhere(summaries, raw, module_name)

        monkeypatch.setattr(Linter, "lint_file", spy_lint)
        monkeypatch.setattr(Summaries, "usable_from_elsewhere", spy_usable)

    def reset(self):
        self.linted.clear()
        self.summarised.clear()


def codes(run):
    return sorted((d.path, d.line, d.code) for d in run.diagnostics)


# -- workers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_parallel_equals_serial_on_the_fixtures(serial_fixtures, jobs, monkeypatch):
    paths, serial = serial_fixtures
    pools = []
    start = runner._Workers._pool

    def recording_pool(workers, tasks):
        pool = start(workers, tasks)
        pools.append(pool)
        return pool

    monkeypatch.setattr(runner._Workers, "_pool", recording_pool)
    run = runner.lint_paths(paths, Linter(), jobs=jobs, use_cache=False)
    assert run.files == serial.files
    assert run.diagnostics == serial.diagnostics
    assert any(d.path.startswith(str(FIXTURES / "project_")) for d in run.diagnostics)
    assert bool(pools) == (jobs > 1) and all(pool is not None for pool in pools)


def test_each_project_folder_equals_serial():
    for folder in sorted(FIXTURES.glob("project_*")):
        paths = sorted(str(p) for p in folder.rglob("*.py"))
        assert runner.lint_paths(paths, Linter(), jobs=2, use_cache=False).files == Linter().lint_files(paths).files


def test_results_follow_the_order_of_the_paths(serial_fixtures):
    paths, serial = serial_fixtures
    by_path = {f.path: f for f in serial.files}
    shuffled = paths[:]
    random.Random(7).shuffle(shuffled)
    first = runner.lint_paths(shuffled, Linter(), jobs=2, use_cache=False)
    second = runner.lint_paths(shuffled, Linter(), jobs=2, use_cache=False)
    assert [f.path for f in first.files] == shuffled
    assert first.files == second.files
    # summaries of the project folders reach their callers whatever the order
    assert first.files == [by_path[p] for p in shuffled]


def test_workers_that_cannot_start_fall_back_to_this_process(project, monkeypatch):
    def no_processes():
        raise OSError("no semaphores here")

    monkeypatch.setattr(runner, "_context", no_processes)
    paths = project_paths()
    assert runner.lint_paths(paths, Linter(), jobs=2, use_cache=False).files == Linter().lint_files(paths).files


def test_spawned_workers_equal_serial(project, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(runner, "_context", lambda: multiprocessing.get_context("spawn"))
    paths = project_paths()
    assert runner.lint_paths(paths, Linter(), jobs=2, use_cache=False).files == Linter().lint_files(paths).files


def test_a_linter_subclass_stays_in_this_process(project):
    class Custom(Linter):
        pass

    assert runner._LinterSpec.of(Custom()) is None
    paths = project_paths()
    assert runner.lint_paths(paths, Custom(), jobs=2, use_cache=False).files == Linter().lint_files(paths).files


def test_workers_rebuild_the_configured_linter():
    config = parse_config(
        {"resources": [{"acquire": ["app.db.get_conn"], "release": ["app.db.put_conn"]}]}, "pyproject.toml"
    )
    linter = Linter(
        catalogue=default_catalogue().with_additions(config.libraries()),
        selection=Selection(select=("LKL101",)),
        summaries=config.summaries(),
    )
    spec = pickle.loads(pickle.dumps(runner._LinterSpec.of(linter)))
    rebuilt = spec.build()
    assert rebuilt.selection == linter.selection
    assert rebuilt.configured == linter.configured
    assert rebuilt.catalogue.libraries[-1] == linter.catalogue.libraries[-1]
    assert len(rebuilt.catalogue.libraries) == len(linter.catalogue.libraries)


def test_jobs_default_to_the_cpus():
    assert runner._job_count(None) >= 1
    assert runner._job_count(0) == runner._job_count(None)
    assert runner._job_count(3) == 3


def test_progress_counts_every_file(project):
    calls = []
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1, use_cache=False, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, len(paths)) for n in range(1, len(paths) + 1)]


# -- the cache ----------------------------------------------------------------------------------------


def test_a_cache_hit_gives_identical_results_without_linting(serial_fixtures, tmp_path, monkeypatch):
    paths, serial = serial_fixtures
    cache_dir = str(tmp_path / "cache")
    filled = runner.lint_paths(paths, Linter(), jobs=2, cache_dir=cache_dir)
    assert filled.files == serial.files
    spy = Spy(monkeypatch)
    again = runner.lint_paths(paths, Linter(), jobs=1, cache_dir=cache_dir)
    assert again.files == serial.files
    assert again.diagnostics == serial.diagnostics
    assert spy.linted == [] and spy.summarised == []


def test_the_cache_is_one_file_with_a_gitignore(project):
    runner.lint_paths(project_paths(), Linter(), jobs=1)
    assert sorted(os.listdir(project / ".leaklint_cache")) == [".gitignore", cache.CACHE_FILE]
    assert (project / ".leaklint_cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_no_cache_writes_nothing(project):
    runner.lint_paths(project_paths(), Linter(), jobs=1, use_cache=False, cache_dir=str(project / "c"))
    assert not (project / "c").exists() and not (project / ".leaklint_cache").exists()
    assert main(["--isolated", "--no-cache", "-q", "app"]) == 1
    assert not (project / ".leaklint_cache").exists()


def test_the_command_line_caches_in_the_common_root_of_the_paths_or_cache_dir(project, capsys):
    assert main(["--isolated", "--format", "json", "app"]) == 1
    first = capsys.readouterr().out
    assert (project / "app" / ".leaklint_cache" / cache.CACHE_FILE).is_file()
    assert not (project / ".leaklint_cache").exists()
    assert main(["--isolated", "--format", "json", "app"]) == 1
    assert capsys.readouterr().out == first
    assert main(["--isolated", "--format", "json", "--cache-dir", "elsewhere", "app"]) == 1
    assert capsys.readouterr().out == first
    assert (project / "elsewhere" / cache.CACHE_FILE).is_file()


def test_a_changed_file_is_linted_again_and_only_it(project, monkeypatch):
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1)
    spy = Spy(monkeypatch)
    (project / "app" / "plain.py").write_text(LEAKY.replace("fetchall()", "fetchall()\n\n\nx = 1"), encoding="utf-8")
    run = runner.lint_paths(paths, Linter(), jobs=1)
    assert spy.linted == [os.path.join("app", "plain.py")]
    assert run.files == Linter().lint_files(paths).files


def test_the_selection_and_the_configuration_are_part_of_the_key(project, monkeypatch):
    paths = project_paths()
    everything = runner.lint_paths(paths, Linter(), jobs=1)
    spy = Spy(monkeypatch)
    only_105 = Linter(selection=Selection(select=("LKL105",)))
    narrowed = runner.lint_paths(paths, only_105, jobs=1)
    assert set(spy.linted) == set(paths)
    assert codes(narrowed) == [] and codes(everything) != []
    assert narrowed.files == Linter(selection=Selection(select=("LKL105",))).lint_files(paths).files
    spy.reset()
    assert runner.lint_paths(paths, Linter(), jobs=1).files == everything.files  # both are kept
    assert spy.linted == []
    # a configured resource (catalogue additions and configured summaries)
    config = parse_config({"resources": [{"acquire": ["app.db.connect"], "release-method": ["close"]}]}, "pyproject.toml")
    configured = Linter(
        catalogue=default_catalogue().with_additions(config.libraries()), summaries=config.summaries()
    )
    runner.lint_paths(paths, configured, jobs=1)
    assert set(spy.linted) == set(paths)


def test_the_code_is_part_of_the_key(project, monkeypatch):
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1)
    spy = Spy(monkeypatch)
    monkeypatch.setattr(cache, "_FINGERPRINT", "another leaklint")
    runner.lint_paths(paths, Linter(), jobs=1)
    assert set(spy.linted) == set(paths)


def test_a_summary_from_another_module_invalidates_its_callers(project, monkeypatch):
    paths = project_paths()
    service = os.path.join("app", "service.py")
    before = runner.lint_paths(paths, Linter(), jobs=1)
    assert (service, 5, "LKL101") in codes(before)  # the factory's result is never closed
    spy = Spy(monkeypatch)

    # the factory stops returning a connection: the caller's cached result is stale
    (project / "app" / "db.py").write_text(NOT_A_FACTORY, encoding="utf-8")
    after = runner.lint_paths(paths, Linter(), jobs=1)
    assert after.files == Linter().lint_files(paths).files
    assert not any(path == service for path, _, _ in codes(after))
    assert os.path.join("app", "db.py") in spy.linted

    # and back: the old results come back from the cache
    (project / "app" / "db.py").write_text(FACTORY, encoding="utf-8")
    spy.reset()
    again = runner.lint_paths(paths, Linter(), jobs=1)
    assert again.files == before.files
    assert spy.linted == [os.path.join("app", "db.py")]


def test_a_change_that_keeps_the_summaries_keeps_the_callers(project, monkeypatch):
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1)
    spy = Spy(monkeypatch)
    (project / "app" / "db.py").write_text("# a comment\n" + FACTORY, encoding="utf-8")
    run = runner.lint_paths(paths, Linter(), jobs=1)
    assert spy.linted == [os.path.join("app", "db.py")]
    assert run.files == Linter().lint_files(paths).files


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        cache.MAGIC + b"\x80\x04garbage",
        cache.MAGIC[:-3],
        cache.MAGIC + pickle.dumps({"fingerprint": "x"}) + b"\x80",
    ],
)
def test_a_corrupt_cache_is_ignored_and_replaced(project, content):
    paths = project_paths()
    expected = Linter().lint_files(paths).files
    runner.lint_paths(paths, Linter(), jobs=1)
    target = project / ".leaklint_cache" / cache.CACHE_FILE
    target.write_bytes(content)
    assert runner.lint_paths(paths, Linter(), jobs=1).files == expected
    assert target.read_bytes().startswith(cache.MAGIC) and target.read_bytes() != content
    assert runner.lint_paths(paths, Linter(), jobs=1).files == expected


class Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_a_cache_cannot_run_code(project):
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1)
    target = project / ".leaklint_cache" / cache.CACHE_FILE
    header = {"fingerprint": cache.code_fingerprint(), "rules": ("LKL101",)}
    target.write_bytes(cache.MAGIC + pickle.dumps(header) + pickle.dumps({"x": Boom()}))
    assert runner.lint_paths(paths, Linter(), jobs=1).files == Linter().lint_files(paths).files
    assert not (project / "pwned.txt").exists()


def test_entries_of_the_wrong_shape_are_misses(project, monkeypatch):
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1)
    target = project / ".leaklint_cache" / cache.CACHE_FILE
    data = target.read_bytes()
    header, end = cache._load(data, len(cache.MAGIC))
    body, _ = cache._load(data, end)
    for section in body.values():
        for key, entry in section["files"].items():
            section["files"][key] = entry[:3] + ({"diagnostics": ["not a diagnostic"]},) + entry[4:]
    target.write_bytes(cache.MAGIC + pickle.dumps(header) + pickle.dumps(body))
    spy = Spy(monkeypatch)
    assert runner.lint_paths(paths, Linter(), jobs=1).files == Linter().lint_files(paths).files
    assert set(spy.linted) == set(paths)


def test_an_unwritable_cache_is_not_an_error(project):
    (project / "blocked").write_text("a file where the cache directory should be", encoding="utf-8")
    paths = project_paths()
    assert runner.lint_paths(paths, Linter(), jobs=1, cache_dir=str(project / "blocked")).files == Linter().lint_files(paths).files
    (project / "dir").mkdir()
    (project / "dir" / cache.CACHE_FILE).mkdir()  # unreadable as a file
    assert runner.lint_paths(paths, Linter(), jobs=1, cache_dir=str(project / "dir")).files == Linter().lint_files(paths).files


def test_runs_on_other_files_merge_into_one_cache(project, monkeypatch):
    paths = project_paths()
    runner.lint_paths(paths[:2], Linter(), jobs=1)
    runner.lint_paths(paths[2:], Linter(), jobs=1)
    spy = Spy(monkeypatch)
    runner.lint_paths(paths[:2], Linter(), jobs=1)
    assert spy.linted == []


def test_entries_of_deleted_files_are_dropped(project):
    paths = project_paths()
    runner.lint_paths(paths, Linter(), jobs=1)
    os.remove(project / "app" / "plain.py")
    (project / "app" / "service.py").write_text(CALLER + "\n", encoding="utf-8")  # something to write
    runner.lint_paths([p for p in paths if not p.endswith("plain.py")] + [os.path.join("app", "new.py")], Linter(), jobs=1)
    header, body = cache._read(str(project / ".leaklint_cache" / cache.CACHE_FILE))
    (section,) = body.values()
    assert not any(key.endswith("plain.py") for key in section["files"])
    assert any(key.endswith("service.py") for key in section["files"])


def test_concurrent_runs_leave_a_valid_cache(project):
    (project / "many").mkdir()
    for number in range(30):
        (project / "many" / f"m{number}.py").write_text(LEAKY + f"\n\nVALUE = {number}\n", encoding="utf-8")
    command = [sys.executable, "-m", "leaklint", "--isolated", "--format", "json", "--exit-zero", "--jobs", "1"]
    runs = [subprocess.Popen(command + [target], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for target in ("many", "app", "many", ".")]
    outputs = [run.communicate() for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    header, body = cache._read(str(project / ".leaklint_cache" / cache.CACHE_FILE))
    assert header is not None and body is not None
    assert not [name for name in os.listdir(project / ".leaklint_cache") if name.startswith(".tmp")]
    fresh = subprocess.run(command + ["--no-cache", "."], cwd=project, capture_output=True, text=True)
    cached = subprocess.run(command + ["."], cwd=project, capture_output=True, text=True)
    assert json.loads(cached.stdout) == json.loads(fresh.stdout) and len(json.loads(fresh.stdout)) == 32


def test_the_command_line_gets_the_rule_codes_from_the_cache(project):
    runner.lint_paths(project_paths(), Linter(), jobs=1)
    assert cache.cached_rule_codes() == tuple(Linter().rules)
    assert cache.cached_rule_codes(str(project / "nowhere")) is None


def test_a_linter_that_does_not_label_fixes_finds_the_same(tmp_path):
    # the language server lints each keystroke without the fixer's labels
    (tmp_path / "leaky.py").write_text("import sqlite3\n\n\ndef f(p):\n    c = sqlite3.connect(p)\n    return c.execute('x').fetchall()\n")
    paths = [str(tmp_path / "leaky.py")]
    labelled = Linter().lint_files(paths).diagnostics
    plain = Linter(label_fixes=False).lint_files(paths).diagnostics
    assert [(d.line, d.code) for d in plain] == [(d.line, d.code) for d in labelled] != []
    assert labelled[0].fix is not None and plain[0].fix is None
    with_workers = runner.lint_paths(paths * 1, Linter(label_fixes=False), jobs=2, use_cache=False).diagnostics
    assert [d.fix for d in with_workers] == [None]
