"""Which name a name stands for when the code leaves a choice: a project
module that re-exports a driver (`from .compat import sqlite3`), and the
alternatives of `try: import pysqlite3 as sqlite3` / `except ImportError:
import sqlite3`."""
from __future__ import annotations

from typing import Optional, Sequence

from .catalogue import Catalogue, Kind
from .summaries import Summaries

MAX_ALIAS_HOPS = 4  # `a.compat` re-exports `b.compat`'s name, which re-exports the driver


def choose(candidates: Sequence[str], catalogue: Catalogue) -> Optional[str]:
    """The name the code means: the preferred (first) alternative the
    catalogue knows, when every alternative it knows agrees with it on the
    facts that matter (how the resource is released); else none. An
    alternative outside the catalogue (`pysqlite3`, a drop-in) does not count."""
    if len(candidates) == 1:
        return candidates[0]
    known = [name for name in candidates if catalogue.is_catalogue_module(name)]
    if not known:
        return candidates[0]
    facts = {_release_facts(name, catalogue) for name in known}
    return known[0] if len(facts) == 1 else None


def _release_facts(name: str, catalogue: Catalogue) -> object:
    acquire = catalogue.function(name)
    if acquire is not None:
        kind = catalogue.kind(acquire.kind)
        return (acquire.awaiting, acquire.returned_by, acquire.with_exit, acquire.async_with_exit, acquire.stream, _kind_facts(kind))
    kind_name = catalogue.kind_for_type(name)
    return _kind_facts(catalogue.kind(kind_name)) if kind_name is not None else None


def _kind_facts(kind: Kind) -> tuple:
    return (kind.releases, kind.with_exit, kind.async_with_exit, kind.owned, kind.closes_without_returning)


def through_reexports(name: str, summaries: Summaries, catalogue: Catalogue) -> Optional[str]:
    """`app.compat.sqlite3.connect` -> `sqlite3.connect` where the project
    module `app.compat` binds `sqlite3` to the driver; None where the
    alternatives it re-exports disagree."""
    if not summaries.has_aliases:
        return name
    for _ in range(MAX_ALIAS_HOPS):
        if catalogue.is_catalogue_module(name):
            return name
        parts = name.split(".")
        for end in range(len(parts), 1, -1):
            targets = summaries.alias_targets(".".join(parts[:end]))
            if targets:
                rest = ".".join(parts[end:])
                found = choose([f"{t}.{rest}" if rest else t for t in targets], catalogue)
                if found is None:
                    return None
                name = found
                break
        else:
            return name
    return name
