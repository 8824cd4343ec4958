"""One method's statements, read once: what it stores on `self` (an
acquisition, a context manager to enter later, a local name that holds one),
which attributes it releases or hands off, which it tests, and which of its
own methods it calls. Only classes that store an acquisition get here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from leaklint.calls import ScopeCalls
from leaklint.catalogue import AWAIT_WRAPPERS, Acquire, Await, Catalogue, Kind
from leaklint.resolve import Resolver
from leaklint.syntax import arguments_at, dotted_name, is_none, last_name, statements, walk

from .lifecycle import ENTER_DUNDERS
from .model import Acquisition, Entered, Method, MethodScan, Role, Use
from .releases import CallEffects, attribute_of, self_method

WITH = "with"  # the release "method" of a `with self.x:` block (no method can be named so)
ASYNC_WITH = "async with"


@dataclass(frozen=True)
class _Acquired:
    call: cst.Call
    acquire: Acquire
    kind: Kind
    awaited: bool

    @property
    def unentered(self) -> bool:
        """`pool.acquire()` not awaited: a context manager to enter later, nothing acquired yet."""
        return not self.awaited and self.acquire.awaiting in (Await.AWAITABLE, Await.CM_ONLY)


class MethodScanner:
    def __init__(self, catalogue: Catalogue, effects: CallEffects) -> None:
        self.catalogue = catalogue
        self.effects = effects

    def scan(self, method: Method, resolver: Resolver, calls: list[ScopeCalls]) -> MethodScan:
        """`calls`: the call facts of the method, then of the functions nested in it."""
        reader = _Reader(self, method, resolver)
        for order, node in enumerate(statements(method.node.body)):
            reader.statement(order, node)
        reader.finish()
        for scope in calls:
            for fact in scope.calls:
                reader.call(fact.call)
        return reader.found

    def acquired(self, value: cst.BaseExpression, resolver: Resolver) -> Optional[_Acquired]:
        """What `value` acquires, if it is a resource someone must release."""
        expr, awaited = _unwrap(value, resolver)
        acquire = resolver.acquire_of(expr) if type(expr) is cst.Call else None
        if acquire is None or acquire.stream or acquire.part is not None:
            return None  # a tuple stored whole is not followed
        kind = self.catalogue.kind(acquire.kind)
        if not kind.owned or not (kind.releases or acquire.returned_by):
            return None  # long-lived by design, or nothing could release it
        if not awaited and acquire.awaiting is Await.COROUTINE:
            return None  # nothing acquired: LKL202's defect
        return _Acquired(expr, acquire, kind, awaited)


class _Reader:
    """The state of one method's scan."""

    def __init__(self, scanner: MethodScanner, method: Method, resolver: Resolver) -> None:
        self.scanner = scanner
        self.method = method
        self.self_name = method.self_name
        self.resolver = resolver
        self.found = MethodScan(method)
        self.locals = self._local_acquisitions()
        self.returned: set[str] = set()
        self.cleared: set[str] = set()

    def statement(self, order: int, node: cst.CSTNode) -> None:
        if type(node) in (cst.Assign, cst.AnnAssign) and node.value is not None:
            targets = [t.target for t in node.targets] if type(node) is cst.Assign else [node.target]
            self._assignment(order, node, targets, node.value)
        elif type(node) is cst.Return and node.value is not None:
            value = dotted_name(node.value)
            attribute = self.found.aliases.get(value or "") or attribute_of(value, self.self_name)
            if attribute:
                self.returned.add(attribute)  # lent, unless the method also lets go of it (`finish`)
        elif type(node) in (cst.If, cst.While, cst.Assert):
            for attribute in _tested(node.test, self.self_name):
                self.found.tests.setdefault(attribute, order)
        elif type(node) is cst.With:
            for item in node.items:
                attribute = attribute_of(dotted_name(item.item), self.self_name)
                if attribute:
                    self.found.uses.append(Use(attribute, Role.RELEASE, self.method, item, ASYNC_WITH if node.asynchronous else WITH))

    def finish(self) -> None:
        for attribute in self.returned & self.cleared:  # `conn = self.conn; self.conn = None; return conn`: taken out
            self._use(attribute, Role.HAND_OFF, self.method.node)

    def call(self, call: cst.Call) -> None:
        called = self_method(call, self.self_name)
        if called is not None:
            self.found.self_calls.add(called)
        for effect in self.scanner.effects.of(call, self.resolver):
            attribute = attribute_of(effect.target, self.self_name) or self.found.aliases.get(effect.target)
            if attribute:
                self.found.uses.append(Use(attribute, effect.role, self.method, call, effect.method))

    # -- assignments -------------------------------------------------------------------

    def _assignment(self, order: int, node: cst.CSTNode, targets: list, value: cst.BaseExpression) -> None:
        source = attribute_of(dotted_name(value), self.self_name)  # `... = self.conn`
        adopted = self._adopted(value)
        stored_on = {attribute_of(dotted_name(t), self.self_name) for t in targets}
        # `self.conns = [self.conn]`, `Thread(args=(self.sock,))`, `self.tls = ctx.wrap_socket(self.sock)`
        for attribute in _kept_inside(value, self.self_name) | (adopted - stored_on):
            self._use(attribute, Role.HAND_OFF, node)
        for target in targets:
            attribute = attribute_of(dotted_name(target), self.self_name)
            if attribute is None:
                if source and type(target) is cst.Name:
                    self.found.aliases[target.value] = source
                elif source:
                    self._use(source, Role.HAND_OFF, node)  # `registry[key] = self.conn`
                continue
            self.found.order[node] = order
            if is_none(value):
                self.cleared.add(attribute)
            elif source and source != attribute:
                self._use(source, Role.HAND_OFF, node)  # moved to another attribute
            else:
                self._stored(node, attribute, value, replaces=attribute in adopted)

    def _adopted(self, value: cst.BaseExpression) -> set[str]:
        """The attributes whose resource the object `value` makes takes over:
        `ctx.wrap_socket(self.sock)`, or a project helper that keeps its
        argument in what it returns (`_encrypt_on(self.sock, context)`)."""
        expr, _ = _unwrap(value, self.resolver)
        acquire = self.resolver.acquire_of(expr) if type(expr) is cst.Call else None
        if acquire is None:
            return set()
        positions = tuple(acquire.adopts_at) + tuple(self.resolver.keeps_argument(expr))
        if not (acquire.adopts or positions):
            return set()
        found = {attribute_of(dotted_name(v), self.self_name) for v in arguments_at(expr, acquire.adopts, positions)}
        return {attribute for attribute in found if attribute}

    def _stored(self, node: cst.CSTNode, attribute: str, value: cst.BaseExpression, *, replaces: bool = False) -> None:
        found = self.found
        if type(value) is cst.Name and value.value in self.locals:
            held = self.locals[value.value]
            stored = Acquisition(attribute, self.method, node, held.call, held.acquire, held.kind, held.awaited, local=value.value)
            found.acquisitions.append(stored)
            # the local and the attribute hold one object: releasing the local
            # (`await session.close()` in the method's `finally`) releases it
            found.aliases.setdefault(value.value, attribute)
            return
        expr, _ = _unwrap(value, self.resolver)
        manager = _entered_manager(expr, self.self_name) if type(expr) is cst.Call else None
        if manager is not None:
            found.entered.append(Entered(attribute, node, expr, manager))
            return
        held = self.scanner.acquired(value, self.resolver)
        if held is not None and held.unentered:
            found.managers[attribute] = held.acquire  # entered later: `async with self._cm`, `self._cm.__aenter__()`
        elif held is not None:
            found.acquisitions.append(Acquisition(attribute, self.method, node, held.call, held.acquire, held.kind, held.awaited, replaces=replaces))

    def _local_acquisitions(self) -> dict[str, _Acquired]:
        """Local names bound only to acquisitions (`conn = await pool.acquire()`),
        each to its one acquiring call: storing such a name stores the resource."""
        sources: dict[str, Optional[_Acquired]] = {}
        for node in statements(self.method.node.body):
            if type(node) is not cst.Assign or len(node.targets) != 1 or type(node.targets[0].target) is not cst.Name:
                continue
            name = node.targets[0].target.value
            if is_none(node.value):
                continue
            held = self.scanner.acquired(node.value, self.resolver)
            if held is None or held.unentered or name in sources or name in self.resolver.params:
                sources[name] = None  # a parameter, another value, or bound twice: not followed
            else:
                sources[name] = held
        return {name: held for name, held in sources.items() if held is not None}

    def _use(self, attribute: str, role: Role, node: cst.CSTNode) -> None:
        self.found.uses.append(Use(attribute, role, self.method, node))


