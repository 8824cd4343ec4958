"""Which calls acquire what: imports, assignments, annotations, class
attributes, project summaries and, last, the catalogue's name heuristics.

This replaces LibCST's scope and qualified-name providers, which cost ten
times the parse, with a small index built from the statements alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

import libcst as cst

from .catalogue import ENTERING_METHODS, PASS_THROUGH_CALLS, Acquire, Catalogue, Kind, When
from .summaries import Summaries
from .syntax import argument, dotted_name, last_name, literal_true, statements, walk

OTHER = "<other>"  # resolves, but to something outside the catalogue


@dataclass
class ClassInfo:
    node: cst.ClassDef
    attributes: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)


@dataclass
class FunctionInfo:
    node: cst.FunctionDef
    qualname: str  # within the module: "Class.method", "outer.inner"
    cls: Optional[ClassInfo]
    parent: Optional["FunctionInfo"]


@dataclass
class Bindings:
    """Names bound in one scope (a module or a function body)."""

    imports: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)

    def add_value(self, name: str, value: cst.BaseExpression) -> None:
        self.values.setdefault(name, []).append(value)


def scope_statements(body: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Every statement of a scope, without entering nested functions or classes."""
    return statements(body)


BINDING_STATEMENTS = frozenset({cst.Import, cst.ImportFrom, cst.Assign, cst.AnnAssign, cst.Global, cst.Nonlocal, cst.WithItem})


def collect_bindings(body: cst.CSTNode, bindings: Bindings) -> None:
    for node in scope_statements(body):
        kind = type(node)  # concrete types: `isinstance` on LibCST's ABCs costs a Python call
        if kind not in BINDING_STATEMENTS:
            continue
        if kind is cst.Import:
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None:
                    bindings.imports[alias.asname.name.value] = full
                else:
                    root = full.split(".", 1)[0]
                    bindings.imports[root] = root
        elif kind is cst.ImportFrom:
            if type(node.names) is cst.ImportStar:
                continue
            if node.relative:
                dots = "." * len(node.relative)
                base = dots + (dotted_name(node.module) + "." if node.module is not None else "")
                for alias in node.names:
                    local = alias.asname.name.value if alias.asname else alias.name.value
                    bindings.imports[local] = f"{base}{dotted_name(alias.name)}"
                continue
            module = dotted_name(node.module) or ""
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                local = alias.asname.name.value if alias.asname else name
                bindings.imports[local] = f"{module}.{name}"
        elif kind is cst.Assign:
            for target in node.targets:
                if type(target.target) is cst.Name:
                    bindings.add_value(target.target.value, node.value)
        elif kind is cst.AnnAssign:
            if type(node.target) is cst.Name:
                bindings.annotations[node.target.value] = node.annotation.annotation
                if node.value is not None:
                    bindings.add_value(node.target.value, node.value)
        elif kind is cst.Global or kind is cst.Nonlocal:
            for item in node.names:
                bindings.declared_global.add(item.name.value)
        elif kind is cst.WithItem:
            if node.asname is not None and type(node.asname.name) is cst.Name:
                bindings.add_value(node.asname.name.value, node.item)


class ModuleIndex:
    """Imports, module-level names, classes and functions of one module."""

    def __init__(self, module: cst.Module, module_name: str = "") -> None:
        self.module = module
        self.module_name = module_name
        self.bindings = Bindings()
        self.functions: list[FunctionInfo] = []
        self.classes: dict[cst.ClassDef, ClassInfo] = {}
        collect_bindings(module, self.bindings)
        self._function_bindings: dict[cst.FunctionDef, Bindings] = {}
        self._collect_scopes(module, None, None, "")

    def bindings_of(self, function: FunctionInfo) -> Bindings:
        found = self._function_bindings.get(function.node)
        if found is None:
            found = self._function_bindings[function.node] = Bindings()
            collect_bindings(function.node.body, found)
        return found

    def _collect_scopes(
        self,
        body: cst.CSTNode,
        cls: Optional[ClassInfo],
        parent: Optional[FunctionInfo],
        prefix: str,
    ) -> None:
        for node in statements(body):
            if isinstance(node, cst.ClassDef):
                info = ClassInfo(node)
                self.classes[node] = info
                self._collect_class_annotations(info)
                self._collect_scopes(node.body, info, parent, f"{prefix}{node.name.value}.")
            elif isinstance(node, cst.FunctionDef):
                func = FunctionInfo(node, f"{prefix}{node.name.value}", cls, parent)
                self.functions.append(func)
                if cls is not None and parent is None:
                    self._collect_self_attributes(func, cls)
                self._collect_scopes(node.body, None, func, f"{func.qualname}.")

    @staticmethod
    def _collect_class_annotations(info: ClassInfo) -> None:
        for stmt in info.node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        info.annotations[small.target.value] = small.annotation.annotation

    @staticmethod
    def _collect_self_attributes(func: FunctionInfo, cls: ClassInfo) -> None:
        params = func.node.params.params
        if not params:
            return
        self_name = params[0].name.value
        for node in statements(func.node.body):
            targets: list[cst.BaseExpression] = []
            value = None
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
                value = node.value
            elif isinstance(node, cst.AnnAssign):
                targets = [node.target]
                value = node.value
                if _is_self_attribute(node.target, self_name):
                    cls.annotations.setdefault(node.target.attr.value, node.annotation.annotation)
            for target in targets:
                if value is not None and _is_self_attribute(target, self_name):
                    cls.attributes.setdefault(target.attr.value, []).append(value)


