"""Project summaries: what the project's own names are, for the modules that
use them. Each names one thing by its absolute qualified name:

- a function that hands out a fresh resource (a factory is an acquisition
  for its callers), releases or keeps a parameter (a release or a hand-off
  for its callers), or lends a resource as a context manager;
- a class: its methods, the attributes that hold a resource, what
  entering it gives and which constructor arguments it stores;
- a name a module re-exports (`import sqlite3` in `compat`, used as
  `from .compat import sqlite3`).

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
IMPORTS = re.compile(rb"\b(?:from[ \t\\]+[\w.]+[ \t\\]+import[ \t\\]*\([^)]*\)|from[ \t\\]+[^\n;]*|import[ \t\\]+[^\n;]*)")


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
    lends: Optional[ValueType] = None  # a context manager: what `with f() as x` binds (borrowed)
    returns_parts: tuple[Optional[Acquire], ...] = ()  # a tuple (`return conn, cur`): what each element is
    returns_result_of: Optional[int] = None  # the callable parameter whose result it returns (`return f()`)
    coroutine: bool = False  # an `async def`: what it returns comes by awaiting it


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
    """The summaries in force for one module, by type and qualified name (the
    last of two of one type with the same name wins)."""

    def __init__(self, entries: Iterable[Summary] = ()) -> None:
        self._by_name: dict[tuple[type, str], Summary] = {(type(s), s.qualname): s for s in entries}
        self._words: Optional["re.Pattern[bytes]"] = None
        self._by_head: dict[str, list[Summary]] = {}
        self.has_aliases = any(isinstance(s, ModuleAlias) for s in self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def items(self) -> Mapping[tuple[type, str], Summary]:
        return self._by_name

    def function(self, qualname: str) -> Optional[FunctionSummary]:
        found = self._by_name.get((FunctionSummary, qualname))
        return found if isinstance(found, FunctionSummary) else None

    def project_class(self, qualname: str) -> Optional[ClassSummary]:
        found = self._by_name.get((ClassSummary, qualname))
        return found if isinstance(found, ClassSummary) else None

    def alias_targets(self, qualname: str) -> tuple[str, ...]:
        found = self._by_name.get((ModuleAlias, qualname))
        return found.targets if isinstance(found, ModuleAlias) else ()

    def _find(self, name: str, module_name: str) -> Optional[FunctionSummary]:
        if name.startswith("."):
            name = _absolute(name, module_name)
        found = self.function(name)
        if found is None and module_name:
            found = self.function(f"{module_name}.{name}")
        return found

    def acquire_of(self, name: str, module_name: str) -> Optional[Acquire]:
        found = self._find(name, module_name)
        return found.returns if found is not None else None

    def released_params(self, name: str, module_name: str) -> Optional[set[int]]:
        found = self._find(name, module_name)
        if found is None or not found.releases:
            return None
        return set(found.releases)

    def kept_params(self, name: str, module_name: str) -> set[int]:
        found = self._find(name, module_name)
        return set(found.keeps) if found is not None else set()

    def merged(self, others: Iterable[Summary]) -> "Summaries":
        return Summaries(list(self._by_name.values()) + list(others))

    def usable_by(self, raw: bytes, module_name: str) -> "Summaries":
        """The summaries a file could use: its own module's, those of modules it
        imports whose name it mentions (any import that resolves to them does),
        and the names other modules want of it."""
        if not self._by_name:
            return self
        found = [s for s in self._by_name.values() if s.qualname.rpartition(".")[0] == module_name or (isinstance(s, Wanted) and s.addressed_to(module_name, raw))]
        imports = IMPORTS.findall(raw)
        for head in self._heads_in(b"\n".join(imports)):
            for summary in self._by_head.get(head, ()):
                if summary.qualname.rpartition(".")[0] != module_name and _used(summary, head, raw, imports):
                    found.append(summary)
        return Summaries(found)

    def usable_from_elsewhere(self, raw: bytes, module_name: str) -> list[Summary]:
        """The other modules' summaries a file could use: what the passes lint it
        with (the summaries of its own module its analysis finds itself)."""
        usable = self.usable_by(raw, module_name).items().values()
        return [s for s in usable if s.qualname.rpartition(".")[0] != module_name or isinstance(s, Wanted)]

    def _heads_in(self, text: bytes) -> set[str]:
        """The last names of summarised modules (or classes) that occur in `text`."""
        if self._words is None:
            self._by_head = {}
            for summary in self._by_name.values():
                head = summary.qualname.rpartition(".")[0].rsplit(".", 1)[-1]
                if head:
                    self._by_head.setdefault(head, []).append(summary)
            heads = sorted(self._by_head, key=len, reverse=True)
            self._words = re.compile(rb"\b(?:" + b"|".join(re.escape(h.encode()) for h in heads) + rb")\b") if heads else None
        if self._words is None or not text:
            return set()
        return {m.decode() for m in set(self._words.findall(text))}

    def names(self) -> set[str]:
        """The bare names, for the prefilter of other files (every part of a
        wanted name: it is only in force where it is addressed)."""
        found = set()
        for summary in self._by_name.values():
            if isinstance(summary, Wanted):
                found.update(summary.qualname.split("."))
            else:
                found.add(summary.qualname.rsplit(".", 1)[-1])
        return found


def _absolute(relative: str, module_name: str) -> str:
    dots = len(relative) - len(relative.lstrip("."))
    package = module_name.split(".")
    base = package[: max(len(package) - dots, 0)]
    rest = relative[dots:]
    return ".".join(base + ([rest] if rest else []))


def _used(summary: Summary, head: str, raw: bytes, imports: list[bytes]) -> bool:
    """Whether a file that imports `head` could use the summary of its name."""
    name = summary.qualname.rpartition(".")[2]
    if isinstance(summary, Wanted):
        return False
    if isinstance(summary, ModuleAlias):  # `from .compat import sqlite3`, `compat.sqlite3`: not every `sqlite3`
        return any(_mentions(line, head) and _mentions(line, name) for line in imports) or _mentions(raw, f"{head}.{name}")
    if isinstance(summary, ClassSummary) and not any(_mentions(raw, word) for word in summary.used_through):
        return False
    return _mentions(raw, name)


def _mentions(raw: bytes, word: str) -> bool:
    return re.search(rb"\b" + re.escape(word.encode()) + rb"\b", raw) is not None


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
