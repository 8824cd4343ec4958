"""Lookups over the libraries' data: which kind a name or a type is, what
a call acquires, which method names release something. Built once per
process from the data in `libraries/` (plus a project's configured
resources)."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Optional

from .model import Acquire, Heuristic, Kind, Library, Release
from .prefilter import PrefilterPart, catalogue_parts


class Catalogue:
    """Lookups over the libraries' data, built once per process."""

    def __init__(self, libraries: Iterable[Library], heuristics: Iterable[Heuristic]) -> None:
        self.libraries = tuple(libraries)
        self.heuristics = tuple(heuristics)
        self.kinds: dict[str, Kind] = {}
        self.functions: dict[str, Acquire] = {}
        self.types: dict[str, str] = {}
        self.objects: dict[str, str] = {}
        for lib in self.libraries:
            for kind in lib.kinds:
                self.kinds[kind.name] = kind
            self.functions.update(lib.functions)
            self.objects.update(lib.objects)
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

    def object_kind(self, qualified_name: Optional[str]) -> Optional[str]:
        """The kind of a module-level object a library creates at import (`django.db.connection`)."""
        return self.objects.get(qualified_name) if qualified_name else None

    def is_catalogue_module(self, qualified_name: str) -> bool:
        return qualified_name.split(".", 1)[0] in self.module_roots

    def heuristic(self, method: str, receiver_last_name: str) -> Optional[Heuristic]:
        rule = self._heuristics_by_method.get(method)
        if rule is None:
            return None
        if rule.receiver_contains and rule.receiver_contains not in receiver_last_name.lower():
            return None
        return rule

    def prefilter_parts(self) -> tuple[PrefilterPart, ...]:
        return catalogue_parts(self.module_roots, self.heuristics)

    def with_additions(self, libraries: Iterable[Library]) -> "Catalogue":
        return Catalogue(self.libraries + tuple(libraries), self.heuristics)


def _inherit(kind: Kind, base: Kind) -> Kind:
    methods = dict(base.methods)
    methods.update(kind.methods)
    return replace(
        kind,
        methods=methods,
        attributes={**base.attributes, **kind.attributes},
        items=kind.items or base.items,
        blocking=tuple(dict.fromkeys(base.blocking + kind.blocking)),
        partial_reads=tuple(dict.fromkeys(base.partial_reads + kind.partial_reads)),
        base=None,
    )
