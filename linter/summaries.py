"""Project summaries: functions of the project that hand out a fresh resource
(a factory is an acquisition for its callers) or release a parameter (a
helper is a release for its callers)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from .catalogue import Acquire

MAX_SUMMARY_PASSES = 3  # rounds of summaries: a factory of a factory needs a second one, and so on

# import statements, a parenthesised `from x import (...)` spanning lines included
WORD = re.compile(rb"\w+")
IMPORTS = re.compile(rb"\b(?:from[ \t\\]+[\w.]+[ \t\\]+import[ \t\\]*\([^)]*\)|from[ \t\\]+[^\n;]*|import[ \t\\]+[^\n;]*)")


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str  # "package.module.function" or "package.module.Class.method"
    returns: Optional[Acquire] = None
    releases: frozenset[int] = frozenset()  # positions of released (or kept) parameters
    keeps: frozenset[int] = frozenset()  # of those, the ones stored: a hand-off, not a release
    release_methods: frozenset[str] = frozenset()  # what it calls to release them (`close`, `putconn`): what it suits
    awaitable: bool = False  # an `async def`: its callers await it

    @property
    def module(self) -> str:
        return self.qualname.rpartition(".")[0]

    @property
    def releases_first_argument(self) -> bool:
        """A release helper: `give_back(conn)` ends its caller's duty for `conn`."""
        return 0 in self.releases and 0 not in self.keeps


class Summaries:
    def __init__(self, entries: Iterable[FunctionSummary] = ()) -> None:
        self._by_name: dict[str, FunctionSummary] = {s.qualname: s for s in entries}
        self._indexed: Optional[_Index] = None
        # every name looked up, shared with the sets `merged` derives: a file's
        # result holds for other summaries that answer these names the same way
        self.looked_up: set[str] = set()
        self._helpers: Optional[dict[str, list[FunctionSummary]]] = None  # release helpers by module

    def __len__(self) -> int:
        return len(self._by_name)

    def items(self) -> Mapping[str, FunctionSummary]:
        return self._by_name

    def find(self, name: str, module_name: str) -> Optional[FunctionSummary]:
        """The summary of `name` as the module `module_name` spells it (absolute,
        relative, or a function of that module)."""
        if name.startswith("."):
            name = absolute_name(name, module_name)
        self.looked_up.add(name)
        found = self._by_name.get(name)
        if found is None and module_name:
            name = f"{module_name}.{name}"
            self.looked_up.add(name)
            found = self._by_name.get(name)
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

    def merged(self, others: Iterable[FunctionSummary]) -> "Summaries":
        combined = Summaries(list(self._by_name.values()) + list(others))
        combined.looked_up = self.looked_up
        return combined

    def answers_alike(self, other: "Summaries", names: Iterable[str]) -> bool:
        """Whether both give the same summary (or none) for each of `names`."""
        return all(self._by_name.get(name) == other._by_name.get(name) for name in names)

    def usable_by(self, raw: bytes, module_name: str) -> "Summaries":
        """The summaries a file could use: its own module's, and those of modules
        it imports whose function it names (any import that resolves to them does)."""
        if not self._by_name:
            return self
        found = list(self._index().by_module.get(module_name, ()))
        imported = self._heads_in(b"\n".join(IMPORTS.findall(raw)))
        for head in imported:
            for summary in self._index().by_head.get(head, ()):
                function = summary.qualname.rpartition(".")[2]
                if summary.qualname.rpartition(".")[0] != module_name and _mentions(raw, function):
                    found.append(summary)
        # the release helpers beside a factory it uses: the release its findings advise
        found.extend(helper for factory in list(found) if factory.returns is not None for helper in self.releasers_near(factory))
        return Summaries(dict.fromkeys(found))

    def usable_from_elsewhere(self, raw: bytes, module_name: str) -> list[FunctionSummary]:
        """The other modules' summaries a file could use: what the passes lint it
        with (the summaries of its own module its analysis finds itself)."""
        usable = self.usable_by(raw, module_name).items().values()
        return [s for s in usable if s.qualname.rpartition(".")[0] != module_name]

    def _heads_in(self, text: bytes) -> set[str]:
        """The last names of summarised modules that occur in `text` as words."""
        index = self._index()
        if not text or not index.by_head:
            return set()
        found = {word.decode() for word in set(WORD.findall(text))}.intersection(index.by_head)
        if index.other_heads is not None:  # a module whose name is no ASCII identifier (`2fa1_migration.py`)
            found.update(m.decode() for m in index.other_heads.findall(text))
        return found

    def _index(self) -> "_Index":
        if self._indexed is None:
            self._indexed = _Index(self._by_name.values())
        return self._indexed

    def kept_params(self, name: str, module_name: str) -> set[int]:
        found = self.find(name, module_name)
        return set(found.keeps) if found is not None else set()

    def names(self) -> set[str]:
        """The bare function names, for the prefilter of other files."""
        return {qualname.rsplit(".", 1)[-1] for qualname in self._by_name}

    def factory_names(self) -> set[str]:
        """Of those, the names of functions that hand out a resource."""
        return {qualname.rsplit(".", 1)[-1] for qualname, summary in self._by_name.items() if summary.returns is not None}


class _Index:
    """The summaries by module, and by the last name of their module."""

    def __init__(self, summaries: Iterable[FunctionSummary]) -> None:
        self.by_module: dict[str, list[FunctionSummary]] = {}
        self.by_head: dict[str, list[FunctionSummary]] = {}
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