def _unwrap(value: cst.BaseExpression, resolver: Resolver) -> tuple[cst.BaseExpression, bool]:
    """`await asyncio.wait_for(pool.acquire(), 5)` -> (`pool.acquire()`, awaited)."""
    if type(value) is not cst.Await:
        return value, False
    inner = value.expression
    if type(inner) is cst.Call and inner.args and resolver.qualified(inner.func) in AWAIT_WRAPPERS:
        return inner.args[0].value, True
    return inner, True


def _entered_manager(call: cst.Call, self_name: str) -> Optional[str]:
    """`_cm` for `self._cm.__aenter__()`: a stored context manager entered by hand."""
    func = call.func
    if type(func) is cst.Attribute and func.attr.value in ENTER_DUNDERS:
        return attribute_of(dotted_name(func.value), self_name)
    return None


def _tested(test: cst.BaseExpression, self_name: str) -> set[str]:
    """Attributes a condition looks at: `self.conn is None`, `not self.conn`,
    `self.conn.closed`, `getattr(self, "conn", None)`."""
    found = set()
    for node in walk(test):
        if type(node) is cst.Attribute:
            attribute = attribute_of(dotted_name(node), self_name)
            if attribute:
                found.add(attribute)
        elif type(node) is cst.Call and dotted_name(node.func) in ("getattr", "hasattr") and len(node.args) >= 2:
            owner, name = node.args[0].value, node.args[1].value
            if type(owner) is cst.Name and owner.value == self_name and type(name) is cst.SimpleString:
                found.add(str(name.evaluated_value))
    return found


def _kept_inside(value: cst.BaseExpression, self_name: str) -> set[str]:
    """Attributes a value keeps: elements of a list, tuple, set or dict, and
    arguments of a class being built (a wrapper that holds on to them)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) in (cst.List, cst.Tuple, cst.Set):
            stack.extend(e.value for e in node.elements)
        elif type(node) is cst.Dict:
            stack.extend(e.value for e in node.elements if type(e) is cst.DictElement)
        elif type(node) is cst.Call and last_name(node.func)[:1].isupper():
            stack.extend(a.value for a in node.args)
        elif node is not value:
            attribute = attribute_of(dotted_name(node), self_name)
            if attribute:
                found.add(attribute)
    return found
