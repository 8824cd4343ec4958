"""Path-sensitive flow analysis of one function, shared by every rule.

The analysis interprets the function's statements over a set of abstract
states. A state says, for each resource the function acquired, whether it
is open, released or handed off on that path, which names hold it, and why
an open resource is still open (an exception skipped its release, a `break`
jumped over it). Non-local exits (return, raise, break, continue) travel as
tagged states until the statement that handles them: a loop, a `try`, a
`with`, or the end of the function. Any call and any `await` may raise.

The result is a list of facts per acquisition (where it leaks and why); the
rules turn facts into diagnostics.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import libcst as cst

from .catalogue import (
    AWAIT_WRAPPERS,
    OWNING_CALLS,
    OWNING_METHODS,
    REGISTERING_CALLS,
    REGISTERING_METHODS,
    STORING_METHODS,
    Acquire,
    Await,
    Exit,
    Kind,
)
from .resolve import Resolver
from .syntax import children, dotted_name, is_none, unwrap_await, walk

MAX_LOOP_PASSES = 6
CONSUMING_BUILTINS = frozenset({"next", "anext", "len", "list", "tuple", "sorted", "any", "all", "sum", "min", "max", "isinstance", "id", "repr", "str"})
MAX_STATES = 256  # beyond this, states are merged per resource (precision loss, never a crash)


class Phase(enum.IntEnum):
    OPEN = 0
    RELEASED = 1
    HANDED = 2
    MAYBE = 3  # released under a condition leaklint cannot follow: not reported


class Category(enum.Enum):
    ERROR = "error"  # an Exception subclass
    BASE = "base"  # CancelledError, GeneratorExit: BaseException only


@dataclass(frozen=True)
class Cause:
    """Why a resource is still open on a path."""

    kind: str  # "exception" (a call, await or yield raised), "raise", "jump"
    node: cst.CSTNode = field(compare=False)
    category: Category = Category.ERROR
    key: Optional[cst.CSTNode] = None  # part of identity for raise/jump causes


@dataclass(frozen=True)
class Tag:
    """A non-local exit on its way to the statement that handles it."""

    kind: str  # "return", "break", "continue", "raise"
    node: cst.CSTNode = field(compare=False)
    category: Category = Category.ERROR
    explicit: bool = False
    key: Optional[cst.CSTNode] = None
    exception_name: Optional[str] = None


class State:
    __slots__ = ("names", "sites", "tag", "saved", "flags", "_hash")

    def __init__(self, names: tuple, sites: tuple, tag: Optional[Tag] = None, saved: tuple = (), flags: tuple = ()) -> None:
        self.names = names  # ((name, site_id), ...) sorted
        self.sites = sites  # ((site_id, phase, cause), ...) sorted
        self.tag = tag
        self.saved = saved  # tags parked while a `finally` runs
        self.flags = flags  # ((dotted name, truth), ...): tests already decided on this path
        self._hash = hash((names, sites, tag, saved, flags))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, State)
            and self._hash == other._hash
            and self.names == other.names
            and self.sites == other.sites
            and self.tag == other.tag
            and self.saved == other.saved
            and self.flags == other.flags
        )

    def __hash__(self) -> int:
        return self._hash

    # -- reading ------------------------------------------------------------

    def site_of(self, name: str) -> Optional[int]:
        for bound, site in self.names:
            if bound == name:
                return site
        return None

    def phase(self, site: int) -> Optional[Phase]:
        for sid, phase, _ in self.sites:
            if sid == site:
                return phase
        return None

    def cause(self, site: int) -> Optional[Cause]:
        for sid, _, cause in self.sites:
            if sid == site:
                return cause
        return None

    def holders(self, site: int) -> list[str]:
        return [name for name, sid in self.names if sid == site]

    def open_sites(self) -> Iterator[tuple[int, Optional[Cause]]]:
        for sid, phase, cause in self.sites:
            if phase == Phase.OPEN:
                yield sid, cause

    # -- changing -------------------------------------------------------------

    def _replace(self, names=None, sites=None, tag=..., saved=None, flags=None) -> "State":
        return State(
            self.names if names is None else names,
            self.sites if sites is None else sites,
            self.tag if tag is ... else tag,
            self.saved if saved is None else saved,
            self.flags if flags is None else flags,
        )

    def flag(self, key: str) -> Optional[bool]:
        for name, truth in self.flags:
            if name == key:
                return truth
        return None

    def set_flag(self, key: str, truth: bool) -> "State":
        flags = tuple(sorted([(n, t) for n, t in self.flags if n != key] + [(key, truth)]))
        return self._replace(flags=flags)

    def forget_flags(self, name: str) -> "State":
        if not any(n == name or n.startswith(name + ".") for n, _ in self.flags):
            return self
        return self._replace(flags=tuple((n, t) for n, t in self.flags if n != name and not n.startswith(name + ".")))

    def bind(self, name: str, site: Optional[int]) -> "State":
        names = tuple(sorted([(n, s) for n, s in self.names if n != name] + ([(name, site)] if site is not None else [])))
        return self._replace(names=names)

    def set_phase(self, site: int, phase: Phase, cause: Optional[Cause] = None) -> "State":
        sites = tuple(sorted([(s, p, c) for s, p, c in self.sites if s != site] + [(site, phase, cause)], key=_site_key))
        return self._replace(sites=sites)

    def with_cause(self, site: int, cause: Cause) -> "State":
        current = self.cause(site)
        if current is not None:
            return self
        return self.set_phase(site, Phase.OPEN, cause)

    def with_tag(self, tag: Optional[Tag]) -> "State":
        return self._replace(tag=tag)

    def park(self) -> "State":
        return self._replace(tag=None, saved=self.saved + (self.tag,))

    def unpark(self) -> "State":
        if self.tag is not None:  # the finally block left by itself: the parked exit is dropped
            return self._replace(saved=self.saved[:-1])
        return self._replace(tag=self.saved[-1], saved=self.saved[:-1])


def _site_key(entry: tuple) -> int:
    return entry[0]


# -- facts -------------------------------------------------------------------------


@dataclass
class Site:
    id: int
    call: cst.Call
    acquire: Acquire
    kind: Kind
    var: Optional[str]
    statement: cst.CSTNode
    awaited: bool = False
    with_item: Optional[cst.CSTNode] = None  # `with` whose exit does not release it
    loops: tuple = ()
    parent: Optional[str] = None  # `conn` in `conn.cursor(name=...)`: closing it closes this


@dataclass
class Leak:
    exit_kind: str  # "end", "return", "raise", "exception"
    node: Optional[cst.CSTNode]
    cause: Optional[Cause]


@dataclass
class SiteFacts:
    site: Site
    released: bool = False
    handed: bool = False
    yielded: bool = False
    closed_not_returned: Optional[cst.CSTNode] = None
    partial: Optional[cst.CSTNode] = None  # a stream read in part (`fetchone()` outside a loop)
    leaks: list[Leak] = field(default_factory=list)
    overwrites: list[tuple[cst.CSTNode, Optional[Cause], int]] = field(default_factory=list)


@dataclass
class Discard:
    """An acquisition whose result is dropped or used only in a chain."""

    call: cst.Call
    acquire: Acquire
    kind: Kind
    chained: bool


@dataclass
class FunctionFacts:
    function: Optional[cst.FunctionDef]
    is_async: bool
    owns: bool  # False at module level: resources there live as long as the process
    sites: list[SiteFacts] = field(default_factory=list)
    discards: list[Discard] = field(default_factory=list)
    returned_sites: set[int] = field(default_factory=set)
    released_params: set[str] = field(default_factory=set)
    events: list[tuple[str, cst.CSTNode, dict]] = field(default_factory=list)


@dataclass
class Generator:
    """How a `yield` in this function can raise."""

    raises: tuple[Category, ...]


# -- the interpreter ------------------------------------------------------------------


class FlowAnalysis:
    def __init__(
        self,
        resolver: Resolver,
        body: cst.BaseSuite | cst.Module,
        *,
        function: Optional[cst.FunctionDef] = None,
        is_async: bool = False,
        owns: bool = True,
        generator: Optional[Generator] = None,
        param_sites: Iterable[str] = (),
    ) -> None:
        self.resolver = resolver
        self.catalogue = resolver.catalogue
        self.body = body
        self.facts = FunctionFacts(function, is_async, owns)
        self.generator = generator
        self.sites: dict[cst.Call, Site] = {}
        self.site_facts: dict[int, SiteFacts] = {}
        self.loops: list[cst.CSTNode] = []
        self.globals = set(resolver.local.declared_global)
        self.param_sites = list(param_sites)
        self._param_ids: dict[int, str] = {}
        self._params_kept: set[int] = set()
        self._expr_cache: dict[cst.CSTNode, "_ExprFacts"] = {}
        self.correlated = _correlated_flags(body)
        self.stream_loops: dict[cst.CSTNode, Optional[int]] = {}

    # -- entry point ----------------------------------------------------------

    def run(self) -> FunctionFacts:
        start = State((), ())
        for name in self.param_sites:
            sid = -1 - len(self._param_ids)
            self._param_ids[sid] = name
            start = start.bind(name, sid).set_phase(sid, Phase.OPEN)
        statements = self.body.body if isinstance(self.body, cst.Module) else _suite(self.body)
        out = self.block(statements, [start])
        for state in out:
            self._finish(state)
        self.facts.sites = [self.site_facts[s.id] for s in sorted(self.sites.values(), key=lambda s: s.id)]
        return self.facts

    def _finish(self, state: State) -> None:
        tag = state.tag
        for sid, phase, cause in state.sites:
            if sid < 0:
                if tag is None or tag.kind == "return":
                    if phase not in (Phase.RELEASED, Phase.HANDED):
                        self._param_ids.pop(sid, None)
                    elif phase == Phase.HANDED:
                        self._params_kept.add(sid)
                continue
            if phase != Phase.OPEN:
                continue
            facts = self.site_facts[sid]
            if tag is None:
                facts.leaks.append(Leak("end", None, cause))
            elif tag.kind == "return":
                facts.leaks.append(Leak("return", tag.node, cause))
            elif tag.kind == "raise":
                if tag.explicit:
                    facts.leaks.append(Leak("raise", tag.node, cause))
                else:  # the call that raised last is why it leaks, whatever happened before
                    facts.leaks.append(Leak("exception", tag.node, Cause("exception", tag.node, tag.category)))
        if tag is None or tag.kind == "return":
            pass

    def released_parameters(self) -> set[str]:
        """Parameters released or kept on every normal exit (after `run`)."""
        return set(self._param_ids.values())

    def kept_parameters(self) -> set[str]:
        """Of those, the ones stored rather than released: a hand-off for callers."""
        return {name for sid, name in self._param_ids.items() if sid in self._params_kept}

    # -- blocks -----------------------------------------------------------------

    def block(self, statements: Iterable[cst.CSTNode], states: list[State]) -> list[State]:
        current = states
        for stmt in statements:
            normal = [s for s in current if s.tag is None]
            if not normal:
                break
            others = [s for s in current if s.tag is not None]
            current = _unique(others + self.statement(stmt, normal))
            if len(current) > MAX_STATES:
                current = _unique(current[:MAX_STATES])
        return current

    def statement(self, stmt: cst.CSTNode, states: list[State]) -> list[State]:
        if isinstance(stmt, cst.SimpleStatementLine):
            return self.block(stmt.body, states)
        handler = getattr(self, "_stmt_" + type(stmt).__name__, None)
        if handler is None:
            return states
        return handler(stmt, states)

    # -- simple statements ------------------------------------------------------

    def _stmt_Expr(self, node: cst.Expr, states: list[State]) -> list[State]:
        return self.evaluate(node.value, states, node, discard_root=True)

    def _stmt_Assign(self, node: cst.Assign, states: list[State]) -> list[State]:
        targets = [t.target for t in node.targets]
        return self._assign(node, targets, node.value, states)

    def _stmt_AnnAssign(self, node: cst.AnnAssign, states: list[State]) -> list[State]:
        if node.value is None:
            return states
        return self._assign(node, [node.target], node.value, states)

    def _stmt_AugAssign(self, node: cst.AugAssign, states: list[State]) -> list[State]:
        return self.evaluate(node.value, states, node)

    def _stmt_Return(self, node: cst.Return, states: list[State]) -> list[State]:
        out = []
        if node.value is not None:
            states = self._evaluate_handing_off(node.value, states, node)
        states = [self._leave_stream_loops(s, node) for s in states]
        for state in states:
            if state.tag is None:
                if node.value is not None:
                    for name in self._escaping_names(node.value):
                        sid = state.site_of(name)
                        if sid is not None and sid >= 0:
                            self.facts.returned_sites.add(sid)
                state = state.with_tag(Tag("return", node, key=node))
            out.append(state)
        return out

    def _stmt_Raise(self, node: cst.Raise, states: list[State]) -> list[State]:
        if node.exc is not None:
            states = self.evaluate(node.exc, states, node, may_raise=False)
        name = None
        if node.exc is not None:
            target = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            name = (dotted_name(target) or "").rsplit(".", 1)[-1] or None
        explicit = node.exc is not None
        if explicit:
            states = [self._leave_stream_loops(s, node) for s in states]
        tag = Tag("raise", node, Category.ERROR, explicit=explicit, key=node, exception_name=name)
        return [s.with_tag(tag) if s.tag is None else s for s in states]

    def _stmt_Break(self, node: cst.Break, states: list[State]) -> list[State]:
        return [self._jump(s, node, "break") for s in states]

    def _stmt_Continue(self, node: cst.Continue, states: list[State]) -> list[State]:
        return [self._jump(s, node, "continue") for s in states]

    def _forget_jump(self, state: State, key) -> State:
        """A `raise` caught here did not leave the loops it was in after all."""
        if key is None:
            return state
        for sid, phase, cause in state.sites:
            if cause is not None and cause.kind == "jump" and cause.key is key:
                state = state.set_phase(sid, phase, None)
        return state

    def _leave_stream_loops(self, state: State, node: cst.CSTNode) -> State:
        """A `return`/`raise` inside loops over streams leaves those streams open."""
        if state.tag is not None:
            return state
        for loop in self.loops:
            stream = self.stream_loops.get(loop)
            if stream is not None and state.phase(stream) == Phase.OPEN:
                state = state.with_cause(stream, Cause("jump", node, key=node))
        return state

    def _jump(self, state: State, node: cst.CSTNode, kind: str) -> State:
        loop = self.loops[-1] if self.loops else None
        stream = self.stream_loops.get(loop) if loop is not None else None
        if kind == "break" and stream is not None and state.phase(stream) == Phase.OPEN:
            state = state.with_cause(stream, Cause("jump", node, key=node))
        for sid, cause in list(state.open_sites()):
            site = self.sites_by_id(sid)
            if site is not None and loop is not None and loop in site.loops:
                state = state.with_cause(sid, Cause("jump", node, key=node))
        return state.with_tag(Tag(kind, node, key=node))

    def _stmt_Del(self, node: cst.Del, states: list[State]) -> list[State]:
        return states

    def _stmt_Assert(self, node: cst.Assert, states: list[State]) -> list[State]:
        return self.evaluate(node.test, states, node)

    # -- compound statements ------------------------------------------------------

    def _stmt_If(self, node: cst.If, states: list[State]) -> list[State]:
        states = self.evaluate(node.test, states, node)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        when_true = [s for s in (self._refine(s, node.test, True) for s in normal) if s is not None]
        when_false = [s for s in (self._refine(s, node.test, False) for s in normal) if s is not None]
        body_out = self.block(_suite(node.body), when_true)
        if node.orelse is None:
            else_out = when_false
        elif isinstance(node.orelse, cst.If):
            else_out = self.statement(node.orelse, when_false)
        else:
            else_out = self.block(_suite(node.orelse.body), when_false)
        return _unique(others + body_out + else_out)

    def _stmt_While(self, node: cst.While, states: list[State]) -> list[State]:
        endless = isinstance(node.test, (cst.Name, cst.Integer)) and (
            (isinstance(node.test, cst.Name) and node.test.value == "True") or (isinstance(node.test, cst.Integer) and node.test.value != "0")
        )
        return self._loop(node, states, test=node.test, endless=endless)

    def _stmt_For(self, node: cst.For, states: list[State]) -> list[State]:
        states = self.evaluate(node.iter, states, node, managed_root=True)
        stream = self._stream_iterated(node)
        if stream is not None and isinstance(stream, Site):
            states = [s.set_phase(stream.id, Phase.OPEN) if s.tag is None else s for s in states]
            stream = stream.id
        if node.asynchronous is not None and self.facts.is_async:
            states = self._raise_edges(states, node, awaited=True, origin=node)
        self.stream_loops[node] = stream
        return self._loop(node, states, target=node.target, stream=stream)

    def _stream_iterated(self, node: cst.For):
        """The stream a `for` iterates: a site id for a name, a new Site for a call."""
        expr, _ = unwrap_await(node.iter)
        if isinstance(expr, cst.Name):
            for site in self.sites.values():
                if site.var == expr.value and site.acquire.stream:
                    return site.id
            return None
        if isinstance(expr, cst.Call):
            acquire = self.resolver.acquire_of(expr)
            if acquire is not None and acquire.stream and self.facts.owns is not None:
                kind = self.catalogue.kind(acquire.kind)
                return self._site(expr, acquire, kind, None, node)
        return None

    def _loop(self, node, states, *, test=None, target=None, endless=False, stream=None) -> list[State]:
        passthrough = [s for s in states if s.tag is not None]
        work = [s for s in states if s.tag is None]
        seen = set(work)
        exits: list[State] = []
        breaks: list[State] = []
        self.loops.append(node)
        try:
            for _ in range(MAX_LOOP_PASSES):
                if not work:
                    break
                if test is not None:
                    work = self.evaluate(test, work, node)
                    passthrough += [s for s in work if s.tag is not None]
                    work = [s for s in work if s.tag is None]
                    if not endless:
                        exits += [r for r in (self._refine(s, test, False) for s in work) if r is not None]
                    work = [r for r in (self._refine(s, test, True) for s in work) if r is not None]
                else:
                    exits += work
                if target is not None:
                    work = [self._unbind_target(s, target, node) for s in work]
                out = self.block(_suite(node.body), work)
                next_work = []
                for state in out:
                    tag = state.tag
                    if tag is None or tag.kind == "continue":
                        state = state.with_tag(None)
                        if state not in seen:
                            seen.add(state)
                            next_work.append(state)
                    elif tag.kind == "break":
                        breaks.append(state.with_tag(None))
                    else:
                        passthrough.append(state)
                work = next_work
        finally:
            self.loops.pop()
        exits = _unique(exits)
        if stream is not None:  # iterated to the end: the stream is exhausted, hence closed
            exits = [s.set_phase(stream, Phase.RELEASED) if s.phase(stream) == Phase.OPEN else s for s in exits]
        if node.orelse is not None:
            exits = self.block(_suite(node.orelse.body), exits)
        return _unique(passthrough + exits + breaks)

    def _stmt_Try(self, node: cst.Try, states: list[State]) -> list[State]:
        return self._try(node, states)

    def _stmt_TryStar(self, node, states):
        return self._try(node, states)

    def _try(self, node, states: list[State]) -> list[State]:
        body_out = self.block(_suite(node.body), states)
        results: list[State] = []
        handler_inputs: dict[int, list[State]] = {i: [] for i in range(len(node.handlers))}
        for state in body_out:
            tag = state.tag
            if tag is None or tag.kind != "raise":
                results.append(state)
                continue
            caught = False
            for index, handler in enumerate(node.handlers):
                match = _handler_matches(handler, tag)
                if match == "none":
                    continue
                entered = self._forget_jump(state.with_tag(None), tag.key)
                cause_kind = "raise" if tag.explicit else "exception"
                for sid, _ in list(entered.open_sites()):
                    entered = entered.with_cause(sid, Cause(cause_kind, tag.node, tag.category, key=tag.key if tag.explicit else None))
                handler_inputs[index].append(entered)
                if match == "full":
                    caught = True
                    break
            if not caught:
                results.append(state)
        normal_body = [s for s in results if s.tag is None]
        results = [s for s in results if s.tag is not None]
        if node.orelse is not None:
            results += self.block(_suite(node.orelse.body), normal_body)
        else:
            results += normal_body
        for index, handler in enumerate(node.handlers):
            inputs = _unique(handler_inputs[index])
            if inputs:
                results += self.block(_suite(handler.body), inputs)
        results = _unique(results)
        if node.finalbody is not None:
            parked = [s.park() for s in results]
            out = self.block(_suite(node.finalbody.body), parked)
            results = _unique([s.unpark() for s in out])
        return results

    def _stmt_With(self, node: cst.With, states: list[State]) -> list[State]:
        is_async = node.asynchronous is not None
        releases: list[str] = []  # names released when the block exits
        for item in node.items:
            states, released_name = self._with_item(node, item, is_async, states)
            if released_name:
                releases.append(released_name)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        out = self.block(_suite(node.body), normal)
        if releases:
            out = [self._release_names(s, releases) for s in out]
        closed_parents = _with_parents(node)
        if closed_parents and any(s.acquire.stream for s in self.sites.values()):
            out = [self._close_streams_of(s, closed_parents) for s in out]
        return _unique(others + out)

    def _with_item(self, node: cst.With, item: cst.WithItem, is_async: bool, states: list[State]):
        expr, awaited = unwrap_await(item.item)
        as_name = item.asname.name.value if item.asname is not None and isinstance(item.asname.name, cst.Name) else None
        states = self.evaluate(item.item, states, node, managed_root=True)
        if is_async and self.facts.is_async:
            states = self._raise_edges(states, node, awaited=True, origin=node)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        if isinstance(expr, cst.Name):
            sid_states = []
            released = None
            for state in normal:
                sid = state.site_of(expr.value)
                if sid is not None and as_name:
                    state = state.bind(as_name, sid)
                sid_states.append(state)
                site = self.sites_by_id(sid) if sid is not None else None
                if site is not None:
                    exit_ = site.kind.async_with_exit if is_async else site.kind.with_exit
                    if exit_.ends_ownership:
                        released = expr.value
                    elif not is_async and site.kind.async_with_exit.ends_ownership:
                        released = expr.value  # meant to be managed: LKL203 reports the `with`
                    elif exit_ == Exit.TXN_ONLY and site.with_item is None:
                        site.with_item = item  # believed to close; LKL104 if nothing else does
            return others + sid_states, released
        if isinstance(expr, cst.Call):
            closing_target = self._closing_target(expr)
            if closing_target is not None:
                if as_name:
                    normal = [s.bind(as_name, s.site_of(closing_target)) if s.site_of(closing_target) is not None else s for s in normal]
                return others + normal, closing_target
            acquire = self.resolver.acquire_of(expr)
            if acquire is not None:
                kind = self.catalogue.kind(acquire.kind)
                if awaited:
                    exit_ = kind.async_with_exit if is_async else kind.with_exit
                else:
                    exit_ = (acquire.async_with_exit if is_async else acquire.with_exit) or (
                        kind.async_with_exit if is_async else kind.with_exit
                    )
                if exit_ == Exit.TXN_ONLY and kind.owned and not acquire.stream:
                    site = self._site(expr, acquire, kind, as_name, node, awaited=awaited, with_item=item)
                    normal = [self._bind_new(s, as_name, site, node) for s in normal]
                elif as_name:
                    normal = [self._unbind(s, as_name, node) for s in normal]
                return others + normal, None
        if as_name:
            normal = [self._unbind(s, as_name, node) for s in normal]
        return others + normal, None

    def _closing_target(self, call: cst.Call) -> Optional[str]:
        qualified = self.resolver.qualified(call.func) or ""
        if qualified in OWNING_CALLS and call.args:
            arg = call.args[0].value
            if isinstance(arg, cst.Name):
                return arg.value
        return None

    def _stmt_FunctionDef(self, node: cst.FunctionDef, states: list[State]) -> list[State]:
        held = {name for s in states for name, _ in s.names}
        if not held:
            return states  # nothing to capture: skip the walk
        captured = held.intersection(self._names_in(node.body))
        return [self._hand_off_names(s, captured) for s in states]

    _stmt_ClassDef = _stmt_FunctionDef

    def _stmt_Match(self, node: cst.Match, states: list[State]) -> list[State]:
        states = self.evaluate(node.subject, states, node)
        normal = [s for s in states if s.tag is None]
        out = [s for s in states if s.tag is not None]
        irrefutable = False
        for case in node.cases:
            out += self.block(_suite(case.body), normal)
            if case.guard is None and isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None:
                irrefutable = True
        if not irrefutable:
            out += normal
        return _unique(out)

    # -- assignment ---------------------------------------------------------------

    def _assign(self, node, targets: list[cst.BaseExpression], value: cst.BaseExpression, states: list[State]) -> list[State]:
        stores_outside = any(not isinstance(t, cst.Name) or t.value in self.globals for t in targets)
        acquired = self._acquisition(value)
        if stores_outside:
            states = self._evaluate_handing_off(value, states, node, managed_root=acquired is not None)
        else:
            states = self.evaluate(value, states, node, managed_root=acquired is not None)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        site = None
        if acquired is not None and not stores_outside and (self.facts.owns or acquired[1].stream):
            call, acquire, kind, awaited, entered_by = acquired
            names = [t.value for t in targets if isinstance(t, cst.Name)]
            site = self._site(call, acquire, kind, names[0] if names else None, node, awaited=awaited, with_item=entered_by)
        out = []
        alias = value.value if isinstance(value, cst.Name) else None
        wrapped = _wrapped_names(value) if site is None and alias is None else ()
        for state in normal:
            for target in targets:
                target_name = dotted_name(target)
                if target_name is not None:
                    state = state.forget_flags(target_name)
                    if target_name in self.correlated and site is None and (alias is None or state.site_of(alias) is None):
                        state = state.set_flag(target_name, not is_none(value))
                if isinstance(target, cst.Name) and target.value not in self.globals:
                    if site is not None:
                        state = self._bind_new(state, target.value, site, node)
                    elif alias is not None and state.site_of(alias) is not None:
                        state = self._unbind(state, target.value, node).bind(target.value, state.site_of(alias))
                    elif any(state.site_of(n) is not None for n in wrapped):
                        inner = next(state.site_of(n) for n in wrapped if state.site_of(n) is not None)
                        state = self._unbind(state, target.value, node).bind(target.value, inner)
                    else:
                        state = self._unbind(state, target.value, node)
                elif isinstance(target, (cst.Tuple, cst.List)):
                    for element in target.elements:
                        if isinstance(element.value, cst.Name):
                            state = self._unbind(state, element.value.value, node)
            out.append(state)
        return others + out

    def _acquisition(self, value: cst.BaseExpression):
        """(call, acquire, kind, awaited) when `value` acquires a resource this
        function owns: `pool.getconn()`, `await pool.acquire()`."""
        expr, awaited = unwrap_await(value)
        if isinstance(expr, cst.Call) and awaited:
            qualified = self.resolver.qualified(expr.func) or ""
            if qualified in AWAIT_WRAPPERS and expr.args:
                inner = expr.args[0].value
                if isinstance(inner, cst.Call):
                    expr = inner
        if not isinstance(expr, cst.Call):
            return None
        entered = _entered_context(expr)
        if entered is not None:
            acquire = self.resolver.acquire_of(entered)
            if acquire is None or acquire.stream:
                return None
            kind = self.catalogue.kind(acquire.kind)
            exit_ = acquire.with_exit or kind.with_exit
            if exit_ == Exit.TXN_ONLY and kind.owned:
                return entered, acquire, kind, awaited, expr
            return None
        acquire = self.resolver.acquire_of(expr)
        if acquire is None:
            return None
        kind = self.catalogue.kind(acquire.kind)
        if not kind.owned and not acquire.stream:
            return None
        if acquire.awaiting == Await.CM_ONLY:
            return None
        if acquire.awaiting in (Await.COROUTINE, Await.AWAITABLE) and not awaited:
            return None  # nothing acquired yet (an unawaited acquire is its own rule)
        return expr, acquire, kind, awaited, None

    def _site(self, call, acquire, kind, var, statement, *, awaited=False, with_item=None) -> Site:
        site = self.sites.get(call)
        if site is None:
            parent = _root_name(call.func.value) if isinstance(call.func, cst.Attribute) else None
            site = Site(len(self.sites), call, acquire, kind, var, statement, awaited, with_item, tuple(self.loops), parent)
            self.sites[call] = site
            self.site_facts[site.id] = SiteFacts(site)
        return site

    def sites_by_id(self, sid: Optional[int]) -> Optional[Site]:
        if sid is None or sid < 0:
            return None
        return self.site_facts[sid].site if sid in self.site_facts else None

    def _bind_new(self, state: State, name: Optional[str], site: Site, node) -> State:
        if name is not None:
            state = self._unbind(state, name, node, new_site=site.id)
            state = state.bind(name, site.id)
        return state.set_phase(site.id, Phase.OPEN)

    def _unbind(self, state: State, name: str, node, new_site: Optional[int] = None) -> State:
        sid = state.site_of(name)
        if sid is None:
            return state
        if sid >= 0 and state.phase(sid) == Phase.OPEN and state.holders(sid) == [name]:
            self.site_facts[sid].overwrites.append((node, state.cause(sid), new_site if new_site is not None else -1))
            state = state.set_phase(sid, Phase.HANDED)  # lost: reported once, here
        return state.bind(name, None)

    def _unbind_target(self, state: State, target: cst.BaseExpression, node) -> State:
        for sub in walk(target):
            if isinstance(sub, cst.Name):
                state = self._unbind(state, sub.value, node)
        return state

    # -- expressions ---------------------------------------------------------------

    def evaluate(
        self,
        expr: cst.BaseExpression,
        states: list[State],
        statement: cst.CSTNode,
        *,
        discard_root: bool = False,
        managed_root: bool = False,
        may_raise: bool = True,
    ) -> list[State]:
        """Apply an expression's effects (releases, hand-offs, raise edges)."""
        facts = self._expr_facts(expr)
        if self.facts.owns and facts.calls:
            self._record_discards(expr, facts, discard_root, managed_root)
        out = []
        for state in states:
            if state.tag is not None:
                out.append(state)
                continue
            state = self._apply_effects(state, facts)
            out.append(state)
        if may_raise and (facts.raising_calls or facts.awaits or facts.yields):
            out = self._raise_edges(out, statement, facts=facts)
        if facts.yields:
            out = [self._mark_yielded(s, facts) for s in out]
        return _unique(out)

    def _evaluate_handing_off(self, expr, states, statement, managed_root=False) -> list[State]:
        states = self.evaluate(expr, states, statement, managed_root=True)
        escaping = set(self._escaping_names(expr))
        return [self._hand_off_names(s, escaping) if s.tag is None else s for s in states]

    def _raise_edges(self, states: list[State], statement, *, facts=None, awaited=False, origin=None) -> list[State]:
        edges = []
        if facts is not None:
            if facts.raising_calls:
                edges.append((facts.raising_calls[0], Category.ERROR))
            if facts.awaits and self.facts.is_async:
                if not facts.raising_calls:
                    edges.append((facts.awaits[0], Category.ERROR))
                edges.append((facts.awaits[0], Category.BASE))
            if facts.yields and self.generator is not None:
                for category in self.generator.raises:
                    edges.append((facts.yields[0], category))
        if awaited:
            edges.append((origin, Category.ERROR))
            edges.append((origin, Category.BASE))
        out = list(states)
        for state in states:
            if state.tag is not None:
                continue
            for node, category in edges:
                out.append(state.with_tag(Tag("raise", node, category)))
        return out

    def _apply_effects(self, state: State, facts: "_ExprFacts") -> State:
        for call in facts.calls:
            state = self._apply_call(state, call)
        if facts.captured:
            state = self._hand_off_names(state, facts.captured)
        return state

    def _apply_call(self, state: State, call: cst.Call) -> State:
        func = call.func
        # `conn.close()`: a release method of the object itself
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            sid = state.site_of(func.value.value)
            method = func.attr.value
            if sid is not None:
                if sid < 0:
                    if method in self.catalogue.own_release_methods:
                        return self._release(state, sid)
                else:
                    site = self.sites_by_id(sid)
                    release = next((r for r in site.kind.releases if r.method == method), None)
                    if release is not None:
                        self.facts.events.append(("release", call, {"site": site, "release": release}))
                        return self._release(state, sid)
                    if method in site.kind.closes_without_returning:
                        facts = self.site_facts[sid]
                        facts.closed_not_returned = facts.closed_not_returned or call
                        return state
                    if method in site.kind.partial_reads and not self.loops:
                        facts = self.site_facts[sid]
                        facts.partial = facts.partial or call
        names = [a.value.value for a in call.args if isinstance(a.value, cst.Name)]
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Name) and func.value in ("next", "anext") and names and not self.loops:
            sid = state.site_of(names[0])
            site = self.sites_by_id(sid)
            if site is not None and site.acquire.stream:
                self.site_facts[sid].partial = self.site_facts[sid].partial or call
        qualified = self.resolver.qualified(func) or ""
        # `pool.putconn(conn)`, `await pool.release(conn)`
        if method is not None:
            for name in names:
                sid = state.site_of(name)
                if sid is None:
                    continue
                if sid < 0:
                    if method in self.catalogue.return_methods or method in OWNING_METHODS:
                        state = self._release(state, sid)
                    continue
                site = self.sites_by_id(sid)
                release = next((r for r in site.acquire.returned_by if r.method == method), None)
                if release is not None:
                    self.facts.events.append(("release", call, {"site": site, "release": release}))
                    state = self._release(state, sid)
                elif method in OWNING_METHODS:
                    state = self._release(state, sid)
                elif method in STORING_METHODS:
                    state = self._hand(state, sid)
        adopting = self.resolver.acquire_of(call) if any(a.keyword is not None for a in call.args) else None
        if adopting is not None and adopting.adopts:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in adopting.adopts and isinstance(arg.value, cst.Name):
                    sid = state.site_of(arg.value.value)
                    if sid is not None:
                        state = self._hand(state, sid)
        if qualified in OWNING_CALLS:
            for name in names:
                sid = state.site_of(name)
                if sid is not None:
                    state = self._release(state, sid)
        # `stack.callback(conn.close)`, `atexit.register(pool.putconn, conn)`
        if method in REGISTERING_METHODS or qualified in REGISTERING_CALLS:
            for arg in call.args:
                value = arg.value
                if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
                    sid = state.site_of(value.value.value)
                    if sid is not None:
                        state = self._release(state, sid)
                    elif any(state.site_of(n) is not None for n in names):
                        for name in names:
                            if state.site_of(name) is not None:
                                state = self._release(state, state.site_of(name))
        # a project helper known to release its parameter
        released = self.resolver.releases_argument(call) if names else None
        if released:
            kept = self.resolver.keeps_argument(call)
            positional = [a for a in call.args if a.keyword is None and not a.star]
            for position in released:
                if position < len(positional) and isinstance(positional[position].value, cst.Name):
                    sid = state.site_of(positional[position].value.value)
                    if sid is not None:
                        state = self._hand(state, sid) if position in kept else self._release(state, sid)
        return state

    def _release(self, state: State, sid: int) -> State:
        if sid >= 0:
            self.site_facts[sid].released = True
            holders = state.holders(sid)
            if holders:
                state = self._close_streams_of(state, holders)
        return state.set_phase(sid, Phase.RELEASED)

    def _close_streams_of(self, state: State, parents: Iterable[str]) -> State:
        """Closing a connection (or ending its transaction) closes its streams."""
        parents = set(parents)
        for sid, phase, _ in state.sites:
            site = self.sites_by_id(sid)
            if site is not None and site.acquire.stream and site.parent in parents and phase == Phase.OPEN:
                state = state.set_phase(sid, Phase.RELEASED)
                self.site_facts[sid].released = True
        return state

    def _hand(self, state: State, sid: int) -> State:
        if sid >= 0:
            self.site_facts[sid].handed = True
        return state.set_phase(sid, Phase.HANDED)

    def _hand_off_names(self, state: State, names: Iterable[str]) -> State:
        for name in names:
            sid = state.site_of(name)
            if sid is not None:
                state = self._hand(state, sid)
        return state

    def _release_names(self, state: State, names: Iterable[str]) -> State:
        for name in names:
            sid = state.site_of(name)
            if sid is not None:
                state = self._release(state, sid)
        return state

    def _mark_yielded(self, state: State, facts: "_ExprFacts") -> State:
        for name in facts.yielded_names:
            sid = state.site_of(name)
            if sid is not None and sid >= 0:
                self.site_facts[sid].yielded = True
        return state

    def _record_discards(self, expr, facts: "_ExprFacts", discard_root: bool, managed_root: bool) -> None:
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
                continue
            self.facts.discards.append(Discard(call, acquire, kind, chained))

    # -- conditions ---------------------------------------------------------------

    def _refine(self, state: State, test: cst.BaseExpression, truth: bool) -> Optional[State]:
        """Drop the states a test rules out: `if conn:`, `if conn is None:`, and a
        flag tested twice (`if own: conn = connect()` ... `if own: conn.close()`)."""
        name, positive = _tested_name(test)
        if name is None:
            return state
        if name in self.correlated and name not in self._tracked_names():
            known = state.flag(name)
            wanted = positive == truth
            if known is not None:
                return state if known == wanted else None
            return state.set_flag(name, wanted)
        sid = state.site_of(name)
        holds_object = sid is not None and state.phase(sid) in (Phase.OPEN, Phase.RELEASED, Phase.HANDED, Phase.MAYBE)
        wants_object = positive == truth
        if wants_object and sid is None:
            return None if name in self._tracked_names() else state
        if not wants_object and holds_object and sid is not None and sid >= 0:
            return None
        return state

    def _tracked_names(self) -> set[str]:
        return {s.var for s in self.sites.values() if s.var}

    # -- expression facts ------------------------------------------------------------

    def _expr_facts(self, expr: cst.BaseExpression) -> "_ExprFacts":
        found = self._expr_cache.get(expr)
        if found is None:
            found = _ExprFacts(expr, self)
            self._expr_cache[expr] = found
        return found

    def _names_in(self, node: cst.CSTNode) -> Iterator[str]:
        for sub in walk(node, into_scopes=True):
            if isinstance(sub, cst.Name):
                yield sub.value

    def _escaping_names(self, expr: cst.BaseExpression) -> list[str]:
        return self._expr_facts(expr).value_names