def _is_self_attribute(expr: cst.BaseExpression, self_name: str) -> bool:
    return isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == self_name


class Resolver:
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
        if function is not None:
            all_params = list(function.node.params.posonly_params) + list(function.node.params.params)
            all_params += list(function.node.params.kwonly_params)
            for param in all_params:
                self.params[param.name.value] = param.annotation.annotation if param.annotation else None
            if function.cls is not None and all_params:
                self.self_name = all_params[0].name.value
        self._types: dict[str, Optional[str]] = {}
        self._resolving: set[str] = set()

    # -- qualified names -------------------------------------------------

    def qualified(self, expr: cst.BaseExpression) -> Optional[str]:
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self._import_target(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def _import_target(self, name: str) -> Optional[str]:
        if name in self.local.imports:
            return self.local.imports[name]
        if name in self.params:
            return None
        if name in self.local.values:
            values = self.local.values[name]
            if len(values) == 1 and isinstance(values[0], (cst.Name, cst.Attribute)) and name not in self._resolving:
                self._resolving.add(name)  # `opener = sqlite3.connect`; guards `a = b; b = a`
                try:
                    return self.qualified(values[0])
                finally:
                    self._resolving.discard(name)
            return None
        scope = self.function.parent if self.function else None
        while scope is not None:
            bindings = self.index.bindings_of(scope)
            if name in bindings.imports:
                return bindings.imports[name]
            scope = scope.parent
        if name in self.index.bindings.imports:
            return self.index.bindings.imports[name]
        values = self.index.bindings.values.get(name)
        if values and len(values) == 1:  # `connect = sqlite3.connect`
            value = values[0]
            if isinstance(value, (cst.Name, cst.Attribute)) and dotted_name(value) != name:
                outer = self._module_resolver()
                if name in outer._resolving:
                    return None  # `connect = connect`
                outer._resolving.add(name)
                try:
                    return outer.qualified(value)
                finally:
                    outer._resolving.discard(name)
        return None

    # -- calls -------------------------------------------------------------

    def acquire_of(self, call: cst.Call) -> Optional[Acquire]:
        """The catalogue entry for a call, if it acquires something."""
        func = call.func
        qualified = self.qualified(func)
        if qualified is not None:
            found = self.catalogue.function(qualified)
            if found is not None:
                return found if _holds(found.when, call) else None
            summary = self.summaries.acquire_of(qualified, self.index.module_name)
            if summary is not None:
                return summary
            if self.catalogue.is_catalogue_module(qualified) and not self._on_catalogue_object(func):
                return None  # a catalogue library's call that acquires nothing
        if isinstance(func, cst.Attribute):
            receiver = func.value
            receiver_kind = self.kind_of(receiver)
            if receiver_kind == OTHER:
                return self._method_summary(receiver, func.attr.value)
            if receiver_kind is not None:
                kind = self.catalogue.kind(receiver_kind)
                for candidate in kind.methods.get(func.attr.value, ()):
                    if _holds(candidate.when, call):
                        return candidate
                return None
            summary = self._method_summary(receiver, func.attr.value)
            if summary is not None:
                return summary
            rule = self.catalogue.heuristic(func.attr.value, last_name(receiver))
            return rule.acquire if rule is not None else None
        if isinstance(func, cst.Name):
            local_summary = self.summaries.acquire_of(func.value, self.index.module_name)
            if local_summary is not None and func.value not in self.local.values:
                return local_summary
            kind_name = self.kind_of(func)
            if kind_name not in (None, OTHER):
                return self.catalogue.kind(kind_name).call
        return None

    def _on_catalogue_object(self, func: cst.BaseExpression) -> bool:
        """`connection.cursor`: a method of an object the library made at import
        (or of one such an object holds)."""
        return isinstance(func, cst.Attribute) and self.kind_of(func.value) not in (None, OTHER)

    def _method_summary(self, receiver: cst.BaseExpression, method: str) -> Optional[Acquire]:
        if self.self_name and isinstance(receiver, cst.Name) and receiver.value == self.self_name and self.function and self.function.cls:
            return self.summaries.acquire_of(f"{self.function.cls.node.name.value}.{method}", self.index.module_name)
        return None

    def releases_argument(self, call: cst.Call) -> Optional[set[int]]:
        """Argument positions a project function releases (its summary)."""
        qualified = self.qualified(call.func)
        if qualified is not None:
            return self.summaries.released_params(qualified, self.index.module_name)
        func = call.func
        if isinstance(func, cst.Name):
            return self.summaries.released_params(func.value, self.index.module_name)
        if (
            isinstance(func, cst.Attribute)
            and self.self_name
            and isinstance(func.value, cst.Name)
            and func.value.value == self.self_name
            and self.function
            and self.function.cls
        ):
            found = self.summaries.released_params(f"{self.function.cls.node.name.value}.{func.attr.value}", self.index.module_name)
            if found:
                return {i - 1 for i in found if i > 0}  # `self` is not passed explicitly
        return None

    def keeps_argument(self, call: cst.Call) -> set[int]:
        """Of `releases_argument`, the positions the function stores (keeps)."""
        return self._argument_positions(call, self.summaries.kept_params) or set()

    def _argument_positions(self, call: cst.Call, lookup) -> Optional[set[int]]:
        qualified = self.qualified(call.func)
        if qualified is not None:
            return lookup(qualified, self.index.module_name)
        func = call.func
        if isinstance(func, cst.Name):
            return lookup(func.value, self.index.module_name)
        if (
            isinstance(func, cst.Attribute)
            and self.self_name
            and isinstance(func.value, cst.Name)
            and func.value.value == self.self_name
            and self.function
            and self.function.cls
        ):
            found = lookup(f"{self.function.cls.node.name.value}.{func.attr.value}", self.index.module_name)
            if found:
                return {i - 1 for i in found if i > 0}  # `self` is not passed explicitly
        return None

    # -- types ---------------------------------------------------------------

    def kind_of(self, expr: cst.BaseExpression) -> Optional[str]:
        """A catalogue kind name, OTHER, or None when nothing resolves."""
        if isinstance(expr, cst.Await):
            return self.kind_of(expr.expression)
        if isinstance(expr, cst.Call):
            qualified_wrapper = self.qualified(expr.func)
            if qualified_wrapper in PASS_THROUGH_CALLS and expr.args:
                return self.kind_of(expr.args[0].value)
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ENTERING_METHODS and expr.args:
                return self.kind_of(expr.args[0].value)
            acquire = self.acquire_of(expr)
            if acquire is not None:
                return acquire.kind
            qualified = self.qualified(expr.func)
            if qualified is not None and _is_class_name(qualified):
                return OTHER  # an instance of a class outside the catalogue
            return None
        if isinstance(expr, cst.Name):
            return self._kind_of_name(expr.value)
        if isinstance(expr, cst.Attribute):
            if self.self_name and isinstance(expr.value, cst.Name) and expr.value.value == self.self_name and self.function and self.function.cls:
                return self._kind_of_attribute(self.function.cls, expr.attr.value)
            held = self.catalogue.object_kind(self.qualified(expr))  # `django.db.connection`
            if held is not None:
                return held
            owner = self.kind(self.kind_of(expr.value))  # `client.connection_pool`
            return owner.attributes.get(expr.attr.value) if owner is not None else None
        if isinstance(expr, cst.Subscript):
            owner = self.kind(self.kind_of(expr.value))  # `connections[alias]`
            return owner.items if owner is not None else None
        return None

    def _kind_of_name(self, name: str) -> Optional[str]:
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

    def _resolve_name(self, name: str) -> Optional[str]:
        if name in self.local.imports:
            return self.catalogue.object_kind(self.local.imports[name])
        for values in (self.local.values.get(name),):
            found = self._kind_of_values(values or [])
            if found is not None:
                return found
        if name in self.local.annotations:
            return self.kind_of_annotation(self.local.annotations[name])
        if name in self.params:
            annotation = self.params[name]
            return self.kind_of_annotation(annotation) if annotation is not None else None
        if name in self.index.bindings.imports:
            # what an imported name holds is not known here, unless the library made it at import
            return self.catalogue.object_kind(self.index.bindings.imports[name])
        outer = self._module_resolver()
        if outer is not self:
            found = outer._kind_of_name(name)  # one resolver, one recursion guard: `x = x`
            if found is not None:
                return found
            return None
        found = self._kind_of_values(self.index.bindings.values.get(name, []))
        if found is not None:
            return found
        if name in self.index.bindings.annotations:
            return self.kind_of_annotation(self.index.bindings.annotations[name])
        return None

    def _kind_of_values(self, values: list[cst.BaseExpression]) -> Optional[str]:
        kinds = set()
        for value in values:
            if isinstance(value, cst.Name) and value.value == "None":
                continue
            kinds.add(self.kind_of(value))
        catalogue_kinds = {k for k in kinds if k not in (None, OTHER)}
        if len(catalogue_kinds) == 1:
            return catalogue_kinds.pop()
        if kinds == {OTHER}:
            return OTHER
        return None

    def _module_resolver(self) -> "Resolver":
        """The module scope's resolver, shared so that its recursion guard holds."""
        if self.function is None and self.local is self.index.bindings:
            return self
        found = getattr(self.index, "_module_resolver", None)
        if found is None or found.summaries is not self.summaries:
            found = Resolver(self.catalogue, self.index, self.summaries, None, self.index.bindings)
            self.index._module_resolver = found
        return found

    def _kind_of_attribute(self, cls: ClassInfo, attribute: str) -> Optional[str]:
        key = f"self.{attribute}"
        if key in self._resolving:
            return None  # `self.conn = self.conn`
        self._resolving.add(key)
        try:
            found = self._kind_of_values(cls.attributes.get(attribute, []))
            if found is None and attribute in cls.annotations:
                found = self.kind_of_annotation(cls.annotations[attribute])
            return found
        finally:
            self._resolving.discard(key)

    def kind_of_annotation(self, annotation: cst.BaseExpression) -> Optional[str]:
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            left = self.kind_of_annotation(annotation.left)
            return left if left not in (None, OTHER) else self.kind_of_annotation(annotation.right)
        if isinstance(annotation, cst.Subscript):
            qualified = self.qualified(annotation.value) or ""
            if qualified.endswith("Optional") and annotation.slice:
                inner = annotation.slice[0].slice
                if isinstance(inner, cst.Index):
                    return self.kind_of_annotation(inner.value)
            return OTHER
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            if isinstance(text, str) and text.replace(".", "").replace("_", "").isalnum():
                try:
                    return self.kind_of_annotation(cst.parse_expression(text))
                except cst.ParserSyntaxError:
                    return None
            return None
        qualified = self.qualified(annotation)
        if qualified is None:
            return None
        return self.catalogue.kind_for_type(qualified) or OTHER

    def kind(self, name: Optional[str]) -> Optional[Kind]:
        if name is None or name == OTHER:
            return None
        return self.catalogue.kind(name)


def _holds(when: Optional[When], call: cst.Call) -> bool:
    if when is None:
        return True
    value = argument(call, when.keyword, when.position)
    if value is None:
        return False
    if when.truthy:
        return literal_true(value)
    if when.mentions:
        return any(isinstance(n, cst.SimpleString) and n.evaluated_value == when.mentions for n in walk(value))
    if when.endswith:
        return (dotted_name(value) or "").endswith(when.endswith)
    return not (isinstance(value, cst.Name) and value.value == "None")


def _is_class_name(qualified: str) -> bool:
    """`threading.Lock` names a class (by convention); `db.get_pool` does not."""
    last = qualified.rsplit(".", 1)[-1]
    return last[:1].isupper()
