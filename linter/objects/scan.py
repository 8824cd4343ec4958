"""One method's statements, read once: what it stores on `self` (an
acquisition, a context manager to enter later, a local name that holds one),
which attributes it releases or hands off, which it tests, and which of its
own methods it calls. Only classes that store an acquisition get here."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from leaklint.calls import ScopeCalls
from leaklint.catalogue import AWAIT_WRAPPERS, Await, Catalogue
from leaklint.resolve import Resolver
from leaklint.syntax import dotted_name, is_none, last_name, statements, walk

from .lifecycle import ENTER_DUNDERS
from .model import Acquisition, Method, MethodScan, Role, Use
from .releases import CallEffects, attribute_of, self_method

WITH = "with"  # the release "method" of a `with self.x:` block (no method can be named so)
ASYNC_WITH = "async with"


class MethodScanner:
    def __init__(self, catalogue: Catalogue, effects: CallEffects) -> None:
        self.catalogue = catalogue
        self.effects = effects

    def scan(self, method: Method, resolver: Resolver, calls: Optional[ScopeCalls]) -> MethodScan:
        found = MethodScan(method)
        body = method.node.body
        local_sources = self._local_acquisitions(body, resolver)
        aliases = found.aliases  # `conn = self.conn`
        returned: set[str] = set()
        cleared: set[str] = set()
        for order, node in enumerate(statements(body)):
            if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                self._assignment(found, node, targets, node.value, order, resolver, local_sources, aliases, cleared)
            elif isinstance(node, cst.Return) and node.value is not None:
                value = dotted_name(node.value)
                attribute = aliases.get(value or "") or attribute_of(value, method.self_name)
                if attribute:
                    returned.add(attribute)  # lent, unless the method also lets go of it (below)
            elif isinstance(node, (cst.If, cst.While, cst.Assert)):
                for attribute in _tested(node.test, method.self_name):
                    found.tests.setdefault(attribute, order)
            elif isinstance(node, cst.With):
                for item in node.items:
                    attribute = attribute_of(dotted_name(item.item), method.self_name)
                    if attribute:
                        found.uses.append(Use(attribute, Role.RELEASE, method, item, ASYNC_WITH if node.asynchronous else WITH))
        for attribute in returned & cleared:  # `conn = self.conn; self.conn = None; return conn`: taken out
            self._use(found, attribute, Role.HAND_OFF, method.node)
        for fact in calls.calls if calls is not None else ():
            called = self_method(fact.call, method.self_name)
            if called is not None:
                found.self_calls.add(called)
            for effect in self.effects.of(fact.call, resolver):
                attribute = attribute_of(effect.target, method.self_name) or aliases.get(effect.target)
                if attribute:
                    found.uses.append(Use(attribute, effect.role, method, fact.call, effect.method))
        return found

    # -- assignments -------------------------------------------------------------------

    def _assignment(self, found, node, targets, value, order, resolver, local_sources, aliases, cleared) -> None:
        self_name = found.method.self_name
        source = attribute_of(dotted_name(value), self_name)  # `... = self.conn`
        for attribute in _kept_inside(value, self_name):  # `self.conns = [self.conn]`, `Thread(args=(self.sock,))`
            self._use(found, attribute, Role.HAND_OFF, node)
        for target in targets:
            attribute = attribute_of(dotted_name(target), self_name)
            if attribute is None:
                if source and isinstance(target, cst.Name):
                    aliases[target.value] = source
                elif source:
                    self._use(found, source, Role.HAND_OFF, node)  # `registry[key] = self.conn`
                continue
            found.order[node] = order
            if is_none(value):
                cleared.add(attribute)
            elif source and source != attribute:
                self._use(found, source, Role.HAND_OFF, node)  # moved to another attribute
            else:
                self._stored(found, node, attribute, value, resolver, local_sources)

    def _stored(self, found: MethodScan, node, attribute: str, value, resolver: Resolver, local_sources) -> None:
        if isinstance(value, cst.Name) and value.value in local_sources:
            call, acquire, kind, awaited = local_sources[value.value]
            found.acquisitions.append(Acquisition(attribute, found.method, node, call, acquire, kind, awaited, local=value.value))
            return
        expr, awaited = _unwrap(value, resolver)
        if not isinstance(expr, cst.Call):
            return
        entered = _entered_manager(expr, found.method.self_name)
        if entered is not None:
            found.entered.append((attribute, node, expr, entered))
            return
        acquire = resolver.acquire_of(expr)
        if acquire is None or acquire.stream:
            return
        kind = self.catalogue.kind(acquire.kind)
        if not kind.owned or not (kind.releases or acquire.returned_by):
            return  # long-lived by design, or nothing could release it
        if not awaited and acquire.awaiting in (Await.AWAITABLE, Await.CM_ONLY):
            found.managers[attribute] = acquire  # entered later: `async with self._cm`, `self._cm.__aenter__()`
        elif awaited or acquire.awaiting not in (Await.COROUTINE, Await.CM_ONLY):
            found.acquisitions.append(Acquisition(attribute, found.method, node, expr, acquire, kind, awaited))

    def _local_acquisitions(self, body, resolver: Resolver) -> dict:
        """Local names bound only to acquisitions (`conn = await pool.acquire()`),
        each to its one acquiring call: storing such a name stores the resource."""
        sources: dict[str, Optional[tuple]] = {}
        for node in statements(body):
            if not isinstance(node, cst.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
                continue
            name = node.targets[0].target.value
            if is_none(node.value):
                continue
            expr, awaited = _unwrap(node.value, resolver)
            acquire = resolver.acquire_of(expr) if isinstance(expr, cst.Call) else None
            usable = acquire is not None and not acquire.stream and (awaited or acquire.awaiting in (Await.NO, Await.EITHER))
            kind = self.catalogue.kind(acquire.kind) if usable else None
            if kind is None or not kind.owned or name in sources or name in resolver.params:
                sources[name] = None  # a parameter, another value, or bound twice: not followed
            else:
                sources[name] = (expr, acquire, kind, awaited)
        return {name: source for name, source in sources.items() if source is not None}

    @staticmethod
    def _use(found: MethodScan, attribute: str, role: Role, node: cst.CSTNode) -> None:
        found.uses.append(Use(attribute, role, found.method, node))


def _unwrap(value: cst.BaseExpression, resolver: Resolver) -> tuple[cst.BaseExpression, bool]:
    """`await asyncio.wait_for(pool.acquire(), 5)` -> (`pool.acquire()`, awaited)."""
    if not isinstance(value, cst.Await):
        return value, False
    inner = value.expression
    if isinstance(inner, cst.Call) and inner.args and resolver.qualified(inner.func) in AWAIT_WRAPPERS:
        return inner.args[0].value, True
    return inner, True


def _entered_manager(call: cst.Call, self_name: str) -> Optional[str]:
    """`_cm` for `self._cm.__aenter__()`: a stored context manager entered by hand."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ENTER_DUNDERS:
        return attribute_of(dotted_name(func.value), self_name)
    return None


