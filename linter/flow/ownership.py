"""Ownership effects: which calls acquire a resource this function owns, and
what calls and `with` blocks do to the resources a path holds (releases,
hand-offs, registered releases, project helpers that release or keep an
argument).

The only part of the flow analysis that reads the catalogue (through the
resolver); the rest asks here.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

import libcst as cst

from ..catalogue import (
    AWAIT_WRAPPERS,
    ENTERING_METHODS,
    FORWARDING_CALLS,
    FORWARDING_METHODS,
    NON_RAISING_CALLS,
    OWNING_CALLS,
    OWNING_METHODS,
    REGISTERING_CALLS,
    REGISTERING_METHODS,
    STORING_METHODS,
    Acquire,
    Await,
    Exit,
    Kind,
    exit_of,
)
from ..resolve import OTHER, Resolver
from ..syntax import argument_names, unwrap_await
from .expressions import ExprFacts
from .facts import Discard, Phase, ReleaseEvent, Site
from .ledger import Ledger
from .state import ParameterSite, State, Tracked
from .streams import close_streams_of
from .values import Reference, called_names, derived_receivers, derived_from, forwarded_call, made_from, reference




@dataclass(frozen=True)
class Acquisition:
    """A call that acquires a resource."""

    call: cst.Call
    acquire: Acquire
    kind: Kind
    awaited: bool = False
    entered_by: Optional[cst.Call] = None  # `stack.enter_context(call)` whose exit only ends a transaction


class WithEffect(enum.Enum):
    """What leaving `with name:` does to the resource `name` holds."""

    ENDS_OWNERSHIP = "ends ownership"
    ENDS_TRANSACTION = "ends the transaction"  # the resource stays open
    NONE = "none"


class Ownership:
    def __init__(self, resolver: Resolver, ledger: Ledger) -> None:
        self.resolver = resolver
        self.catalogue = resolver.catalogue
        self.ledger = ledger
        self.release_methods = self.catalogue.release_methods

    # -- acquisitions -------------------------------------------------------------

    def acquisition(self, value: cst.BaseExpression) -> Optional[Acquisition]:
        """The acquisition `value` makes, when it acquires a resource a function
        owns: `pool.getconn()`, `await pool.acquire()`, `stack.enter_context(...)`
        on an object whose exit only ends a transaction."""
        expr, awaited = self._awaited_call(value)
        if expr is None:
            return None
        entered = _entered_context(expr)
        if entered is not None:
            acquire = self.resolver.acquire_of(entered)
            if acquire is None or acquire.stream:
                return None
            kind = self.catalogue.kind(acquire.kind)
            exit_ = exit_of(acquire, kind, asynchronous=False, awaited=False)
            if exit_ == Exit.TXN_ONLY and kind.owned:
                return Acquisition(entered, acquire, kind, awaited, expr)
            if acquire.reached_through and kind.owned:  # the stack closes the cursor only
                return Acquisition(entered, acquire, kind, awaited)
            return None
        acquire = self.resolver.acquire_of(expr)
        if acquire is None or acquire.part is not None:
            return None  # nothing, or a tuple kept whole (`conn = await open_connection()`)
        kind = self.catalogue.kind(acquire.kind)
        if not kind.owned and not acquire.stream:
            return None
        if acquire.awaiting == Await.CM_ONLY:
            return None
        if acquire.awaiting in (Await.COROUTINE, Await.AWAITABLE) and not awaited:
            return None  # nothing acquired yet
        return Acquisition(expr, acquire, kind, awaited)

    def part_acquisitions(self, value: cst.BaseExpression) -> list[tuple[int, Acquisition]]:
        """`conn, cur = open_pair()`: (position, acquisition) of each element of
        the tuple a call gives that is a resource."""
        expr, awaited = self._awaited_call(value)
        if expr is None:
            return []
        found = []
        for position, acquire in enumerate(self.resolver.acquired_parts(expr)):
            if acquire is None or (acquire.awaiting is Await.COROUTINE and not awaited):
                continue
            kind = self.catalogue.kind(acquire.kind)
            if kind.owned:
                found.append((position, Acquisition(expr, acquire, kind, awaited)))
        return found

    def _awaited_call(self, value: cst.BaseExpression) -> tuple[Optional[cst.Call], bool]:
        """(the call `value` makes, whether it is awaited), through the
        wrappers that await their argument: `await asyncio.wait_for(call, 5)`."""
        expr, awaited = unwrap_await(value)
        if isinstance(expr, cst.Call) and awaited:
            qualified = self.resolver.qualified(expr.func) or ""
            if qualified in AWAIT_WRAPPERS and expr.args:
                inner = expr.args[0].value
                if isinstance(inner, cst.Call):
                    expr = inner
        return (expr, awaited) if isinstance(expr, cst.Call) else (None, awaited)

    def stream_acquisition(self, call: cst.Call) -> Optional[Acquisition]:
        """`call` opens a stream: `for row in conn.execute(...)`."""
        acquire = self.resolver.acquire_of(call)
        if acquire is None or not acquire.stream:
            return None
        return Acquisition(call, acquire, self.catalogue.kind(acquire.kind))

    def left_open_by_with(self, call: cst.Call, is_async: bool, awaited: bool) -> Optional[Acquisition]:
        """The acquisition a `with` item makes and leaves open, its exit only
        ending a transaction (`with sqlite3.connect(path) as conn:`) or only
        closing an object derived from it (`with cursor_for(path) as cur:`,
        `with closing(cursor_for(path)) as cur:`)."""
        call = self._derived_in_closing(call) or call
        acquire = self.resolver.acquire_of(call)
        if acquire is None:
            return None
        kind = self.catalogue.kind(acquire.kind)
        exit_ = exit_of(acquire, kind, asynchronous=is_async, awaited=awaited)
        if (exit_ == Exit.TXN_ONLY or acquire.reached_through) and kind.owned and not acquire.stream:
            return Acquisition(call, acquire, kind, awaited)
        return None

    def _derived_in_closing(self, call: cst.Call) -> Optional[cst.Call]:
        """`cursor_for(path)` in `closing(cursor_for(path))`, where the factory
        returns a cursor: closing it leaves its connection open."""
        inner = call.args[0].value if call.args else None
        if isinstance(inner, cst.Call) and (self.resolver.qualified(call.func) or "") in OWNING_CALLS:
            acquire = self.resolver.acquire_of(inner)
            if acquire is not None and acquire.reached_through:
                return inner
        return None

    def with_effect(self, site: Site, is_async: bool) -> WithEffect:
        if site.acquire.reached_through:
            return WithEffect.NONE  # `with cur:` closes the cursor, not its connection
        return _with_effect(site.kind, is_async)

    def closed_by_with(self, expr: cst.Attribute, is_async: bool, states: list[State]) -> Optional[Reference]:
        """`cur.connection` in `with cur.connection:`, where leaving the block
        closes the connection that a cursor keeps."""
        target = reference(expr)
        for state in states if target is not None else []:
            site = self.released_by(state, target)
            if isinstance(site, Site) and _with_effect(site.kind, is_async) is WithEffect.ENDS_OWNERSHIP:
                return target
        return None

    def closing_target(self, call: cst.Call) -> Optional[str]:
        """`conn` in `closing(conn)`, `aclosing(conn)`, `nullcontext(conn)`."""
        qualified = self.resolver.qualified(call.func) or ""
        if qualified in OWNING_CALLS and call.args:
            arg = call.args[0].value
            if isinstance(arg, cst.Name):
                return arg.value
        return None

    def record_discards(self, expr: cst.BaseExpression, facts: ExprFacts, discard_root: bool, managed_root: bool) -> None:
        """Acquisitions in `expr` whose result is dropped or used only as a receiver."""
        root, _ = unwrap_await(expr)
        for call, chained in facts.candidate_discards(root, discard_root):
            if managed_root and call is root:
                continue
            acquire = self.resolver.acquire_of(call)
            if acquire is None or acquire.stream or acquire.awaiting == Await.CM_ONLY:
                continue
            kind = self.catalogue.kind(acquire.kind)
            if not kind.owned:
                continue
            awaited = facts.is_awaited(call)
            if acquire.awaiting in (Await.COROUTINE, Await.AWAITABLE) and not awaited:
                continue
            if chained and any(r.method == facts.chained_method(call) for r in kind.releases):
                continue  # `connect(dsn).close()`
            if chained and facts.chained_method(call) in kind.returns_receiver:
                continue  # `engine.connect().execution_options(...)`: that call gives it back, and stands for it
            self.ledger.facts.discards.append(Discard(call, acquire, kind, chained))

    # -- effects ---------------------------------------------------------------------

    def apply(self, state: State, facts: ExprFacts) -> State:
        """The effects of an expression's calls, and of the names its lambdas capture."""
        for call in facts.calls:
            state = self._apply_call(state, call)
        if facts.captured:
            state = self.hand_off_names(state, facts.captured)
        return state

    def _apply_call(self, state: State, call: cst.Call) -> State:
        func = call.func
        # `cur.connection.close()`, `handle.conn.close()`: the release of what the object keeps
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute) and isinstance(func.value.value, cst.Name):
            site = state.site_of(func.value.value.value)
            if isinstance(site, Site) and _keeps(site, func.value.attr.value) and any(r.method == func.attr.value for r in site.kind.releases):
                return self.release(state, site)
        # `conn.close()`: a release method of the object itself
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            site = state.site_of(func.value.value)
            method = func.attr.value
            if isinstance(site, ParameterSite):
                if method in self.catalogue.own_release_methods:
                    return self.release(state, site)
            elif site is not None and not site.acquire.reached_through:  # `cur.close()` leaves its connection open
                release = next((r for r in site.kind.releases if r.method == method), None)
                if release is not None:
                    self.ledger.facts.releases.append(ReleaseEvent(call, site, release))
                    return self.release(state, site)
                if method in site.kind.closes_without_returning:
                    facts = self.ledger.of(site)
                    facts.closed_not_returned = facts.closed_not_returned or call
                    return state
                if method in site.kind.partial_reads and not self.ledger.loops:
                    facts = self.ledger.of(site)
                    facts.partial = facts.partial or call
        names = [a.value.value for a in call.args if isinstance(a.value, cst.Name)]
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Name) and func.value in ("next", "anext") and names and not self.ledger.loops:
            site = state.site_of(names[0])
            if isinstance(site, Site) and site.stream:
                facts = self.ledger.of(site)
                facts.partial = facts.partial or call
        qualified = self.resolver.qualified(func) or ""
        # `pool.putconn(conn)`, `await pool.release(conn)`
        if method is not None:
            for name in names:
                site = state.site_of(name)
                if site is None:
                    continue
                if isinstance(site, ParameterSite):
                    if method in self.catalogue.return_methods or method in OWNING_METHODS:
                        state = self.release(state, site)
                    continue
                if site.acquire.reached_through:  # a cursor given to a pool or a stack: not its connection
                    if method in STORING_METHODS:
                        state = self.store(state, site)
                    continue
                state = self._given(state, call, method, site)
            for site in self._reached_arguments(state, call):  # `pool.putconn(cur.connection)`
                state = self._given(state, call, method, site)
        # `ctx.wrap_socket(sock)`, `aiohttp.ClientSession(connector=c)`: the new object takes over what it is given
        # (asked only where a resource is passed: most calls pass none)
        if any(state.site_of(n) is not None for n in names):
            state = self.hand_off_names(state, self.adopted_names(call))
        if qualified in OWNING_CALLS:
            for name in names:
                site = self.released_by(state, (name, None))
                if site is not None:
                    state = self.release(state, site)
            for site in self._reached_arguments(state, call):  # `closing(cur.connection)`
                state = self.release(state, site)
        if method in REGISTERING_METHODS or qualified in REGISTERING_CALLS:
            state = self._registered(state, call, names)
        forwarding = FORWARDING_CALLS.get(qualified) or (FORWARDING_METHODS.get(method) if method else None)
        if forwarding is not None:
            state = self._apply_forwarded(state, call, forwarding)
        # a project helper known to release (or keep) its parameter
        # (asked only where a resource is passed: the answer is looked up, and may need another module)
        released = self.resolver.releases_argument(call) if any(state.site_of(n) is not None for n in names) else None
        if released:
            kept = self.resolver.keeps_argument(call)
            positional = [a for a in call.args if a.keyword is None and not a.star]
            for position in released:
                if position < len(positional) and isinstance(positional[position].value, cst.Name):
                    name = positional[position].value.value
                    if position in kept and state.site_of(name) is not None:
                        state = self.hand(state, state.site_of(name))
                    elif position not in kept and self.released_by(state, (name, None)) is not None:
                        state = self.release(state, state.site_of(name))
        return state

    def _apply_forwarded(self, state: State, call: cst.Call, forwarding: tuple) -> State:
        """`Thread(target=f, args=(conn,))`, `executor.submit(f, conn)`: where
        `f`'s summary releases (or keeps) a parameter, the resource given for it
        is handed to what runs `f`."""
        forwarded = forwarded_call(call, *forwarding)
        if forwarded is None:
            return state
        names = [a.value.value if isinstance(a.value, cst.Name) else None for a in forwarded.args]
        if not any(name is not None and state.site_of(name) is not None for name in names):
            return state
        for position in self.resolver.releases_argument(forwarded) or ():
            site = state.site_of(names[position]) if position < len(names) and names[position] else None
            if site is not None:
                state = self.hand(state, site)
        return state

    def cannot_raise(self, call: cst.Call) -> bool:
        """A call that starts no raise edge: a catalogue release (`conn.close()`:
        what follows a failed release is the release rules' business), or a call
        that only builds a context manager (`contextlib.suppress(ValueError)`)."""
        func = call.func
        if type(func) is cst.Attribute and func.attr.value in self.release_methods:
            return True
        return self.resolver.qualified(func) in NON_RAISING_CALLS

    def derived(self, expr: cst.BaseExpression) -> Optional[Reference]:
        """The object a value keeps reachable, and the attribute that does:
        a DB-API cursor (`conn.cursor()`), or what the object's kind says
        (`Kind.derived`: `connection.channel()` on pika, `client[name]` on
        pymongo)."""
        found = derived_from(expr)
        made = made_from(expr) if found is None else None
        if made is None:
            return found
        kind = self.resolver.kind_of(made[0])
        attribute = self.catalogue.kind(kind).derived.get(made[1]) if kind not in (None, OTHER) else None
        return (made[0].value, attribute) if attribute else None

    def receiver_given_back(self, value: cst.BaseExpression) -> Optional[str]:
        """`conn` in `conn.execution_options(...)`: a method that gives the
        object itself back, so the value is what `conn` holds."""
        value, _ = unwrap_await(value)
        if type(value) is not cst.Call or type(value.func) is not cst.Attribute or type(value.func.value) is not cst.Name:
            return None
        kind = self.resolver.kind_of(value.func.value)
        if kind is None or kind == OTHER:
            return None
        return value.func.value.value if value.func.attr.value in self.catalogue.kind(kind).returns_receiver else None

    def adopted_names(self, call: cst.Call) -> list[str]:
        """The names whose resource the object `call` makes takes over."""
        acquire = self.resolver.acquire_of(call)
        return argument_names(call, acquire.adopts, acquire.adopts_at) if acquire is not None else []

    def _registered(self, state: State, call: cst.Call, names: list[str]) -> State:
        """`stack.callback(conn.close)`, `stack.callback(cur.connection.close)`,
        `atexit.register(pool.putconn, conn)`: a release registered for later."""
        for arg in call.args:
            value = arg.value
            if not isinstance(value, cst.Attribute):
                continue
            if isinstance(value.value, cst.Name) and state.site_of(value.value.value) is None:
                state = self.release_targets(state, [(name, None) for name in names])  # `pool.putconn, conn`
                continue
            target = reference(value.value)
            site = self.released_by(state, target) if target is not None else None  # not a derived `cur.close`
            if site is not None:
                state = self.release(state, site)
        return state

    def _given(self, state: State, call: cst.Call, method: str, site: Site) -> State:
        """`site` passed to `method`: given back (`pool.putconn(conn)`), taken
        over (`stack.enter_context(conn)`) or stored (`items.append(conn)`)."""
        release = next((r for r in site.acquire.returned_by if r.method == method), None)
        if release is not None:
            self.ledger.facts.releases.append(ReleaseEvent(call, site, release))
            return self.release(state, site)
        if method in OWNING_METHODS:
            return self.release(state, site)
        if method in STORING_METHODS:
            return self.store(state, site)
        return state

    def released_by(self, state: State, target: Reference) -> Optional[Tracked]:
        """What releasing `target` releases: what a name holds, or for an
        object derived from a resource (a cursor a factory returned) the
        resource, reached only through the attribute that keeps it."""
        name, attribute = target
        site = state.site_of(name)
        through = site.acquire.reached_through if isinstance(site, Site) else None
        return site if site is not None and attribute == through else None

    def _reached_arguments(self, state: State, call: cst.Call) -> Iterator[Site]:
        """The resources the arguments `cur.connection` reach."""
        for arg in call.args:
            value = arg.value
            if type(value) is cst.Attribute and type(value.value) is cst.Name:
                site = self.released_by(state, (value.value.value, value.attr.value))
                if isinstance(site, Site):
                    yield site

    def release(self, state: State, site: Tracked) -> State:
        if isinstance(site, Site):
            self.ledger.of(site).released = True
            holders = state.holders(site)
            if holders:
                state = close_streams_of(state, holders, self.ledger)
        return state.set_phase(site, Phase.RELEASED)

    def hand(self, state: State, site: Tracked) -> State:
        if isinstance(site, Site):
            self.ledger.of(site).handed = True
        return state.set_phase(site, Phase.HANDED)

    def hand_off_names(self, state: State, names: Iterable[str]) -> State:
        return _each_held(state, names, self.hand)

    def store_names(self, state: State, names: Iterable[str]) -> State:
        return _each_held(state, names, self.store)

    def store(self, state: State, site: Tracked) -> State:
        """Kept by something that outlives the call: a hand-off, and what a
        function that also returns it only lends (a memoising getter)."""
        if isinstance(site, Site):
            self.ledger.of(site).stored = True
        return self.hand(state, site)

    def escaping(self, expr: cst.BaseExpression, facts: ExprFacts, held: set[str]) -> set[str]:
        """The names whose resource leaves with the value of `expr` (returned or
        stored): those it names, except as an argument that a known callee
        only borrows (`return f(conn)`), and the receiver of a method whose
        result keeps it reachable (`return conn.cursor()`). `held`: the names
        that hold something on some path (only their callees are looked up)."""
        borrowed: Counter[str] = Counter()
        for name, call, position in facts.arguments:
            if name not in held:
                continue
            if name in self.adopted_names(call):
                borrowed[name] += 1  # taken over by the new object: what leaves is that object
                continue
            kept = self.resolver.kept_positions(call) if position is not None else None
            if kept is not None and position not in kept:
                borrowed[name] += 1
        found = {name for name, count in Counter(facts.value_names).items() if count > borrowed[name]}
        found.update(derived_receivers(expr))
        found.update(name for name in called_names(expr) if name in held)
        return found

    def release_targets(self, state: State, targets: Iterable[Reference]) -> State:
        for target in targets:
            site = self.released_by(state, target)
            if site is not None:
                state = self.release(state, site)
        return state

    def record_yielded(self, states: Iterable[State], facts: ExprFacts) -> None:
        """A generator that yields a resource hands it to its consumer."""
        for state in states:
            for name in facts.yielded_names:
                site = state.site_of(name)
                if isinstance(site, Site):
                    self.ledger.of(site).yielded = True


