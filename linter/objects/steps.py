"""A method's statements in source order, each with the `try` parts and
branches around it, and where an exception raised by one of them goes: into
which `except` and `finally` blocks, and whether a handler swallows it.

LKL107 and LKL108 ask the same two questions of a few methods
(`__enter__`, `close`, ...): when this statement raises, does that release
still run, and does the exception leave the method?
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from leaklint.syntax import dotted_name, walk

from .model import Category


@dataclass(frozen=True)
class Frame:
    node: cst.CSTNode  # an `if`, `try`, loop, `with` or `match`
    part: str  # "body", "else", "finally", "handler0", "case1"


@dataclass(frozen=True)
class Step:
    order: int
    node: cst.CSTNode  # a small statement, or the compound statement whose header this is
    frames: tuple[Frame, ...]  # outermost first
    calls: tuple[cst.Call, ...]
    awaits: Optional[cst.CSTNode]  # the first `await` (or `async for`/`async with`), if any

    def within(self, frame: Frame) -> bool:
        return frame in self.frames

    def inside(self, node: cst.CSTNode) -> bool:
        return any(f.node is node for f in self.frames)


@dataclass(frozen=True)
class Escape:
    """Where an exception goes from a step: the handler and `finally` parts it
    runs, and the `try` whose handler swallows it (execution goes on after it)."""

    regions: tuple[Frame, ...]
    swallowed_by: Optional[cst.Try]


def steps(body: cst.BaseSuite) -> list[Step]:
    out: list[Step] = []
    _suite(body, (), out)
    return out


def categories(step: Step, is_async: bool) -> tuple[Category, ...]:
    """What a step can raise: an error from any call or `await`, and, at an
    `await` in an `async def`, the task's cancellation too."""
    if step.awaits is not None and is_async:
        return (Category.ERROR, Category.CANCEL)
    return (Category.ERROR,)


def escape(step: Step, category: Category) -> Escape:
    regions: list[Frame] = []
    for frame in reversed(step.frames):
        node = frame.node
        if not isinstance(node, (cst.Try, cst.TryStar)):
            continue
        if frame.part == "body":
            index = next((i for i, h in enumerate(node.handlers) if _catches(h, category)), None)
            if index is not None:
                regions.append(Frame(node, f"handler{index}"))
                if node.finalbody is not None:
                    regions.append(Frame(node, "finally"))
                if not _leaves(node.handlers[index]):
                    return Escape(tuple(regions), node)
                continue
        if frame.part != "finally" and node.finalbody is not None:
            regions.append(Frame(node, "finally"))
    return Escape(tuple(regions), None)


def reaches(escape_: Escape, raiser: Step, target: Step) -> bool:
    """Does `target` still run when `raiser` raises?"""
    if any(target.within(region) for region in escape_.regions):
        return True
    swallowed = escape_.swallowed_by
    return swallowed is not None and target.order > raiser.order and not target.inside(swallowed)


def exclusive(first: Step, second: Step) -> bool:
    """The two steps are on different branches: no path runs both."""
    for a, b in zip(first.frames, second.frames):
        if a.node is not b.node:
            return False
        if a.part != b.part:
            if isinstance(a.node, (cst.Try, cst.TryStar)):
                return {a.part, b.part} & {"body", "finally"} == set()  # two handlers, or a handler and `else`
            return not isinstance(a.node, (cst.For, cst.While))  # branches of an `if`/`match`
    return False


def first_await(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    return next((n for n in walk(node) if isinstance(n, cst.Await)), None)


# -- building ---------------------------------------------------------------------------


def _suite(suite: cst.BaseSuite, frames: tuple[Frame, ...], out: list[Step]) -> None:
    if isinstance(suite, cst.SimpleStatementSuite):  # `def close(self): self.conn.close()`
        _statement(suite, frames, out)
        return
    for statement in getattr(suite, "body", ()):
        _statement(statement, frames, out)


def _add(out: list[Step], node: cst.CSTNode, frames, parts: Sequence[cst.CSTNode], awaited: Optional[cst.CSTNode] = None) -> None:
    calls = tuple(n for part in parts for n in walk(part) if isinstance(n, cst.Call))
    awaits = awaited or next((a for a in (first_await(p) for p in parts) if a is not None), None)
    out.append(Step(len(out), node, frames, calls, awaits))


def _statement(node: cst.CSTNode, frames: tuple[Frame, ...], out: list[Step]) -> None:
    if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        for small in node.body:
            _add(out, small, frames, [small])
    elif isinstance(node, cst.If):
        _add(out, node, frames, [node.test])
        _suite(node.body, frames + (Frame(node, "body"),), out)
        if isinstance(node.orelse, cst.If):
            _statement(node.orelse, frames + (Frame(node, "else"),), out)
        elif node.orelse is not None:
            _suite(node.orelse.body, frames + (Frame(node, "else"),), out)
    elif isinstance(node, (cst.For, cst.While)):
        header = [node.iter] if isinstance(node, cst.For) else [node.test]
        _add(out, node, frames, header, node if getattr(node, "asynchronous", None) else None)
        _suite(node.body, frames + (Frame(node, "body"),), out)
        if node.orelse is not None:
            _suite(node.orelse.body, frames + (Frame(node, "else"),), out)
    elif isinstance(node, cst.With):
        _add(out, node, frames, [item.item for item in node.items], node if node.asynchronous else None)
        _suite(node.body, frames + (Frame(node, "body"),), out)
    elif isinstance(node, (cst.Try, cst.TryStar)):
        _suite(node.body, frames + (Frame(node, "body"),), out)
        for index, handler in enumerate(node.handlers):
            _suite(handler.body, frames + (Frame(node, f"handler{index}"),), out)
        if node.orelse is not None:
            _suite(node.orelse.body, frames + (Frame(node, "else"),), out)
        if node.finalbody is not None:
            _suite(node.finalbody.body, frames + (Frame(node, "finally"),), out)
    elif isinstance(node, cst.Match):
        _add(out, node, frames, [node.subject])
        for index, case in enumerate(node.cases):
            _suite(case.body, frames + (Frame(node, f"case{index}"),), out)


# -- handlers ---------------------------------------------------------------------------------


def _catches(handler: cst.ExceptHandler, category: Category) -> bool:
    """Does this `except` catch every exception of the category? A handler
    for some types only (`except ValueError:`) lets others through."""
    if handler.type is None:
        return True
    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = {(dotted_name(t.value if isinstance(t, cst.Element) else t) or "").rsplit(".", 1)[-1] for t in types}
    if "BaseException" in names:
        return True
    return category is Category.ERROR and "Exception" in names


def _leaves(handler: cst.ExceptHandler) -> bool:
    """The handler ends by raising (or returning): the method does not go on after the `try`."""
    body = handler.body
    last = body.body[-1] if isinstance(body, cst.IndentedBlock) and body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    elif isinstance(body, cst.SimpleStatementSuite):
        last = body.body[-1]
    return isinstance(last, (cst.Raise, cst.Return))

