"""Exception edges: where a path can raise, and which `except` catches it.

Any call and any `await` may raise (an `await` in `async def` may also be
cancelled), and so may a `yield` in a generator that is closed or thrown
into. A raising path travels as a state tagged `raise` until a handler
catches it or the function is left.
"""
from __future__ import annotations

import builtins
import enum
from typing import Optional, Sequence

import libcst as cst

from ..syntax import dotted_name
from .expressions import ExprFacts
from .facts import Category, Cause, CauseKind, Generator
from .state import State, Tag, TagKind

# BaseException subclasses that are not Exceptions.
_BASE_ONLY = {"CancelledError", "GeneratorExit", "KeyboardInterrupt", "SystemExit"}


class RaiseEdges:
    """The raising paths that branch off where an expression is evaluated."""

    def __init__(self, is_async: bool, generator: Optional[Generator]) -> None:
        self.is_async = is_async
        self.generator = generator

    def of_expression(self, states: list[State], facts: ExprFacts) -> list[State]:
        edges: list[tuple[cst.CSTNode, Category]] = []
        if facts.raising_calls:
            edges.append((facts.raising_calls[0], Category.ERROR))
        if facts.awaits and self.is_async:
            if not facts.raising_calls:
                edges.append((facts.awaits[0], Category.ERROR))
            edges.append((facts.awaits[0], Category.BASE))
        if facts.yields and self.generator is not None:
            for category in self.generator.raises:
                edges.append((facts.yields[0], category))
        return _branch(states, edges)

    def of_async_entry(self, states: list[State], node: cst.CSTNode) -> list[State]:
        """`async for`/`async with` await on entry: an error or a cancellation."""
        return _branch(states, [(node, Category.ERROR), (node, Category.BASE)])


def _branch(states: list[State], edges: list[tuple[cst.CSTNode, Category]]) -> list[State]:
    out = list(states)
    for state in states:
        if state.tag is not None:
            continue
        for node, category in edges:
            out.append(state.with_tag(Tag(TagKind.RAISE, node, category)))
    return out


class HandlerMatch(enum.Enum):
    FULL = "full"  # catches the exception whatever it is
    PARTIAL = "partial"  # may catch it: the path goes on both into the handler and past it
    NONE = "none"


def dispatch(states: list[State], handlers: Sequence[cst.ExceptHandler]) -> tuple[list[State], list[list[State]]]:
    """(the states no handler fully catches, the states entering each handler)."""
    passing: list[State] = []
    entering: list[list[State]] = [[] for _ in handlers]
    for state in states:
        tag = state.tag
        if tag is None or tag.kind is not TagKind.RAISE:
            passing.append(state)
            continue
        caught = False
        for index, handler in enumerate(handlers):
            match = handler_matches(handler, tag)
            if match is HandlerMatch.NONE:
                continue
            entering[index].append(_enter_handler(state, tag))
            if match is HandlerMatch.FULL:
                caught = True
                break
        if not caught:
            passing.append(state)
    return passing, entering


def _enter_handler(state: State, tag: Tag) -> State:
    """The path goes on in the handler; what is open there is open because of the raise."""
    entered = _forget_jump(state.with_tag(None), tag.key)
    kind = CauseKind.RAISE if tag.explicit else CauseKind.EXCEPTION
    cause = Cause(kind, tag.node, tag.category, key=tag.key if tag.explicit else None)
    for site, _ in list(entered.open_sites()):
        entered = entered.with_cause(site, cause)
    return entered


def _forget_jump(state: State, key: Optional[cst.CSTNode]) -> State:
    """A `raise` caught here did not leave the loops it was in after all."""
    if key is None:
        return state
    for site, phase, cause in state.sites:
        if cause is not None and cause.kind is CauseKind.JUMP and cause.key is key:
            state = state.set_phase(site, phase, None)
    return state


def handler_matches(handler: cst.ExceptHandler, tag: Tag) -> HandlerMatch:
    """Does this `except` catch the exception `tag` carries?"""
    if handler.type is None:
        return HandlerMatch.FULL
    if isinstance(handler.type, cst.Tuple):
        names = [(dotted_name(e.value) or "?").rsplit(".", 1)[-1] for e in handler.type.elements]
    else:
        names = [(dotted_name(handler.type) or "?").rsplit(".", 1)[-1]]
    if "BaseException" in names:
        return HandlerMatch.FULL
    if tag.category == Category.BASE:
        return HandlerMatch.PARTIAL if any(n in _BASE_ONLY for n in names) else HandlerMatch.NONE
    if tag.exception_name is not None:
        if tag.exception_name in names:
            return HandlerMatch.FULL
        if "Exception" in names and tag.exception_name not in _BASE_ONLY:
            return HandlerMatch.FULL
        # a raised project exception may derive from a listed one; a builtin one is taken not to
        others = any(n != "Exception" and n not in _BASE_ONLY for n in names)
        return HandlerMatch.PARTIAL if others and not _is_builtin_type(tag.exception_name) else HandlerMatch.NONE
    if "Exception" in names:
        return HandlerMatch.FULL
    return HandlerMatch.PARTIAL


def _is_builtin_type(name: str) -> bool:
    return isinstance(getattr(builtins, name, None), type)
