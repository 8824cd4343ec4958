"""Every rule is a complete unit, whichever files its parts live in: for each
code `leaklint rules` lists, a page in docs/rules/ with the standard
sections; for each rule of the registry, a row in the docs index and a
fixture that marks a finding of it; and for each rule that declares a fix,
fix shapes that declare its code and a pair under fixtures/fix/CODE/ that
the real fixer produces from a real finding of that code."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from harness import FIXTURES, expected_findings
from leaklint.cli_common import rule_table
from leaklint.engine import Linter
from leaklint.fixer import run_fixes
from leaklint.fixes import SHAPES
from leaklint.rules import all_rules
from rulepages import PAGES, SECTIONS, headings, page, section

FIX_PAIRS = FIXTURES / "fix"
UNSAFE_MARK = "# leaklint-fix: unsafe"  # as in test_fixes: the pair is fixed with --unsafe-fixes

RULES = all_rules()
FIXABLE = sorted(code for code, rule in RULES.items() if rule.fix is not None)


@pytest.mark.parametrize("code", sorted(rule_table()))
def test_page_has_the_standard_sections(code: str):
    rule = rule_table()[code]
    assert (PAGES / f"{code}.md").is_file(), f"{code} has no page in {PAGES}"
    text = page(code)
    assert text.splitlines()[0] == f"# {code}: {rule.name}"
    standard = [h for h in headings(text) if h in SECTIONS]
    assert standard == list(SECTIONS), f"{code}.md: sections {headings(text)}"


@pytest.mark.parametrize("code", sorted(rule_table()))
def test_page_states_the_fix_safety(code: str):
    rule = rule_table()[code]
    said = section(page(code), "Fix safety").lower()
    if rule.fix is None:
        assert "no automatic fix" in said or "no fix" in said, f"{code} has no fix; its page must say so"
    else:
        assert f"**{rule.fix_safety}" in said, f"{code}'s fix is {rule.fix_safety}; its page must say so in bold"


@pytest.mark.parametrize("code", sorted(RULES))
def test_the_index_lists_it(code: str):
    index = (PAGES.parent / "index.md").read_text(encoding="utf-8")
    assert f"| [{code}](rules/{code}.md) | {RULES[code].name} |" in index, f"docs/index.md has no row for {code}"


def _fixture_files() -> list[Path]:
    """The fixtures whose markers a test checks: the fixture tree (test_fixtures)
    and the inputs of the fix pairs (test_fixes)."""
    return sorted(p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_fixture_marks_it(code: str):
    marked = [p for p in _fixture_files() if any(c == code for _, c in expected_findings(p))]
    assert marked, f"no fixture under {FIXTURES} has an `# expect: {code}` marker"


@pytest.mark.parametrize("code", FIXABLE)
def test_its_fix_shapes_declare_it(code: str):
    fix = RULES[code].fix
    assert fix.help and fix.shapes
    for name in fix.shapes:
        assert name in SHAPES, f"{code} names the fix shape {name!r}, which leaklint.fixes does not have"
        assert code in SHAPES[name].codes, f"the shape {name!r} does not declare {code}"


def test_every_shape_is_named_by_the_rules_it_declares():
    for name, shape in SHAPES.items():
        for code in shape.codes:
            assert code in RULES, f"the shape {name!r} declares {code}, which is no rule"
            fix = RULES[code].fix
            assert fix is not None and name in fix.shapes, f"the shape {name!r} declares {code}, whose metadata does not name it"


def test_fix_pairs_belong_to_fixable_rules():
    folders = sorted(p.name for p in FIX_PAIRS.iterdir() if p.is_dir())
    assert [code for code in folders if code not in FIXABLE] == []


def _fixed_by_a_real_run(case: Path, code: str, tmp_path: Path) -> str:
    """Why `case` does not show the fix of `code`, or "" when it does."""
    expected = case.with_name(case.stem + ".fixed.py")
    if not expected.is_file():
        return f"{case.name} has no {expected.name}"
    if code not in {c for _, c in expected_findings(case)}:
        return f"{case.name} marks no {code}"
    work = tmp_path / case.name
    shutil.copyfile(case, work)
    unsafe = UNSAFE_MARK in case.read_text(encoding="utf-8")
    report = run_fixes([str(work)], Linter(), unsafe=unsafe, diff_only=False, out=io.StringIO())
    (entry,) = report.files
    applied = sorted({fix.code for fix in entry.applied})
    if code not in applied:
        reasons = [d.reason for d in entry.dropped if d.code == code]
        return f"{case.name}: the fixer applied {applied}, no {code} ({reasons or 'no reason given'})"
    if work.read_text(encoding="utf-8") != expected.read_text(encoding="utf-8"):
        return f"{case.name}: the fixed text differs from {expected.name}"
    return ""


@pytest.mark.parametrize("code", FIXABLE)
def test_a_real_run_produces_a_fix_pair(code: str, tmp_path: Path):
    cases = sorted(p for p in (FIX_PAIRS / code).glob("*.py") if not p.name.endswith(".fixed.py"))
    assert cases, f"{code} declares a fix but {FIX_PAIRS / code} has no input/.fixed.py pair"
    problems = []
    for case in cases:
        problem = _fixed_by_a_real_run(case, code, tmp_path)
        if not problem:
            return
        problems.append(problem)
    pytest.fail(f"no pair shows the fix of {code}:\n" + "\n".join(problems))
