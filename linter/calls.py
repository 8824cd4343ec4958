"""One pass over the calls of a scope: what each call is (an acquisition, a
method of a catalogue kind) and how it is used (awaited, entered with
`with`/`async with`, returned, run in a thread). Every rule family reads
these facts; none walks the tree or resolves names itself."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

import libcst as cst

from .catalogue import AWAIT_WRAPPERS, THREAD_RUNNERS, Acquire, Kind
from .flow.facts import ReleaseEvent, Site
from .resolve import OTHER, Resolver
from .syntax import DEFINITIONS, children, dotted_name

# Calls that run or schedule the coroutine given to them: it is not dropped.
SCHEDULING = frozenset({"create_task", "ensure_future", "run_until_complete", "run", "run_coroutine_threadsafe", "gather", "wait_for", "shield", "wait", "TaskGroup.create_task"})


class Usage(enum.Enum):
    """What the statement does with a call's result."""

    ASSIGNED = "assigned"
    STATEMENT = "statement"  # dropped
    CHAINED = "chained"  # the receiver of an attribute: `connect().cursor()`
    ARGUMENT = "argument"
    OTHER = "other"


class Entered(enum.Enum):
    """A call that is a `with` item."""

    WITH = "with"
    ASYNC_WITH = "async with"


@dataclass
class CallFact:
    call: cst.Call
    method: Optional[str]  # `close` for `conn.close()`
    receiver_kind: Optional[Kind]  # the catalogue kind of `conn`, if it resolves
    acquire: Optional[Acquire]
    awaited: bool  # `await x()`, or inside `asyncio.wait_for(x(), ...)`, `create_task(x())`
    context: Optional[Entered]  # when it is a `with` item
    returned: bool  # `return x()`: the caller gets the coroutine
    used: Usage
    in_thread: bool  # inside a callable handed to `asyncio.to_thread`/`run_in_executor`
    target: Optional[str] = None  # `conn` in `conn = pool.acquire()`


@dataclass
class WithName:
    """`with session:` on a name: what the name holds."""

    item: cst.WithItem
    asynchronous: bool
    kind: Optional[Kind]


@dataclass
class ScopeCalls:
    is_async: bool
    calls: list[CallFact]
    with_names: list[WithName]
    returned_names: set[str]  # names the scope returns (`return checkout`)

    def by_node(self) -> dict[cst.Call, CallFact]:
        return {fact.call: fact for fact in self.calls}


def scan(body: cst.CSTNode, resolver: Resolver, is_async: bool) -> ScopeCalls:
    interesting = resolver.catalogue.interesting_methods
    facts: list[CallFact] = []
    with_names: list[WithName] = []
    returned: set[str] = set()
    for node, parent, grandparent, in_thread in _scanned_nodes(body):
        node_type = type(node)  # concrete types: `isinstance` on LibCST's ABCs costs a Python call
        if node_type is cst.Return and type(node.value) is cst.Name:
            returned.add(node.value.value)
            continue
        if node_type is cst.With:
            for item in node.items:
                if type(item.item) is cst.Name:
                    kind = resolver.kind(resolver.kind_of(item.item))
                    with_names.append(WithName(item, node.asynchronous is not None, kind))
            continue
        if node_type is not cst.Call:
            continue
        func = node.func
        method = func.attr.value if type(func) is cst.Attribute else None
        receiver_kind = None
        if method is not None and method in interesting:
            found = resolver.kind_of(func.value)
            receiver_kind = resolver.kind(found) if found not in (None, OTHER) else None
        acquire = resolver.acquire_of(node)
        facts.append(
            CallFact(
                call=node,
                method=method,
                receiver_kind=receiver_kind,
                acquire=acquire,
                awaited=_awaited(parent, grandparent, resolver),
                context=_with_context(node, parent, grandparent),
                returned=type(parent) is cst.Return or (type(parent) is cst.Await and type(grandparent) is cst.Return),
                used=_usage(node, parent, grandparent),
                in_thread=in_thread,
                target=_target(node, parent, grandparent),
            )
        )
    return ScopeCalls(is_async, facts, with_names, returned)


