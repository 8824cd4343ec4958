"""What one path through a function holds: which names hold which resource,
where each resource stands, and the non-local exit the path is taking.

States are immutable and hashable, so that paths arriving at the same point
in the same state merge.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Iterable, Iterator, Optional, Union

import libcst as cst

from .facts import Category, Cause, Phase, Site


@dataclass(eq=False)
class ParameterSite:
    """A parameter followed like an acquisition, to learn whether the function
    releases it (or keeps it) on every normal exit: a summary for its callers."""

    id: int  # shares the order of `Site.id`
    name: str
    ended: bool = True  # released or kept on every normal exit met so far
    kept: bool = False  # stored (not released) on some normal exit


Tracked = Union[Site, ParameterSite]


class TagKind(enum.IntEnum):  # an IntEnum, as the `facts` enums a state holds (see there)
    RETURN = 0
    BREAK = 1
    CONTINUE = 2
    RAISE = 3


@dataclass(frozen=True)
class Tag:
    """A non-local exit on its way to the statement that handles it."""

    kind: TagKind
    node: cst.CSTNode = field(compare=False)
    category: Category = Category.ERROR
    explicit: bool = False  # a `raise` statement, not a call that raised
    key: Optional[cst.CSTNode] = None
    exception_name: Optional[str] = None  # `ValueError` in `raise ValueError(...)`


class State:
    __slots__ = ("names", "sites", "tag", "saved", "flags", "_hash")

    def __init__(
        self,
        names: tuple[tuple[str, Tracked], ...],
        sites: tuple[tuple[Tracked, Phase, Optional[Cause]], ...],
        tag: Optional[Tag] = None,
        saved: tuple[Optional[Tag], ...] = (),
        flags: tuple[tuple[str, bool], ...] = (),
    ) -> None:
        self.names = names  # sorted by name
        self.sites = sites  # sorted by site id
        self.tag = tag
        self.saved = saved  # tags parked while a `finally` runs
        self.flags = flags  # ((dotted name, truth), ...): tests already decided on this path
        self._hash = hash((names, sites, tag, saved, flags))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, State)
            and self._hash == other._hash
            and self.names == other.names
            and self.sites == other.sites
            and self.tag == other.tag
            and self.saved == other.saved
            and self.flags == other.flags
        )

    def __hash__(self) -> int:
        return self._hash

    # -- reading ------------------------------------------------------------

    def site_of(self, name: str) -> Optional[Tracked]:
        for bound, site in self.names:
            if bound == name:
                return site
        return None

    def phase(self, site: Tracked) -> Optional[Phase]:
        for held, phase, _ in self.sites:
            if held is site:
                return phase
        return None

    def cause(self, site: Tracked) -> Optional[Cause]:
        for held, _, cause in self.sites:
            if held is site:
                return cause
        return None

    def holders(self, site: Tracked) -> list[str]:
        return [name for name, held in self.names if held is site]

    def open_sites(self) -> Iterator[tuple[Tracked, Optional[Cause]]]:
        for site, phase, cause in self.sites:
            if phase == Phase.OPEN:
                yield site, cause

    def flag(self, key: str) -> Optional[bool]:
        for name, truth in self.flags:
            if name == key:
                return truth
        return None

    # -- changing -------------------------------------------------------------

    def _replace(self, names=None, sites=None, tag=..., saved=None, flags=None) -> "State":
        return State(
            self.names if names is None else names,
            self.sites if sites is None else sites,
            self.tag if tag is ... else tag,
            self.saved if saved is None else saved,
            self.flags if flags is None else flags,
        )

    def set_flag(self, key: str, truth: bool) -> "State":
        flags = tuple(sorted([(n, t) for n, t in self.flags if n != key] + [(key, truth)]))
        return self._replace(flags=flags)

    def forget_flags(self, name: str) -> "State":
        if not any(n == name or n.startswith(name + ".") for n, _ in self.flags):
            return self
        return self._replace(flags=tuple((n, t) for n, t in self.flags if n != name and not n.startswith(name + ".")))

    def bind(self, name: str, site: Optional[Tracked]) -> "State":
        names = tuple(sorted([(n, s) for n, s in self.names if n != name] + ([(name, site)] if site is not None else []), key=itemgetter(0)))
        return self._replace(names=names)

    def set_phase(self, site: Tracked, phase: Phase, cause: Optional[Cause] = None) -> "State":
        sites = tuple(sorted([entry for entry in self.sites if entry[0] is not site] + [(site, phase, cause)], key=_by_site_id))
        return self._replace(sites=sites)

    def with_cause(self, site: Tracked, cause: Cause) -> "State":
        if self.cause(site) is not None:
            return self
        return self.set_phase(site, Phase.OPEN, cause)

    def with_tag(self, tag: Optional[Tag]) -> "State":
        return self._replace(tag=tag)

    def park(self) -> "State":
        return self._replace(tag=None, saved=self.saved + (self.tag,))

    def unpark(self) -> "State":
        if self.tag is not None:  # the finally block left by itself: the parked exit is dropped
            return self._replace(saved=self.saved[:-1])
        return self._replace(tag=self.saved[-1], saved=self.saved[:-1])


def _by_site_id(entry: tuple[Tracked, Phase, Optional[Cause]]) -> int:
    return entry[0].id


def unique(states: Iterable[State]) -> list[State]:
    """The states in order, each once."""
    return list(dict.fromkeys(states))
