"""The control-flow interpreter: runs a function's statements over a set of
path states.

Non-local exits (return, raise, break, continue) travel as tagged states
until the statement that handles them: a loop, a `try`, a `with`, or the
end of the function, where what is still open becomes a leak.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import libcst as cst

from ..resolve import Resolver
from ..syntax import dotted_name, is_none, statements, unwrap_await, walk
from .conditions import Conditions, correlated_flags
from .exceptions import RaiseEdges, dispatch
from .expressions import ExprFacts, names_in
from .facts import Category, Cause, CauseKind, ExitKind, FunctionFacts, Generator, Leak, Overwrite, Phase, Site
from .ledger import Ledger
from .ownership import Acquisition, Ownership, WithEffect
from .values import Reference, wrapped_names
from .state import ParameterSite, State, Tag, TagKind, unique
from .streams import StreamLoops, close_streams_ended_by, exhausted

MAX_LOOP_PASSES = 6
MAX_STATES = 256  # beyond this, the states past the limit are dropped (precision loss, never a crash)


class FlowAnalysis:
    """Follows the resources of one function (or module) along every path."""

    def __init__(
        self,
        resolver: Resolver,
        body: cst.BaseSuite | cst.Module,
        *,
        function: Optional[cst.FunctionDef] = None,
        is_async: bool = False,
        owns: bool = True,
        generator: Optional[Generator] = None,
        parameters: Iterable[str] = (),
    ) -> None:
        self.body = body
        self.facts = FunctionFacts(function, is_async, owns)
        self.ledger = Ledger(self.facts)
        self.ownership = Ownership(resolver, self.ledger)
        self.streams = StreamLoops(self.ledger, self.ownership)
        self.conditions = Conditions(correlated_flags(body), self.ledger.tracked_names)
        self.raises = RaiseEdges(is_async, generator)
        self.globals = set(resolver.local.declared_global)
        self.parameters = list(parameters)
        self._expr_cache: dict[cst.CSTNode, ExprFacts] = {}
        self._derived_locals: Optional[dict[str, Reference]] = None

    # -- entry point ----------------------------------------------------------

    def run(self) -> FunctionFacts:
        start = State((), ())
        for name in self.parameters:
            parameter = self.ledger.parameter(name)
            start = start.bind(name, parameter).set_phase(parameter, Phase.OPEN)
        statements = self.body.body if isinstance(self.body, cst.Module) else _suite(self.body)
        for state in self.block(statements, [start]):
            self._finish(state)
        self.facts.sites = self.ledger.site_facts()
        return self.facts

    def _finish(self, state: State) -> None:
        tag = state.tag
        normal_exit = tag is None or tag.kind is TagKind.RETURN
        for site, phase, cause in state.sites:
            if isinstance(site, ParameterSite):
                if normal_exit:
                    if phase not in (Phase.RELEASED, Phase.HANDED):
                        site.ended = False
                    elif phase == Phase.HANDED:
                        site.kept = True
                continue
            if phase != Phase.OPEN:
                continue
            facts = self.ledger.of(site)
            if tag is None:
                facts.leaks.append(Leak(ExitKind.END, None, cause))
            elif tag.kind is TagKind.RETURN:
                facts.leaks.append(Leak(ExitKind.RETURN, tag.node, cause))
            elif tag.kind is TagKind.RAISE:
                if tag.explicit:
                    facts.leaks.append(Leak(ExitKind.RAISE, tag.node, cause))
                else:  # the call that raised last is why it leaks, whatever happened before
                    facts.leaks.append(Leak(ExitKind.EXCEPTION, tag.node, Cause(CauseKind.EXCEPTION, tag.node, tag.category)))

    def released_parameters(self) -> set[str]:
        """Parameters released or kept on every normal exit (after `run`)."""
        return {p.name for p in self.ledger.parameters if p.ended}

    def kept_parameters(self) -> set[str]:
        """Of those, the ones stored rather than released: a hand-off for callers."""
        return {p.name for p in self.ledger.parameters if p.ended and p.kept}

    # -- blocks -----------------------------------------------------------------

    def block(self, statements: Iterable[cst.CSTNode], states: list[State]) -> list[State]:
        current = states
        for stmt in statements:
            normal = [s for s in current if s.tag is None]
            if not normal:
                break
            others = [s for s in current if s.tag is not None]
            current = unique(others + self.statement(stmt, normal))
            if len(current) > MAX_STATES:
                current = unique(current[:MAX_STATES])
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
        return self.evaluate(node.value, states, discard_root=True)

    def _stmt_Assign(self, node: cst.Assign, states: list[State]) -> list[State]:
        return self._assign(node, [t.target for t in node.targets], node.value, states)

    def _stmt_AnnAssign(self, node: cst.AnnAssign, states: list[State]) -> list[State]:
        if node.value is None:
            return states
        return self._assign(node, [node.target], node.value, states)

    def _stmt_AugAssign(self, node: cst.AugAssign, states: list[State]) -> list[State]:
        return self.evaluate(node.value, states)

    def _stmt_Return(self, node: cst.Return, states: list[State]) -> list[State]:
        escaping: set[str] = set()
        if node.value is not None:
            states, escaping = self._evaluate_handing_off(node.value, states)
        elements = self._returned_elements(node.value)
        derived = self._derived(node.value) if node.value is not None else None  # `return conn.cursor()`, `return cur`
        out = []
        for state in states:
            state = self.streams.left_early(state, node)
            if state.tag is None:
                for name in escaping:
                    site = state.site_of(name)
                    if isinstance(site, Site):
                        facts = self.ledger.of(site)
                        facts.returned = True
                        facts.returned_through.add(derived[1] if derived is not None and derived[0] == name else None)
                for position, names in elements:
                    for name in names & escaping:
                        site = state.site_of(name)
                        if isinstance(site, Site):
                            self.ledger.of(site).returned_element = position
                state = state.with_tag(Tag(TagKind.RETURN, node, key=node))
            out.append(state)
        return out

    def _returned_elements(self, value: Optional[cst.BaseExpression]) -> list[tuple[int, set[str]]]:
        """(position, the names it holds) of each element of a returned tuple;
        records the length of the tuples the function returns."""
        if value is None or is_none(value):
            return []
        size = len(value.elements) if isinstance(value, cst.Tuple) else -1
        known = self.facts.returned_tuple
        self.facts.returned_tuple = size if known in (0, size) else -1
        if size < 0:
            return []
        return [(i, set(self._expr_facts(e.value).value_names)) for i, e in enumerate(value.elements)]

    def _stmt_Raise(self, node: cst.Raise, states: list[State]) -> list[State]:
        name = None
        if node.exc is not None:
            states = self.evaluate(node.exc, states, may_raise=False)
            states = [self.streams.left_early(s, node) for s in states]
            target = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            name = (dotted_name(target) or "").rsplit(".", 1)[-1] or None
        tag = Tag(TagKind.RAISE, node, Category.ERROR, explicit=node.exc is not None, key=node, exception_name=name)
        return [s.with_tag(tag) if s.tag is None else s for s in states]

    def _stmt_Break(self, node: cst.Break, states: list[State]) -> list[State]:
        return [self._jump(self.streams.broken(s, node), node, TagKind.BREAK) for s in states]

    def _stmt_Continue(self, node: cst.Continue, states: list[State]) -> list[State]:
        return [self._jump(s, node, TagKind.CONTINUE) for s in states]

    def _jump(self, state: State, node: cst.CSTNode, kind: TagKind) -> State:
        """Leave the iteration: what the innermost loop acquired and holds open
        stays open because of this jump."""
        loop = self.ledger.loops[-1] if self.ledger.loops else None
        if loop is not None:
            for site, _ in list(state.open_sites()):
                if isinstance(site, Site) and loop in site.loops:
                    state = state.with_cause(site, Cause(CauseKind.JUMP, node, key=node))
        return state.with_tag(Tag(kind, node, key=node))

    def _stmt_Assert(self, node: cst.Assert, states: list[State]) -> list[State]:
        return self.evaluate(node.test, states)

    # -- compound statements ------------------------------------------------------

    def _stmt_If(self, node: cst.If, states: list[State]) -> list[State]:
        states = self.evaluate(node.test, states)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        when_true = self._refined(normal, node.test, True)
        when_false = self._refined(normal, node.test, False)
        body_out = self.block(_suite(node.body), when_true)
        if node.orelse is None:
            else_out = when_false
        elif isinstance(node.orelse, cst.If):
            else_out = self.statement(node.orelse, when_false)
        else:
            else_out = self.block(_suite(node.orelse.body), when_false)
        return unique(others + body_out + else_out)

    def _refined(self, states: list[State], test: cst.BaseExpression, truth: bool) -> list[State]:
        refined = (self.conditions.refine(s, test, truth) for s in states)
        return [s for s in refined if s is not None]

    def _stmt_While(self, node: cst.While, states: list[State]) -> list[State]:
        test = node.test
        endless = (isinstance(test, cst.Name) and test.value == "True") or (isinstance(test, cst.Integer) and test.value != "0")
        return self._loop(node, states, test=test, endless=endless)

    def _stmt_For(self, node: cst.For, states: list[State]) -> list[State]:
        states = self.evaluate(node.iter, states, managed_root=True)
        stream, states = self.streams.enter(node, states)
        if node.asynchronous is not None and self.facts.is_async:
            states = self.raises.of_async_entry(states, node)
        return self._loop(node, states, target=node.target, stream=stream)

    def _loop(
        self,
        node: cst.For | cst.While,
        states: list[State],
        *,
        test: Optional[cst.BaseExpression] = None,
        target: Optional[cst.BaseExpression] = None,
        endless: bool = False,
        stream: Optional[Site] = None,
    ) -> list[State]:
        passthrough = [s for s in states if s.tag is not None]
        work = [s for s in states if s.tag is None]
        seen = set(work)
        exits: list[State] = []
        breaks: list[State] = []
        self.ledger.loops.append(node)
        try:
            for _ in range(MAX_LOOP_PASSES):
                if not work:
                    break
                if test is not None:
                    work = self.evaluate(test, work)
                    passthrough += [s for s in work if s.tag is not None]
                    work = [s for s in work if s.tag is None]
                    if not endless:
                        exits += self._refined(work, test, False)
                    work = self._refined(work, test, True)
                else:
                    exits += work
                if target is not None:
                    work = [self._unbind_target(s, target, node) for s in work]
                next_work = []
                for state in self.block(_suite(node.body), work):
                    tag = state.tag
                    if tag is None or tag.kind is TagKind.CONTINUE:
                        state = state.with_tag(None)
                        if state not in seen:
                            seen.add(state)
                            next_work.append(state)
                    elif tag.kind is TagKind.BREAK:
                        breaks.append(state.with_tag(None))
                    else:
                        passthrough.append(state)
                work = next_work
        finally:
            self.ledger.loops.pop()
        exits = unique(exits)
        if stream is not None:
            exits = exhausted(exits, stream)
        if node.orelse is not None:
            exits = self.block(_suite(node.orelse.body), exits)
        return unique(passthrough + exits + breaks)

    def _stmt_Try(self, node: cst.Try, states: list[State]) -> list[State]:
        return self._try(node, states)

    def _stmt_TryStar(self, node: cst.TryStar, states: list[State]) -> list[State]:
        return self._try(node, states)

    def _try(self, node: cst.Try | cst.TryStar, states: list[State]) -> list[State]:
        passing, entering = dispatch(self.block(_suite(node.body), states), node.handlers)
        normal_body = [s for s in passing if s.tag is None]
        results = [s for s in passing if s.tag is not None]
        if node.orelse is not None:
            results += self.block(_suite(node.orelse.body), normal_body)
        else:
            results += normal_body
        for handler, inputs in zip(node.handlers, entering):
            inputs = unique(inputs)
            if inputs:
                results += self.block(_suite(handler.body), inputs)
        results = unique(results)
        if node.finalbody is not None:
            parked = [s.park() for s in results]
            out = self.block(_suite(node.finalbody.body), parked)
            results = unique([s.unpark() for s in out])
        return results

    def _stmt_With(self, node: cst.With, states: list[State]) -> list[State]:
        is_async = node.asynchronous is not None
        ending: list[Reference] = []  # what leaving the block releases
        for item in node.items:
            states, ended = self._with_item(node, item, is_async, states)
            if ended:
                ending.append(ended)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        out = self.block(_suite(node.body), normal)
        if ending:
            out = [self.ownership.release_targets(s, ending) for s in out]
        out = close_streams_ended_by(node, out, self.ledger)
        return unique(others + out)

    def _with_item(self, node: cst.With, item: cst.WithItem, is_async: bool, states: list[State]) -> tuple[list[State], Optional[Reference]]:
        """Enter one item: (the states, what the block's exit releases)."""
        expr, awaited = unwrap_await(item.item)
        as_name = item.asname.name.value if item.asname is not None and isinstance(item.asname.name, cst.Name) else None
        states = self.evaluate(item.item, states, managed_root=True)
        if is_async and self.facts.is_async and not self._enters_owned_resource(expr, states):
            states = self.raises.of_async_entry(states, node)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        if isinstance(expr, cst.Name):
            entered, ending = self._with_name(expr.value, as_name, item, is_async, normal)
            return others + entered, ending
        if isinstance(expr, cst.Call):
            closing_target = self.ownership.closing_target(expr)
            if closing_target is not None:
                if as_name:
                    normal = [s.bind(as_name, s.site_of(closing_target)) if s.site_of(closing_target) is not None else s for s in normal]
                return others + normal, (closing_target, None)
            acquisition = self.ownership.left_open_by_with(expr, is_async, awaited)
            if acquisition is not None:
                # a derived object's `with` (`with cursor_for() as cur`) is no `with` on the resource
                transaction_with = item if not acquisition.acquire.reached_through else None
                site = self.ledger.site(
                    acquisition.call, acquisition.acquire, acquisition.kind, as_name, node, awaited=awaited, transaction_with=transaction_with
                )
                return others + [self._bind_new(s, as_name, site, node) for s in normal], None
        ending = self.ownership.closed_by_with(expr, is_async, normal) if isinstance(expr, cst.Attribute) else None
        if as_name:
            normal = [self._unbind(s, as_name, node) for s in normal]
        return others + normal, ending

    def _enters_owned_resource(self, expr: cst.BaseExpression, states: list[State]) -> bool:
        """`async with conn:` on a connection already held, whose exit closes
        it: entering only returns the object, so, as for the sync driver's
        `with conn:`, the block takes over from the first line."""
        if not isinstance(expr, cst.Name):
            return False
        sites = [s.site_of(expr.value) for s in states if s.tag is None]
        return bool(sites) and all(
            isinstance(site, Site) and self.ownership.with_effect(site, True) is WithEffect.ENDS_OWNERSHIP for site in sites
        )

    def _with_name(
        self, name: str, as_name: Optional[str], item: cst.WithItem, is_async: bool, states: list[State]
    ) -> tuple[list[State], Optional[Reference]]:
        """`with conn:` / `with conn as c:` on what a name holds."""
        ending = None
        entered = []
        for state in states:
            site = state.site_of(name)
            if site is not None and as_name:
                state = state.bind(as_name, site)
            entered.append(state)
            if not isinstance(site, Site):
                continue
            effect = self.ownership.with_effect(site, is_async)
            if effect is WithEffect.ENDS_OWNERSHIP:
                ending = (name, None)
            elif effect is WithEffect.ENDS_TRANSACTION and site.transaction_with is None:
                site.transaction_with = item
        return entered, ending

    def _stmt_FunctionDef(self, node: cst.FunctionDef | cst.ClassDef, states: list[State]) -> list[State]:
        """A nested function or class that uses a name takes what it holds along."""
        held = {name for s in states for name, _ in s.names}
        if not held:
            return states  # nothing to capture: skip the walk
        captured = held.intersection(names_in(node.body))
        return [self.ownership.hand_off_names(s, captured) for s in states]

    _stmt_ClassDef = _stmt_FunctionDef

    def _stmt_Match(self, node: cst.Match, states: list[State]) -> list[State]:
        states = self.evaluate(node.subject, states)
        normal = [s for s in states if s.tag is None]
        out = [s for s in states if s.tag is not None]
        irrefutable = False
        for case in node.cases:
            out += self.block(_suite(case.body), normal)
            if case.guard is None and isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None:
                irrefutable = True
        if not irrefutable:
            out += normal
        return unique(out)

    # -- assignment ---------------------------------------------------------------

    def _assign(self, node: cst.CSTNode, targets: Sequence[cst.BaseExpression], value: cst.BaseExpression, states: list[State]) -> list[State]:
        unpacked = self._unpacked(targets, value)
        if unpacked:
            return self._unpack(node, targets[0], value, unpacked, states)
        stores_outside = any(not isinstance(t, cst.Name) or t.value in self.globals for t in targets)
        acquisition = self.ownership.acquisition(value)
        if stores_outside:
            states, _ = self._evaluate_handing_off(value, states, stored=True)
        else:
            states = self.evaluate(value, states, managed_root=acquisition is not None)
        normal = [s for s in states if s.tag is None]
        others = [s for s in states if s.tag is not None]
        site = None
        if acquisition is not None and not stores_outside and (self.facts.owns or acquisition.acquire.stream):
            names = [t.value for t in targets if isinstance(t, cst.Name)]
            site = self.ledger.site(
                acquisition.call,
                acquisition.acquire,
                acquisition.kind,
                names[0] if names else None,
                node,
                awaited=acquisition.awaited,
                transaction_with=acquisition.entered_by,
            )
        out = []
        alias = value.value if isinstance(value, cst.Name) else self.ownership.receiver_given_back(value)
        wrapped = wrapped_names(value) if site is None and alias is None else ()
        for state in normal:
            for target in targets:
                target_name = dotted_name(target)
                if target_name is not None:
                    state = state.forget_flags(target_name)
                    if target_name in self.conditions.correlated and site is None and (alias is None or state.site_of(alias) is None):
                        state = state.set_flag(target_name, not is_none(value))
                if isinstance(target, cst.Name) and target.value not in self.globals:
                    if site is not None:
                        state = self._bind_new(state, target.value, site, node)
                    elif alias is not None and state.site_of(alias) is not None:
                        if alias != target.value:  # `conn = conn.execution_options(...)` keeps what it holds
                            state = self._unbind(state, target.value, node).bind(target.value, state.site_of(alias))
                    elif any(state.site_of(n) is not None for n in wrapped):
                        inner = next(state.site_of(n) for n in wrapped if state.site_of(n) is not None)
                        if state.site_of(target.value) is not inner:  # `sock = ctx.wrap_socket(sock)` keeps what it holds
                            state = self._unbind(state, target.value, node).bind(target.value, inner)
                    else:
                        state = self._unbind(state, target.value, node)
                elif isinstance(target, (cst.Tuple, cst.List)):
                    for element in target.elements:
                        if isinstance(element.value, cst.Name):
                            state = self._unbind(state, element.value.value, node)
            out.append(state)
        return others + out

    def _unpacked(self, targets: Sequence[cst.BaseExpression], value: cst.BaseExpression) -> list[tuple[int, Acquisition]]:
        """`conn, cur = open_pair()`: the elements that are resources, where
        local names receive them."""
        if len(targets) != 1 or not isinstance(targets[0], (cst.Tuple, cst.List)) or not self.facts.owns:
            return []
        names = [e.value for e in targets[0].elements]
        if not all(isinstance(n, cst.Name) and n.value not in self.globals for n in names):
            return []
        return [(i, a) for i, a in self.ownership.part_acquisitions(value) if i < len(names)]

    def _unpack(
        self, node: cst.CSTNode, target: cst.Tuple | cst.List, value: cst.BaseExpression, unpacked: list[tuple[int, Acquisition]], states: list[State]
    ) -> list[State]:
        """Each element its own ownership: a site per resource, bound to its name."""
        states = self.evaluate(value, states, managed_root=True)
        names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
        sites = {i: self.ledger.site(a.call, a.acquire, a.kind, names[i], node, awaited=a.awaited, part=i) for i, a in unpacked}
        out = []
        for state in states:
            if state.tag is None:
                for i, name in enumerate(names):
                    state = self._bind_new(state, name, sites[i], node) if i in sites else self._unbind(state, name, node)
            out.append(state)
        return out

    def _bind_new(self, state: State, name: Optional[str], site: Site, node: cst.CSTNode) -> State:
        if name is not None:
            state = self._unbind(state, name, node, by=site)
            state = state.bind(name, site)
        return state.set_phase(site, Phase.OPEN)

    def _unbind(self, state: State, name: str, node: cst.CSTNode, by: Optional[Site] = None) -> State:
        """`name` stops holding what it held; an open resource only it held is lost."""
        site = state.site_of(name)
        if site is None:
            return state
        if isinstance(site, Site) and state.phase(site) == Phase.OPEN and state.holders(site) == [name]:
            self.ledger.of(site).overwrites.append(Overwrite(node, state.cause(site), by))
            state = state.set_phase(site, Phase.HANDED)  # out of reach from here on
        return state.bind(name, None)

    def _unbind_target(self, state: State, target: cst.BaseExpression, node: cst.CSTNode) -> State:
        for sub in walk(target):
            if isinstance(sub, cst.Name):
                state = self._unbind(state, sub.value, node)
        return state

    # -- expressions ---------------------------------------------------------------

    def evaluate(
        self,
        expr: cst.BaseExpression,
        states: list[State],
        *,
        discard_root: bool = False,
        managed_root: bool = False,
        may_raise: bool = True,
    ) -> list[State]:
        """Apply an expression's effects (releases, hand-offs, raise edges).

        `discard_root`: the statement drops the expression's value;
        `managed_root`: the statement keeps it (an assignment, a `with` item).
        """
        facts = self._expr_facts(expr)
        if self.facts.owns and facts.calls:
            self.ownership.record_discards(expr, facts, discard_root, managed_root)
        out = [self.ownership.apply(s, facts) if s.tag is None else s for s in states]
        if may_raise and (facts.raising_calls or facts.awaits or facts.yields):
            out = self.raises.of_expression(out, facts)
        if facts.yields:
            self.ownership.record_yielded(out, facts)
        return unique(out)

    def _evaluate_handing_off(self, expr: cst.BaseExpression, states: list[State], *, stored: bool = False) -> tuple[list[State], set[str]]:
        """Evaluate a value that leaves the function (returned, or `stored`
        outside): (the states, the names whose resource leaves with it)."""
        states = self.evaluate(expr, states, managed_root=True)
        held = {name for state in states for name, _ in state.names}
        escaping = self.ownership.escaping(expr, self._expr_facts(expr), held)
        derived = self._derived(expr)
        if derived is not None and derived[0] in held:
            escaping.add(derived[0])  # `cur = conn.cursor()` ... `return cur`: the connection goes with it
        hand = self.ownership.store_names if stored else self.ownership.hand_off_names
        return [hand(s, escaping) if s.tag is None else s for s in states], escaping

    def _derived(self, expr: cst.BaseExpression) -> Optional[Reference]:
        """What `expr` keeps reachable: `conn.cursor()` itself, or a name bound
        once to such a value (`cur = conn.cursor()` ... `return cur`)."""
        found = self.ownership.derived(expr)
        if found is None and type(expr) is cst.Name:
            if self._derived_locals is None:
                self._derived_locals = self._find_derived_locals()
            found = self._derived_locals.get(expr.value)
        return found

    def _find_derived_locals(self) -> dict[str, Reference]:
        bound: dict[str, Optional[Reference]] = {}
        for node in statements(self.body):
            if type(node) is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
                name = node.targets[0].target.value
                bound[name] = None if name in bound else self.ownership.derived(node.value)
        return {name: found for name, found in bound.items() if found is not None}

    def _expr_facts(self, expr: cst.BaseExpression) -> ExprFacts:
        found = self._expr_cache.get(expr)
        if found is None:
            found = self._expr_cache[expr] = ExprFacts(expr, self.ownership.cannot_raise)
        return found


def _suite(body: cst.BaseSuite) -> list[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    return list(getattr(body, "body", []))
