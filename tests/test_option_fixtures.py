"""Fixtures of options that change which findings are reported (a baseline,
`--project-context`, file-level skips, LKL900 in the configuration).

Each folder of tests/option_fixtures is one run of `leaklint` in that folder
with the options of its `args` file; its files mark, with `# expect:`, the
findings that run reports. They live outside tests/fixtures: without the
options, those markers would be wrong.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import expected_findings
from leaklint.cli import main

CASES = Path(__file__).parent / "option_fixtures"


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_option_fixture(case: Path, monkeypatch, capsys):
    monkeypatch.chdir(case)
    arguments = (case / "args").read_text(encoding="utf-8").split()
    assert main(["--no-cache", "--jobs", "1", "--format", "json", "--exit-zero", *arguments]) == 0
    actual = {(d["path"], d["line"], d["code"]) for d in json.loads(capsys.readouterr().out)}
    expected = {
        (path.relative_to(case).as_posix(), line, code) for path in case.rglob("*.py") for line, code in expected_findings(path)
    }
    assert actual == expected


def test_every_case_marks_a_finding():
    for case in (p for p in CASES.iterdir() if p.is_dir()):
        assert any(expected_findings(path) for path in case.rglob("*.py")), f"{case.name} marks nothing"
