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

    def names(self) -> set[str]:
        """The bare function names, for the prefilter of other files."""
        return {qualname.rsplit(".", 1)[-1] for qualname in self._by_name}


def _absolute(relative: str, module_name: str) -> str:
    dots = len(relative) - len(relative.lstrip("."))
    package = module_name.split(".")
    base = package[: max(len(package) - dots, 0)]
    rest = relative[dots:]
    return ".".join(base + ([rest] if rest else []))
