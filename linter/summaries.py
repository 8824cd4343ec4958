"""Project summaries: functions of the project that hand out a fresh resource
(a factory is an acquisition for its callers) or release a parameter (a
helper is a release for its callers)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from .catalogue import Acquire


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str  # "package.module.function" or "package.module.Class.method"
    returns: Optional[Acquire] = None
    releases: frozenset[int] = frozenset()  # positions of released parameters


class Summaries:
    def __init__(self, entries: Iterable[FunctionSummary] = ()) -> None:
        self._by_name: dict[str, FunctionSummary] = {s.qualname: s for s in entries}

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
        found = []
        for qualname, summary in self._by_name.items():
            module, _, function = qualname.rpartition(".")
            if "." in function:
                continue
            if module == module_name:
                found.append(summary)
                continue
            # `Class.method` summaries are only used within their own module
            head = module.rsplit(".", 1)[-1]
            if head and _mentions(raw, head) and _mentions(raw, function.rsplit(".", 1)[-1]):
                found.append(summary)
        return Summaries(found)

    def names(self) -> set[str]:
        """The bare function names, for the prefilter of other files."""
        return {qualname.rsplit(".", 1)[-1] for qualname in self._by_name}


def _absolute(relative: str, module_name: str) -> str:
    dots = len(relative) - len(relative.lstrip("."))
    package = module_name.split(".")
    base = package[: max(len(package) - dots, 0)]
    rest = relative[dots:]
    return ".".join(base + ([rest] if rest else []))


def _mentions(raw: bytes, word: str) -> bool:
    index = raw.find(word.encode())
    while index != -1:
        before = raw[index - 1 : index] if index else b" "
        after = raw[index + len(word) : index + len(word) + 1]
        if not (before.isalnum() or before == b"_") and not (after.isalnum() or after == b"_"):
            return True
        index = raw.find(word.encode(), index + 1)
    return False
