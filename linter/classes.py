"""The project's classes as one module sees them: its own (from its index)
and the other modules' (from their summaries). A method is looked up by
name in MRO order, so a factory inherited from a base class is a factory in
every subclass; an attribute's type is read from the class annotations and
from what any method assigns to `self.x`; entering an instance gives what
`__enter__`/`__aenter__` returns."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Protocol

import libcst as cst

from .catalogue import Catalogue
from .scopes import ClassInfo, FunctionInfo, ModuleIndex
from .summaries import OTHER, ClassSummary, FunctionSummary, InstanceOf, Summaries, ValueType
from .syntax import walk

MAX_BASES = 32  # deeper hierarchies are cut short (a cycle through aliases would never end)


class TypeResolver(Protocol):
    """What this module needs of `leaklint.resolve.Resolver`."""

    self_name: Optional[str]

    def qualified(self, expr: cst.BaseExpression) -> Optional[str]: ...

    def type_of(self, expr: cst.BaseExpression) -> Optional[ValueType]: ...

    def type_of_annotation(self, annotation: cst.BaseExpression) -> Optional[ValueType]: ...


@dataclass(frozen=True)
class Method:
    """Where a method looked up on a class comes from."""

    qualname: Optional[str] = None  # the project function; None when a catalogue kind provides it
    binding: str = "instance"  # "instance", "class" or "static"
    kind: Optional[str] = None  # the catalogue kind of a base outside the project
    unknown_base: Optional[str] = None  # not found: a base of which nothing is known may define it


class ProjectClasses:
    def __init__(
        self,
        index: ModuleIndex,
        catalogue: Catalogue,
        summaries: Summaries,
        resolver_for: Callable[[Optional[FunctionInfo]], TypeResolver],
    ) -> None:
        self.index = index
        self.catalogue = catalogue
        self.summaries = summaries
        self._resolver_for = resolver_for
        self._prefix = f"{index.module_name}." if index.module_name else ""
        self._mro: dict[str, list[str]] = {}
        self._attributes: dict[tuple[str, str], Optional[ValueType]] = {}
        self._lent: dict[str, Optional[ValueType]] = {}
        self._entered: dict[tuple[str, bool], Optional[ValueType]] = {}
        self._functions = {f.qualname: f for f in index.functions}

    # -- what a name is --------------------------------------------------------------

    def local(self, qualname: str) -> Optional[ClassInfo]:
        if not qualname.startswith(self._prefix):
            return None
        return self.index.classes_by_name.get(qualname[len(self._prefix) :])

    def is_class(self, qualname: str) -> bool:
        return self.local(qualname) is not None or self.summaries.project_class(qualname) is not None

    def qualname_of(self, info: ClassInfo) -> str:
        return self._prefix + info.qualname

    def local_function(self, qualname: str) -> Optional[FunctionInfo]:
        if not qualname.startswith(self._prefix):
            return None
        return self._functions.get(qualname[len(self._prefix) :])

    # -- methods ---------------------------------------------------------------------

    def mro(self, qualname: str) -> list[str]:
        """The class and its bases in method resolution order (C3). Classes of
        other modules are not expanded: their summaries already count what
        they inherit."""
        found = self._mro.get(qualname)
        if found is None:
            self._mro[qualname] = [qualname]  # a class that is its own base (through aliases) ends here
            found = self._mro[qualname] = self._linearize(qualname, 0)
        return found

    def _linearize(self, qualname: str, depth: int) -> list[str]:
        info = self.local(qualname)
        if info is None or depth > MAX_BASES:
            return [qualname]
        module = self._resolver_for(None)
        bases = [name for name in (module.qualified(base) for base in info.bases) if name is not None and name != qualname]
        orders = [self.mro(base) for base in bases] + [bases]
        return [qualname] + _merge(orders)

    def find_method(self, qualname: str, method: str, *, after: Optional[str] = None, by_summary: bool = False) -> Optional[Method]:
        """Where `method` of an instance of the class comes from; `after`: the
        class `super()` is called in; `by_summary`: a base of another module
        without a class summary counts as defining the method if the method
        has a summary (which is looked up: only where a resource is passed).
        None: not found."""
        order = self.mro(qualname)
        if after is not None:
            order = order[order.index(after) + 1 :] if after in order else []
        for name in order:
            info = self.local(name)
            if info is not None:
                function = info.methods.get(method)
                if function is not None:
                    return Method(self.qualname_of(info) + "." + method, function.binding or "instance")
                continue
            summary = self.summaries.project_class(name)
            if summary is not None:
                if method in summary.methods:
                    return Method(f"{name}.{method}", _binding(summary, method))
                if summary.kind is not None:
                    return Method(kind=summary.kind)
                continue
            kind = self.catalogue.kind_for_type(name)
            if kind is not None:
                return Method(kind=kind)
            if by_summary and self.summaries.function(f"{name}.{method}") is not None:
                return Method(f"{name}.{method}")  # a class of another module known only by this method
            return Method(unknown_base=name)
        return None

    def inherited_kind(self, qualname: str) -> Optional[str]:
        """The catalogue kind a project class derives from, if any."""
        for name in self.mro(qualname)[1:]:
            summary = self.summaries.project_class(name)
            kind = summary.kind if summary is not None else self.catalogue.kind_for_type(name)
            if kind is not None:
                return kind
        return None

    def resource_fields(self, info: ClassInfo) -> frozenset[int]:
        """The positions of a dataclass's fields annotated with a catalogue kind."""
        if not info.is_dataclass:
            return frozenset()
        module = self._resolver_for(None)
        return frozenset(i for i, (_, annotation) in enumerate(_fields(info)) if _is_kind(module.type_of_annotation(annotation)))

    def function_summary(self, qualname: str, *, by_summary: bool = False) -> tuple[Optional[FunctionSummary], str]:
        """The summary of a project function or method (through the class's
        bases, `by_summary` as for `find_method`), and how the method is
        bound ("" for a plain function)."""
        owner, _, method = qualname.rpartition(".")
        if owner and self.is_class(owner):
            found = self.find_method(owner, method, by_summary=by_summary)
            if found is None or found.qualname is None:
                return None, ""
            return self.summaries.function(found.qualname), found.binding
        return self.summaries.function(qualname), ""

    # -- attributes ---------------------------------------------------------------------

    def attribute_type(self, qualname: str, attribute: str) -> Optional[ValueType]:
        for name in self.mro(qualname):
            info = self.local(name)
            if info is not None:
                found = self._local_attribute(info, attribute)
            else:
                summary = self.summaries.project_class(name)
                found = dict(summary.attributes).get(attribute) if summary is not None else None
            if found is not None:
                return found
        return None

    def _local_attribute(self, info: ClassInfo, attribute: str) -> Optional[ValueType]:
        key = (info.qualname, attribute)
        if key in self._attributes:
            return self._attributes[key]
        self._attributes[key] = None  # `self.a = self.b`, `self.b = self.a`: unknown
        found = None
        values = [v for v in info.attributes.get(attribute, []) if not (isinstance(v, cst.Name) and v.value == "None")]
        types = {self._resolver_for(info.setters.get(value)).type_of(value) for value in values}
        known = {t for t in types if t is not None and not _is_other(t)}
        if len(known) == 1:
            found = known.pop()
        elif types and all(_is_other(t) for t in types):
            found = next(iter(types))
        if found is None and attribute in info.annotations:
            found = self._resolver_for(None).type_of_annotation(info.annotations[attribute])
        self._attributes[key] = found
        return found

    def resource_attributes(self, info: ClassInfo) -> Iterator[tuple[str, str]]:
        """The attributes of a class (inherited ones too) that hold a catalogue kind."""
        names = set(info.attributes) | set(info.annotations)
        for base in self.mro(self.qualname_of(info))[1:]:
            summary = self.summaries.project_class(base)
            base_info = self.local(base)
            if summary is not None:
                names.update(name for name, _ in summary.attributes)
            elif base_info is not None:
                names.update(base_info.attributes)
                names.update(base_info.annotations)
        for name in sorted(names):
            found = self.attribute_type(self.qualname_of(info), name)
            if _is_kind(found):
                yield name, found

    # -- context managers ------------------------------------------------------------

    def entered(self, qualname: str, asynchronous: bool) -> Optional[ValueType]:
        """What `with obj as x` (`async with`) binds for an instance of the class."""
        key = (qualname, asynchronous)
        if key not in self._entered:
            self._entered[key] = None  # `with self as x` inside `__enter__`: unknown
            self._entered[key] = self._enter(qualname, asynchronous)
        return self._entered[key]

    def _enter(self, qualname: str, asynchronous: bool) -> Optional[ValueType]:
        method = self.find_method(qualname, "__aenter__" if asynchronous else "__enter__")
        if method is None or method.qualname is None:
            return None
        function = self.local_function(method.qualname)
        if function is None:
            summary = self.summaries.project_class(method.qualname.rpartition(".")[0])
            if summary is None:
                return None
            return summary.async_enters if asynchronous else summary.enters
        return self._returned_type(function, qualname)

    def _returned_type(self, function: FunctionInfo, entered_class: str) -> Optional[ValueType]:
        resolver = self._resolver_for(function)
        types = set()
        for node in walk(function.node.body):
            if isinstance(node, cst.Return) and node.value is not None:
                value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                if isinstance(value, cst.Name) and value.value == resolver.self_name:
                    types.add(InstanceOf(entered_class))  # `return self`: the instance entered, a subclass's too
                else:
                    types.add(resolver.type_of(value))
        return types.pop() if len(types) == 1 else None

    def lent_by(self, qualname: str) -> Optional[ValueType]:
        """What a project context manager function lends: `with f() as x`."""
        if qualname in self._lent:
            return self._lent[qualname]
        self._lent[qualname] = None
        function = self.local_function(qualname)
        if function is None:
            summary, _ = self.function_summary(qualname)
            found = summary.lends if summary is not None else None
        else:
            found = self.yielded_type(function)
        self._lent[qualname] = found
        return found

    def yielded_type(self, function: FunctionInfo) -> Optional[ValueType]:
        """The one type a generator yields, where it resolves."""
        resolver = self._resolver_for(function)
        types = {resolver.type_of(node.value) for node in walk(function.node.body) if isinstance(node, cst.Yield) and isinstance(node.value, cst.BaseExpression)}
        return types.pop() if len(types) == 1 else None

    # -- constructors ------------------------------------------------------------------

    def stored_arguments(self, qualname: str) -> tuple[Optional[FunctionSummary], frozenset[int]]:
        """(the `__init__` that runs, the argument positions a dataclass's
        generated constructor stores) for `Class(...)`."""
        info = self.local(qualname)
        if info is not None and info.is_dataclass:
            return None, frozenset(range(len(_fields(info))))
        summary = self.summaries.project_class(qualname)
        if summary is not None and summary.stores:
            return None, summary.stores
        found, _ = self.function_summary(f"{qualname}.__init__", by_summary=True)
        return found, frozenset()


def _fields(info: ClassInfo) -> list[tuple[str, cst.BaseExpression]]:
    """A dataclass's fields, in order: its class-level annotations."""
    fields = []
    for stmt in info.node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.append((small.target.value, small.annotation.annotation))
    return fields


def _is_kind(found: Optional[ValueType]) -> bool:
    """A catalogue kind (not OTHER, not a project class)."""
    return isinstance(found, str) and found != OTHER


def _binding(summary: ClassSummary, method: str) -> str:
    if method in summary.static_methods:
        return "static"
    return "class" if method in summary.class_methods else "instance"


def _is_other(found: ValueType) -> bool:
    return found == OTHER


def _merge(orders: list[list[str]]) -> list[str]:
    """C3 merge; where the bases admit no consistent order, the rest in
    depth-first order."""
    orders = [list(order) for order in orders if order]
    out: list[str] = []
    while orders:
        for order in orders:
            head = order[0]
            if not any(head in other[1:] for other in orders):
                break
        else:
            for order in orders:
                out.extend(name for name in order if name not in out)
            return out
        out.append(head)
        orders = [[name for name in order if name != head] for order in orders]
        orders = [order for order in orders if order]
    return out
