"""Streams: streamed (server-side) results followed like other resources.

A `for` over a stream that runs to the end exhausts it, which closes it;
leaving that loop early with `break`, `return` or `raise` leaves it open.
Closing a connection, or leaving a `with` on it, closes its streams.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

import libcst as cst

from ..syntax import root_name, unwrap_await
from .facts import Cause, CauseKind, Phase, Site
from .ledger import Ledger
from .state import State

if TYPE_CHECKING:
    from .ownership import Ownership


class StreamLoops:
    """The loops that iterate a stream, and what leaving them does to it."""

    def __init__(self, ledger: Ledger, ownership: "Ownership") -> None:
        self.ledger = ledger
        self.ownership = ownership
        self._streams: dict[cst.CSTNode, Optional[Site]] = {}  # loop -> the stream it iterates

    def enter(self, node: cst.For, states: list[State]) -> tuple[Optional[Site], list[State]]:
        """The stream `node` iterates (a stream opened in its header is opened here)."""
        stream = None
        expr, _ = unwrap_await(node.iter)
        if isinstance(expr, cst.Name):
            stream = self.ledger.stream_named(expr.value)
        elif isinstance(expr, cst.Call):
            acquisition = self.ownership.stream_acquisition(expr)
            if acquisition is not None:
                stream = self.ledger.site(expr, acquisition.acquire, acquisition.kind, None, node)
                states = [s.set_phase(stream, Phase.OPEN) if s.tag is None else s for s in states]
        self._streams[node] = stream
        return stream, states

    def left_early(self, state: State, node: cst.CSTNode) -> State:
        """A `return`/`raise` inside loops over streams leaves those streams open."""
        if state.tag is not None:
            return state
        for loop in self.ledger.loops:
            stream = self._streams.get(loop)
            if stream is not None and state.phase(stream) == Phase.OPEN:
                state = state.with_cause(stream, Cause(CauseKind.JUMP, node, key=node))
        return state

    def broken(self, state: State, node: cst.Break) -> State:
        """A `break` out of the loop over a stream leaves it open."""
        stream = self._streams.get(self.ledger.loops[-1]) if self.ledger.loops else None
        if stream is not None and state.phase(stream) == Phase.OPEN:
            state = state.with_cause(stream, Cause(CauseKind.JUMP, node, key=node))
        return state


def exhausted(states: list[State], stream: Site) -> list[State]:
    """Iterated to the end: the stream is exhausted, hence closed."""
    return [s.set_phase(stream, Phase.RELEASED) if s.phase(stream) == Phase.OPEN else s for s in states]


def close_streams_of(state: State, parents: Iterable[str], ledger: Ledger) -> State:
    """Closing a connection (or ending its transaction) closes its streams."""
    parents = set(parents)
    for site, phase, _ in state.sites:
        if isinstance(site, Site) and site.stream and site.parent in parents and phase == Phase.OPEN:
            state = state.set_phase(site, Phase.RELEASED)
            ledger.of(site).released = True
    return state


def close_streams_ended_by(node: cst.With, states: list[State], ledger: Ledger) -> list[State]:
    """Leaving `with conn:`, `async with conn.transaction():` or `async with
    engine.connect() as conn:` closes the streams of `conn`."""
    parents = set()
    for item in node.items:
        expr, _ = unwrap_await(item.item)
        if isinstance(expr, cst.Name):
            parents.add(expr.value)
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and root_name(expr.func.value):
            parents.add(root_name(expr.func.value))
        if item.asname is not None and isinstance(item.asname.name, cst.Name):
            parents.add(item.asname.name.value)
    if not parents or not ledger.has_streams():
        return states
    return [close_streams_of(s, parents, ledger) for s in states]
