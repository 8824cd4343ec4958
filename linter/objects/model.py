"""The facts of the object analysis: what a class stores on `self`, which of
its methods release or hand it off, and the defects found from them."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from leaklint.catalogue import Acquire, Kind
from leaklint.resolve import ClassInfo, FunctionInfo


@dataclass(frozen=True, eq=False)  # one per method, compared by identity
class Method:
    info: FunctionInfo
    cls: ClassInfo
    self_name: str  # the first parameter: `self`, or `cls` in a classmethod

    @property
    def name(self) -> str:
        return self.info.node.name.value

    @property
    def node(self) -> cst.FunctionDef:
        return self.info.node

    @property
    def is_async(self) -> bool:
        return self.info.node.asynchronous is not None


@dataclass(frozen=True, eq=False)
class Acquisition:
    """A resource stored on `self.<attribute>`."""

    attribute: str
    method: Method
    store: cst.BaseSmallStatement  # the `self.x = ...` statement
    call: cst.Call  # the acquiring call: in the store, or where the local name got it
    acquire: Acquire
    kind: Kind
    awaited: bool
    local: Optional[str] = None  # `conn = await pool.acquire(); self.conn = conn`: "conn"
    manager: Optional[str] = None  # entered by hand from `self.<manager>`, a stored acquire context manager
    replaces: bool = False  # takes over what the attribute held: `self.sock = ctx.wrap_socket(self.sock)`


class Role(enum.Enum):
    RELEASE = "release"  # a release call, a `with` that releases, a registered cleanup
    HAND_OFF = "hand-off"  # stored elsewhere or taken out: someone else owns it now


@dataclass(frozen=True, eq=False)
class Use:
    """A method releasing or handing off `self.<attribute>`."""

    attribute: str
    role: Role
    method: Method
    node: cst.CSTNode
    release_method: Optional[str] = None  # `close` in `self.x.close()`, checked against the resource's kind


@dataclass(frozen=True, eq=False)
class Entered:
    """`self.conn = await self._cm.__aenter__()`: a stored context manager entered by hand."""

    attribute: str  # "conn"
    store: cst.BaseSmallStatement
    call: cst.Call
    manager: str  # "_cm"


@dataclass
class MethodScan:
    """One method's statements, read once."""

    method: Method
    acquisitions: list[Acquisition] = field(default_factory=list)
    managers: dict[str, Acquire] = field(default_factory=dict)  # `self._cm = pool.acquire()`, not entered
    entered: list[Entered] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    tests: dict[str, int] = field(default_factory=dict)  # attribute -> order of the first statement testing it
    order: dict[cst.CSTNode, int] = field(default_factory=dict)  # store statements -> their order
    self_calls: set[str] = field(default_factory=set)  # `self.close()`, `super().close()`
    aliases: dict[str, str] = field(default_factory=dict)  # `sock = self.sock`: "sock" -> "sock"


# -- the defects -----------------------------------------------------------------------


@dataclass(frozen=True)
class NeverReleased:
    """LKL106: no method of the class, its bases or subclasses releases it."""

    acquisition: Acquisition


@dataclass(frozen=True)
class Overwritten:
    """LKL105: a method that may run while `self.x` is open stores a new one."""

    acquisition: Acquisition
    previous: Acquisition


class Category(enum.Enum):
    ERROR = "error"  # an Exception
    CANCEL = "cancel"  # CancelledError at an `await`: a BaseException only


@dataclass(frozen=True)
class EnterLeak:
    """LKL107: `statement` can raise after the acquisition, and nothing releases it then."""

    acquisition: Acquisition
    statement: cst.CSTNode
    raiser: cst.CSTNode  # the call or `await` that raises
    category: Category
    exit_name: str  # `__exit__` / `__aexit__`, which will not run


@dataclass(frozen=True)
class CleanupSkip:
    """LKL108: `raiser` can raise before `release`, and nothing runs the release then."""

    method: Method
    release: cst.Call
    attribute: str
    acquisition: Acquisition
    raiser: cst.CSTNode
    category: Category
    release_calls: frozenset = frozenset()  # every release call of the method (the fix moves them)


@dataclass
class ObjectFacts:
    never_released: list[NeverReleased] = field(default_factory=list)
    overwritten: list[Overwritten] = field(default_factory=list)
    enter_leaks: list[EnterLeak] = field(default_factory=list)
    cleanup_skips: list[CleanupSkip] = field(default_factory=list)