def _with_effect(kind: Kind, is_async: bool) -> WithEffect:
    """What leaving `with obj:` does to an object of `kind`."""
    exit_ = kind.exit(asynchronous=is_async)
    if exit_.ends_ownership:
        return WithEffect.ENDS_OWNERSHIP
    if not is_async and kind.exit(asynchronous=True).ends_ownership:
        # only `async with` can enter it: the block is where the code means
        # its ownership to end (the sync `with` is a defect of its own)
        return WithEffect.ENDS_OWNERSHIP
    if exit_ == Exit.TXN_ONLY:
        return WithEffect.ENDS_TRANSACTION
    return WithEffect.NONE


def _each_held(state: State, names: Iterable[str], effect: Callable[[State, Tracked], State]) -> State:
    """`effect` on what each of `names` holds."""
    for name in names:
        site = state.site_of(name)
        if site is not None:
            state = effect(state, site)
    return state


def _keeps(site: Site, attribute: str) -> bool:
    """Whether `obj.attribute` may hold the resource of the object `site`: a
    derived object keeps it in one attribute (`cur.connection`), another
    object (a wrapper a factory returned) in whichever."""
    return site.acquire.reached_through in (None, attribute)


def _entered_context(call: cst.Call) -> Optional[cst.Call]:
    """`stack.enter_context(sqlite3.connect(p))` -> the inner call."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ENTERING_METHODS and call.args:
        inner = call.args[0].value
        if isinstance(inner, cst.Call):
            return inner
    return None
