"""Which calls acquire what: imports, assignments, annotations, class
attributes, the project's functions and classes and, last, the catalogue's
name heuristics.

A name resolves the way a reader of the code follows it: through relative
imports and the modules that re-export a driver (`leaklint.aliases`),
through the project's classes and their bases (`leaklint.classes`), and
through the summaries of the project's other modules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from .aliases import choose, through_reexports
from .catalogue import ENTERING_METHODS, PASS_THROUGH_CALLS, Acquire, Catalogue, Kind, When
from .callees import ProjectCallees
from .classes import ProjectClasses
from .scopes import Bindings, ClassInfo, FunctionInfo, ModuleIndex, collect_bindings, scope_statements
from .summaries import OTHER, InstanceOf, Summaries, ValueType
from .syntax import argument, decorator_names, dotted_name, last_name, literal_true, walk

__all__ = ["OTHER", "Bindings", "ClassInfo", "FunctionInfo", "ModuleIndex", "Resolver", "collect_bindings", "scope_statements"]

CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager", "asynccontextmanager", "contextlib.contextmanager", "contextlib.asynccontextmanager"})


@dataclass
class _Shared:
    """What the resolvers of one module share for one set of summaries: one
    module-scope resolver (one recursion guard), one resolver per function,
    one view of the project's classes, the summaries it wants."""

    resolvers: dict = field(default_factory=dict)  # function node (None: module scope) -> Resolver
    classes: Optional[ProjectClasses] = None
    wanted: set[str] = field(default_factory=set)


