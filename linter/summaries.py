"""Project summaries: what the project's own names are, for the modules that
use them. Each names one thing by its absolute qualified name:

- a function that hands out a fresh resource (a factory is an acquisition
  for its callers), releases or keeps a parameter (a release or a hand-off
  for its callers), or lends a resource as a context manager;
- a class: its methods, the attributes that hold a resource, what
  entering it gives and which constructor arguments it stores;
- a name a module re-exports (`import sqlite3` in `compat`, used as
  `from .compat import sqlite3`);
- a name a module wants the summary of (`Wanted`).

Summaries are plain picklable data: they are cached and sent to workers.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Union

from .catalogue import Acquire

MAX_SUMMARY_PASSES = 3  # rounds of summaries: a factory of a factory needs a second one, and so on

# import statements, a parenthesised `from x import (...)` spanning lines included
WORD = re.compile(rb"\w+")
IMPORTS = re.compile(rb"\b(?:from[ \t\\]+[\w.]+[ \t\\]+import[ \t\\]*\([^)]*\)|from[ \t\\]+[^\n;]*|import[ \t\\]+[^\n;]*)")
# The same statements found faster where only their words count (`import_lines`):
# a pattern that starts with a literal is searched for it; one that starts with
# `\b` is tried at every offset. `(?<!\wfrom)` is the `\b` before `from`.
_FROM = re.compile(rb"from(?<!\wfrom)(?:[ \t\\]+[\w.]+[ \t\\]+import[ \t\\]*\([^)]*\)|[ \t\\]+[^\n;]*)")
_IMPORT = re.compile(rb"import(?<!\wimport)[ \t\\]+[^\n;]*")


@dataclass(frozen=True)
class InstanceOf:
    """An instance of a project class (by its absolute qualified name)."""

    project_class: str


# What a value is, where it resolves: a catalogue kind's name, OTHER, or an instance of a project class.
ValueType = Union[str, InstanceOf]
OTHER = "<other>"  # resolves, but to something outside the catalogue and the project


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str  # "package.module.function" or "package.module.Class.method"
    returns: Optional[Acquire] = None
    releases: frozenset[int] = frozenset()  # positions of released (or kept) parameters
    keeps: frozenset[int] = frozenset()  # of those, the ones stored: a hand-off, not a release
    release_methods: frozenset[str] = frozenset()  # what it calls to release them (`close`, `putconn`): what it suits
    awaitable: bool = False  # an `async def`: its callers await it
    lends: Optional[ValueType] = None  # a context manager: what `with f() as x` binds (borrowed)
    returns_parts: tuple[Optional[Acquire], ...] = ()  # a tuple (`return conn, cur`): what each element is
    returns_result_of: Optional[int] = None  # the callable parameter whose result it returns (`return f()`)

    @property
    def module(self) -> str:
        return self.qualname.rpartition(".")[0]

    @property
    def releases_first_argument(self) -> bool:
        """A release helper: `give_back(conn)` ends its caller's duty for `conn`."""
        return 0 in self.releases and 0 not in self.keeps


@dataclass(frozen=True)
class ClassSummary:
    """A project class as the modules that use it need to see it."""

    qualname: str
    methods: frozenset[str] = frozenset()  # defined or inherited from project classes
    class_methods: frozenset[str] = frozenset()  # of those, the classmethods
    static_methods: frozenset[str] = frozenset()
    attributes: tuple[tuple[str, str], ...] = ()  # (name, catalogue kind) of the attributes that hold a resource
    enters: Optional[ValueType] = None  # what `with obj as x` binds
    async_enters: Optional[ValueType] = None  # what `async with obj as x` binds
    stores: frozenset[int] = frozenset()  # constructor arguments kept on the instance
    kind: Optional[str] = None  # a catalogue kind it inherits from (`class Pool(ThreadedConnectionPool)`)
    used_through: frozenset[str] = frozenset()  # a file needs this summary only where it mentions one of these
    # for a subclass in another module: the `self` attributes its methods name
    # (all they could release); None: not asked for, or it may release anything
    mentions: Optional[frozenset[str]] = None


@dataclass(frozen=True)
class ModuleAlias:
    """A name a module binds to another module's name: what it re-exports."""

    qualname: str  # "app.compat.sqlite3"
    targets: tuple[str, ...]  # "sqlite3"; several: the alternatives of a try/except import, preferred first


@dataclass(frozen=True)
class Wanted:
    """A module passes a resource to a project name it has no summary of: the
    module that defines it is analysed even if nothing in it looks like a
    resource (a wrapper whose constructor stores the connection imports no driver)."""

    qualname: str  # "app.util.Wrapper.__init__"

    def addressed_to(self, module_name: str, raw: bytes) -> bool:
        if not module_name or not self.qualname.startswith(module_name + "."):
            return False
        return _mentions(raw, self.qualname[len(module_name) + 1 :].split(".", 1)[0])


Summary = Union[FunctionSummary, ClassSummary, ModuleAlias, Wanted]
SUMMARY_TYPES = (FunctionSummary, ClassSummary, ModuleAlias, Wanted)


