"""An internal error in one rule on one file is caught, reported with the
file, the rule and a hint to report it, and does not stop the run: the other
rules still run on that file, every other file is linted, and the command
exits 2 at the end.

The failure is injected the way a bug would show: a rule family whose
`check` raises, added to `Linter.families` (in-process), or to the registry
`leaklint.rules.families` of a CLI run started by a small bootstrap script
(a subprocess: the real exit status and stderr). Production code has no
switch for it.
"""
from __future__ import annotations


import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest



from leaklint.engine import Linter
from leaklint.rulebase import RuleInfo
from harness import LEAK, run_bounded

TRIGGER = "# trigger the broken rule"
BROKEN = RuleInfo("LKL399", "broken-rule", "A rule that fails on purpose (tests only).")


class BrokenFamily:
    """Raises on the files that contain TRIGGER; silent on the others."""

    rules = (BROKEN,)

    def __init__(self, exception: BaseException = ZeroDivisionError("the broken rule divided by zero")) -> None:
        self.exception = exception

    def check(self, context):
        if TRIGGER in context.module.code:
            raise self.exception
        return []


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "good.py"
    bad = tmp_path / "bad.py"
    good.write_text(LEAK, encoding="utf-8")
    bad.write_text(LEAK + TRIGGER + "\n", encoding="utf-8")
    return {"good": good, "bad": bad}


def _linter_with(family) -> Linter:
    linter = Linter()
    linter.families = tuple(linter.families) + (family,)
    linter.rules = {**linter.rules, BROKEN.code: BROKEN}
    return linter


@pytest.mark.parametrize(
    "exception",
    [ZeroDivisionError("boom"), RecursionError("maximum recursion depth exceeded"), KeyError("missing"), AttributeError("no")],
    ids=lambda e: type(e).__name__,
)
def test_failing_family_in_process(files: dict[str, Path], exception: BaseException) -> None:
    linter = _linter_with(BrokenFamily(exception))
    paths = [str(files["bad"]), str(files["good"])]
    run = linter.lint_files(paths)
    [error] = run.internal_errors
    assert error.path == str(files["bad"])
    assert error.rule == "LKL399"
    assert type(exception).__name__ in error.detail
    assert "Traceback" in error.detail
    by_path = {f.path: f for f in run.files}
    # the other rules still ran on the bad file, and the good file is untouched
    assert [d.code for d in by_path[str(files["bad"])].diagnostics] == ["LKL101"]
    assert [d.code for d in by_path[str(files["good"])].diagnostics] == ["LKL101"]
    assert not by_path[str(files["good"])].errors


def test_failing_family_in_the_middle_of_many_files(tmp_path: Path) -> None:
    paths = []
    for i in range(6):
        path = tmp_path / f"m{i}.py"
        path.write_text(LEAK + (TRIGGER + "\n" if i == 3 else ""), encoding="utf-8")
        paths.append(str(path))
    run = _linter_with(BrokenFamily()).lint_files(paths)
    assert [e.path for e in run.internal_errors] == [paths[3]]
    assert sorted(d.path for d in run.diagnostics if d.code == "LKL101") == sorted(paths)


def test_failing_analysis_is_an_engine_error(files: dict[str, Path], monkeypatch) -> None:
    """A crash before the rules (in the shared analysis) loses only that file."""
    import leaklint.analysis as analysis
    import leaklint.engine as engine

    real = analysis.analyze_module

    def analyze(module, *args, **kwargs):
        if TRIGGER in module.code:
            raise IndexError("the analysis fell off a list")
        return real(module, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyze_module", analyze)
    if hasattr(engine, "analyze_module"):  # imported at the top of the engine
        monkeypatch.setattr(engine, "analyze_module", analyze)
    run = Linter().lint_files([str(files["bad"]), str(files["good"])])
    [error] = run.internal_errors
    assert error.path == str(files["bad"])
    assert "IndexError" in error.detail
    assert [d.path for d in run.diagnostics] == [str(files["good"])]


BOOTSTRAP = textwrap.dedent(
    """
    import sys
    import leaklint.rules as registry
    from leaklint.rulebase import RuleInfo

    BROKEN = RuleInfo("LKL399", "broken-rule", "fails on purpose")
    real_families, real_all_rules = registry.families, registry.all_rules


    class BrokenFamily:
        rules = (BROKEN,)

        def check(self, context):
            if {trigger!r} in context.module.code:
                raise ZeroDivisionError("the broken rule divided by zero")
            return []


    registry.families = lambda: tuple(real_families()) + (BrokenFamily(),)
    registry.all_rules = lambda: {{**real_all_rules(), "LKL399": BROKEN}}
    from leaklint.cli import main
    sys.exit(main(sys.argv[1:]))
    """
).format(trigger=TRIGGER)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    script = tmp_path / "bootstrap_broken_rule.txt"  # not .py: not linted itself
    script.write_text(BOOTSTRAP, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env["NO_COLOR"] = "1"
    return run_bounded(
        [sys.executable, str(script), "--no-cache", "--jobs", "1", *args],
        cwd=tmp_path,
        text=True,
        timeout=120,
        env=env,
    )


def test_failing_family_via_cli(files: dict[str, Path], tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in files.values()}
    done = _cli(tmp_path, "--format", "json", "bad.py", "good.py")
    assert done.returncode == 2, done.stderr
    findings = {(d["path"], d["code"]) for d in json.loads(done.stdout)}
    assert findings == {("bad.py", "LKL101"), ("good.py", "LKL101")}
    first = [line for line in done.stderr.splitlines() if "internal error" in line]
    assert len(first) == 1, done.stderr
    assert "LKL399" in first[0] and "bad.py" in first[0] and "report" in first[0]
    assert "ZeroDivisionError" in done.stderr
    assert {p: p.read_bytes() for p in files.values()} == before


def test_failing_family_text_output_still_lists_the_findings(files: dict[str, Path], tmp_path: Path) -> None:
    done = _cli(tmp_path, ".")
    assert done.returncode == 2, done.stderr
    assert "good.py:5:" in done.stdout and "bad.py:5:" in done.stdout
    assert "internal error in LKL399 on bad.py" in done.stderr or ("LKL399" in done.stderr and "bad.py" in done.stderr)


def test_failing_family_does_not_block_fix(files: dict[str, Path], tmp_path: Path) -> None:
    """With --fix, the file with the internal error is left alone; the other is fixed."""
    bad_before = files["bad"].read_bytes()
    done = _cli(tmp_path, "--fix", "--unsafe-fixes", "bad.py", "good.py")
    assert done.returncode == 2, done.stderr
    assert "Traceback (most recent call last)" not in done.stderr.split("internal error")[0]
    assert files["bad"].read_bytes() == bad_before
    fixed = files["good"].read_text(encoding="utf-8")
    assert fixed != LEAK
    compile(fixed, "good.py", "exec")
