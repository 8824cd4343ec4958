"""LKL301-LKL302: streamed (server-side) results left open.

A streamed result is a flow site like any other resource: iterating it to
the end closes it, so does closing it, a `with` on it, or a `with` that ends
its connection or transaction. What is left open on some exit is a finding:
a `break`/`return`/`raise` in the loop over it (LKL301), or a partial read
that is never followed by a close (LKL302). Exceptions raised by the loop
body are not reported.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from leaklint import messages
from leaklint.catalogue import exit_of
from leaklint.flow.facts import CauseKind, ExitKind, FunctionFacts, SiteFacts
from leaklint.rulebase import FileContext, Finding
from leaklint.ruleinfo import FixSafety, RuleFix, RuleInfo

LKL301 = RuleInfo(
    "LKL301",
    "stream-early-exit",
    "A `return`/`break`/`raise` inside iteration over a streamed result that is not closed.",
    RuleFix(FixSafety.SAFE, "close the result in `finally`, or open it with `with`/`async with`", ("release-region",)),
)
LKL302 = RuleInfo("LKL302", "stream-not-exhausted", "A streamed result is read in part and never closed.")


class StreamRules:
    rules = (LKL301, LKL302)

    def check(self, context: FileContext) -> Iterable[Finding]:
        facts = context.facts
        for function in ([facts.module_level] if facts.module_level else []) + facts.functions:
            for site in function.sites:
                if site.site.stream and not site.handed:
                    yield from _judge(context, function, site)


def _judge(context: FileContext, function: FunctionFacts, site: SiteFacts) -> Iterator[Finding]:
    early_exits = []
    open_at_end = False
    for leak in site.leaks:
        cause = leak.cause
        if cause is not None and cause.kind is CauseKind.EXCEPTION:
            continue  # an exception raised by the loop body is not reported
        if cause is not None and cause.kind is CauseKind.JUMP:
            early_exits.append(cause.node)  # left the loop over the stream early
        elif leak.exit_kind is not ExitKind.EXCEPTION:
            open_at_end = True
    values = _values(context, function, site)
    seen = set()
    for node in early_exits:
        if id(node) in seen:
            continue
        seen.add(id(node))
        message = messages.STREAM_EARLY_EXIT.format(exit=context.code(node, 30), **values)
        yield Finding("LKL301", node, message, site.site.call, site=site, function=function.function)
    if not early_exits and open_at_end and site.partial is not None:
        message = messages.STREAM_NOT_EXHAUSTED.format(
            reader=context.call_text(site.partial), read_line=context.line(site.partial), **values
        )
        yield Finding("LKL302", site.site.call, message, site.site.call, site=site, function=function.function)


def _values(context: FileContext, function: FunctionFacts, site: SiteFacts) -> dict:
    s = site.site
    asynchronous = function.is_async and exit_of(s.acquire, s.kind, asynchronous=True, awaited=False).ends_ownership
    return {
        "var": s.var or context.call_text(s.call),
        "call": context.call_text(s.call),
        "line": context.line(s.call),
        "label": s.kind.label,
        "with_": "async with" if asynchronous else "with",
    }
