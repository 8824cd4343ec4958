"""Project summaries: functions of the project that hand out a fresh resource
(a factory is an acquisition for its callers) or release a parameter (a
helper is a release for its callers)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from .catalogue import Acquire


# import statements, a parenthesised `from x import (...)` spanning lines included
IMPORTS = re.compile(rb"\b(?:from[ \t\\]+[\w.]+[ \t\\]+import[ \t\\]*\([^)]*\)|from[ \t\\]+[^\n;]*|import[ \t\\]+[^\n;]*)")


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str  # "package.module.function" or "package.module.Class.method"
    returns: Optional[Acquire] = None
    releases: frozenset[int] = frozenset()  # positions of released parameters


class Summaries:
    def __init__(self, entries: Iterable[FunctionSummary] = ()) -> None:
        self._by_name: dict[str, FunctionSummary] = {s.qualname: s for s in entries}
        self._words: Optional["re.Pattern[bytes]"] = None

    def __len__(self) -> int:
        return len(self._by_name)

    def items(self) -> Mapping[str, FunctionSummary]:
        return self._by_name

    def _find(self, name: str, module_name: str) -> Optional[FunctionSummary]:
        if name.startswith("."):
            name = _absolute(name, module_name)
        found = self._by_name.get(name)
        if found is None and module_name:
            found = self._by_name.get(f"{module_name}.{name}")
        return found

    def acquire_of(self, name: str, module_name: str) -> Optional[Acquire]:
        found = self._find(name, module_name)
        return found.returns if found is not None else None

    def released_params(self, name: str, module_name: str) -> Optional[set[int]]:
        found = self._find(name, module_name)
        if found is None or not found.releases:
            return None
        return set(found.releases)

    def merged(self, others: Iterable[FunctionSummary]) -> "Summaries":
        return Summaries(list(self._by_name.values()) + list(others))

    def usable_by(self, raw: bytes, module_name: str) -> "Summaries":
        """The summaries a file could use: its own module's, and those of modules
        it names along with the function (any import that resolves to them does)."""
        if not self._by_name:
            return self
        mentioned = self._mentioned_words(raw)
        imported = self._mentioned_words(b"\n".join(IMPORTS.findall(raw))) if mentioned else set()
        found = []
        for qualname, summary in self._by_name.items():
            module, _, function = qualname.rpartition(".")
            if module == module_name:
                found.append(summary)
            elif module.rsplit(".", 1)[-1] in imported and function in mentioned:
                found.append(summary)  # `Class.method` summaries stay within their module
        return Summaries(found)

    def _mentioned_words(self, raw: bytes) -> set[str]:
        """Which module heads and function names occur in `raw`: one regex pass."""
        if self._words is None:
            words = set()
            for qualname in self._by_name:
                module, _, function = qualname.rpartition(".")
                words.add(function)
                words.add(module.rsplit(".", 1)[-1])
            words.discard("")
            alternatives = b"|".join(re.escape(w.encode()) for w in sorted(words, key=len, reverse=True))
            self._words = re.compile(rb"\b(?:" + alternatives + rb")\b") if words else None
        if self._words is None:
            return set()
        return {m.decode() for m in set(self._words.findall(raw))}

    def names(self) -> set[str]:
        """The bare function names, for the prefilter of other files."""
        return {qualname.rsplit(".", 1)[-1] for qualname in self._by_name}


def _absolute(relative: str, module_name: str) -> str:
    dots = len(relative) - len(relative.lstrip("."))
    package = module_name.split(".")
    base = package[: max(len(package) - dots, 0)]
    rest = relative[dots:]
    return ".".join(base + ([rest] if rest else []))

