"""LKL107: `__enter__`/`__aenter__` acquires a resource, then a statement can
raise and `__exit__` never runs. The statements from that one to the end of
the method go into a `try` whose `except BaseException:` releases the
resource and re-raises (nested, one `try` per failing statement, when the
method acquires several). Where an `except Exception:` that releases and
re-raises misses only a cancellation, it becomes `except BaseException:`.

Unsafe: the object is left without the resource it was entering with, which
code that catches the error and goes on using the object may not expect.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from leaklint.objects import Acquisition, Category, EnterLeak
from leaklint.objects.advice import attribute_holder, release_call
from leaklint.rulebase import Finding

from .base import Change, FixContext, Unfixable, block

CODES = ("LKL107",)
UNSAFE_REASON = "after the failure the object no longer holds the resource, which code that catches the error and goes on may not expect"


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(finding.site, EnterLeak)


def group(finding: Finding) -> object:
    return ("release-on-enter-failure", finding.site.acquisition.method.node)


def build(fx: FixContext, findings: list[Finding]) -> Change:
    leaks: list[EnterLeak] = [f.site for f in findings]
    widened = {}
    for leak in leaks:
        handler = _missing_only_cancellation(fx, leak)
        if handler is not None:
            widened[handler] = handler.with_changes(type=cst.Name("BaseException"))
    if widened:
        fixed = [f for f in findings if _missing_only_cancellation(fx, f.site) is not None]
        return Change(fixed, widened, False, "release it on cancellation too: `except Exception` becomes `except BaseException`", unsafe_reason=UNSAFE_REASON)
    return _wrap(fx, findings, leaks)


def _missing_only_cancellation(fx: FixContext, leak: EnterLeak) -> Optional[cst.ExceptHandler]:
    """The `except Exception:` around the statement that releases and re-raises."""
    if leak.category is not Category.CANCEL:
        return None
    for ancestor in fx.ancestors(leak.statement):
        if ancestor is leak.acquisition.method.node:
            return None
        if isinstance(ancestor, cst.Try) and fx.is_inside(leak.statement, ancestor.body):
            for handler in ancestor.handlers:
                if isinstance(handler.type, cst.Name) and handler.type.value == "Exception" and _reraises(handler):
                    return handler
            return None
    return None


def _reraises(handler: cst.ExceptHandler) -> bool:
    last = handler.body.body[-1] if isinstance(handler.body, cst.IndentedBlock) and handler.body.body else None
    return isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Raise) and last.body[-1].exc is None


def _wrap(fx: FixContext, findings: list[Finding], leaks: list[EnterLeak]) -> Change:
    method = leaks[0].acquisition.method
    body = method.node.body
    if not isinstance(body, cst.IndentedBlock):
        raise Unfixable(f"`{method.name}` is written on one line")
    statements = list(body.body)
    failing: dict[int, list[Acquisition]] = {}
    imports: set = set()
    for leak in leaks:
        acquired = _index(fx, statements, leak.acquisition.call)
        index = _index(fx, statements, leak.statement)
        at_top = acquired is not None and fx.statement_line(fx.small_statement(leak.acquisition.call)) is statements[acquired]
        if not at_top or index is None or index <= acquired:
            raise Unfixable(f"`{method.name}` acquires it inside a block; release it in an `except BaseException:` by hand")
        failing.setdefault(index, [])
        if leak.acquisition not in failing[index]:
            failing[index].append(leak.acquisition)
    starts = sorted(failing)
    inner: Optional[cst.Try] = None
    for position, start in reversed(list(enumerate(starts))):
        stop = starts[position + 1] if position + 1 < len(starts) else len(statements)
        wrapped = [*statements[start:stop], *([inner] if inner is not None else [])]
        releases = [_release(fx, a, imports) for a in reversed(failing[start])]
        handler = cst.ExceptHandler(body=block([*releases, cst.SimpleStatementLine([cst.Raise()])]), type=cst.Name("BaseException"))
        first = wrapped[0]
        wrapped[0] = first.with_changes(leading_lines=[]) if hasattr(first, "leading_lines") else first
        inner = cst.Try(body=block(wrapped), handlers=[handler], leading_lines=getattr(first, "leading_lines", ()))
    replacements: dict = {statements[starts[0]]: inner}
    for statement in statements[starts[0] + 1 :]:
        replacements[statement] = cst.RemoveFromParent()
    held = ", ".join(f"`{a.method.self_name}.{a.attribute}`" for start in starts for a in failing[start])
    return Change(findings, replacements, False, f"release {held} in `except BaseException:`", tuple(sorted(imports)), UNSAFE_REASON)


def _index(fx: FixContext, statements: list, node: cst.CSTNode) -> Optional[int]:
    return next((i for i, statement in enumerate(statements) if fx.is_inside(node, statement)), None)


def _release(fx: FixContext, acquisition: Acquisition, imports: set) -> cst.SimpleStatementLine:
    method = acquisition.method
    holder: cst.BaseExpression = cst.Name(acquisition.local) if acquisition.local else attribute_holder(acquisition)
    if acquisition.manager is not None:  # `await self._cm.__aexit__(*sys.exc_info())`
        if fx.context.facts.index.bindings.imports.get("sys", "sys") != "sys":
            raise Unfixable("`sys` names something else here; exit the context manager by hand")
        imports.add(("sys", None))
        exit_name = "__aexit__" if method.is_async else "__exit__"
        manager = cst.Attribute(cst.Name(method.self_name), cst.Name(acquisition.manager))
        info = cst.Call(cst.Attribute(cst.Name("sys"), cst.Name("exc_info")))
        expr: Optional[cst.BaseExpression] = cst.Call(cst.Attribute(manager, cst.Name(exit_name)), args=[cst.Arg(info, star="*")])
        if method.is_async:
            expr = cst.Await(expr)
    else:
        expr = release_call(acquisition, holder)
    if expr is None:
        raise Unfixable(f"leaklint knows no release call for `{fx.code(acquisition.call, 40)}` it could write here")
    if isinstance(expr, cst.Await) and not method.is_async:
        raise Unfixable(f"its release must be awaited, and `{method.name}` is not an `async def`")
    return cst.SimpleStatementLine([cst.Expr(expr)])
