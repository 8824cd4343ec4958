"""Resources held by objects: what a class stores on `self`, which of its
methods release it, and the defects of that ownership (LKL105 for
attributes, LKL106, LKL107, LKL108).

Only classes that store something on `self` the resolver calls an
acquisition are read, and only their methods (and those of their bases and
subclasses in the module) are walked again; every other class costs a look
at facts the analysis already has.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .guards import Guards
from .model import Acquisition, Category, CleanupSkip, EnterLeak, Method, NeverReleased, ObjectFacts, Overwritten
from .ownership import Ownership

if TYPE_CHECKING:
    from leaklint.analysis import ModuleFacts


def analyze_objects(facts: "ModuleFacts") -> ObjectFacts:
    ownership = Ownership(facts)
    candidates = ownership.candidates()
    found = ObjectFacts()
    if not candidates:
        return found
    found.never_released, found.overwritten = ownership.defects()
    guards = Guards(ownership)
    cleanup_methods: set = set()
    for cls in candidates:
        found.enter_leaks.extend(guards.enter_leaks(cls))
        found.cleanup_skips.extend(guards.cleanup_skips(cls, cleanup_methods))
    return found


__all__ = [
    "Acquisition",
    "Category",
    "CleanupSkip",
    "EnterLeak",
    "Method",
    "NeverReleased",
    "ObjectFacts",
    "Overwritten",
    "analyze_objects",
]
