"""What a module offers the rest of the project, besides its factories and
releasing helpers: the drivers it re-exports, its classes (methods, attribute
types, what entering them gives, which constructor arguments they store),
the factories its classes inherit, what its context managers lend, and the
names it wants summaries of."""
from __future__ import annotations

import re
from dataclasses import replace
from itertools import chain
from typing import Iterable, Iterator, Optional

import libcst as cst

from .aliases import through_reexports
from .classes import ProjectClasses
from .resolve import CONTEXT_MANAGER_DECORATORS, OTHER, Resolver
from .scopes import ClassInfo
from .summaries import IMPORTS, ClassSummary, FunctionSummary, ModuleAlias, Summaries, Summary, Wanted
from .syntax import decorator_names


def module_summaries(analysed: Resolver, own: Iterable[FunctionSummary], raw: bytes) -> list[Summary]:
    """Everything the module at `analysed` (its module-scope resolver after the
    analysis; `raw`: its source) exports, its function summaries `own` included."""
    own = list(own)
    resolver = Resolver(analysed.catalogue, analysed.index, analysed.summaries.merged(own), None, analysed.index.bindings)
    functions = {s.qualname: s for s in own}
    for qualname, lent in _lent_values(resolver):
        existing = functions.get(qualname)
        functions[qualname] = replace(existing, lends=lent) if existing is not None else FunctionSummary(qualname, lends=lent)
    out: list[Summary] = []
    for info in resolver.index.classes.values():
        summary = _class_summary(resolver, info)
        if summary is not None:
            out.append(summary)
            out.extend(_inherited_functions(resolver.classes, info, summary, functions))
    out.extend(functions.values())
    out.extend(_reexports(resolver, raw))
    out.extend(Wanted(name) for name in sorted(analysed.wanted))
    return out


def _lent_values(resolver: Resolver) -> Iterator[tuple[str, object]]:
    for function in resolver.index.functions:
        if any(name in CONTEXT_MANAGER_DECORATORS for name in decorator_names(function.node)):
            lent = resolver.classes.yielded_type(function)
            if lent is not None and lent != OTHER:
                yield resolver.index.qualify(function.qualname), lent


def _class_summary(resolver: Resolver, info: ClassInfo) -> Optional[ClassSummary]:
    classes = resolver.classes
    qualname = classes.qualname_of(info)
    methods = _visible_methods(classes, qualname)
    found = {name: classes.find_method(qualname, name) for name in methods}
    summary = ClassSummary(
        qualname,
        methods=frozenset(methods),
        class_methods=frozenset(name for name, m in found.items() if m is not None and m.binding == "class"),
        static_methods=frozenset(name for name, m in found.items() if m is not None and m.binding == "static"),
        attributes=tuple(classes.attributes(info)),
        enters=_known(classes.entered(qualname, False)),
        async_enters=_known(classes.entered(qualname, True)),
        stores=_stored(classes, qualname),
        kind=classes.inherited_kind(qualname),
    )
    if summary.attributes or summary.enters or summary.async_enters or summary.stores or summary.kind or _matters_by_name(resolver, found):
        return summary
    return None


def _matters_by_name(resolver: Resolver, found: dict) -> bool:
    """A class whose users need its method names: one of them hands out a
    resource, or is named like a catalogue heuristic (`getconn`) that must
    not apply to it."""
    heuristic_methods = {h.method for h in resolver.catalogue.heuristics}
    if heuristic_methods.intersection(found):
        return True
    for method in found.values():
        summary = resolver.summaries.function(method.qualname) if method is not None and method.qualname else None
        if summary is not None and (summary.returns is not None or summary.lends is not None):
            return True
    return False


def _visible_methods(classes: ProjectClasses, qualname: str) -> set[str]:
    names: set[str] = set()
    for name in classes.mro(qualname):
        info = classes.local(name)
        summary = classes.summaries.project_class(name)
        if info is not None:
            names.update(info.methods)
        elif summary is not None:
            names.update(summary.methods)
    return names


def _stored(classes: ProjectClasses, qualname: str) -> frozenset[int]:
    """A dataclass's constructor arguments (an `__init__` has its own summary)."""
    return classes.stored_arguments(qualname)[1]


def _known(found: object) -> Optional[object]:
    return None if found in (None, OTHER) else found


def _inherited_functions(classes: ProjectClasses, info: ClassInfo, summary: ClassSummary, functions: dict) -> Iterator[FunctionSummary]:
    """A base class's factories under the subclass's name: its users need
    not know (nor import) the base."""
    for name in sorted(summary.methods - set(info.methods)):
        method = classes.find_method(summary.qualname, name)
        if method is None or method.qualname is None:
            continue
        found = functions.get(method.qualname) or classes.summaries.function(method.qualname)
        if found is not None and (found.returns is not None or found.lends is not None):
            yield replace(found, qualname=f"{summary.qualname}.{name}")


def _reexports(resolver: Resolver, raw: bytes) -> Iterator[ModuleAlias]:
    """Module-level names bound to a catalogue name (`import sqlite3`,
    `connect = sqlite3.connect`) or to another re-export, that the module
    offers rather than uses: picked among `try`/`except ImportError`
    alternatives, listed in `__all__`, or never used in the module itself."""
    bindings = resolver.index.bindings
    names = set(bindings.imports) | {n for n, values in bindings.values.items() if len(values) == 1}
    statements = b"\n".join(IMPORTS.findall(raw))
    for name in sorted(names):
        offered = name in bindings.alternatives or _in_all(raw, name) or _unused(raw, statements, name)
        targets = _targets(resolver, name) if offered else ()
        if targets and any(_worth_exporting(resolver, t) for t in targets):
            yield ModuleAlias(resolver.index.qualify(name), targets)


def _in_all(raw: bytes, name: str) -> bool:
    return b"__all__" in raw and re.search(rb"""['"]""" + re.escape(name.encode()) + rb"""['"]""", raw) is not None


def _unused(raw: bytes, statements: bytes, name: str) -> bool:
    """Only in import statements and its own assignment (`connect = sqlite3.connect`)."""
    word = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    return len(word.findall(raw)) <= len(word.findall(statements)) + (0 if word.search(statements) else 1)


def _targets(resolver: Resolver, name: str) -> tuple[str, ...]:
    bindings = resolver.index.bindings
    if name in bindings.imports:
        found = [through_reexports(t, resolver.summaries, resolver.catalogue) for t in bindings.import_targets(name)]
        return tuple(t for t in found if t is not None) if all(found) else ()
    value = bindings.values[name][0]
    if isinstance(value, (cst.Name, cst.Attribute)):
        target = resolver.qualified(value)
        return (target,) if target is not None and target != resolver.index.qualify(name) else ()
    return ()


def _worth_exporting(resolver: Resolver, target: str) -> bool:
    summaries: Summaries = resolver.summaries
    catalogue = resolver.catalogue
    return (
        catalogue.function(target) is not None
        or catalogue.kind_for_type(target) is not None
        or any(name.startswith(target + ".") for name in chain(catalogue.functions, catalogue.types))  # a module of the catalogue
        or bool(summaries.alias_targets(target))
    )
