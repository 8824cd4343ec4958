"""Positions come from offsets counted while generating the module's code;
they must be the spans LibCST's PositionProvider gives, for every node."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from leaklint.positions import Positions

FIXTURES = Path(__file__).parent / "fixtures"
TRICKY = (
    "x = 1\r\ny = (\r\n    2,\r\n)\r\n",  # Windows line ends
    "@decorator\n# between\n@other(1)\nasync def f(a, /, *b, **c) -> 'T':\n    async with a as b, c:\n        yield\n",
    "if a:\n\tpass\nelif b: pass\nelse:\n  \t  x = [i for i in y if i]  # tabs\n",
    "s = 'é' + \"\"\"\nß\n\"\"\"; t = f'{s!r:>{w}}'\n",
)


def assert_same_spans(code: str) -> None:
    module = cst.parse_module(code)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    positions = Positions(module)
    for node, where in expected.items():
        span = (where.start.line, where.start.column + 1, where.end.line, where.end.column + 1)
        assert positions.span(node) == span, (type(node).__name__, code)


@pytest.mark.parametrize("code", TRICKY)
def test_spans_equal_libcsts_on_tricky_code(code: str) -> None:
    assert_same_spans(code)


def test_spans_equal_libcsts_on_the_fixtures() -> None:
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            code = path.read_text(encoding="utf-8")
            cst.parse_module(code)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        assert_same_spans(code)
