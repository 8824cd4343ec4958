"""The resource catalogue: what acquires a resource, how it is released, and
what `with` on it really does.

The knowledge is data (see `libraries.py`), not code: adding a driver means
adding entries. Everything that decides whether a call acquires something,
releases something or needs an `await` asks this module.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Optional


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


@dataclass(frozen=True)
class Release:
    method: str
    awaiting: Awaiting = Awaiting.SYNC


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
    with_exit: Optional[Exit] = None  # overrides the kind's `with` behaviour
    async_with_exit: Optional[Exit] = None
    stream: bool = False
    when: Optional[When] = None  # only an acquisition when this holds
    adopts: tuple[str, ...] = ()  # keyword arguments whose resource it takes over
    blocking: bool = False  # a sync driver call that does I/O (connects, checks out)


@dataclass(frozen=True)
class Kind:
    """A type of object leaklint knows."""

    name: str
    label: str  # for messages: "psycopg2 connection"
    library: str
    types: tuple[str, ...] = ()  # qualified type names used in annotations
    releases: tuple[Release, ...] = ()
    with_exit: Exit = Exit.NONE
    async_with_exit: Exit = Exit.NONE
    methods: Mapping[str, tuple[Acquire, ...]] = field(default_factory=dict)
    call: Optional[Acquire] = None  # calling the object itself (a sessionmaker)
    closes_without_returning: tuple[str, ...] = ()  # `close()` that keeps a pool slot
    blocking: tuple[str, ...] = ()  # methods that do blocking I/O
    partial_reads: tuple[str, ...] = ()  # methods that consume a stream only in part
    owned: bool = True  # created in a function, it must be released there
    base: Optional[str] = None


@dataclass(frozen=True)
class Heuristic:
    """Used only where a receiver resolves to nothing: `<x>.getconn()`."""

    method: str
    acquire: Acquire
    receiver_contains: Optional[str] = None  # in the receiver's last name


@dataclass(frozen=True)
class Library:
    name: str
    module_roots: tuple[str, ...]
    kinds: tuple[Kind, ...]
    functions: Mapping[str, Acquire]  # qualified callable name -> what it acquires


# Calls that take over a resource given as an argument (the resource is then
# released by them, or by the stack they belong to).
OWNING_CALLS = frozenset(
    {
        "contextlib.closing",
        "contextlib.aclosing",
        "contextlib.nullcontext",
    }
)
OWNING_METHODS = frozenset({"enter_context", "enter_async_context", "push", "push_async_exit"})
# Calls that register a release to run later: `stack.callback(conn.close)`.
REGISTERING_METHODS = frozenset(
    {"callback", "push_async_callback", "addCleanup", "addAsyncCleanup", "addfinalizer", "register"}
)
REGISTERING_CALLS = frozenset({"atexit.register", "weakref.finalize"})
# Methods that store their argument in a container (a hand-off).
STORING_METHODS = frozenset(
    {"append", "appendleft", "add", "insert", "extend", "put", "put_nowait", "setdefault", "update", "push"}
)
# Calls through which an awaited acquire or release counts as awaited.
AWAIT_WRAPPERS = frozenset({"asyncio.wait_for", "asyncio.shield", "asyncio.gather", "asyncio.timeout"})
# Callables that run their argument in a thread: sync I/O there is fine.
THREAD_RUNNERS = frozenset({"asyncio.to_thread", "to_thread", "run_in_executor", "run_sync"})


class Catalogue:
    """Lookups over the libraries' data, built once per process."""

    def __init__(self, libraries: Iterable[Library], heuristics: Iterable[Heuristic]) -> None:
        self.libraries = tuple(libraries)
        self.heuristics = tuple(heuristics)
        self.kinds: dict[str, Kind] = {}
        self.functions: dict[str, Acquire] = {}
        self.types: dict[str, str] = {}
        for lib in self.libraries:
            for kind in lib.kinds:
                self.kinds[kind.name] = kind
            self.functions.update(lib.functions)
        for kind in list(self.kinds.values()):
            if kind.base:
                self.kinds[kind.name] = _inherit(kind, self.kinds[kind.base])
        for kind in self.kinds.values():
            for type_name in kind.types:
                self.types[type_name] = kind.name
        self.module_roots = frozenset(root for lib in self.libraries for root in lib.module_roots)
        # `conn.close()`: methods of the object itself that release it
        self.own_release_methods = frozenset(rel.method for kind in self.kinds.values() for rel in kind.releases)
        # `pool.putconn(conn)`: methods of the acquirer that take it back
        self.return_methods = frozenset(rel.method for acq in self._all_acquires() for rel in acq.returned_by)
        self.release_methods = self.own_release_methods | self.return_methods
        # method names worth resolving a receiver for (everything else is skipped)
        self.interesting_methods = frozenset(
            name
            for kind in self.kinds.values()
            for name in (
                [r.method for r in kind.releases]
                + list(kind.blocking)
                + list(kind.partial_reads)
                + list(kind.closes_without_returning)
            )
        ) | self.return_methods
        # what each kind takes back from the objects it handed out (`pool.release(conn)`)
        self.takes_back: dict[str, dict[str, Release]] = {}
        for kind in self.kinds.values():
            found: dict[str, Release] = {}
            for acquires in kind.methods.values():
                for acquire in acquires:
                    for release in acquire.returned_by:
                        found.setdefault(release.method, release)
            self.takes_back[kind.name] = found
        self._heuristics_by_method = {h.method: h for h in self.heuristics}

    def _all_acquires(self) -> Iterable[Acquire]:
        yield from self.functions.values()
        yield from (h.acquire for h in self.heuristics)
        for kind in self.kinds.values():
            for acquires in kind.methods.values():
                yield from acquires
            if kind.call:
                yield kind.call

    def kind(self, name: str) -> Kind:
        return self.kinds[name]

    def function(self, qualified_name: str) -> Optional[Acquire]:
        return self.functions.get(qualified_name)

    def kind_for_type(self, qualified_name: str) -> Optional[str]:
        return self.types.get(qualified_name)

    def is_catalogue_module(self, qualified_name: str) -> bool:
        return qualified_name.split(".", 1)[0] in self.module_roots

    def heuristic(self, method: str, receiver_last_name: str) -> Optional[Heuristic]:
        rule = self._heuristics_by_method.get(method)
        if rule is None:
            return None
        if rule.receiver_contains and rule.receiver_contains not in receiver_last_name.lower():
            return None
        return rule

    def prefilter_parts(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """(anchor words, regular expression) pairs; a file can hold a finding
        only if one part matches: its anchors found by a plain byte search,
        then its expression.

        A finding needs an acquisition, and the resolver finds one only through
        an import of a catalogue module, a heuristic call shape (`.getconn(`,
        `<...pool>.acquire(`) or a project helper's name (added by the engine).
        Derived from the data, so the prefilter can never drift from it.
        """
        parts = []
        roots = tuple(sorted(self.module_roots))
        if roots:
            alternatives = "|".join(re.escape(r) for r in roots)
            parts.append(
                (
                    roots,
                    # not anchored at the line start: `x; import psycopg2`, `try: import psycopg2`,
                    # a backslash continuation; a mention in prose only costs a parse
                    rf"\b(?:from[ \t\\\r\n]+(?:{alternatives})\b"
                    rf"|import[ \t\\\r\n]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t\\\r\n]*)*(?:{alternatives})\b)",
                )
            )
        for rule in self.heuristics:
            method = re.escape(rule.method)
            if rule.receiver_contains:
                receiver = "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in rule.receiver_contains)
                # `pool.acquire(`, `pools[0].acquire(`, `get_pool().acquire(`: the
                # resolver looks at the receiver's last name, so allow anything short between
                parts.append(((rule.method,), rf"{receiver}[^\n]{{0,120}}?\.[\s\\]*{method}[\s\\]*\("))
            else:
                parts.append(((rule.method,), rf"\.[\s\\]*{method}[\s\\]*\("))
        return tuple(parts)

    def with_additions(self, libraries: Iterable[Library]) -> "Catalogue":
        return Catalogue(self.libraries + tuple(libraries), self.heuristics)


def _inherit(kind: Kind, base: Kind) -> Kind:
    methods = dict(base.methods)
    methods.update(kind.methods)
    return replace(
        kind,
        methods=methods,
        blocking=tuple(dict.fromkeys(base.blocking + kind.blocking)),
        partial_reads=tuple(dict.fromkeys(base.partial_reads + kind.partial_reads)),
        base=None,
    )


class Prefilter:
    """Decides from the raw bytes, without parsing, whether a file can hold a finding."""

    def __init__(self, parts: Iterable[tuple[tuple[str, ...], str]], words: Iterable[str] = ()) -> None:
        self._parts = [
            (tuple(a.encode() for a in anchors), re.compile(source.encode(), re.MULTILINE)) for anchors, source in parts
        ]
        names = sorted(set(words))
        if names:
            pattern = rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b"
            self._parts.append((tuple(n.encode() for n in names), re.compile(pattern)))

    def matches(self, raw: bytes) -> bool:
        for anchors, pattern in self._parts:
            if any(anchor in raw for anchor in anchors) and pattern.search(raw):
                return True
        return False


_DEFAULT: Optional[Catalogue] = None


def default_catalogue() -> Catalogue:
    global _DEFAULT  # one immutable table per process
    if _DEFAULT is None:
        from .libraries import HEURISTICS, LIBRARIES

        _DEFAULT = Catalogue(LIBRARIES, HEURISTICS)
    return _DEFAULT
