"""LKL201-LKL204: asyncio misuse that leaks or starves the pool.

Reads the engine's call facts (what each call is and how it is used) and the
flow's release events; the catalogue says which calls are coroutines and
which objects support `with` or only `async with`.
"""
from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from leaklint import messages
from leaklint.catalogue import Await, Awaiting, ClosingEffect, Exit, exit_of
from leaklint.calls import CallFact, Entered, Usage, unawaited_release_calls
from leaklint.rulebase import FileContext, Finding
from leaklint.ruleinfo import FixSafety, RuleFix, RuleInfo
from leaklint.syntax import decorator_names

LKL201 = RuleInfo(
    "LKL201",
    "unawaited-release",
    "A release or close coroutine is called without `await`.",
    RuleFix(FixSafety.SAFE, "insert `await`", ("insert-await",)),
)
LKL202 = RuleInfo(
    "LKL202",
    "unawaited-acquire",
    "An async acquisition is neither awaited nor used with `async with`.",
    RuleFix(FixSafety.SAFE, "insert `await`, or use `async with`", ("insert-await",)),
)
LKL203 = RuleInfo(
    "LKL203",
    "sync-with-on-async-resource",
    "`with` where only `async with` works.",
    RuleFix(FixSafety.SAFE, "use `async with`", ("async-with",)),
)
LKL204 = RuleInfo("LKL204", "blocking-call-in-async", "A blocking database call inside `async def`.")


class AsyncRules:
    rules = (LKL201, LKL202, LKL203, LKL204)

    def check(self, context: FileContext) -> Iterable[Finding]:
        facts = context.facts
        flagged: set[cst.Call] = set()
        for function, scope in facts.calls.items():
            for fact in scope.calls:
                finding = (
                    _unawaited_release(context, fact, function)
                    or _unawaited_acquire(context, fact, scope)
                    or _sync_with(context, fact, context.resolver(function))
                )
                if finding is None and scope.is_async:
                    finding = _blocking(context, fact, function)
                if finding is not None and fact.call not in flagged:
                    flagged.add(fact.call)
                    finding.function = function
                    yield finding
            for with_name in scope.with_names:
                kind = with_name.kind
                if not with_name.asynchronous and kind is not None and _only_async_with(kind.with_exit, kind.async_with_exit):
                    yield Finding(
                        "LKL203",
                        with_name.item,
                        messages.SYNC_WITH_ON_ASYNC.format(call=context.code(with_name.item.item), label=_a(kind.label)),
                        function=function,
                    )
        # pools leaklint knows only by name: the release mirrors the acquire
        for flow in ([facts.module_level] if facts.module_level else []) + facts.functions:
            scope = facts.calls.get(flow.function)
            by_node = scope.by_node() if scope else {}
            for call, site in unawaited_release_calls(flow.releases, scope).items():
                if call not in flagged:
                    flagged.add(call)
                    released = "returned to the pool" if site.acquire.returned_by else "closed"
                    yield _unawaited_release_finding(context, by_node[call], site.kind.label, released, flow.function)


def _only_async_with(sync_exit: Exit, async_exit: Exit) -> bool:
    return sync_exit == Exit.NONE and async_exit != Exit.NONE


