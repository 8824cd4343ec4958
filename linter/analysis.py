"""Run the flow analysis over the functions of one module that need it, and
derive the module's project summaries (factories and releasing helpers)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import libcst as cst

from .catalogue import Acquire, Await, Catalogue
from .calls import ScopeCalls, Usage, scan, start_module
from .flow import FlowAnalysis
from .flow.facts import Category, FunctionFacts, Generator, SiteFacts
from .objects import ObjectFacts, analyze_objects
from .resolve import FunctionInfo, ModuleIndex, Resolver
from .summaries import FunctionSummary, Summaries
from .syntax import argument_names, decorator_names, statements, walk

FIXTURE_DECORATORS = ("fixture", "pytest.fixture", "pytest_asyncio.fixture")
CONTEXT_MANAGER_DECORATORS = ("contextmanager", "asynccontextmanager", "contextlib.contextmanager", "contextlib.asynccontextmanager")


@dataclass
class ModuleFacts:
    index: ModuleIndex
    functions: list[FunctionFacts] = field(default_factory=list)
    summaries: list[FunctionSummary] = field(default_factory=list)
    module_level: Optional[FunctionFacts] = None
    # keyed by function node, None for the module level
    resolvers: dict[Optional[cst.FunctionDef], Resolver] = field(default_factory=dict)
    calls: dict[Optional[cst.FunctionDef], ScopeCalls] = field(default_factory=dict)
    objects: ObjectFacts = field(default_factory=ObjectFacts)  # resources held by objects (`self.x`)


def analyze_module(
    module: cst.Module,
    catalogue: Catalogue,
    summaries: Summaries,
    module_name: str,
    *,
    is_package: bool = False,
    index: Optional[ModuleIndex] = None,
) -> ModuleFacts:
    """`is_package`: the module is a package's `__init__` (`from . import x` is
    relative to it). `index`: the module's index from an earlier analysis of
    the same tree (it does not depend on the summaries)."""
    start_module(module)
    index = index if index is not None else ModuleIndex(module, module_name, is_package=is_package)
    facts = ModuleFacts(index)
    module_resolver = Resolver(catalogue, index, summaries, None, index.bindings)
    facts.resolvers[None] = module_resolver
    module_calls = scan(module, module_resolver, is_async=False)
    facts.calls[None] = module_calls
    if any(c.acquire is not None for c in module_calls.calls):
        facts.module_level = FlowAnalysis(module_resolver, module, owns=False).run()
    for function in index.functions:
        resolver = Resolver(catalogue, index, summaries, function)
        is_async = function.node.asynchronous is not None
        calls = scan(function.node.body, resolver, is_async)
        facts.calls[function.node] = calls
        facts.resolvers[function.node] = resolver
        if not _acquires(calls, resolver):
            continue
        flow = FlowAnalysis(
            resolver,
            function.node.body,
            function=function.node,
            is_async=is_async,
            generator=_generator_kind(function.node, is_async),
        )
        function_facts = flow.run()
        facts.functions.append(function_facts)
        summary = _summarize(function, function_facts, resolver, module_name)
        if summary is not None:
            facts.summaries.append(summary)
    for function in index.functions:
        parameters = _parameter_facts(function, facts.calls[function.node], catalogue, index, summaries)
        if parameters.released or parameters.result_of is not None:
            qualname = f"{module_name}.{function.qualname}" if module_name else function.qualname
            existing = next((s for s in facts.summaries if s.qualname == qualname), None)
            helper = existing or FunctionSummary(qualname)
            if existing is not None:
                facts.summaries.remove(existing)
            facts.summaries.append(
                replace(
                    helper,
                    releases=frozenset(parameters.released),
                    keeps=frozenset(parameters.kept),
                    release_methods=frozenset(parameters.methods),
                    returns_result_of=parameters.result_of if helper.returns is None else None,
                    awaitable=function.node.asynchronous is not None,
                )
            )
    facts.objects = analyze_objects(facts)
    return facts


def _acquires(calls: ScopeCalls, resolver: Resolver) -> bool:
    """Whether a scope acquires something: a call does, or unpacks a tuple
    that holds a resource (`conn, cur = open_pair()`)."""
    if any(c.acquire is not None for c in calls.calls):
        return True
    return any(c.used is Usage.ASSIGNED and c.target is None and any(resolver.acquired_parts(c.call)) for c in calls.calls)


def _generator_kind(node: cst.FunctionDef, is_async: bool) -> Optional[Generator]:
    if not any(type(n) is cst.Yield for n in walk(node.body)):
        return None
    names = decorator_names(node)
    if any(n in FIXTURE_DECORATORS or n.endswith(".fixture") for n in names):
        return Generator(raises=())  # teardown runs however the test ends
    if any(n in CONTEXT_MANAGER_DECORATORS for n in names):
        return Generator(raises=(Category.ERROR, Category.BASE) if is_async else (Category.ERROR,))
    return Generator(raises=(Category.BASE,))  # close() throws GeneratorExit at the yield


def _summarize(function: FunctionInfo, facts: FunctionFacts, resolver: Resolver, module_name: str) -> Optional[FunctionSummary]:
    qualname = f"{module_name}.{function.qualname}" if module_name else function.qualname
    handed_out = [site for site in facts.sites if site.returned and not site.released and not site.stored]  # stored too: only lent
    parts = _returned_parts(function, facts, handed_out)
    if parts:
        return FunctionSummary(qualname, returns_parts=parts)
    returned = _returned_acquire(function, handed_out[0]) if handed_out else None
    if returned is None:
        for node in statements(function.node.body):
            if type(node) is cst.Return and node.value is not None:
                value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                if isinstance(value, cst.Call):
                    acquire = resolver.acquire_of(value)
                    if acquire is not None and not acquire.stream and acquire.awaiting != Await.CM_ONLY:
                        if resolver.catalogue.kind(acquire.kind).owned:
                            returned = acquire
                            break
    if returned is None:
        return None
    if _is_context_manager(function.node):
        return None
    return FunctionSummary(qualname, returns=_as_returned(returned, function))


def _as_returned(acquire: Acquire, function: FunctionInfo) -> Acquire:
    """What a caller of `function` acquires: the object itself (not the call's
    own context manager), awaited where the function is a coroutine."""
    awaiting = Await.COROUTINE if function.node.asynchronous is not None else Await.NO
    # what the call adopted is the function's parameter or its own: its callers pass nothing to adopt
    return replace(acquire, awaiting=awaiting, when=None, with_exit=None, async_with_exit=None, adopts=(), adopts_at=())


def _returned_acquire(function: FunctionInfo, site: SiteFacts) -> Acquire:
    """What the caller gets of a returned resource: what calling it gives
    (`return registry()`: the registry's Session), else the resource itself,
    reached through the attribute every `return` gives it through."""
    call = site.site.kind.call
    if call is not None and site.site.var and site.site.var in _called_in_returns(function.node):
        return call
    return replace(site.site.acquire, reached_through=_reached_through(site))


def _called_in_returns(node: cst.FunctionDef) -> set[str]:
    """`registry` in `return registry()`."""
    found = set()
    for statement in statements(node.body):
        if type(statement) is cst.Return and statement.value is not None:
            value = statement.value.expression if type(statement.value) is cst.Await else statement.value
            if type(value) is cst.Call and type(value.func) is cst.Name:
                found.add(value.func.value)
    return found


def _reached_through(site: SiteFacts) -> Optional[str]:
    """The attribute through which the caller reaches the resource: the one
    every `return` gives it through (`connection` for `return conn.cursor()`),
    else the one its own holder had (a cursor handed on: `return cur`)."""
    through = site.returned_through
    given = next(iter(through)) if len(through) == 1 else None
    return given or site.site.acquire.reached_through


def _returned_parts(function: FunctionInfo, facts: FunctionFacts, handed_out: list[SiteFacts]) -> tuple[Optional[Acquire], ...]:
    """`return conn, cur`: what each element of the returned tuples is, where
    some element is a resource and every return gives a tuple of one length."""
    if facts.returned_tuple <= 0:
        return ()
    parts: list[Optional[Acquire]] = [None] * facts.returned_tuple
    for site in handed_out:
        if site.returned_element is not None and parts[site.returned_element] is None:
            parts[site.returned_element] = _as_returned(site.site.acquire, function)
    return tuple(parts) if any(parts) and not _is_context_manager(function.node) else ()


def _is_context_manager(node: cst.FunctionDef) -> bool:
    return any(n in CONTEXT_MANAGER_DECORATORS or n.endswith("fixture") for n in decorator_names(node))


@dataclass
class ParameterFacts:
    """What a function does with its parameters, for its callers."""

    released: set[int] = field(default_factory=set)  # positions released or kept on every normal exit
    kept: set[int] = field(default_factory=set)  # of those, the ones stored: a hand-off, not a release
    methods: set[str] = field(default_factory=set)  # the release methods called on (or with) the released ones
    result_of: Optional[int] = None  # a callable parameter whose result it returns (`return f()`)


def _parameter_facts(function: FunctionInfo, calls: ScopeCalls, catalogue: Catalogue, index: ModuleIndex, summaries: Summaries) -> ParameterFacts:
    """The calls are those the scan found, less the ones in lambdas (it enters
    those only when they run in a thread): no second walk of the body."""
    params = list(function.node.params.posonly_params) + list(function.node.params.params)
    names = [p.name.value for p in params]
    found = ParameterFacts()
    if not names:
        return found
    candidates = set()
    methods: dict[str, set[str]] = {}  # parameter -> the release methods it meets
    # concrete types compared: `isinstance` on LibCST's ABCs costs a Python call per node
    for node in statements(function.node.body):
        if type(node) is cst.Assign and type(node.value) is cst.Name and node.value.value in names:
            if any(type(t.target) in (cst.Attribute, cst.Subscript) for t in node.targets):
                candidates.add(node.value.value)  # `self.socket = sock`: it keeps the resource
    for fact in calls.calls:
        if fact.in_thread:
            continue
        if fact.returned and found.result_of is None:
            found.result_of = _called_parameter(fact.call, names, skip=1 if function.cls is not None else 0)
        if fact.acquire is not None:  # `return ctx.wrap_socket(sock)`: the new object keeps it
            candidates.update(n for n in argument_names(fact.call, fact.acquire.adopts, fact.acquire.adopts_at) if n in names)
        if fact.method in catalogue.release_methods:
            receiver = fact.call.func.value
            arguments = [a.value.value for a in fact.call.args if type(a.value) is cst.Name and a.value.value in names]
            for name in arguments + ([receiver.value] if type(receiver) is cst.Name and receiver.value in names else []):
                candidates.add(name)
                methods.setdefault(name, set()).add(fact.method)
    if not candidates:
        return found
    resolver = Resolver(catalogue, index, summaries, function)
    flow = FlowAnalysis(resolver, function.node.body, function=function.node, is_async=function.node.asynchronous is not None, parameters=sorted(candidates))
    flow.run()
    released, kept = flow.released_parameters(), flow.kept_parameters()
    found.released = {names.index(name) for name in released}
    found.kept = {names.index(name) for name in kept}
    found.methods = {method for name in released if name not in kept for method in methods.get(name, ())}
    return found


def _called_parameter(call: cst.Call, names: list[str], skip: int) -> Optional[int]:
    """`return f()`, `return await f(*args)`: the position of `f` (not `cls`
    in `return cls(...)`: the first `skip` parameters are bound)."""
    if type(call.func) is cst.Name and call.func.value in names[skip:]:
        return names.index(call.func.value)
    return None