class _ExprFacts:
    """What one expression does: its calls, awaits, yields and the names it
    lets escape (as opposed to names it only uses as a receiver)."""

    def __init__(self, expr: cst.BaseExpression, analysis: FlowAnalysis) -> None:
        self.calls: list[cst.Call] = []
        self.raising_calls: list[cst.Call] = []
        self.awaits: list[cst.Await] = []
        self.yields: list[cst.CSTNode] = []
        self.yielded_names: list[str] = []
        self.value_names: list[str] = []
        self.captured: set[str] = set()
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        stack: list[tuple[cst.CSTNode, Optional[cst.CSTNode]]] = [(expr, None)]
        receivers: set[cst.CSTNode] = set()
        while stack:
            node, parent = stack.pop()
            if parent is not None:
                self.parents[node] = parent
            if isinstance(node, cst.Lambda):
                self.captured.update(analysis._names_in(node.body))
                continue
            if isinstance(node, cst.Call):
                self.calls.append(node)
                receivers.add(node.func)
                if isinstance(node.func, cst.Attribute):
                    receivers.add(node.func.value)
                elif isinstance(node.func, cst.Name) and node.func.value in CONSUMING_BUILTINS:
                    receivers.update(a.value for a in node.args)  # `next(cur)` reads it, keeps nothing
            elif isinstance(node, cst.Attribute):
                receivers.add(node.value)
            elif isinstance(node, cst.Await):
                self.awaits.append(node)
            elif isinstance(node, (cst.Yield,)):
                self.yields.append(node)
                if isinstance(node.value, cst.Name):
                    self.yielded_names.append(node.value.value)
            elif isinstance(node, cst.Name) and node not in receivers:
                self.value_names.append(node.value)
            kids = list(children(node))
            kids.reverse()
            stack.extend((kid, node) for kid in kids)
        # evaluation order is roughly inner calls first; report the outermost-first
        release_methods = analysis.catalogue.release_methods
        for call in self.calls:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value in release_methods:
                continue
            self.raising_calls.append(call)

    def is_awaited(self, call: cst.Call) -> bool:
        parent = self.parents.get(call)
        if isinstance(parent, cst.Await):
            return True
        # asyncio.wait_for(pool.acquire(), 5)
        if isinstance(parent, cst.Arg):
            outer = self.parents.get(parent)
            return isinstance(outer, cst.Call) and isinstance(self.parents.get(outer), cst.Await)
        return False

    def chained_method(self, call: cst.Call) -> Optional[str]:
        node = self.parents.get(call)
        if isinstance(node, cst.Await):
            node = self.parents.get(node)
        if isinstance(node, cst.Attribute):
            return node.attr.value
        return None

    def candidate_discards(self, root: cst.CSTNode, discard_root: bool) -> Iterator[tuple[cst.Call, bool]]:
        for call in self.calls:
            parent = self.parents.get(call)
            if isinstance(parent, cst.Await):
                parent = self.parents.get(parent)
            if isinstance(parent, cst.Attribute) and parent.value in (call, self.parents.get(call)):
                yield call, True
            elif call is root and discard_root:
                yield call, False