class Resolver(ProjectCallees):
    """Answers "what is this expression?" within one function."""

    def __init__(
        self,
        catalogue: Catalogue,
        index: ModuleIndex,
        summaries: Summaries,
        function: Optional[FunctionInfo],
        local: Optional[Bindings] = None,
    ) -> None:
        self.catalogue = catalogue
        self.index = index
        self.summaries = summaries
        self.function = function
        if local is None:
            local = index.bindings_of(function) if function is not None else Bindings()
        self.local = local
        self.params: dict[str, Optional[cst.BaseExpression]] = {}
        self.self_name: Optional[str] = None
        self.own_class: Optional[str] = None  # the class of `self` (or `cls`) in a method
        if function is not None:
            all_params = list(function.node.params.posonly_params) + list(function.node.params.params)
            all_params += list(function.node.params.kwonly_params)
            for param in all_params:
                self.params[param.name.value] = param.annotation.annotation if param.annotation else None
            if function.cls is not None and all_params and function.binding != "static":
                self.self_name = all_params[0].name.value
                self.own_class = index.qualify(function.cls.qualname)
        self._types: dict[str, Optional[ValueType]] = {}
        self._resolving: set[str] = set()
        self._qualified: dict[tuple[str, ...], Optional[str]] = {}

    # -- shared per module -------------------------------------------------

    def _shared(self) -> _Shared:
        by_summaries = self.index.resolution_state  # one per set of summaries the module is analysed with
        found = by_summaries.get(self.summaries)
        if found is None:
            found = by_summaries[self.summaries] = _Shared()
        return found

    @property
    def classes(self) -> ProjectClasses:
        shared = self._shared()
        if shared.classes is None:
            shared.classes = ProjectClasses(self.index, self.catalogue, self.summaries, self._resolver_for)
        return shared.classes

    def _resolver_for(self, function: Optional[FunctionInfo]) -> "Resolver":
        if function is None:
            return self._module_resolver()
        if function is self.function:
            return self
        resolvers = self._shared().resolvers
        found = resolvers.get(function.node)
        if found is None:
            found = resolvers[function.node] = Resolver(self.catalogue, self.index, self.summaries, function)
        return found

    def _module_resolver(self) -> "Resolver":
        """The module scope's resolver, shared so that its recursion guard holds."""
        if self.function is None and self.local is self.index.bindings:
            return self
        resolvers = self._shared().resolvers
        found = resolvers.get(None)
        if found is None:
            found = resolvers[None] = Resolver(self.catalogue, self.index, self.summaries, None, self.index.bindings)
        return found

    # -- qualified names -------------------------------------------------

    def qualified(self, expr: cst.BaseExpression) -> Optional[str]:
        """The absolute name an expression stands for: `sq.connect` ->
        "sqlite3.connect", `Store` -> "app.db.Store"."""
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        targets = self._import_targets(head)
        if not targets:
            return None
        candidates = tuple(f"{target}.{rest}" if rest else target for target in targets)
        if candidates not in self._qualified:
            resolved = [through_reexports(c, self.summaries, self.catalogue) for c in candidates]
            known = [c for c in resolved if c is not None]
            self._qualified[candidates] = choose(known, self.catalogue) if len(known) == len(resolved) else None
        return self._qualified[candidates]

    def _import_targets(self, name: str) -> tuple[str, ...]:
        if name in self.local.imports:
            return self.local.import_targets(name)
        if name in self.params:
            return ()
        if name in self.local.values:
            values = self.local.values[name]
            if len(values) == 1 and type(values[0]) in (cst.Name, cst.Attribute) and name not in self._resolving:
                self._resolving.add(name)  # `opener = sqlite3.connect`; guards `a = b; b = a`
                try:
                    found = self.qualified(values[0])
                finally:
                    self._resolving.discard(name)
                return (found,) if found is not None else ()
            return ()
        scope = self.function
        while scope is not None:
            bindings = self.index.bindings_of(scope) if scope is not self.function else self.local
            if scope is not self.function and name in bindings.imports:
                return bindings.import_targets(name)
            if name in bindings.definitions:
                return (self.index.qualify(f"{scope.qualname}.{name}"),)
            scope = scope.parent
        module = self.index.bindings
        if name in module.imports:
            return module.import_targets(name)
        if name in module.definitions:
            return (self.index.qualify(name),)
        values = module.values.get(name)
        if values and len(values) == 1:  # `connect = sqlite3.connect`
            value = values[0]
            if type(value) in (cst.Name, cst.Attribute) and dotted_name(value) != name:
                outer = self._module_resolver()
                if name in outer._resolving:
                    return ()  # `connect = connect`
                outer._resolving.add(name)
                try:
                    found = outer.qualified(value)
                finally:
                    outer._resolving.discard(name)
                return (found,) if found is not None else ()
        return ()

    # -- calls -------------------------------------------------------------

    def acquire_of(self, call: cst.Call) -> Optional[Acquire]:
        """The catalogue entry for a call, if it acquires something."""
        func = call.func
        qualified = self.qualified(func)
        if qualified is not None:
            found = self.catalogue.function(qualified)
            if found is not None:
                return found if _holds(found.when, call) else None
            summary, binding = self.classes.function_summary(qualified)
            acquire = self.summary_acquire(summary, 1 if binding == "class" else 0, call) if summary is not None else None
            if acquire is not None:
                return acquire
            if summary is None and any(type(arg.value) is cst.Lambda for arg in call.args):
                self._want(qualified, call)  # `retry(lambda: connect(dsn))` with `retry` of another module
            if self.catalogue.is_catalogue_module(qualified) and not self._on_catalogue_object(func):
                return None  # a catalogue library's call that acquires nothing
            if self._is_project_name(qualified):
                return None  # a function or class of the project that acquires nothing
        if type(func) is cst.Attribute:
            receiver = func.value
            owner = self._receiver_class(receiver)
            if owner is not None:
                return self._project_method_acquire(owner[0], func.attr.value, call, after=owner[1])
            receiver_kind = self.kind_of(receiver)
            if receiver_kind == OTHER:
                return None
            if receiver_kind is not None:
                found = self._kind_method(receiver_kind, func.attr.value, call)
                if found is None and type(receiver) is cst.Call and func.attr.value in self.catalogue.kind(receiver_kind).returns_receiver:
                    return self.acquire_of(receiver)  # `engine.connect().execution_options(...)`: the same connection
                return found
            rule = self.catalogue.heuristic(func.attr.value, last_name(receiver))
            return rule.acquire if rule is not None else None
        if type(func) is cst.Name:
            kind_name = self.kind_of(func)
            if kind_name not in (None, OTHER):
                return self.catalogue.kind(kind_name).call
        return None

    def _kind_method(self, kind_name: str, method: str, call: cst.Call) -> Optional[Acquire]:
        for candidate in self.catalogue.kind(kind_name).methods.get(method, ()):
            if _holds(candidate.when, call):
                return candidate
        return None

    def _on_catalogue_object(self, func: cst.BaseExpression) -> bool:
        """`connection.cursor`: a method of an object the library made at import
        (or of one such an object holds)."""
        return type(func) is cst.Attribute and self.kind_of(func.value) not in (None, OTHER)

    def _is_project_name(self, qualified: str) -> bool:
        """A class of the project, one of its methods, or a name this module defines."""
        module = self.index.module_name
        owner = qualified.rpartition(".")[0]
        return (bool(module) and qualified.startswith(module + ".")) or self.classes.is_class(qualified) or (bool(owner) and self.classes.is_class(owner))

    def _receiver_class(self, receiver: cst.BaseExpression) -> Optional[tuple[str, Optional[str]]]:
        """(project class, the class `super()` is called in) when the receiver
        is an instance of a project class: its own methods decide, never a
        name heuristic."""
        if type(receiver) is cst.Call and type(receiver.func) is cst.Name and receiver.func.value == "super":
            return (self.own_class, self.own_class) if self.own_class is not None else None
        found = self.type_of(receiver)
        return (found.project_class, None) if isinstance(found, InstanceOf) else None

    def _project_method_acquire(self, owner: str, method: str, call: cst.Call, after: Optional[str]) -> Optional[Acquire]:
        found = self.classes.find_method(owner, method, after=after)
        if found is not None and found.kind is not None:
            return self._kind_method(found.kind, method, call)
        if found is not None and found.qualname is not None:
            summary = self.summaries.function(found.qualname)
            return self.summary_acquire(summary, 0 if found.binding == "static" else 1, call) if summary is not None else None
        held = self.classes.attribute_type(owner, method) if after is None else None
        if isinstance(held, str) and held != OTHER:  # `self.maker()` on a sessionmaker
            return self.catalogue.kind(held).call
        return None

    # -- types ---------------------------------------------------------------

    def kind_of(self, expr: cst.BaseExpression) -> Optional[str]:
        """A catalogue kind name, OTHER, or None when nothing resolves."""
        found = self.type_of(expr)
        return OTHER if isinstance(found, InstanceOf) else found

    def type_of(self, expr: cst.BaseExpression) -> Optional[ValueType]:
        """A catalogue kind name, an instance of a project class, OTHER, or None."""
        if type(expr) is cst.Await:
            return self.type_of(expr.expression)
        if type(expr) is cst.Call:
            return self._type_of_call(expr)
        if type(expr) is cst.Name:
            return self._type_of_name(expr.value)
        if type(expr) is cst.Attribute:
            receiver = self.type_of(expr.value)
            if isinstance(receiver, InstanceOf):
                return self.classes.attribute_type(receiver.project_class, expr.attr.value)
            held = self.catalogue.object_kind(self.qualified(expr))  # `django.db.connection`
            if held is not None:
                return held
            owner = self.kind(receiver) if isinstance(receiver, str) else None  # `client.connection_pool`
            return owner.attributes.get(expr.attr.value) if owner is not None else None
        if type(expr) is cst.Subscript:
            owner = self.kind(self.kind_of(expr.value))  # `connections[alias]`
            return owner.items if owner is not None else None
        return None

    def _type_of_call(self, expr: cst.Call) -> Optional[ValueType]:
        qualified = self.qualified(expr.func)
        if qualified in PASS_THROUGH_CALLS and expr.args:
            return self.type_of(expr.args[0].value)
        if type(expr.func) is cst.Attribute and expr.func.attr.value in ENTERING_METHODS and expr.args:
            return self.type_of(expr.args[0].value)
        acquire = self.acquire_of(expr)
        if acquire is not None:
            return acquire.kind if acquire.part is None else OTHER  # a tuple holding the resource
        if qualified is not None:
            if self.classes.is_class(qualified):
                return InstanceOf(qualified)
            if _is_class_name(qualified):
                return OTHER  # an instance of a class outside the catalogue
        if type(expr.func) is cst.Name and expr.func.value == self.self_name and self.function and self.function.binding == "class":
            return InstanceOf(self.own_class or "")  # `cls(...)` in a classmethod
        return None

    def _type_of_name(self, name: str) -> Optional[ValueType]:
        if name in self._types:
            return self._types[name]
        if name in self._resolving:
            return None
        self._resolving.add(name)
        try:
            found = self._resolve_name(name)
        finally:
            self._resolving.discard(name)
        self._types[name] = found
        return found

    def _resolve_name(self, name: str) -> Optional[ValueType]:
        if name in self.local.imports:
            return self.catalogue.object_kind(self.local.imports[name])
        if name == self.self_name and self.own_class is not None and name not in self.local.values:
            return InstanceOf(self.own_class)
        found = self._type_of_values(self.local.values.get(name) or [], self.local)
        if found is not None:
            return found
        if name in self.local.annotations:
            return self.type_of_annotation(self.local.annotations[name])
        if name in self.params:
            annotation = self.params[name]
            return self.type_of_annotation(annotation) if annotation is not None else None
        if name in self.index.bindings.imports:
            # what an imported name holds is not known here, unless the library made it at import
            return self.catalogue.object_kind(self.index.bindings.imports[name])
        outer = self._module_resolver()
        if outer is not self:
            return outer._type_of_name(name)  # one resolver, one recursion guard: `x = x`
        found = self._type_of_values(self.index.bindings.values.get(name, []), self.index.bindings)
        if found is not None:
            return found
        if name in self.index.bindings.annotations:
            return self.type_of_annotation(self.index.bindings.annotations[name])
        return None

    def _type_of_values(self, values: list[cst.BaseExpression], bindings: Bindings) -> Optional[ValueType]:
        kinds = set()
        for value in values:
            if type(value) is cst.Name and value.value == "None":
                continue
            if value in bindings.entered:
                kinds.add(self._entered_type(value, bindings.entered[value]))
            else:
                kinds.add(self.type_of(value))
        known = {k for k in kinds if k not in (None, OTHER)}
        if len(known) == 1:
            return known.pop()
        if kinds == {OTHER}:
            return OTHER
        return None

    def _entered_type(self, item: cst.BaseExpression, asynchronous: bool) -> Optional[ValueType]:
        """What `with item as x` binds: a project context manager lends what it
        yields or what its `__enter__` returns; anything else is itself."""
        if type(item) is cst.Call:
            qualified = self.qualified(item.func)
            function = self.classes.local_function(qualified) if qualified is not None else None
            if function is not None and not _is_context_manager(function):
                function = None
            summary = self.classes.function_summary(qualified)[0] if qualified is not None and function is None else None
            if function is not None or (summary is not None and summary.lends is not None):
                return self.classes.lent_by(qualified)
        found = self.type_of(item)
        if isinstance(found, InstanceOf):
            return self.classes.entered(found.project_class, asynchronous) or OTHER
        return found

    def kind_of_annotation(self, annotation: cst.BaseExpression) -> Optional[str]:
        found = self.type_of_annotation(annotation)
        return OTHER if isinstance(found, InstanceOf) else found

    def type_of_annotation(self, annotation: cst.BaseExpression) -> Optional[ValueType]:
        if type(annotation) is cst.BinaryOperation and type(annotation.operator) is cst.BitOr:
            left = self.type_of_annotation(annotation.left)
            return left if left not in (None, OTHER) else self.type_of_annotation(annotation.right)
        if type(annotation) is cst.Subscript:
            qualified = self.qualified(annotation.value) or ""
            if qualified.endswith("Optional") and annotation.slice:
                inner = annotation.slice[0].slice
                if type(inner) is cst.Index:
                    return self.type_of_annotation(inner.value)
            return OTHER
        if type(annotation) is cst.SimpleString:
            text = annotation.evaluated_value
            if isinstance(text, str) and text.replace(".", "").replace("_", "").isalnum():
                try:
                    return self.type_of_annotation(cst.parse_expression(text))
                except cst.ParserSyntaxError:
                    return None
            return None
        qualified = self.qualified(annotation)
        if qualified is None:
            return None
        found = self.catalogue.kind_for_type(qualified)
        if found is not None:
            return found
        return InstanceOf(qualified) if self.classes.is_class(qualified) else OTHER

    def kind(self, name: Optional[str]) -> Optional[Kind]:
        if name is None or name == OTHER:
            return None
        return self.catalogue.kind(name)


def _is_context_manager(function: FunctionInfo) -> bool:
    return any(name in CONTEXT_MANAGER_DECORATORS for name in decorator_names(function.node))


def _holds(when: Optional[When], call: cst.Call) -> bool:
    if when is None:
        return True
    value = argument(call, when.keyword, when.position)
    if value is None:
        return False
    if when.truthy:
        return literal_true(value)
    if when.mentions:
        return any(type(n) is cst.SimpleString and n.evaluated_value == when.mentions for n in walk(value))
    if when.endswith:
        return (dotted_name(value) or "").endswith(when.endswith)
    return not (type(value) is cst.Name and value.value == "None")


def _is_class_name(qualified: str) -> bool:
    """`threading.Lock` names a class (by convention); `db.get_pool` does not."""
    last = qualified.rsplit(".", 1)[-1]
    return last[:1].isupper()