class Summaries:
    """The summaries in force for one module: of each type, the last of two
    with the same name wins."""

    def __init__(self, entries: Iterable[Summary] = ()) -> None:
        self._by_name: dict[str, FunctionSummary] = {}
        self._classes: dict[str, ClassSummary] = {}
        self._aliases: dict[str, ModuleAlias] = {}
        self._wanted: dict[str, Wanted] = {}
        tables = {FunctionSummary: self._by_name, ClassSummary: self._classes, ModuleAlias: self._aliases, Wanted: self._wanted}
        for summary in entries:
            tables[type(summary)][summary.qualname] = summary
        self._all = {_key(s): s for table in tables.values() for s in table.values()}
        self.has_aliases = bool(self._aliases)
        self.returns_tuples = any(s.returns_parts for s in self._by_name.values())
        self._indexed: Optional[_Index] = None
        # every name looked up, shared with the sets `merged` derives: a file's
        # result holds for other summaries that answer these names the same way
        self.looked_up: set[str] = set()
        self._helpers: Optional[dict[str, list[FunctionSummary]]] = None  # release helpers by module

    def __len__(self) -> int:
        return len(self._all)

    def items(self) -> Mapping[str, Summary]:
        """Every summary: a function's by its qualified name, the others' by
        the name with what they are (`class app.db.Store`)."""
        return self._all

    def function(self, qualname: str) -> Optional[FunctionSummary]:
        self.looked_up.add(qualname)
        return self._by_name.get(qualname)

    def project_class(self, qualname: str) -> Optional[ClassSummary]:
        self.looked_up.add(qualname)
        return self._classes.get(qualname)

    def alias_targets(self, qualname: str) -> tuple[str, ...]:
        self.looked_up.add(qualname)
        found = self._aliases.get(qualname)
        return found.targets if found is not None else ()

    def wanted(self) -> list[Wanted]:
        """What other modules want of this one (`Wanted`)."""
        self.looked_up.update(self._wanted)
        return list(self._wanted.values())

    def find(self, name: str, module_name: str) -> Optional[FunctionSummary]:
        """The summary of `name` as the module `module_name` spells it (absolute,
        relative, or a function of that module)."""
        if name.startswith("."):
            name = absolute_name(name, module_name)
        found = self.function(name)
        if found is None and module_name:
            found = self.function(f"{module_name}.{name}")
        return found

    def acquire_of(self, name: str, module_name: str) -> Optional[Acquire]:
        found = self.find(name, module_name)
        return found.returns if found is not None else None

    def releasers_near(self, factory: FunctionSummary) -> list[FunctionSummary]:
        """The release helpers of the factory's module, then of its package:
        where a project keeps the function that takes back what its factory gives."""
        if self._helpers is None:
            self._helpers = {}
            for summary in sorted(self._by_name.values(), key=lambda s: s.qualname):
                if summary.releases_first_argument:
                    self._helpers.setdefault(summary.module, []).append(summary)
        package = factory.module.rpartition(".")[0]
        siblings = [m for m in self._helpers if package and m != factory.module and m.rpartition(".")[0] == package]
        return self._helpers.get(factory.module, []) + [helper for module in sorted(siblings) for helper in self._helpers[module]]

    def released_params(self, name: str, module_name: str) -> Optional[set[int]]:
        found = self.find(name, module_name)
        if found is None or not found.releases:
            return None
        return set(found.releases)

    def merged(self, others: Iterable[Summary]) -> "Summaries":
        combined = Summaries(list(self._all.values()) + list(others))
        combined.looked_up = self.looked_up
        return combined

    def answers_alike(self, other: "Summaries", names: Iterable[str]) -> bool:
        """Whether both give the same summaries (or none) for each of `names`."""
        return all(self._answer(name) == other._answer(name) for name in names)

    def _answer(self, name: str) -> tuple:
        return tuple(table.get(name) for table in (self._by_name, self._classes, self._aliases, self._wanted))

    def usable_by(self, raw: bytes, module_name: str) -> "Summaries":
        """The summaries a file could use: its own module's, those of modules it
        imports whose name it mentions (any import that resolves to them does),
        and the names other modules want of it."""
        if not self._all:
            return self
        found = list(self._index().by_module.get(module_name, ()))
        found.extend(w for w in self._wanted.values() if w.addressed_to(module_name, raw))
        imports = import_lines(raw)
        for head in self._heads_in(b"\n".join(imports)):
            for summary in self._index().by_head.get(head, ()):
                if summary.qualname.rpartition(".")[0] != module_name and _used(summary, head, raw, imports):
                    found.append(summary)
        # the release helpers beside a factory it uses: the release its findings advise
        factories = [s for s in found if isinstance(s, FunctionSummary) and s.returns is not None]
        found.extend(helper for factory in factories for helper in self.releasers_near(factory))
        return Summaries(dict.fromkeys(found))

    def usable_from_elsewhere(self, raw: bytes, module_name: str) -> list[Summary]:
        """The other modules' summaries a file could use: what the passes lint it
        with (the summaries of its own module its analysis finds itself)."""
        usable = self.usable_by(raw, module_name).items().values()
        return [s for s in usable if s.qualname.rpartition(".")[0] != module_name or isinstance(s, Wanted)]

    def _heads_in(self, text: bytes) -> set[str]:
        """The last names of summarised modules (or classes) that occur in `text` as words."""
        index = self._index()
        if not text or not index.by_head:
            return set()
        found = {word.decode() for word in set(WORD.findall(text))}.intersection(index.by_head)
        if index.other_heads is not None:  # a module whose name is no ASCII identifier (`2fa1_migration.py`)
            found.update(m.decode() for m in index.other_heads.findall(text))
        return found

    def _index(self) -> "_Index":
        if self._indexed is None:
            self._indexed = _Index(s for s in self._all.values() if not isinstance(s, Wanted))
        return self._indexed

    def kept_params(self, name: str, module_name: str) -> set[int]:
        found = self.find(name, module_name)
        return set(found.keeps) if found is not None else set()

    def names(self) -> set[str]:
        """The bare names, for the prefilter of other files (every part of a
        wanted name: it is only in force where it is addressed)."""
        found = {summary.qualname.rsplit(".", 1)[-1] for summary in self._all.values()}
        for wanted in self._wanted:
            found.update(wanted.split("."))
        return found

    def factory_names(self) -> set[str]:
        """Of those, the names through which a file may acquire what it does
        not name itself: a function that hands out a resource (alone, in a
        tuple, or lent to a `with`), a re-exported driver, the methods and
        attributes of a class through which its users acquire."""
        found = {qualname.rsplit(".", 1)[-1] for qualname, summary in self._by_name.items() if _hands_out(summary)}
        found.update(qualname.rsplit(".", 1)[-1] for qualname in self._aliases)
        for qualname, summary in self._classes.items():
            found.update(summary.used_through - {"with"})
            if "with" in summary.used_through:
                found.add(qualname.rsplit(".", 1)[-1])  # `with Database() as conn`
        return found


