"""Run the flow analysis over the functions of one module that need it, and
derive the module's project summaries (factories and releasing helpers)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import libcst as cst

from .catalogue import Await, Catalogue
from .calls import ScopeCalls, scan
from .flow import FlowAnalysis
from .flow.facts import Category, FunctionFacts, Generator
from .objects import ObjectFacts, analyze_objects
from .resolve import FunctionInfo, ModuleIndex, Resolver
from .summaries import FunctionSummary, Summaries
from .syntax import decorator_names, statements, walk

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


def analyze_module(module: cst.Module, catalogue: Catalogue, summaries: Summaries, module_name: str) -> ModuleFacts:
    index = ModuleIndex(module, module_name)
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
        if not any(c.acquire is not None for c in calls.calls):
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
        released, kept, methods = _released_parameters(function, facts.calls[function.node], catalogue, index, summaries)
        if released:
            qualname = f"{module_name}.{function.qualname}" if module_name else function.qualname
            existing = next((s for s in facts.summaries if s.qualname == qualname), None)
            helper = existing or FunctionSummary(qualname)
            if existing is not None:
                facts.summaries.remove(existing)
            facts.summaries.append(
                replace(
                    helper,
                    releases=frozenset(released),
                    keeps=frozenset(kept),
                    release_methods=frozenset(methods),
                    awaitable=function.node.asynchronous is not None,
                )
            )
    facts.objects = analyze_objects(facts)
    return facts


def _generator_kind(node: cst.FunctionDef, is_async: bool) -> Optional[Generator]:
    if not any(isinstance(n, cst.Yield) for n in walk(node.body)):
        return None
    names = decorator_names(node)
    if any(n in FIXTURE_DECORATORS or n.endswith(".fixture") for n in names):
        return Generator(raises=())  # teardown runs however the test ends
    if any(n in CONTEXT_MANAGER_DECORATORS for n in names):
        return Generator(raises=(Category.ERROR, Category.BASE) if is_async else (Category.ERROR,))
    return Generator(raises=(Category.BASE,))  # close() throws GeneratorExit at the yield


def _summarize(function: FunctionInfo, facts: FunctionFacts, resolver: Resolver, module_name: str) -> Optional[FunctionSummary]:
    returned = None
    for site in facts.sites:
        if site.returned and not site.released:
            returned = site.site.acquire
            break
    if returned is None:
        for node in walk(function.node.body):
            if isinstance(node, cst.Return) and node.value is not None:
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
    awaiting = Await.COROUTINE if function.node.asynchronous is not None else Await.NO
    returned = replace(returned, awaiting=awaiting, when=None, with_exit=None, async_with_exit=None)
    qualname = f"{module_name}.{function.qualname}" if module_name else function.qualname
    return FunctionSummary(qualname, returns=returned)


def _is_context_manager(node: cst.FunctionDef) -> bool:
    return any(n in CONTEXT_MANAGER_DECORATORS or n.endswith("fixture") for n in decorator_names(node))


def _released_parameters(
    function: FunctionInfo, calls: ScopeCalls, catalogue: Catalogue, index: ModuleIndex, summaries: Summaries
) -> tuple[set[int], set[int], set[str]]:
    """(released or kept positions, kept positions) of the parameters, and the
    release methods called on (or with) the released ones. The calls are those
    the scan found, less the ones in lambdas (it enters those only when they
    run in a thread): no second walk of the body."""
    params = list(function.node.params.posonly_params) + list(function.node.params.params)
    names = [p.name.value for p in params]
    if not names:
        return set(), set(), set()
    candidates = set()
    methods: dict[str, set[str]] = {}  # parameter -> the release methods it meets
    # concrete types compared: `isinstance` on LibCST's ABCs costs a Python call per node
    for node in statements(function.node.body):
        if type(node) is cst.Assign and type(node.value) is cst.Name and node.value.value in names:
            if any(type(t.target) in (cst.Attribute, cst.Subscript) for t in node.targets):
                candidates.add(node.value.value)  # `self.socket = sock`: it keeps the resource
    for fact in calls.calls:
        if fact.method in catalogue.release_methods and not fact.in_thread:
            receiver = fact.call.func.value
            if type(receiver) is cst.Name and receiver.value in names:
                candidates.add(receiver.value)
                methods.setdefault(receiver.value, set()).add(fact.method)
            for arg in fact.call.args:
                if type(arg.value) is cst.Name and arg.value.value in names:
                    candidates.add(arg.value.value)
                    methods.setdefault(arg.value.value, set()).add(fact.method)
    if not candidates:
        return set(), set(), set()
    resolver = Resolver(catalogue, index, summaries, function)
    flow = FlowAnalysis(resolver, function.node.body, function=function.node, is_async=function.node.asynchronous is not None, parameters=sorted(candidates))
    flow.run()
    released = flow.released_parameters()
    kept = flow.kept_parameters()
    used = {method for name in released if name not in kept for method in methods.get(name, ())}
    return {names.index(name) for name in released}, {names.index(name) for name in kept}, used
