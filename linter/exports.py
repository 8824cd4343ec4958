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
from .objects.hierarchy import Hierarchy, attributes_named
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
    wanted = {s.qualname for s in resolver.summaries.items().values() if isinstance(s, Wanted)}
    for info in resolver.index.classes.values():
        summary = _class_summary(resolver, info, wanted)
        if summary is not None:
            out.append(summary)
            out.extend(_inherited_functions(resolver.classes, info, summary, functions))
    out.extend(_answers(resolver, functions))
    out.extend(functions.values())
    out.extend(_reexports(resolver, raw))
    out.extend(Wanted(name) for name in sorted(analysed.wanted))
    return out


def _answers(resolver: Resolver, functions: dict) -> Iterator[FunctionSummary]:
    """What other modules want of this one and it has no summary for: a
    function (or constructor) that releases, keeps and returns nothing: a
    resource passed to it is only borrowed."""
    wanted = [s.qualname for s in resolver.summaries.items().values() if isinstance(s, Wanted)]
    for name in sorted(wanted):
        if resolver.classes.is_class(name):
            name = f"{name}.__init__"
        if name not in functions and resolver.classes.local_function(name) is not None:
            yield FunctionSummary(name)


def _lent_values(resolver: Resolver) -> Iterator[tuple[str, object]]:
    for function in resolver.index.functions:
        if any(name in CONTEXT_MANAGER_DECORATORS for name in decorator_names(function.node)):
            lent = resolver.classes.yielded_type(function)
            if lent is not None and lent != OTHER:
                yield resolver.index.qualify(function.qualname), lent


def _class_summary(resolver: Resolver, info: ClassInfo, wanted: set[str]) -> Optional[ClassSummary]:
    """The class as other modules need it; None when they need nothing of it."""
    classes = resolver.classes
    qualname = classes.qualname_of(info)
    methods = _visible_methods(classes, qualname)
    found = {name: classes.find_method(qualname, name) for name in methods}
    attributes = tuple(classes.resource_attributes(info))
    enters, async_enters = _kind_only(classes.entered(qualname, False)), _kind_only(classes.entered(qualname, True))
    stores, kind = _stored(classes, info), classes.inherited_kind(qualname)
    words = _method_words(resolver, found) | _attribute_words(resolver, attributes)
    if enters or async_enters:
        words.add("with")
    if stores:
        words.add(info.node.name.value)  # constructed with a resource
    if kind:
        words.update(_acquiring_methods(resolver, kind))
    mentions = None
    if qualname in wanted:  # a subclass in another module asks what it may release
        mentions = attributes_named(info, Hierarchy(resolver.index, resolver))
        words.add(info.node.name.value)
    if not words:
        return None
    return ClassSummary(
        qualname,
        methods=frozenset(methods),
        class_methods=frozenset(name for name, m in found.items() if m is not None and m.binding == "class"),
        static_methods=frozenset(name for name, m in found.items() if m is not None and m.binding == "static"),
        attributes=attributes,
        enters=enters,
        async_enters=async_enters,
        stores=stores,
        kind=kind,
        used_through=frozenset(words),
        mentions=mentions,
    )


def _attribute_words(resolver: Resolver, attributes: tuple[tuple[str, str], ...]) -> set[str]:
    """`pool.getconn`, `maker`: how a user acquires through a resource attribute
    (`self.store.pool.getconn()`, `self.store.maker()`), where its kind acquires at all."""
    words = set()
    for name, kind_name in attributes:
        words.update(f"{name}.{method}" for method in _acquiring_methods(resolver, kind_name))
        if resolver.catalogue.kind(kind_name).call is not None:
            words.add(name)
    return words


def _acquiring_methods(resolver: Resolver, kind_name: str) -> set[str]:
    """The methods of a kind that acquire something to release (or a stream)."""
    catalogue = resolver.catalogue
    methods = catalogue.kind(kind_name).methods.items()
    return {method for method, acquires in methods if any(a.stream or catalogue.kind(a.kind).owned for a in acquires)}


def _method_words(resolver: Resolver, found: dict) -> set[str]:
    """The methods a user of the class needs to know about: those that hand
    out or lend a resource, and those named like a catalogue heuristic
    (`getconn`), which must not apply to them."""
    words = {h.method for h in resolver.catalogue.heuristics}.intersection(found)
    for name, method in found.items():
        summary = resolver.summaries.function(method.qualname) if method is not None and method.qualname else None
        if summary is not None and (summary.returns is not None or summary.lends is not None):
            words.add(name)
    return words


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


def _stored(classes: ProjectClasses, info: ClassInfo) -> frozenset[int]:
    """A dataclass's fields of a resource type (an `__init__` has its own summary)."""
    return classes.resource_fields(info)


def _kind_only(found: object) -> Optional[str]:
    """A catalogue kind; what else a class's `with` gives its users need not know."""
    return found if isinstance(found, str) and found != OTHER else None


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
        targets = _targets(resolver, name)
        if not targets or not any(_worth_exporting(resolver, t) for t in targets):
            continue
        if name in bindings.alternatives or _in_all(raw, name) or _unused(raw, statements, name):
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
    if not catalogue.is_catalogue_module(target):
        if resolver.index.is_package and (summaries.function(target) or summaries.project_class(target)):
            return True  # `from .db import connect` in a package's `__init__`: `from app import connect`
        return bool(summaries.alias_targets(target))
    return (
        catalogue.function(target) is not None
        or catalogue.kind_for_type(target) is not None
        or any(name.startswith(target + ".") for name in chain(catalogue.functions, catalogue.types))  # a module of the catalogue
        or bool(summaries.alias_targets(target))
    )
