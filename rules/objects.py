"""LKL105 (for attributes), LKL106, LKL107, LKL108: resources held by objects.

The object analysis (`leaklint.objects`) says which class stores what on
`self` and where its methods fail to release it; this family words the
findings. Precedence: an unawaited release of `self.x` is LKL201's alone
(the analysis counts it as a release for LKL106 and skips it for LKL108).
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from leaklint import messages
from leaklint.objects import Acquisition, Category, CleanupSkip, EnterLeak, NeverReleased, Overwritten
from leaklint.objects.advice import release_text
from leaklint.objects.lifecycle import TEARDOWN_OF_SETUP
from leaklint.rulebase import FileContext, Finding, release_word
from leaklint.ruleinfo import FixSafety, RuleFix, RuleInfo

from .release import LKL105

LKL106 = RuleInfo("LKL106", "attribute-never-released", "A resource stored on `self` is released by no method of its class.")
LKL107 = RuleInfo(
    "LKL107",
    "enter-leaks-on-failure",
    "`__enter__`/`__aenter__` acquires a resource, then something can raise: `__exit__` never runs.",
    RuleFix(FixSafety.UNSAFE, "release the resource in an `except BaseException:` that re-raises", ("release-on-enter-failure",)),
)
LKL108 = RuleInfo(
    "LKL108",
    "cleanup-not-guaranteed",
    "A cleanup method releases a resource after a call that can raise, outside `finally`.",
    RuleFix(FixSafety.SAFE, "move the releases into `finally`", ("cleanup-in-finally",)),
)
CLEANUP_PREFERENCE = ("close", "aclose", "__aexit__", "__exit__", "asyncTearDown", "tearDown", "shutdown", "stop", "disconnect")


class ObjectRules:
    rules = (LKL105, LKL106, LKL107, LKL108)

    def check(self, context: FileContext) -> Iterable[Finding]:
        facts = context.facts.objects
        for defect in facts.never_released:
            yield self._never_released(context, defect)
        for defect in facts.overwritten:
            yield self._overwritten(context, defect)
        for leak in facts.enter_leaks:
            yield self._enter_leak(context, leak)
        for skip in facts.cleanup_skips:
            yield self._cleanup_skip(context, skip)

    def _never_released(self, context: FileContext, defect: NeverReleased) -> Finding:
        acquisition = defect.acquisition
        cls = acquisition.method.cls.node.name.value
        returned = bool(acquisition.acquire.returned_by)
        message = messages.ATTRIBUTE_NEVER_RELEASED.format(
            releases="returns it to the pool" if returned else "closes it",
            release=release_text(acquisition),
            where=_where(acquisition),
            cls=cls,
            **_common(context, acquisition),
        )
        return Finding("LKL106", acquisition.call, message, acquisition.call, function=acquisition.method.node)

    def _overwritten(self, context: FileContext, defect: Overwritten) -> Finding:
        acquisition = defect.acquisition
        message = messages.ATTRIBUTE_OVERWRITTEN.format(
            method=acquisition.method.name,
            released_verb="return" if defect.previous.acquire.returned_by else "close",
            **_common(context, defect.previous),
        )
        return Finding("LKL105", acquisition.store, message, defect.previous.call, function=acquisition.method.node)

    def _enter_leak(self, context: FileContext, leak: EnterLeak) -> Finding:
        acquisition = leak.acquisition
        holder = f"{acquisition.method.self_name}.{acquisition.attribute}"
        if acquisition.local is not None and context.line(leak.statement) < context.line(acquisition.store):
            holder = acquisition.local  # not stored on `self` yet
        message = messages.ENTER_LEAKS.format(
            holder=holder,
            released=release_word(acquisition.acquire),
            trigger=_trigger(context, leak.raiser, leak.category),
            exit=leak.exit_name,
            enter=acquisition.method.name,
            **_common(context, acquisition),
        )
        return Finding("LKL107", leak.statement, message, acquisition.call, site=leak, function=acquisition.method.node)

    def _cleanup_skip(self, context: FileContext, skip: CleanupSkip) -> Finding:
        message = messages.CLEANUP_NOT_GUARANTEED.format(
            release=context.code(skip.release),
            method=skip.method.name,
            trigger=_trigger(context, skip.raiser, skip.category),
            label=skip.acquisition.kind.label,
            attr=skip.attribute,
        )
        return Finding("LKL108", skip.release, message, site=skip, function=skip.method.node)


def _common(context: FileContext, acquisition: Acquisition) -> dict:
    return {
        "attr": acquisition.attribute,
        "label": acquisition.kind.label,
        "call": context.call_text(acquisition.call),
        "line": context.line(acquisition.call),
    }


def _trigger(context: FileContext, raiser: cst.CSTNode, category: Category) -> str:
    if isinstance(raiser, cst.Call):
        text = context.call_text(raiser)
    elif isinstance(raiser, cst.Await) and isinstance(raiser.expression, cst.Call):
        text = "await " + context.call_text(raiser.expression)
    else:
        text = context.code(raiser, 40)
    template = messages.TRIGGER_CANCEL if category is Category.CANCEL else messages.TRIGGER_CALL
    return template.format(raiser=text, raise_line=context.line(raiser))


def _where(acquisition: Acquisition) -> str:
    """The class's own cleanup method, the one paired with where it was acquired, or a new `close()`."""
    defined = {f.name.value for f in acquisition.method.cls.node.body.body if isinstance(f, cst.FunctionDef)}
    paired = TEARDOWN_OF_SETUP.get(acquisition.method.name)
    name = paired or next((n for n in CLEANUP_PREFERENCE if n in defined), None)
    return f"`{name}()`" if name else "a `close()` method"
