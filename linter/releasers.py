"""The project function that releases what a call acquired, where the
catalogue's own release cannot be written at the call:

- a resource declared in `[[tool.leaklint.resources]]` that only functions
  release (`release = ["app.db.release_db"]`): the first of them;
- a pooled connection handed out by a project helper (`checkout()`), whose
  pool is not in scope: the helper of the factory's module (else of its
  package) that gives it back the same way (`give_back(conn)`, summarised
  as calling `putconn` on its parameter).

The messages advise it and the fixes write it, spelled as the module can
call it: through an import it already has, or one the fix adds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import libcst as cst

from .catalogue import Acquire, Kind
from .resolve import Resolver
from .summaries import FunctionSummary, absolute_name

Imports = tuple[tuple[str, Optional[str]], ...]  # (module, name) a fix adds; name None: `import module`


@dataclass(frozen=True)
class ReleaseCall:
    """`give_back(conn)` as the module writes it."""

    callee: str  # "give_back", "dbutil.give_back"
    awaited: bool
    imports: Imports = ()  # what the module must import for it

    def text(self, var: str) -> str:
        return f"{'await ' if self.awaited else ''}{self.callee}({var})"


def release_function(resolver: Resolver, call: cst.Call, acquire: Acquire, kind: Kind) -> Optional[FunctionSummary]:
    """The project function that releases what `call` acquired, if that is
    how it is released here (see the module's docstring)."""
    summaries, module = resolver.summaries, resolver.index.module_name
    if kind.release_functions and not kind.releases:
        name = kind.release_functions[0]
        return summaries.find(name, module) or FunctionSummary(name, releases=frozenset({0}))
    if acquire.returned_by:
        factory = _factory(resolver, call)
        if factory is not None:
            method = acquire.returned_by[0].method
            return next((helper for helper in summaries.releasers_near(factory) if method in helper.release_methods), None)
    return None


def spell(resolver: Resolver, helper: FunctionSummary, taken: Callable[[str], bool] = lambda name: False) -> ReleaseCall:
    """How the module of `resolver` calls `helper`: by a name it imports, through
    its module's name, or after an import (`taken`: a name the module uses otherwise)."""
    module = resolver.index.module_name
    home, _, function = helper.qualname.rpartition(".")
    if home == module:
        return ReleaseCall(function, helper.awaitable)
    imported = {**resolver.index.bindings.imports, **resolver.local.imports}
    targets = {local: absolute_name(target, module) if target.startswith(".") else target for local, target in imported.items()}
    local = next((name for name, target in targets.items() if target == helper.qualname), None)
    if local is not None:
        return ReleaseCall(local, helper.awaitable)
    holder = next((name for name, target in targets.items() if target == home), None)
    if holder is not None:
        return ReleaseCall(f"{holder}.{function}", helper.awaitable)
    if taken(function):
        return ReleaseCall(helper.qualname, helper.awaitable, ((home, None),))
    return ReleaseCall(function, helper.awaitable, ((home, function),))


def _factory(resolver: Resolver, call: cst.Call) -> Optional[FunctionSummary]:
    """The project factory `call` calls, if it calls one."""
    func = call.func
    name = resolver.qualified(func) or (func.value if isinstance(func, cst.Name) else None)
    found = resolver.summaries.find(name, resolver.index.module_name) if name else None
    return found if found is not None and found.returns is not None else None
