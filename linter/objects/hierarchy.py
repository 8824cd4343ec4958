"""Which classes of a module act on the same objects: a class, its bases and
its subclasses defined in the same module, found by name in MRO order.

A base leaklint cannot see may release what its subclasses store
(`http.client.HTTPConnection`, whose `close()` closes the `self.sock` a
subclass's `connect()` opens), so a class with such a base is *opaque*: the
rules that need every method of the object (LKL105, LKL106) stay silent for
it. Only the builtins and the standard-library modules of structural bases
(test cases, ABCs, protocols, enums, threads) are known to release nothing a
subclass stores. A base in another project module is seen through its
summary (the `self` attributes its methods name); until that summary is in,
the module asks for it and the class stays opaque.
"""
from __future__ import annotations

import builtins
from typing import Iterator, Optional

import libcst as cst

from leaklint.resolve import ClassInfo, ModuleIndex, Resolver
from leaklint.syntax import dotted_name, walk

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
        self._named_by_bases: dict[cst.ClassDef, frozenset[str]] = {}  # by bases in other modules
        for info in index.classes.values():
            bases = []
            unseen = False
            named: set[str] = set()
            for expr in _base_expressions(info.node):
                found = by_name.get(dotted_name(expr) or "")
                if found is not None and found is not info:
                    bases.append(found)
                    self._subclasses.setdefault(found.node, []).append(info)
                elif not _releases_nothing(expr, resolver):
                    mentions = _mentions_of_project_base(expr, resolver)
                    if mentions is None:
                        unseen = True
                    else:
                        named |= mentions
            self._bases[info.node] = bases
            self._unseen_base[info.node] = unseen
            self._named_by_bases[info.node] = frozenset(named)

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

    def named_outside(self, cls: ClassInfo) -> frozenset[str]:
        """The `self` attributes that the class's bases in other project
        modules name: what they may release."""
        return frozenset().union(*(self._named_by_bases.get(c.node, frozenset()) for c in self.family(cls)))


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


def _mentions_of_project_base(expr: cst.BaseExpression, resolver: Resolver) -> Optional[frozenset[str]]:
    """What a base class of another project module may release (its summary's
    `mentions`); None while that is unknown, after asking for it."""
    qualified = resolver.qualified(expr)
    if qualified is None:
        return None
    summary = resolver.summaries.project_class(qualified)
    if summary is not None and summary.mentions is not None:
        return summary.mentions
    resolver.want_base(qualified)
    return None


def attributes_named(cls: ClassInfo, hierarchy: Hierarchy) -> Optional[frozenset[str]]:
    """The `self` attributes the methods of `cls` and of its bases name, for
    its subclasses in other modules: all those methods could release. None
    when they could release anything: a base leaklint cannot see, or `self`
    handed to another object (`registry.add(self)`)."""
    if hierarchy.opaque(cls):
        return None
    named: set[str] = set()
    for info in hierarchy.mro(cls):
        for method in info.node.body.body:
            if not isinstance(method, cst.FunctionDef) or not method.params.params:
                continue
            found = _self_attributes(method, method.params.params[0].name.value)
            if found is None:
                return None
            named |= found
    return frozenset(named | hierarchy.named_outside(cls))


def _self_attributes(method: cst.FunctionDef, self_name: str) -> Optional[set[str]]:
    named: set[str] = set()
    receivers: set[cst.CSTNode] = set()
    for node in walk(method.body, into_scopes=True):
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == self_name:
            named.add(node.attr.value)
            receivers.add(node.value)
        elif isinstance(node, cst.Call) and dotted_name(node.func) == "super":
            receivers.update(a.value for a in node.args)
    for node in walk(method.body, into_scopes=True):
        if isinstance(node, cst.Name) and node.value == self_name and node not in receivers:
            return None
    return named
