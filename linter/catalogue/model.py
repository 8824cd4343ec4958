"""The words of the catalogue: what a library's facts are made of, and the
decisions that follow from them.

Each derived decision is answered here and nowhere else:

- which exit a `with`/`async with` has (`exit_of`, `Kind.exit`);
- whether a release must be awaited (`Release.must_be_awaited`);
- what `contextlib.closing()` does to an object (`Kind.closing_effect`,
  `closing_releases`);
- what the holder of an object derived from a resource releases
  (`Acquire.reached_through`, `Acquire.released_through`).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Mapping, Optional


class Exit(enum.Enum):
    """What leaving a `with`/`async with` block does to the object."""

    NONE = "none"  # not a context manager of this flavour
    CLOSES = "closes"
    RELEASES = "releases"  # handed back to the pool
    TXN_ONLY = "transaction"  # commit/rollback only; the connection stays open

    @property
    def ends_ownership(self) -> bool:
        return self in (Exit.CLOSES, Exit.RELEASES)


class Await(enum.Enum):
    """How a call must be used before it has acquired anything."""

    NO = "no"  # plain call; the result is the resource
    COROUTINE = "coroutine"  # must be awaited (`async with` on it is a TypeError)
    AWAITABLE = "awaitable"  # await it, or enter it with `async with`
    CM_ONLY = "cm-only"  # only `with`/`async with`; acquires nothing otherwise
    EITHER = "either"  # unknown library: awaited or not, both may be right


class Awaiting(enum.Enum):
    """Whether a release call must be awaited."""

    SYNC = "sync"
    ASYNC = "async"  # a coroutine: without `await` nothing is released
    OPTIONAL = "optional"  # sync, returns a future: awaiting is allowed
    MIRROR = "mirror"  # unknown library: as the acquire was (awaited or not)


class ClosingEffect(enum.Enum):
    """What `with contextlib.closing(obj):` does to the object."""

    RELEASES = "releases"  # a synchronous `close()` that really releases it
    DROPS_COROUTINE = "drops-coroutine"  # its first release is a coroutine, and `closing()` awaits nothing
    NO_RELEASE = "no-release"  # no such `close()`, or one that keeps a pool slot


@dataclass(frozen=True)
class Release:
    method: str
    awaiting: Awaiting = Awaiting.SYNC

    def must_be_awaited(self, *, acquire_awaited: bool) -> bool:
        """A coroutine always; a release of a pool known only by name when
        its acquire was awaited (the library is async then)."""
        return self.awaiting is Awaiting.ASYNC or (self.awaiting is Awaiting.MIRROR and acquire_awaited)


@dataclass(frozen=True)
class When:
    """A condition on the arguments of a call (e.g. a named cursor)."""

    keyword: Optional[str] = None
    position: Optional[int] = None
    endswith: Optional[str] = None  # the argument's dotted name ends with this
    truthy: bool = False  # the argument is the constant True
    mentions: Optional[str] = None  # the argument's code mentions this key (`{"yield_per": 100}`)


@dataclass(frozen=True)
class Acquire:
    """A call that produces an object of `kind`."""

    kind: str
    awaiting: Await = Await.NO
    returned_by: tuple[Release, ...] = ()  # methods of the acquirer that take it back
    with_exit: Optional[Exit] = None  # the call's own context manager, when it differs from the kind's
    async_with_exit: Optional[Exit] = None
    stream: bool = False
    when: Optional[When] = None  # only an acquisition when this holds
    adopts: tuple[str, ...] = ()  # keyword arguments whose resource it takes over
    adopts_at: tuple[int, ...] = ()  # positional arguments whose resource it takes over (`ctx.wrap_socket(sock)`)
    blocking: bool = False  # a sync driver call that does I/O (connects, checks out)
    part: Optional[int] = None  # the call gives a tuple whose element `part` is the resource (`reader, writer = ...`)
    # a project factory that returns an object derived from the resource
    # (`return conn.cursor()`): the attribute of that object that keeps the
    # resource (`connection`). Its caller holds the cursor and releases `cur.connection`.
    reached_through: Optional[str] = None

    @property
    def parts(self) -> tuple[Optional["Acquire"], ...]:
        """What each element of the tuple the call gives is, up to the
        resource; empty when the call gives the resource itself."""
        if self.part is None:
            return ()
        return (None,) * self.part + (replace(self, part=None),)

    def released_through(self, var: str) -> str:
        """What the holder `var` of the result releases: `cur.connection` for a
        cursor that keeps its connection, else `var` itself."""
        return f"{var}.{self.reached_through}" if self.reached_through else var


ITEMS = "[]"  # the key of `Kind.derived` for `obj[key]`


@dataclass(frozen=True)
class Kind:
    """A type of object leaklint knows."""

    name: str
    label: str  # for messages: "psycopg2 connection"
    library: str
    types: tuple[str, ...] = ()  # qualified type names used in annotations
    releases: tuple[Release, ...] = ()
    release_functions: tuple[str, ...] = ()  # qualified functions that release it (`release_db(conn)`), declared by a project
    with_exit: Exit = Exit.NONE
    async_with_exit: Exit = Exit.NONE
    methods: Mapping[str, tuple[Acquire, ...]] = field(default_factory=dict)
    call: Optional[Acquire] = None  # calling the object itself (a sessionmaker)
    closes_without_returning: tuple[str, ...] = ()  # `close()` that keeps a pool slot
    blocking: tuple[str, ...] = ()  # methods that do blocking I/O
    partial_reads: tuple[str, ...] = ()  # methods that consume a stream only in part
    owned: bool = True  # created in a function, it must be released there
    attributes: Mapping[str, str] = field(default_factory=dict)  # `obj.name` holds an object of that kind (a client's pool)
    items: Optional[str] = None  # `obj[key]` is an object of this kind (Django's `connections[alias]`)
    returns_receiver: tuple[str, ...] = ()  # methods that give the object itself back (`conn.execution_options()`)
    # what a value made from the object keeps it as: by the method that makes
    # it, or ITEMS for `obj[key]` (a pika channel keeps its connection as
    # `.connection`, a pymongo Database its client as `.client`)
    derived: Mapping[str, str] = field(default_factory=dict)
    base: Optional[str] = None

    def exit(self, *, asynchronous: bool) -> Exit:
        """What leaving `with obj:` (`async with obj:`) does to the object itself."""
        return self.async_with_exit if asynchronous else self.with_exit

    @property
    def closing_effect(self) -> ClosingEffect:
        """What `with contextlib.closing(obj):` does to an object of this kind."""
        sync_close = any(r.method == "close" and r.awaiting is Awaiting.SYNC for r in self.releases)
        if sync_close and "close" not in self.closes_without_returning:
            return ClosingEffect.RELEASES
        if self.releases and self.releases[0].awaiting is Awaiting.ASYNC:
            return ClosingEffect.DROPS_COROUTINE
        return ClosingEffect.NO_RELEASE


@dataclass(frozen=True)
class Heuristic:
    """Used only where a receiver resolves to nothing: `<x>.getconn()`."""

    method: str
    acquire: Acquire
    receiver_contains: Optional[str] = None  # in the receiver's last name


@dataclass(frozen=True)
class VersionNote:
    """A fact that holds only for some releases of a library."""

    versions: str  # the releases it holds for: "< 5.0.1", ">= 3.1"
    fact: str


@dataclass(frozen=True)
class Library:
    name: str
    module_roots: tuple[str, ...]
    kinds: tuple[Kind, ...]
    functions: Mapping[str, Acquire]  # qualified callable name -> what it acquires
    objects: Mapping[str, str] = field(default_factory=dict)  # module-level objects: qualified name -> kind (`django.db.connection`)
    verified: str = ""  # the release the facts were read from: "redis 5.2.1"
    sources: tuple[str, ...] = ()  # the files of that release that say so
    version_notes: tuple[VersionNote, ...] = ()


def exit_of(acquire: Acquire, kind: Kind, *, asynchronous: bool, awaited: bool) -> Exit:
    """What leaving `with`/`async with` does to what `acquire` produced.

    `awaited` says the `with` item is `await call()`, not the call itself.
    On the unawaited call (`async with pool.acquire() as conn`) the call's own
    context manager is entered: the acquire's exit, where it has one, comes
    first. After `await` the object itself is entered, as with a name
    (`async with await connect() as conn`): the kind's exit applies.
    Entering an object derived from the resource (a cursor) does nothing to it.
    """
    if acquire.reached_through:
        return Exit.NONE
    override = None if awaited else (acquire.async_with_exit if asynchronous else acquire.with_exit)
    if override is not None:
        return override
    return kind.exit(asynchronous=asynchronous)


def closing_releases(acquire: Acquire, kind: Kind) -> bool:
    """`with closing(call)` releases what `call` acquired: a synchronous
    `close()` that really closes, and not a pool's connection (`close()`
    would not give it back), and not through a derived object (`closing(cur)`
    closes the cursor only)."""
    return not acquire.returned_by and not acquire.reached_through and kind.closing_effect is ClosingEffect.RELEASES
