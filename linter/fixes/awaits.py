"""LKL201 (a release coroutine called without `await`) and LKL202 (an async
acquire neither awaited nor entered): insert `await`.

An acquire whose awaitable is dropped (`pool.acquire()` as a statement)
gets no fix: awaiting it would acquire a connection and drop it.

`conn.close()` -> `await conn.close()`; parentheses are added where the call
is the receiver of something else (`(await conn.close()).x`). An acquire
that works only as `async with` (`pool.connection()`) cannot be awaited:
that finding says so instead.
"""
from __future__ import annotations

import libcst as cst

from leaklint.catalogue import Await
from leaklint.rulebase import Finding

from .base import Change, FixContext, Unfixable, code_of

CODES = ("LKL201", "LKL202")

# where `await x` needs no parentheses: x is a whole value there
_BARE_PARENTS = (
    cst.Expr,
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
    cst.Return,
    cst.Arg,
    cst.Element,
    cst.DictElement,
    cst.WithItem,
    cst.NamedExpr,
    cst.Yield,
)


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(_call(finding), cst.Call)


def group(finding: Finding) -> object:
    return ("await", _call(finding))


def _call(finding: Finding):
    node = finding.node
    if isinstance(node, cst.Expr):
        node = node.value
    return node


def build(fx: FixContext, findings: list[Finding]) -> Change:
    call: cst.Call = _call(findings[0])
    function = fx.enclosing_function(call)
    if not isinstance(function, cst.FunctionDef) or function.asynchronous is None:
        raise Unfixable("`await` needs an `async def` around the call")
    parent = fx.parent(call)
    if isinstance(parent, cst.Await):
        raise Unfixable("the call is already awaited")
    if any(f.code == "LKL202" for f in findings):
        if isinstance(parent, cst.Expr):
            raise Unfixable(
                f"the awaitable of `{fx.context.call_text(call)}` is dropped: awaiting it would acquire and drop a connection; remove the call"
            )
        resolver = fx.resolver(findings[0].function)
        acquire = resolver.acquire_of(call) if resolver is not None else None
        if acquire is not None and acquire.awaiting == Await.CM_ONLY:
            raise Unfixable(f"`{fx.context.call_text(call)}` cannot be awaited, only entered: use `async with {fx.code(call, 40)} as ...:`")
    bare = isinstance(parent, _BARE_PARENTS) and not (isinstance(parent, cst.Arg) and parent.star)
    if bare and isinstance(parent, cst.Yield):
        bare = False
    awaited = cst.Await(call, lpar=[] if bare else [cst.LeftParen()], rpar=[] if bare else [cst.RightParen()])
    return Change(findings, {call: awaited}, True, f"insert `await`: `await {code_of(call)}`")