def _tested(test: cst.BaseExpression, self_name: str) -> set[str]:
    """Attributes a condition looks at: `self.conn is None`, `not self.conn`,
    `self.conn.closed`, `getattr(self, "conn", None)`."""
    found = set()
    for node in walk(test):
        if isinstance(node, cst.Attribute):
            attribute = attribute_of(dotted_name(node), self_name)
            if attribute:
                found.add(attribute)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("getattr", "hasattr") and len(node.args) >= 2:
            owner, name = node.args[0].value, node.args[1].value
            if isinstance(owner, cst.Name) and owner.value == self_name and isinstance(name, cst.SimpleString):
                found.add(str(name.evaluated_value))
    return found


def _kept_inside(value: cst.BaseExpression, self_name: str) -> set[str]:
    """Attributes a value keeps: elements of a list, tuple, set or dict, and
    arguments of a class being built (a wrapper that holds on to them)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            stack.extend(e.value for e in node.elements)
        elif isinstance(node, cst.Dict):
            stack.extend(e.value for e in node.elements if isinstance(e, cst.DictElement))
        elif isinstance(node, cst.Call) and last_name(node.func)[:1].isupper():
            stack.extend(a.value for a in node.args)
        elif node is not value:
            attribute = attribute_of(dotted_name(node), self_name)
            if attribute:
                found.add(attribute)
    return found
