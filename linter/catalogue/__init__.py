"""The resource catalogue: what acquires a resource, how it is released, and
what `with` on it really does.

The knowledge is data (`libraries/`, one module per library), not code:
adding a driver means adding entries. The words it is written in and the
decisions derived from them are in `model`; `Catalogue` answers lookups
over it. Everything that decides whether a call acquires something,
releases something or needs an `await` asks this package.
"""
from __future__ import annotations

from .catalogue import Catalogue
from .libraries import HEURISTICS, LIBRARIES, default_catalogue
from .model import (
    Acquire,
    Await,
    Awaiting,
    ClosingEffect,
    Exit,
    Heuristic,
    Kind,
    Library,
    Release,
    VersionNote,
    When,
    closing_releases,
    exit_of,
)
from .prefilter import Prefilter, PrefilterPart
from .stdlib import (
    AWAIT_WRAPPERS,
    ENTERING_METHODS,
    FORWARDING_CALLS,
    FORWARDING_METHODS,
    NON_RAISING_CALLS,
    OWNING_CALLS,
    OWNING_METHODS,
    PASS_THROUGH_CALLS,
    REACHED_THROUGH,
    REGISTERING_CALLS,
    REGISTERING_METHODS,
    STORING_METHODS,
    THREAD_RUNNERS,
)

__all__ = [
    "AWAIT_WRAPPERS",
    "ENTERING_METHODS",
    "FORWARDING_CALLS",
    "FORWARDING_METHODS",
    "HEURISTICS",
    "NON_RAISING_CALLS",
    "LIBRARIES",
    "OWNING_CALLS",
    "OWNING_METHODS",
    "PASS_THROUGH_CALLS",
    "REACHED_THROUGH",
    "REGISTERING_CALLS",
    "REGISTERING_METHODS",
    "STORING_METHODS",
    "THREAD_RUNNERS",
    "Acquire",
    "Await",
    "Awaiting",
    "Catalogue",
    "ClosingEffect",
    "Exit",
    "Heuristic",
    "Kind",
    "Library",
    "Prefilter",
    "PrefilterPart",
    "Release",
    "VersionNote",
    "When",
    "closing_releases",
    "default_catalogue",
    "exit_of",
]