# -- helpers ---------------------------------------------------------------------


def _with_parents(node: cst.With) -> set[str]:
    """Names whose streams end with this block: `with conn:`, `async with
    conn.transaction():`, `async with engine.connect() as conn:`."""
    names = set()
    for item in node.items:
        expr, _ = unwrap_await(item.item)
        if isinstance(expr, cst.Name):
            names.add(expr.value)
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and _root_name(expr.func.value):
            names.add(_root_name(expr.func.value))
        if item.asname is not None and isinstance(item.asname.name, cst.Name):
            names.add(item.asname.name.value)
    return names


WRAPPER_WORDS = ("wrap", "make", "transport", "adopt")


def _wrapped_names(value: cst.BaseExpression) -> tuple[str, ...]:
    """`Server(loop, [sock])`, `ssl.wrap_socket(sock)`: names a wrapper object
    built around a resource keeps. Its result holding the resource means that
    returning or storing the wrapper hands the resource off too."""
    expr, _ = unwrap_await(value)
    if not isinstance(expr, cst.Call):
        return ()
    callee = (dotted_name(expr.func) or "").rsplit(".", 1)[-1]
    if not (callee[:1].isupper() or any(word in callee.lower() for word in WRAPPER_WORDS)):
        return ()
    names = []
    for arg in expr.args:
        for node in walk(arg.value):
            if isinstance(node, cst.Name):
                names.append(node.value)
    return tuple(names)


