"""Conditions: which paths a test rules out.

`if conn:` and `if conn is not None:` hold only where `conn` holds a
resource; a flag tested twice (`if own: conn = connect()` ... `if own:
conn.close()`) takes the same branch both times.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from ..syntax import dotted_name, is_none, statements
from .facts import Phase
from .state import ParameterSite, State


class Conditions:
    def __init__(self, correlated: set[str], tracked_names: set[str]) -> None:
        self.correlated = correlated  # see `correlated_flags`
        # names that hold an acquisition somewhere in the function (shared with
        # the ledger, which adds to it as acquisitions are met)
        self.tracked_names = tracked_names

    def refine(self, state: State, test: cst.BaseExpression, truth: bool) -> Optional[State]:
        """`state` where `test` has the value `truth`, or None where it cannot."""
        name, positive = tested_name(test)
        if name is None:
            return state
        wanted = positive == truth
        if name in self.correlated and name not in self.tracked_names:
            known = state.flag(name)
            if known is not None:
                return state if known == wanted else None
            return state.set_flag(name, wanted)
        site = state.site_of(name)
        if wanted and site is None:
            return None if name in self.tracked_names else state
        if not wanted and site is not None:
            if isinstance(site, ParameterSite):
                # a parameter may be None: on this path there is nothing to
                # release, so a helper that releases under `if conn:` releases it
                return state.set_phase(site, Phase.RELEASED)
            return None  # it holds a resource here
        return state


def tested_name(test: cst.BaseExpression) -> tuple[Optional[str], bool]:
    """(name, True) for `if name:`/`name is not None`; (name, False) for the negations."""
    if type(test) in (cst.Name, cst.Attribute):
        return dotted_name(test), True
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        name, positive = tested_name(test.expression)
        return name, not positive
    if type(test) is cst.Comparison and len(test.comparisons) == 1 and type(test.left) is cst.Name:
        target = test.comparisons[0]
        if is_none(target.comparator):
            if type(target.operator) is cst.IsNot:
                return test.left.value, True
            if type(target.operator) is cst.Is:
                return test.left.value, False
    return None, True


def correlated_flags(body: cst.CSTNode) -> set[str]:
    """Names tested by two or more `if`/`while` statements, or set to None and
    tested: only these are worth following per path."""
    counts: dict[str, int] = {}
    set_to_none: set[str] = set()
    for node in statements(body):  # `if`, `while` and assignments are statements
        if type(node) in (cst.If, cst.While):
            name, _ = tested_name(node.test)
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
        elif type(node) is cst.Assign and is_none(node.value):
            set_to_none.update(dotted_name(t.target) or "" for t in node.targets)
    return {name for name, count in counts.items() if count > 1 or name in set_to_none}