def _a(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def _unawaited_release(context: FileContext, fact: CallFact, function: Optional[cst.FunctionDef]) -> Optional[Finding]:
    kind = fact.receiver_kind
    if kind is None or fact.method is None or fact.awaited or fact.returned or fact.used is Usage.ARGUMENT:
        return None  # awaited, returned, or given to a call that runs it (`self.await_(conn.close())`)
    release = next((r for r in kind.releases if r.method == fact.method), None)
    label, released = kind.label, "closed"
    if release is None:  # `pool.release(conn)`: the pool takes back what it handed out
        release = context.catalogue.takes_back.get(kind.name, {}).get(fact.method)
        label, released = "connection", "returned to the pool"
    if release is None or release.awaiting != Awaiting.ASYNC:
        return None
    return _unawaited_release_finding(context, fact, label, released, function)


def _unawaited_release_finding(context, fact, label, released, function) -> Finding:
    template = messages.UNAWAITED_RELEASE_YIELD_FROM if _generator_coroutine(function) else messages.UNAWAITED_RELEASE
    message = template.format(call=context.call_text_full(fact.call), label=label, released=released)
    return Finding("LKL201", fact.call, message, function=function)


def _generator_coroutine(function: Optional[cst.FunctionDef]) -> bool:
    """`@types.coroutine` (or the old `@asyncio.coroutine`): it awaits with `yield from`."""
    return function is not None and function.asynchronous is None and any(
        name.rsplit(".", 1)[-1] == "coroutine" for name in decorator_names(function)
    )


def _unawaited_acquire(context: FileContext, fact: CallFact, scope) -> Optional[Finding]:
    acquire = fact.acquire
    if acquire is None or acquire.awaiting not in (Await.COROUTINE, Await.AWAITABLE) or not scope.is_async:
        return None  # outside `async def` the awaitable can only be meant for a caller
    if fact.awaited or fact.returned or fact.context is not None or fact.used not in (Usage.ASSIGNED, Usage.STATEMENT, Usage.CHAINED):
        return None
    if fact.target is not None and fact.target in scope.returned_names:
        return None  # handed to the caller through a name
    if fact.used is Usage.ASSIGNED and fact.target is None and acquire.awaiting == Await.AWAITABLE:
        return None  # stored to be entered later (`self._cm = pool.acquire()`, then `__aenter__` delegation)
    kind = context.catalogue.kind(acquire.kind)
    call = context.call_text_full(fact.call)
    if acquire.awaiting == Await.AWAITABLE and exit_of(acquire, kind, asynchronous=True, awaited=False).ends_ownership:
        fix = f"async with {call} as ..."
    else:
        fix = f"await {call}"
    return Finding("LKL202", fact.call, messages.UNAWAITED_ACQUIRE.format(call=call, fix=fix))


def _sync_with(context: FileContext, fact: CallFact, resolver) -> Optional[Finding]:
    if fact.context is not Entered.WITH:
        return None
    acquire = fact.acquire
    if acquire is not None:
        if acquire.awaiting == Await.EITHER:
            return None
        kind = context.catalogue.kind(acquire.kind)
        sync_exit = exit_of(acquire, kind, asynchronous=False, awaited=False)
        async_exit = exit_of(acquire, kind, asynchronous=True, awaited=False)
        if _only_async_with(sync_exit, async_exit):
            message = messages.SYNC_WITH_ON_ASYNC.format(call=context.call_text_full(fact.call), label=_a(kind.label))
            return Finding("LKL203", fact.call, message)
        return None
    # `with closing(conn)` where `conn.close()` is a coroutine closes nothing
    qualified = resolver.qualified(fact.call.func) if fact.call.args else None
    if qualified == "contextlib.closing":
        arg = fact.call.args[0].value
        kind = resolver.kind(resolver.kind_of(arg))
        if kind is not None and kind.closing_effect is ClosingEffect.DROPS_COROUTINE:
            message = messages.CLOSING_ASYNC.format(arg=context.code(arg), label=kind.label)
            return Finding("LKL203", fact.call, message)
    return None


def _blocking(context: FileContext, fact: CallFact, function) -> Optional[Finding]:
    if fact.in_thread or fact.awaited:
        return None
    label = None
    if fact.acquire is not None and fact.acquire.blocking:
        label = context.catalogue.kind(fact.acquire.kind).library
    elif fact.receiver_kind is not None and fact.method in fact.receiver_kind.blocking:
        label = fact.receiver_kind.library
    if label is None:
        return None
    name = function.name.value if function is not None else "?"
    message = messages.BLOCKING_CALL.format(call=context.call_text_full(fact.call), label=label, function=name)
    return Finding("LKL204", fact.call, message)
