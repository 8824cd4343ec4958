"""Fix shapes, one module each, keyed by the codes they fix.

A shape is three functions: `accepts(finding)`, `group(finding)` (findings
with the same key are fixed by one change, e.g. the LKL102 and LKL103 of
one connection) and `build(fix_context, findings) -> Change` (or raise
`Unfixable(reason)`). Adding a fix for a new rule means adding a module and
a line to `SHAPES`; the fixer knows nothing about any single shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from leaklint.rulebase import Finding

from . import async_with, awaits, chain, closing, region
from .base import Change, FixContext, Unfixable


@dataclass(frozen=True)
class Shape:
    name: str
    codes: tuple[str, ...]
    accepts: Callable[[Finding], bool]
    group: Callable[[Finding], object]
    build: Callable[[FixContext, list[Finding]], Change]


def _shape(name: str, module) -> Shape:
    return Shape(name, module.CODES, module.accepts, module.group, module.build)


SHAPES: tuple[Shape, ...] = (
    _shape("non-closing-with", closing),
    _shape("release-region", region),
    _shape("chained-resource", chain),
    _shape("insert-await", awaits),
    _shape("async-with", async_with),
)

FIXABLE_CODES = frozenset(code for shape in SHAPES for code in shape.codes)


def shape_for(finding: Finding) -> Optional[Shape]:
    for shape in SHAPES:
        if finding.code in shape.codes and shape.accepts(finding):
            return shape
    return None


__all__ = ["Change", "FixContext", "Unfixable", "Shape", "SHAPES", "FIXABLE_CODES", "shape_for"]
