"""The examples in the rule pages are real. Under "Example" every Python
block makes `leaklint` report the page's code, and the output the page shows
with it is what `leaklint` prints; under "Use instead" no block reports it.
Every block is a whole file a reader can paste: its names are defined and
its imports used (pyflakes)."""
from __future__ import annotations

import io

import pytest
from pyflakes.api import check
from pyflakes.reporter import Reporter

from leaklint.cli import main
from leaklint.rules.parse import PARSE_ERROR
from rulepages import PAGES, blocks, page, section

EXAMPLE, USE_INSTEAD = "Example", "Use instead"
CODES = sorted(path.stem for path in PAGES.glob("LKL*.md"))
FIX_MARKS = (" [*] ", " [-] ")  # the concise format marks safe and unsafe fixes; the pages show the findings without them


def _examples(heading: str) -> list[tuple[str, str, str]]:
    """(code, id, block) for every Python block under `heading`."""
    found = []
    for code in CODES:
        for index, block in enumerate(blocks(section(page(code), heading), "python")):
            found.append((code, f"{code}-{heading.lower().replace(' ', '-')}-{index}", block))
    return found


def _id(case: tuple[str, str, str]) -> str:
    return case[1]


def leaklint_output(block: str, tmp_path, monkeypatch, capsys) -> list[str]:
    """What `leaklint` prints for the block saved as example.py (concise, no summary)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "example.py").write_text(block, encoding="utf-8")
    arguments = ["--isolated", "--no-cache", "--jobs", "1", "--format", "concise", "-q", "--exit-zero", "--report-unused-suppressions"]
    assert main([*arguments, "example.py"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for mark in FIX_MARKS:
        lines = [line.replace(mark, " ") for line in lines]
    return lines


def reported_codes(lines: list[str]) -> set[str]:
    return {line.split(": ", 1)[1].split(" ", 1)[0] for line in lines}


@pytest.mark.parametrize("case", _examples(EXAMPLE), ids=_id)
def test_example_is_reported(case, tmp_path, monkeypatch, capsys):
    code, _, block = case
    lines = leaklint_output(block, tmp_path, monkeypatch, capsys)
    assert code in reported_codes(lines), f"{code}.md: its example reports {lines}"
    shown = blocks(section(page(code), EXAMPLE), "text")
    assert len(shown) == 1, f"{code}.md: the example shows its output in one ```text block"
    assert lines == shown[0].splitlines()


@pytest.mark.parametrize("case", _examples(USE_INSTEAD), ids=_id)
def test_use_instead_is_not_reported(case, tmp_path, monkeypatch, capsys):
    code, _, block = case
    lines = leaklint_output(block, tmp_path, monkeypatch, capsys)
    assert code not in reported_codes(lines), f"{code}.md: what it recommends reports {lines}"


def test_every_page_has_both():
    with_examples = {code for code, _, _ in _examples(EXAMPLE)}
    with_alternatives = {code for code, _, _ in _examples(USE_INSTEAD)}
    assert with_examples == with_alternatives == set(CODES)


@pytest.mark.parametrize("case", _examples(EXAMPLE) + _examples(USE_INSTEAD), ids=_id)
def test_block_is_self_contained(case):
    code, name, block = case
    if code == PARSE_ERROR.code and name.startswith(f"{code}-example"):
        with pytest.raises(SyntaxError):  # the parse error's example must not parse
            compile(block, name, "exec")
        return
    warnings = io.StringIO()
    check(block, name, Reporter(warnings, warnings))
    assert warnings.getvalue() == ""
