"""LKL101-LKL105: resources acquired by a function and not released on every path.

The flow analysis says, for each acquisition, on which exits it is still
open and why; this family decides which single rule describes each defect
(the contract's precedence: LKL104 and LKL105 over LKL101; one diagnostic
per defect).
"""
from __future__ import annotations

from typing import Iterable, Iterator, Optional

import libcst as cst

from leaklint import messages
from leaklint.calls import unawaited_release_calls
from leaklint.catalogue import Exit, closing_releases, exit_of
from leaklint.flow.facts import Category, Cause, CauseKind, Discard, ExitKind, FunctionFacts, Site, SiteFacts
from leaklint.releasers import ReleaseCall, release_function, spell
from leaklint.rulebase import FileContext, Finding, release_word
from leaklint.ruleinfo import FixSafety, RuleFix, RuleInfo

MOVE_RELEASE_TO_FINALLY = RuleFix(
    FixSafety.SAFE, "move the release into `finally`, or turn the acquire/release pair into `with`", ("release-region",)
)
LKL101 = RuleInfo(
    "LKL101",
    "resource-never-released",
    "A resource is acquired and never released or handed off.",
    RuleFix(
        FixSafety.UNSAFE,
        "wrap the acquire and its uses in `with` (`closing()` where `with` does not close), or release it in `finally`",
        ("release-region", "chained-resource"),
    ),
)
LKL102 = RuleInfo(
    "LKL102",
    "release-not-guaranteed",
    "A resource is released on the normal path only; an exception skips the release.",
    MOVE_RELEASE_TO_FINALLY,
)
LKL103 = RuleInfo(
    "LKL103",
    "early-exit-skips-release",
    "A return, break, continue or raise leaves without releasing a resource.",
    MOVE_RELEASE_TO_FINALLY,
)
LKL104 = RuleInfo(
    "LKL104",
    "non-closing-context-manager",
    "`with` on an object whose exit only ends a transaction; the connection stays open.",
    RuleFix(FixSafety.SAFE, "use `with closing(connect(...)) as c, c:` to close it and keep the transaction", ("non-closing-with",)),
)
LKL105 = RuleInfo("LKL105", "resource-overwritten", "The name holding an unreleased resource is rebound.")


class ReleaseRules:
    rules = (LKL101, LKL102, LKL103, LKL104, LKL105)

    def check(self, context: FileContext) -> Iterable[Finding]:
        facts = context.facts
        if facts.module_level is not None:
            yield from self._function(context, facts.module_level)
        for function in facts.functions:
            yield from self._function(context, function)

    def _function(self, context: FileContext, function: FunctionFacts) -> Iterator[Finding]:
        describe = _Describer(context, function)
        if function.owns:
            for discard in function.discards:
                yield describe.discard(discard)
        # an unawaited release is LKL201's defect, not also LKL101/LKL102's
        unawaited = set(unawaited_release_calls(function.releases, context.facts.calls.get(function.function)).values())
        for site in function.sites:
            if site.site.stream or site.site in unawaited:
                continue  # streams are judged by LKL301/LKL302 only
            if function.owns:
                yield from _classify(site, describe)
            elif site.site.transaction_with is not None and _never_released(site):
                yield describe.non_closing_with(site)


def _unpacked(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.Assign) and any(isinstance(t.target, (cst.Tuple, cst.List)) for t in statement.targets)


def _never_released(site: SiteFacts) -> bool:
    return not site.released and not _handed(site)


def _handed(site: SiteFacts) -> bool:
    """Returned, stored, or yielded by a generator that never releases it."""
    return site.handed or (site.yielded and not site.released)


def _classify(site: SiteFacts, describe: "_Describer") -> Iterator[Finding]:
    if site.site.transaction_with is not None and _never_released(site):
        # the `with` believed to close is the first defect: LKL104 there wins
        # over LKL105 where the name is rebound later (another such `with`)
        if site.leaks or site.overwrites:
            yield describe.non_closing_with(site)
        return
    reported_overwrite = False
    for overwrite in site.overwrites:
        cause = overwrite.cause
        if cause is not None and cause.kind is CauseKind.JUMP:
            yield describe.early_exit(site, cause.node)
        elif overwrite.by is site.site and _never_released(site):
            continue  # a loop that never releases: LKL101 below says it once
        else:
            reported_overwrite = True
            yield describe.overwritten(site, overwrite.node)
    if _never_released(site):
        if reported_overwrite:
            return
        if site.leaks or site.overwrites:
            if site.site.transaction_with is not None:
                yield describe.non_closing_with(site)
            else:
                yield describe.never_released(site)
        return
    if site.yielded and not site.released:
        return  # a generator handing out the resource: its consumer owns it
    exception_reported = False
    # an ordinary exception is the likelier story than a cancellation: say it first
    leaks = sorted(site.leaks, key=lambda leak: leak.cause is not None and leak.cause.category == Category.BASE)
    for leak in leaks:
        cause = leak.cause
        if cause is not None and cause.kind is CauseKind.EXCEPTION:
            if _handed(site) or not site.released or exception_reported:
                continue  # a factory that configures first; or already said
            if cause.node is site.site.call:
                continue  # the next iteration's acquire: the overwrite is the defect
            exception_reported = True
            yield describe.not_guaranteed(site, cause)
        elif leak.exit_kind in (ExitKind.RETURN, ExitKind.RAISE):
            yield describe.early_exit(site, leak.node)
        elif cause is not None:
            yield describe.early_exit(site, cause.node)
        elif leak.exit_kind is ExitKind.END:
            yield describe.early_exit(site, None)


