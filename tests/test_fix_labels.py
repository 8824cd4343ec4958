"""Each finding's fix label says what `--fix` does to it, over every fixture
under fixtures/ (the fix pairs' inputs included): a finding marked safe is
gone after `--fix`; one marked unsafe is gone after `--fix --unsafe-fixes`
and not after `--fix`; one with no fix is still there after both, and says
why it has none.

Findings are told apart across the edits by file, code and message, with
the line numbers in the message left out (a fix moves lines). Only the
findings of the original text are counted: what a fix reveals in the code
it wrote is the next run's finding."""
from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from harness import FIXTURES, lint_units, linter_for
from leaklint.diagnostics import Diagnostic
from leaklint.engine import Linter
from leaklint.fixer import fix_text, run_fixes
from leaklint.fixes.edits import apply_edits
from leaklint.source import read

LINE_NUMBER = re.compile(r"\bline \d+")


def _units() -> list[list[Path]]:
    pairs = sorted(p for p in (FIXTURES / "fix").rglob("*.py") if not p.name.endswith(".fixed.py"))
    return lint_units() + [[p] for p in pairs]


def _key(diagnostic: Diagnostic, root: Path) -> tuple[str, str, str]:
    return (str(Path(diagnostic.path).relative_to(root)), diagnostic.code, LINE_NUMBER.sub("line N", diagnostic.message))


def _copy(unit: list[Path], root: Path) -> list[str]:
    copies = []
    for path in unit:
        target = root / path.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        copies.append(str(target))
    return copies


def _left_after(unit: list[Path], root: Path, linter: Linter, *, unsafe: bool) -> Counter:
    paths = _copy(unit, root)
    run_fixes(paths, linter, unsafe=unsafe, diff_only=False, out=io.StringIO())
    return Counter(_key(d, root) for d in linter.lint_files(paths).diagnostics)


@pytest.mark.parametrize("unit", _units(), ids=lambda unit: str(unit[0].relative_to(FIXTURES)))
def test_labels_say_what_fix_does(unit: list[Path], tmp_path: Path):
    linter = linter_for(unit)
    found = linter.lint_files([str(p) for p in unit]).diagnostics
    if any(d.code == "LKL000" for d in found):
        pytest.skip("a file of this unit does not parse: there is nothing to fix")
    labelled = {"safe": Counter(), "unsafe": Counter(), None: Counter()}
    for d in found:
        labelled[d.fix.safety if d.fix else None][_key(d, FIXTURES)] += 1
        if d.fix is not None:
            assert d.fix.description, f"{d.path}:{d.line} {d.code}: a fix without a description"
        else:
            assert d.no_fix_reason, f"{d.path}:{d.line} {d.code}: no fix and no reason"
    after_fix = _left_after(unit, tmp_path / "safe", linter, unsafe=False)
    after_unsafe = _left_after(unit, tmp_path / "unsafe", linter, unsafe=True)
    for key in labelled["safe"] + labelled["unsafe"] + labelled[None]:
        expected = labelled["unsafe"][key] + labelled[None][key]
        assert after_fix[key] == expected, f"after `--fix`, {expected} of {key} should be left, not {after_fix[key]}"
        expected = labelled[None][key]
        assert after_unsafe[key] == expected, f"after `--fix --unsafe-fixes`, {expected} of {key} should be left, not {after_unsafe[key]}"


def _pairs_with_one_finding() -> list[Path]:
    pairs = sorted(p for p in (FIXTURES / "fix").rglob("*.py") if not p.name.endswith(".fixed.py"))
    return [p for p in pairs if len([line for line in p.read_text(encoding="utf-8").splitlines() if "# expect:" in line]) == 1]


@pytest.mark.parametrize("case", _pairs_with_one_finding(), ids=lambda case: str(case.relative_to(FIXTURES)))
def test_a_fix_s_edits_are_the_fix(case: Path):
    """Applied to the file, the edits a finding's fix carries (JSON, SARIF)
    give what one pass of `--fix --unsafe-fixes` writes."""
    linter = Linter()
    (diagnostic,) = linter.lint_files([str(case)]).diagnostics
    source = read(str(case))
    fixed = fix_text(source, str(case), linter, unsafe=True, max_passes=1).text
    if diagnostic.fix is None:
        assert fixed == source.text
    else:
        assert apply_edits(source.text, diagnostic.fix.edits) == fixed