def _root_name(expr: cst.BaseExpression) -> Optional[str]:
    """`conn` in `conn.execution_options(...).execute` or `conn.cursor()`."""
    while isinstance(expr, (cst.Call, cst.Attribute)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _entered_context(call: cst.Call) -> Optional[cst.Call]:
    """`stack.enter_context(sqlite3.connect(p))` -> the inner call."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("enter_context", "enter_async_context") and call.args:
        inner = call.args[0].value
        if isinstance(inner, cst.Call):
            return inner
    return None


def _suite(body: cst.BaseSuite) -> list[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    return list(getattr(body, "body", []))


def _unique(states: list[State]) -> list[State]:
    return list(dict.fromkeys(states))


def _tested_name(test: cst.BaseExpression) -> tuple[Optional[str], bool]:
    """(name, True) for `if name:`/`name is not None`; (name, False) for the negations."""
    if isinstance(test, (cst.Name, cst.Attribute)):
        return dotted_name(test), True
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        name, positive = _tested_name(test.expression)
        return name, not positive
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name):
        target = test.comparisons[0]
        if is_none(target.comparator):
            if isinstance(target.operator, cst.IsNot):
                return test.left.value, True
            if isinstance(target.operator, cst.Is):
                return test.left.value, False
    return None, True


def _correlated_flags(body: cst.CSTNode) -> set[str]:
    """Names tested by two or more `if`/`while` statements: only these are
    worth following per path (a flag set once and tested again)."""
    counts: dict[str, int] = {}
    set_to_none: set[str] = set()
    for node in walk(body):
        if isinstance(node, (cst.If, cst.While)):
            name, _ = _tested_name(node.test)
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
        elif isinstance(node, cst.Assign) and is_none(node.value):
            set_to_none.update(dotted_name(t.target) or "" for t in node.targets)
    return {name for name, count in counts.items() if count > 1 or name in set_to_none}


_BASE_ONLY = {"CancelledError", "GeneratorExit", "KeyboardInterrupt", "SystemExit"}


def _handler_matches(handler: cst.ExceptHandler, tag: Tag) -> str:
    """"full", "partial" or "none": does this `except` catch the exception?"""
    if handler.type is None:
        return "full"
    names = []
    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
    if types is not None:
        names = [(dotted_name(e.value) or "?").rsplit(".", 1)[-1] for e in types]
    else:
        names = [(dotted_name(handler.type) or "?").rsplit(".", 1)[-1]]
    if "BaseException" in names:
        return "full"
    if tag.category == Category.BASE:
        return "partial" if any(n in _BASE_ONLY for n in names) else "none"
    if tag.exception_name is not None:
        if tag.exception_name in names:
            return "full"
        if "Exception" in names and tag.exception_name not in _BASE_ONLY:
            return "full"
        return "partial" if any(n not in ("Exception",) and n not in _BASE_ONLY for n in names) and not _looks_builtin(tag.exception_name) else "none"
    if "Exception" in names:
        return "full"
    return "partial"


def _looks_builtin(name: str) -> bool:
    import builtins

    return isinstance(getattr(builtins, name, None), type)
