"""LKL203: `with` on an object that only works with `async with`
(`with pool.acquire() as conn:` on an asyncio pool) -> `async with`."""
from __future__ import annotations

import libcst as cst

from leaklint.syntax import dotted_name

from leaklint.rulebase import Finding

from .base import Change, FixContext, Unfixable, code_of

CODES = ("LKL203",)


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(finding.node, (cst.WithItem, cst.With, cst.Call))


def group(finding: Finding) -> object:
    return ("async-with", finding.node)


def build(fx: FixContext, findings: list[Finding]) -> Change:
    node = findings[0].node
    with_node = node
    while with_node is not None and not isinstance(with_node, cst.With):
        with_node = fx.parent(with_node)
    if with_node is None:
        raise Unfixable("the call is not a `with` item")
    function = fx.enclosing_function(with_node)
    if not isinstance(function, cst.FunctionDef) or function.asynchronous is None:
        raise Unfixable("`async with` needs an `async def`; make the function async or use the library's sync API")
    if with_node.asynchronous is not None:
        raise Unfixable("the `with` is already `async with`")
    if len(with_node.items) != 1:
        raise Unfixable("the `with` has other items, which may be sync context managers; give this one an `async with` of its own")
    item = with_node.items[0].item
    if isinstance(item, cst.Call) and (dotted_name(item.func) or "").rsplit(".", 1)[-1] == "closing":
        raise Unfixable("`closing()` has no async form; use `async with` on the object itself or await its close() in a `finally`")
    new = with_node.with_changes(asynchronous=cst.Asynchronous())
    return Change(findings, {with_node: new}, True, f"use `async with {code_of(with_node.items[0].item)}`")
