"""The facts the flow analysis records, and all that rules and fixes read of it.

Per acquisition: whether some path releases it, hands it off or yields it,
on which exits it is still open and why, where its name is rebound while
it is open. Per function: those facts, the acquisitions whose result is
dropped, and the release calls met on the way.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from ..catalogue import Acquire, Kind, Release


# Phase, Category and CauseKind are IntEnums: path states hold them and are
# hashed at every step, and an int hashes without a Python-level call.


class Phase(enum.IntEnum):
    """Where a resource stands on one path."""

    OPEN = 0
    RELEASED = 1
    HANDED = 2  # no longer this path's to release: handed off, or its only name rebound


class Category(enum.IntEnum):
    ERROR = 0  # an Exception subclass
    BASE = 1  # CancelledError, GeneratorExit: BaseException only


class ExitKind(enum.Enum):
    """How the function is left on a path where a resource is still open."""

    END = "end"  # the last statement ran
    RETURN = "return"
    RAISE = "raise"  # an explicit `raise`
    EXCEPTION = "exception"  # a call, `await` or `yield` raised


class CauseKind(enum.IntEnum):
    """Why a resource is still open where the path leaves."""

    EXCEPTION = 0  # a call, `await` or `yield` raised before the release
    RAISE = 1  # an explicit `raise`, caught by a handler on the path
    JUMP = 2  # an exit statement left a loop it was acquired in, or a loop over the stream


@dataclass(frozen=True)
class Cause:
    """Why a resource is still open on a path."""

    kind: CauseKind
    node: cst.CSTNode = field(compare=False)
    category: Category = Category.ERROR
    key: Optional[cst.CSTNode] = None  # part of identity for raise/jump causes


@dataclass(eq=False)
class Site:
    """One acquisition: the call, what it acquires, and the name that holds it."""

    id: int  # order of creation within one analysis: keeps a path's entries in one order
    call: cst.Call
    acquire: Acquire
    kind: Kind
    var: Optional[str]
    statement: cst.CSTNode
    awaited: bool = False
    # the first `with` item (or `enter_context()` call) entering it whose exit
    # only ends a transaction: leaving that block does not end ownership
    transaction_with: Optional[cst.CSTNode] = None
    loops: tuple[cst.CSTNode, ...] = ()  # the loops it is acquired in, innermost last
    parent: Optional[str] = None  # `conn` in `conn.cursor(name=...)`: closing it closes this

    @property
    def stream(self) -> bool:
        """A streamed (server-side) result: iterating it to the end closes it."""
        return self.acquire.stream


@dataclass
class Leak:
    """An exit on which the resource is still open."""

    exit_kind: ExitKind
    node: Optional[cst.CSTNode]  # the `return`/`raise`/raising call; None at the end
    cause: Optional[Cause]


@dataclass
class Overwrite:
    """The only name holding an open resource is rebound."""

    node: cst.CSTNode  # the statement that rebinds it
    cause: Optional[Cause]  # why it was still open there
    by: Optional[Site]  # the acquisition whose result takes the name, if any


@dataclass
class SiteFacts:
    site: Site
    released: bool = False  # on some path
    handed: bool = False  # on some path
    yielded: bool = False
    returned: bool = False  # `return` gives it (or a value made from it) to the caller
    returned_element: Optional[int] = None  # its place in a returned tuple (`return conn, cur`)
    # how each `return` gives it: None for itself, `connection` for the cursor of `return conn.cursor()`
    returned_through: set[Optional[str]] = field(default_factory=set)
    stored: bool = False  # kept by something that outlives the call (an attribute, a container, a global)
    closed_not_returned: Optional[cst.CSTNode] = None  # `close()` that keeps the pool slot
    partial: Optional[cst.CSTNode] = None  # a stream read in part (`fetchone()` outside a loop)
    leaks: list[Leak] = field(default_factory=list)
    overwrites: list[Overwrite] = field(default_factory=list)


@dataclass
class Discard:
    """An acquisition whose result is dropped or used only in a chain."""

    call: cst.Call
    acquire: Acquire
    kind: Kind
    chained: bool


@dataclass(frozen=True)
class ReleaseEvent:
    """A call of the catalogue's release of a tracked resource (`conn.close()`,
    `pool.putconn(conn)`), awaited or not."""

    call: cst.Call
    site: Site
    release: Release


@dataclass
class FunctionFacts:
    function: Optional[cst.FunctionDef]
    is_async: bool
    owns: bool  # False at module level: resources there live as long as the process
    sites: list[SiteFacts] = field(default_factory=list)
    discards: list[Discard] = field(default_factory=list)
    releases: list[ReleaseEvent] = field(default_factory=list)
    returned_tuple: int = 0  # the length of the tuples it returns; -1 when they differ


@dataclass(frozen=True)
class Generator:
    """How a `yield` in this function can raise."""

    raises: tuple[Category, ...]