class _Describer:
    """Builds each finding's one-line message from the templates."""

    def _finding(self, code, node, message, site=None, acquired_at=None) -> Finding:
        return Finding(code, node, message, acquired_at, site=site, function=self.function.function)

    def __init__(self, context: FileContext, function: FunctionFacts) -> None:
        self.context = context
        self.function = function
        self.is_async = function.is_async

    def _common(self, site: SiteFacts) -> dict:
        s = site.site
        return {
            "var": s.acquire.released_through(s.var) if s.var else "the resource",  # `cur.connection` for a derived cursor
            "call": self.context.call_text(s.call),
            "line": self.context.line(s.call),
            "label": s.kind.label,
            "released": "released" if _released_by_function(s) else release_word(s.acquire),
        }

    def advice(self, site: SiteFacts, *, finally_only: bool = False) -> str:
        s = site.site
        finally_only = finally_only or _unpacked(s.statement)  # `conn, cur = open_pair()`: no `with` takes the tuple
        # a cursor that keeps its connection: no `with` on it closes the connection
        finally_only = finally_only or bool(s.acquire.reached_through)
        call = self.context.call_text(s.call)
        var = s.acquire.released_through(s.var or "conn")
        helper = self._release_function(s)
        if s.acquire.returned_by:
            if not finally_only:
                for asynchronous in (True, False) if self.is_async else (False,):
                    if exit_of(s.acquire, s.kind, asynchronous=asynchronous, awaited=False).ends_ownership:
                        return messages.ADVICE_WITH.format(async_="async " if asynchronous else "", call=call, var=var)
            if helper is not None:
                return messages.ADVICE_FINALLY_GIVE_BACK.format(label=s.kind.label, release=helper.text(var))
            release = s.acquire.returned_by[0]
            receiver = _receiver_text(self.context, s.call)
            awaited = release.must_be_awaited(acquire_awaited=s.awaited)
            releaser = f"{'await ' if awaited else ''}{receiver}.{release.method}"
            return messages.ADVICE_FINALLY_RETURN.format(releaser=releaser, var=var)
        if not finally_only:
            for asynchronous in (True, False) if self.is_async else (False,):
                if exit_of(s.acquire, s.kind, asynchronous=asynchronous, awaited=False).ends_ownership:
                    return messages.ADVICE_WITH.format(async_="async " if asynchronous else "", call=call, var=var)
            if s.kind.with_exit == Exit.TXN_ONLY and closing_releases(s.acquire, s.kind):
                return messages.ADVICE_CLOSING.format(call=call, var=var)
        if helper is not None:
            return messages.ADVICE_FINALLY_RELEASE.format(label=s.kind.label, release=helper.text(var))
        release = s.kind.releases[0] if s.kind.releases else None
        method = release.method if release else "close"
        awaited = release is not None and release.must_be_awaited(acquire_awaited=s.awaited)
        return messages.ADVICE_FINALLY_CLOSE.format(await_="await " if awaited else "", var=var, method=method)

    def _or_with(self, s: Site) -> str:
        """The `with` alternative, where a `with` (or `async with`) on the call releases it."""
        if _unpacked(s.statement) or s.acquire.reached_through:
            return ""  # no `with` takes the tuple, and none on a cursor closes its connection
        exits = (exit_of(s.acquire, s.kind, asynchronous=asynchronous, awaited=False) for asynchronous in (False, True))
        return " or use `with`" if any(e.ends_ownership for e in exits) or s.kind.with_exit == Exit.TXN_ONLY else ""

    def _release_function(self, site: Site) -> Optional[ReleaseCall]:
        """The project's own release for the site, where it is the one that
        applies (`leaklint.releasers`): a pool wrapper's helper, a declared release."""
        resolver = self.context.facts.resolvers.get(self.function.function)
        helper = release_function(resolver, site.call, site.acquire, site.kind) if resolver is not None else None
        return spell(resolver, helper) if helper is not None else None

    def never_released(self, site: SiteFacts) -> Finding:
        values = self._common(site)
        template = messages.NEVER_RELEASED_CLOSED if site.closed_not_returned is not None else messages.NEVER_RELEASED
        message = template.format(advice=self.advice(site), **values)
        return self._finding("LKL101", site.site.call, message, site, site.site.call)

    def discard(self, discard: Discard) -> Finding:
        call = self.context.call_text(discard.call)
        released = "returned to the pool" if discard.acquire.returned_by else "closed"
        if discard.chained:
            binding = "`with`" if (discard.kind.with_exit.ends_ownership or discard.kind.async_with_exit.ends_ownership) else "`contextlib.closing()`"
            if discard.acquire.reached_through:  # a factory's cursor: neither closes the connection
                binding = f"a name and call `cur.{discard.acquire.reached_through}.close()` in a `finally`"
            message = messages.CHAINED.format(label=discard.kind.label, call=call, released=released, binding=binding)
        else:
            message = messages.DISCARDED.format(label=discard.kind.label, call=call, released=released, advice="bind it and release it")
        return self._finding("LKL101", discard.call, message, discard, discard.call)

    def not_guaranteed(self, site: SiteFacts, cause: Cause) -> Finding:
        values = self._common(site)
        origin = cause.node
        raise_line = self.context.line(origin)
        if isinstance(origin, cst.Yield):
            template = messages.TRIGGER_GENERATOR_CLOSE if cause.category == Category.BASE and not self._is_context_manager() else messages.TRIGGER_YIELD
            trigger = template.format(raise_line=raise_line)
        elif cause.category == Category.BASE:
            trigger = messages.TRIGGER_CANCEL.format(raiser=self._origin_text(origin), raise_line=raise_line)
        else:
            trigger = messages.TRIGGER_CALL.format(raiser=self._origin_text(origin), raise_line=raise_line)
        advice = self.advice(site, finally_only=True)
        message = messages.NOT_GUARANTEED.format(trigger=trigger, advice=advice, **values)
        return self._finding("LKL102", site.site.call, message, site, site.site.call)

    def _is_context_manager(self) -> bool:
        from leaklint.analysis import CONTEXT_MANAGER_DECORATORS
        from leaklint.syntax import decorator_names

        node = self.function.function
        return node is not None and any(n in CONTEXT_MANAGER_DECORATORS for n in decorator_names(node))

    def _origin_text(self, origin: cst.CSTNode) -> str:
        if isinstance(origin, cst.Call):
            return self.context.call_text(origin)
        if isinstance(origin, cst.Await):
            inner = origin.expression
            if isinstance(inner, cst.Call):
                return "await " + self.context.call_text(inner)
        return self.context.code(origin, 40)

    def early_exit(self, site: SiteFacts, exit_node: Optional[cst.CSTNode]) -> Finding:
        values = self._common(site)
        function = self.function.function
        where = f"`{function.name.value}`" if function is not None else "the module"
        releasing = "releasing" if _released_by_function(site.site) else "returning" if site.site.acquire.returned_by else "closing"
        if exit_node is None:
            node = _last_statement(function) if function is not None else site.site.call
            exit_text = "end of function"
        else:
            node = exit_node
            exit_text = self.context.code(exit_node, 30)
        message = messages.EARLY_EXIT.format(
            exit=exit_text, where=where, releasing=releasing, advice=self.advice(site, finally_only=True) + self._or_with(site.site), **values
        )
        return self._finding("LKL103", node, message, site, site.site.call)

    def non_closing_with(self, site: SiteFacts) -> Finding:
        values = self._common(site)
        var = site.site.var or "conn"
        if site.site.acquire.returned_by:
            advice = self.advice(site, finally_only=True)
            message = messages.NON_RETURNING_WITH.format(advice=advice, **values)
        else:
            advice = f"use `with closing({values['call']}) as {var}, {var}:`"
            message = messages.NON_CLOSING_WITH.format(advice=advice, **values)
        return self._finding("LKL104", site.site.transaction_with, message, site, site.site.call)

    def overwritten(self, site: SiteFacts, node: cst.CSTNode) -> Finding:
        values = {**self._common(site), "var": site.site.var or "the resource"}
        verb = "release" if _released_by_function(site.site) else "return" if site.site.acquire.returned_by else "close"
        message = messages.OVERWRITTEN.format(released_verb=verb, **values)
        return self._finding("LKL105", node, message, site, site.site.call)


def _released_by_function(site: Site) -> bool:
    """A resource the project declares with release functions only (`release_db(conn)`): neither closed nor returned."""
    return bool(site.kind.release_functions) and not site.kind.releases


def _receiver_text(context: FileContext, call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return context.code(func.value, 40)
    return "pool"


def _last_statement(function: cst.FunctionDef) -> cst.CSTNode:
    body = function.body
    statements = getattr(body, "body", [])
    return statements[-1] if statements else function
