"""Fix shapes, one module each, keyed by name.

A shape is three functions: `accepts(finding)`, `group(finding)` (findings
with the same key are fixed by one change, e.g. the LKL102 and LKL103 of
one connection) and `build(fix_context, findings) -> Change` (or raise
`Unfixable(reason)`), and its module's `CODES` says which rules' findings it
can fix. A rule names the shapes that fix it in its metadata
(`RuleFix.shapes`); only those are tried for its findings. Adding a fix for
a new rule means adding a module, a line to `SHAPES` and the shape's name to
the rule's `RuleFix`; the fixer knows nothing about any single shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from leaklint.rulebase import Finding
from leaklint.rules import all_rules

from . import async_with, awaits, chain, cleanup_finally, closing, enter_release, region
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


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        _shape("non-closing-with", closing),
        _shape("release-region", region),
        _shape("chained-resource", chain),
        _shape("insert-await", awaits),
        _shape("async-with", async_with),
        _shape("cleanup-in-finally", cleanup_finally),
        _shape("release-on-enter-failure", enter_release),
    )
}


# Each fixable rule's shapes, in the order its metadata names them: derived
# from the rules, so a shape is tried only for the rules that name it.
_SHAPES_BY_CODE: dict[str, tuple[Shape, ...]] = {
    code: tuple(SHAPES[name] for name in rule.fix.shapes) for code, rule in all_rules().items() if rule.fix is not None
}
FIXABLE_CODES = frozenset(_SHAPES_BY_CODE)


def shape_for(finding: Finding) -> Optional[Shape]:
    for shape in _SHAPES_BY_CODE.get(finding.code, ()):
        if shape.accepts(finding):
            return shape
    return None


__all__ = ["Change", "FixContext", "Unfixable", "Shape", "SHAPES", "FIXABLE_CODES", "shape_for"]