class _Index:
    """The summaries by module, and by the last name of their module."""

    def __init__(self, summaries: Iterable[Summary]) -> None:
        self.by_module: dict[str, list[Summary]] = {}
        self.by_head: dict[str, list[Summary]] = {}
        for summary in summaries:
            module = summary.qualname.rpartition(".")[0]
            self.by_module.setdefault(module, []).append(summary)
            head = module.rsplit(".", 1)[-1]
            if head:
                self.by_head.setdefault(head, []).append(summary)
        others = sorted((h for h in self.by_head if not (h.isascii() and h.isidentifier())), key=len, reverse=True)
        self.other_heads = re.compile(rb"\b(?:" + b"|".join(re.escape(h.encode()) for h in others) + rb")\b") if others else None


def absolute_name(relative: str, module_name: str) -> str:
    """`.db.connect` in the module `app.service` is `app.db.connect`."""
    dots = len(relative) - len(relative.lstrip("."))
    package = module_name.split(".")
    base = package[: max(len(package) - dots, 0)]
    rest = relative[dots:]
    return ".".join(base + ([rest] if rest else []))


_KEY_PREFIXES = {ClassSummary: "class ", ModuleAlias: "alias ", Wanted: "wanted "}


def _key(summary: Summary) -> str:
    return _KEY_PREFIXES.get(type(summary), "") + summary.qualname


def _hands_out(summary: FunctionSummary) -> bool:
    """(What a callable parameter returns is acquired where the caller names the callable.)"""
    return summary.returns is not None or bool(summary.returns_parts) or summary.lends is not None


def _used(summary: Summary, head: str, raw: bytes, imports: list[bytes]) -> bool:
    """Whether a file that imports `head` could use the summary of its name."""
    name = summary.qualname.rpartition(".")[2]
    if isinstance(summary, ModuleAlias):  # `from .compat import sqlite3`, `compat.sqlite3`: not every `sqlite3`
        return any(_mentions(line, head) and _mentions(line, name) for line in imports) or _mentions(raw, f"{head}.{name}")
    if isinstance(summary, ClassSummary) and not any(_mentions(raw, word) for word in summary.used_through):
        return False
    return _mentions(raw, name)


def import_lines(raw: bytes) -> list[bytes]:
    """What `IMPORTS` finds, and also the `import ...` part of each `from ...
    import ...` on its own: the same words, and a line names two words
    together only where the whole statement does."""
    return _FROM.findall(raw) + _IMPORT.findall(raw)


def _mentions(raw: bytes, word: str) -> bool:
    encoded = word.encode()
    if encoded not in raw:  # a pattern that starts with \b is tried at every offset: search the bytes first
        return False
    return re.search(rb"\b" + re.escape(encoded) + rb"\b", raw) is not None


def module_name_for(path: str) -> str:
    """`pkg/sub/mod.py` -> "pkg.sub.mod" where the folders are packages."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = os.path.splitext(filename)[0]
    parts = [] if stem == "__init__" else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    return ".".join(parts)