def _target(node, parent, grandparent) -> Optional[str]:
    assign = parent if type(parent) in (cst.Assign, cst.AnnAssign) else None
    if assign is None:
        return None
    targets = [t.target for t in assign.targets] if type(assign) is cst.Assign else [assign.target]
    return targets[0].value if len(targets) == 1 and type(targets[0]) is cst.Name else None


def _awaited(parent, grandparent, resolver: Resolver) -> bool:
    if type(parent) in (cst.Await, cst.From):  # `yield from x.close()` in a generator-based coroutine
        return True
    if type(parent) is cst.Arg and type(grandparent) is cst.Call:
        name = dotted_name(grandparent.func) or ""
        qualified = resolver.qualified(grandparent.func) or name
        return qualified in AWAIT_WRAPPERS or name.rsplit(".", 1)[-1] in SCHEDULING
    return False


def _usage(node, parent, grandparent) -> Usage:
    if type(parent) is cst.Await:
        node, parent = parent, grandparent
    if type(parent) in (cst.Assign, cst.AnnAssign) or type(parent) is cst.AssignTarget:
        return Usage.ASSIGNED
    if type(parent) is cst.Expr:
        return Usage.STATEMENT
    if type(parent) is cst.Attribute and parent.value is node:
        return Usage.CHAINED
    if type(parent) is cst.Arg:
        return Usage.ARGUMENT
    return Usage.OTHER


# The walk depends on the tree only: a module analysed again with its own
# summaries (`Linter._analyse_with_own_summaries`) reuses it. Kept for one
# module at a time (`start_module`), so no other tree stays alive.
_WALKS: dict[cst.CSTNode, list[tuple]] = {}
_WALKED_MODULE: list[Optional[cst.Module]] = [None]


def start_module(module: cst.Module) -> None:
    """Forget the walks of any other module."""
    if _WALKED_MODULE[0] is not module:
        _WALKS.clear()
        _WALKED_MODULE[0] = module


def _scanned_nodes(body: cst.CSTNode) -> list[tuple]:
    """(node, parent, grandparent, in-thread) of the returns, `with`
    statements and calls `scan` reads."""
    found = _WALKS.get(body)
    if found is None:
        found = _WALKS[body] = [entry for entry in _walk_with_parents(body) if type(entry[0]) in _SCANNED]
    return found


_SCANNED = (cst.Return, cst.With, cst.Call)


def _walk_with_parents(body: cst.CSTNode) -> Iterator[tuple]:
    """(node, parent, grandparent, in-thread) without entering nested functions
    and classes; lambdas are entered only when they run in a thread."""
    stack: list[tuple] = [(body, None, None, False)]
    while stack:
        node, parent, grandparent, in_thread = stack.pop()
        yield node, parent, grandparent, in_thread
        node_type = type(node)
        if node_type in DEFINITIONS and node is not body:
            continue
        if node_type is cst.Lambda:
            runner = dotted_name(grandparent.func) if type(grandparent) is cst.Call else None
            if (runner or "").rsplit(".", 1)[-1] not in THREAD_RUNNERS:
                continue
            in_thread = True
        for kid in reversed(children(node)):
            stack.append((kid, node, parent, in_thread))


def _with_context(node: cst.Call, parent, grandparent) -> Optional[Entered]:
    if type(parent) is cst.WithItem and parent.item is node and type(grandparent) is cst.With:
        return Entered.ASYNC_WITH if grandparent.asynchronous is not None else Entered.WITH
    return None


def unawaited_release_calls(releases: Iterable[ReleaseEvent], scope: Optional[ScopeCalls]) -> dict[cst.Call, Site]:
    """Release calls of tracked resources that needed `await` and lack it:
    {call: site}. Both the asyncio rules (LKL201) and the release rules (which
    then stay silent: one diagnostic per defect) read this."""
    by_node = scope.by_node() if scope is not None else {}
    found = {}
    for event in releases:
        fact = by_node.get(event.call)
        if fact is None or fact.awaited or fact.returned or fact.used is Usage.ARGUMENT:
            continue  # given to a call that runs the coroutine (`run_sync(conn.close())`) is no missing `await`
        if event.release.must_be_awaited(acquire_awaited=event.site.awaited):
            found[event.call] = event.site
    return found
