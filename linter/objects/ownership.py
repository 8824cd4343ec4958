"""Class-wide ownership: for each class that stores an acquisition on
`self`, which methods of the class, its bases and its subclasses (in the
module) release the attribute, hand it off, or only lend it, and from that
the attributes nothing releases (LKL106) and the methods that store a new
resource over one that may be open (LKL105).

A method that returns `self.x` lends it (a getter, `__aenter__` returning
`self.conn`); it hands it off only when it also lets go of it
(`self.x = None`). A call to another method of the object (`self.close()`,
`super().close()`) releases what that method releases.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Optional

import libcst as cst

from leaklint.catalogue import Acquire
from leaklint.resolve import ClassInfo
from leaklint.syntax import decorator_names

from .hierarchy import Hierarchy
from .lifecycle import EXIT_DUNDERS, LIFECYCLE_METHODS
from .model import Acquisition, Method, MethodScan, NeverReleased, Overwritten, Role, Use
from .releases import CallEffects
from .scan import ASYNC_WITH, WITH, MethodScanner

if TYPE_CHECKING:
    from leaklint.analysis import ModuleFacts


class Ownership:
    def __init__(self, facts: "ModuleFacts") -> None:
        self.facts = facts
        module_resolver = facts.resolvers[None]
        self.catalogue = module_resolver.catalogue
        self.effects = CallEffects(self.catalogue)
        self.scanner = MethodScanner(self.catalogue, self.effects)
        self.methods: dict[cst.ClassDef, dict[str, Method]] = {}  # by class statement
        for function in facts.index.functions:
            params = function.node.params.params
            if function.cls is None or not params or "staticmethod" in decorator_names(function.node):
                continue
            method = Method(function, function.cls, params[0].name.value)
            self.methods.setdefault(function.cls.node, {}).setdefault(method.name, method)
        self._scans: dict[Method, MethodScan] = {}
        self._acquisitions: dict[cst.ClassDef, list[Acquisition]] = {}
        self._released: dict[tuple[cst.ClassDef, Method], frozenset[str]] = {}

    @cached_property
    def hierarchy(self) -> Hierarchy:
        return Hierarchy(self.facts.index, self.facts.resolvers[None])  # only for modules with candidates

    # -- which classes ---------------------------------------------------------------------

    def candidates(self) -> list[ClassInfo]:
        """Classes that store something on `self` the resolver calls an
        acquisition: decided from facts already computed, with no new walk."""
        classes = [c for c in self.facts.index.classes.values() if c.node in self.methods and c.attributes]
        return [cls for cls in classes if self._stores_acquisition(cls)]

    def _stores_acquisition(self, cls: ClassInfo) -> bool:
        acquiring: set[cst.CSTNode] = set()
        local_values: dict[str, list[cst.BaseExpression]] = {}
        for method in self.methods[cls.node].values():
            scope = self.facts.calls.get(method.node)
            acquiring.update(fact.call for fact in (scope.calls if scope is not None else ()) if fact.acquire is not None)
            for name, values in self.facts.resolvers[method.node].local.values.items():
                local_values.setdefault(name, []).extend(values)
        for values in cls.attributes.values():
            for value in values:
                if isinstance(value, cst.Name):  # `conn = await pool.acquire(); self.conn = conn`
                    if any(_acquiring(v, acquiring) for v in local_values.get(value.value, ())):
                        return True
                elif _acquiring(value, acquiring):
                    return True
        return False

    # -- per method and per class ------------------------------------------------------------

    def scan(self, method: Method) -> MethodScan:
        found = self._scans.get(method)
        if found is None:
            resolver = self.facts.resolvers[method.node]
            found = self._scans[method] = self.scanner.scan(method, resolver, self._calls_within(method))
        return found

    def _calls_within(self, method: Method) -> list:
        """The call facts of the method and of the functions nested in it (a
        closure that closes the session, run as a task or a callback)."""
        scopes = [self.facts.calls.get(method.node)]
        scopes += [self.facts.calls.get(f.node) for f in self.facts.index.functions if _nested_in(f, method.node)]
        return [scope for scope in scopes if scope is not None]

    def family_methods(self, cls: ClassInfo) -> list[Method]:
        return [m for c in self.hierarchy.family(cls) for m in self.methods.get(c.node, {}).values()]

    def acquisitions(self, cls: ClassInfo) -> list[Acquisition]:
        """What the class's own methods store, in source order, those entered
        by hand from a stored context manager (`self._cm.__aenter__()`) included."""
        found = self._acquisitions.get(cls.node)
        if found is None:
            managers = self._managers(cls)
            found = []
            for method in self.methods.get(cls.node, {}).values():
                scan = self.scan(method)
                found.extend(a for a in scan.acquisitions if not (a.attribute in managers and not a.awaited))
                for entered in scan.entered:
                    acquire = managers.get(entered.manager)
                    if acquire is not None:
                        kind = self.catalogue.kind(acquire.kind)
                        stored = Acquisition(entered.attribute, method, entered.store, entered.call, acquire, kind, True, manager=entered.manager)
                        found.append(stored)
            self._acquisitions[cls.node] = found
        return found

    def _managers(self, cls: ClassInfo) -> dict[str, Acquire]:
        """Acquire context managers the family stores unentered (`self._cm = pool.acquire()`),
        and those it enters by hand that the resolver could only call acquisitions."""
        managers: dict[str, Acquire] = {}
        entered = set()
        scans = [self.scan(m) for m in self.family_methods(cls)]
        for scan in scans:
            managers.update(scan.managers)
            entered.update(e.manager for e in scan.entered)
        for scan in scans:
            for acquisition in scan.acquisitions:
                if acquisition.attribute in entered and not acquisition.awaited:
                    managers.setdefault(acquisition.attribute, acquisition.acquire)
        return managers

    def held(self, cls: ClassInfo, attribute: str) -> list[Acquisition]:
        """Every acquisition stored on `self.<attribute>` by the class's family."""
        return [a for c in self.hierarchy.family(cls) for a in self.acquisitions(c) if a.attribute == attribute]

    def held_from(self, cls: ClassInfo, manager: str) -> list[Acquisition]:
        """What the family enters by hand from the context manager stored on `self.<manager>`."""
        return [a for c in self.hierarchy.family(cls) for a in self.acquisitions(c) if a.manager == manager]

    def resolve(self, cls: ClassInfo, name: str) -> Optional[Method]:
        """The method `self.<name>()` runs: in the MRO, else in a subclass (a template method)."""
        for candidate in self.hierarchy.mro(cls) + self.hierarchy.family(cls):
            found = self.methods.get(candidate.node, {}).get(name)
            if found is not None:
                return found
        return None

    def released_by(self, cls: ClassInfo, method: Method) -> frozenset[str]:
        """Attributes `method` releases, itself or through the methods of the object it calls."""
        key = (cls.node, method)
        found = self._released.get(key)
        if found is None:
            found = self._released[key] = frozenset(self._releases(cls, method, set()))
        return found

    def _releases(self, cls: ClassInfo, method: Method, seen: set) -> set[str]:
        seen.add(method)
        scan = self.scan(method)
        found = {use.attribute for use in scan.uses if use.role is Role.RELEASE and self.fits(cls, use)}
        for use in scan.uses:
            if use.role is Role.RELEASE and use.release_method in EXIT_DUNDERS:  # `self._cm.__aexit__(...)`
                found |= {a.attribute for a in self.held_from(cls, use.attribute)}
        for name in scan.self_calls:
            callee = self.resolve(cls, name)
            if callee is not None and callee not in seen:
                found |= self._releases(cls, callee, seen)
        return found

    def fits(self, cls: ClassInfo, use: Use) -> bool:
        """A release method fits what the attribute holds: `close()` does not
        give a pooled connection back, `putconn` is no release of a session."""
        method = use.release_method
        if method is None or method in EXIT_DUNDERS:
            return True
        for acquisition in self.held(cls, use.attribute):
            kind, acquire = acquisition.kind, acquisition.acquire
            if method in (WITH, ASYNC_WITH):
                if kind.exit(asynchronous=method == ASYNC_WITH).ends_ownership:
                    return True
            elif any(r.method == method for r in kind.releases) and method not in kind.closes_without_returning:
                return True
            elif any(r.method == method for r in acquire.returned_by):
                return True
        return not self.held(cls, use.attribute)  # nothing known is held: any release will do

    # -- LKL106 and LKL105 -----------------------------------------------------------------------

    def defects(self) -> tuple[list[NeverReleased], list[Overwritten]]:
        never: list[NeverReleased] = []
        overwritten: list[Overwritten] = []
        for cls in self.candidates():
            if self.hierarchy.opaque(cls):
                continue  # a base in another module may release it
            by_attribute: dict[str, list[Acquisition]] = {}
            for acquisition in self.acquisitions(cls):
                by_attribute.setdefault(acquisition.attribute, []).append(acquisition)
            family = self.family_methods(cls)
            released_outside = self.hierarchy.named_outside(cls)
            for attribute, stored in by_attribute.items():
                if attribute in released_outside:
                    continue  # a base in another module may release it
                if any(attribute in self.released_by(cls, m) for m in family):
                    overwritten.extend(self._overwrites(cls, stored))
                elif not any(u.attribute == attribute and u.role is Role.HAND_OFF for m in family for u in self.scan(m).uses):
                    never.append(NeverReleased(stored[0]))
        return never, overwritten

    def _overwrites(self, cls: ClassInfo, stored: list[Acquisition]) -> list[Overwritten]:
        found = []
        for acquisition in stored:
            method, attribute = acquisition.method, acquisition.attribute
            scan = self.scan(method)
            tested_first = attribute in scan.tests and scan.tests[attribute] < scan.order.get(acquisition.store, 0)
            if acquisition.replaces or tested_first or self._safe(cls, method, attribute, set()):
                continue
            others = [a for a in self.held(cls, attribute) if a is not acquisition]
            previous = next((a for a in others if a.method.name in LIFECYCLE_METHODS), others[0] if others else acquisition)
            found.append(Overwritten(acquisition, previous))
        return found

    def _safe(self, cls: ClassInfo, method: Method, attribute: str, seen: set) -> bool:
        """`method` cannot run while `self.<attribute>` is open: it is a lifecycle
        method, it releases it, or every method that calls it is safe."""
        if method.name in LIFECYCLE_METHODS or attribute in self.released_by(cls, method):
            return True
        if method in seen:
            return True
        seen.add(method)
        callers = [m for m in self.family_methods(cls) if method.name in self.scan(m).self_calls and m is not method]
        return bool(callers) and all(attribute in self.scan(c).tests or self._safe(cls, c, attribute, seen) for c in callers)


def _acquiring(value: cst.BaseExpression, acquiring: set[cst.CSTNode]) -> bool:
    """`pool.acquire()`, `await pool.acquire()`, `await asyncio.wait_for(pool.acquire(), 5)`."""
    expr = value.expression if isinstance(value, cst.Await) else value
    return isinstance(expr, cst.Call) and (expr in acquiring or any(a.value in acquiring for a in expr.args))


def _nested_in(function, node: cst.FunctionDef) -> bool:
    parent = function.parent
    while parent is not None:
        if parent.node is node:
            return True
        parent = parent.parent
    return False
