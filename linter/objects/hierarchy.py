"""Which classes of a module act on the same objects: a class, its bases and
its subclasses defined in the same module, found by name in MRO order.

A base leaklint cannot see may release what its subclasses store (a class
of another project module; `http.client.HTTPConnection`, whose `close()`
closes the `self.sock` a subclass's `connect()` opens), so a class with such
a base is *opaque*: the rules that need every method of the object (LKL105,
LKL106) stay silent for it. Only the builtins and the standard-library
modules of structural bases (test cases, ABCs, protocols, enums, threads)
are known to release nothing a subclass stores.
"""
from __future__ import annotations

import builtins
from typing import Iterator

import libcst as cst

from leaklint.resolve import ClassInfo, ModuleIndex, Resolver
from leaklint.syntax import dotted_name

# Standard-library packages whose classes only give a subclass structure
# (`unittest.TestCase`, `abc.ABC`, `typing.Generic`, `threading.Thread`,
# `asyncio.Protocol`): they close nothing it stores.
STRUCTURAL_MODULES = frozenset(
    {"abc", "asyncio", "collections", "dataclasses", "enum", "threading", "typing", "typing_extensions", "unittest"}
)


class Hierarchy:
    def __init__(self, index: ModuleIndex, resolver: Resolver) -> None:
        by_name: dict[str, ClassInfo] = {}
        for info in index.classes.values():
            by_name.setdefault(info.node.name.value, info)
        # keyed by the class statement: `ClassInfo` is not hashable
        self._bases: dict[cst.ClassDef, list[ClassInfo]] = {}
        self._subclasses: dict[cst.ClassDef, list[ClassInfo]] = {}
        self._unseen_base: dict[cst.ClassDef, bool] = {}
        for info in index.classes.values():
            bases = []
            unseen = False
            for expr in _base_expressions(info.node):
                found = by_name.get(dotted_name(expr) or "")
                if found is not None and found is not info:
                    bases.append(found)
                    self._subclasses.setdefault(found.node, []).append(info)
                elif not _releases_nothing(expr, resolver):
                    unseen = True
            self._bases[info.node] = bases
            self._unseen_base[info.node] = unseen

    def mro(self, cls: ClassInfo) -> list[ClassInfo]:
        """The class, then its bases in the module, depth first, each once."""
        order: dict[cst.ClassDef, ClassInfo] = {}
        stack = [cls]
        while stack:
            current = stack.pop()
            if current.node not in order:
                order[current.node] = current
                stack.extend(reversed(self._bases.get(current.node, ())))
        return list(order.values())

    def family(self, cls: ClassInfo) -> list[ClassInfo]:
        """The class, its bases and its subclasses: whatever methods an object
        that runs one of the class's methods may also run."""
        found = {c.node: c for c in self.mro(cls)}
        stack = list(self._subclasses.get(cls.node, ()))
        while stack:
            current = stack.pop()
            if current.node not in found:
                found[current.node] = current
                stack.extend(self._subclasses.get(current.node, ()))
        return list(found.values())

    def opaque(self, cls: ClassInfo) -> bool:
        return any(self._unseen_base.get(c.node, False) for c in self.mro(cls))


def _base_expressions(node: cst.ClassDef) -> Iterator[cst.BaseExpression]:
    for arg in node.bases:
        if arg.keyword is not None or arg.star:
            continue
        value = arg.value
        yield value.value if isinstance(value, cst.Subscript) else value  # `Generic[T]`


def _releases_nothing(expr: cst.BaseExpression, resolver: Resolver) -> bool:
    qualified = resolver.qualified(expr)
    if qualified is None:
        name = dotted_name(expr)
        return name is not None and "." not in name and isinstance(getattr(builtins, name, None), type)
    return qualified.split(".", 1)[0] in STRUCTURAL_MODULES
