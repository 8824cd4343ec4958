"""What one module binds, read from its statements alone: imports (relative
ones made absolute, the alternatives of a `try: import ... except
ImportError: import ...`), assignments, annotations, the functions and
classes it defines, each class's bases and the attributes its methods set
on `self`.

This replaces LibCST's scope and qualified-name providers, which cost ten
times the parse.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import libcst as cst

from .syntax import decorator_names, dotted_name, statements

DATACLASS_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass", "attr.s", "attr.attrs", "attrs.define", "attr.define", "attrs.frozen", "attr.frozen"})


@dataclass
class ClassInfo:
    node: cst.ClassDef
    attributes: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)
    qualname: str = ""  # within the module: "Outer.Inner"
    methods: dict[str, "FunctionInfo"] = field(default_factory=dict)
    setters: dict[cst.BaseExpression, "FunctionInfo"] = field(default_factory=dict)  # `self.x = value`: the method it is in

    @property
    def bases(self) -> list[cst.BaseExpression]:
        return [arg.value for arg in self.node.bases if arg.keyword is None]

    @property
    def is_dataclass(self) -> bool:
        """Its generated constructor stores every argument on the instance."""
        return any(name in DATACLASS_DECORATORS for name in decorator_names(self.node))


@dataclass
class FunctionInfo:
    node: cst.FunctionDef
    qualname: str  # within the module: "Class.method", "outer.inner"
    cls: Optional[ClassInfo]
    parent: Optional["FunctionInfo"]

    @property
    def binding(self) -> str:
        """How a method is bound: "instance", "class", "static"; "" for a function."""
        if self.cls is None:
            return ""
        names = decorator_names(self.node)
        if "staticmethod" in names:
            return "static"
        return "class" if "classmethod" in names else "instance"


@dataclass
class Bindings:
    """Names bound in one scope (a module or a function body)."""

    imports: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # imported in `try` and its handler, preferred first
    definitions: set[str] = field(default_factory=set)  # functions and classes defined in this scope
    entered: dict[cst.BaseExpression, bool] = field(default_factory=dict)  # `with item as name`: item -> async

    def add_value(self, name: str, value: cst.BaseExpression) -> None:
        self.values.setdefault(name, []).append(value)

    def import_targets(self, name: str) -> tuple[str, ...]:
        """What an imported name may be, preferred first (one name, usually)."""
        found = self.alternatives.get(name)
        if found is not None:
            return found
        target = self.imports.get(name)
        return (target,) if target is not None else ()


def scope_statements(body: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Every statement of a scope, without entering nested functions or classes."""
    return statements(body)


BINDING_STATEMENTS = frozenset(
    {cst.Import, cst.ImportFrom, cst.Assign, cst.AnnAssign, cst.Global, cst.Nonlocal, cst.With, cst.FunctionDef, cst.ClassDef, cst.Try}
)


def collect_bindings(body: cst.CSTNode, bindings: Bindings, package: str = "") -> None:
    """The names `body` binds; `package` makes relative imports absolute."""
    for node in scope_statements(body):
        kind = type(node)  # concrete types: `isinstance` on LibCST's ABCs costs a Python call
        if kind not in BINDING_STATEMENTS:
            continue
        if kind is cst.Import or kind is cst.ImportFrom:
            bindings.imports.update(imported_names(node, package))
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
        elif kind is cst.With:
            for item in node.items:
                if item.asname is not None and type(item.asname.name) is cst.Name:
                    bindings.add_value(item.asname.name.value, item.item)
                    bindings.entered[item.item] = node.asynchronous is not None
        elif kind is cst.FunctionDef or kind is cst.ClassDef:
            bindings.definitions.add(node.name.value)
        else:
            _collect_alternatives(node, bindings, package)
    for name, found in bindings.alternatives.items():
        bindings.imports[name] = found[0]  # statements() visits handlers before the body


def imported_names(node: cst.CSTNode, package: str) -> Iterator[tuple[str, str]]:
    """(local name, absolute qualified name) of each name an import binds."""
    if type(node) is cst.Import:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and type(alias.asname.name) is cst.Name:
                yield alias.asname.name.value, full
            else:
                root = full.split(".", 1)[0]
                yield root, root
    elif type(node) is cst.ImportFrom and type(node.names) is not cst.ImportStar:
        module = dotted_name(node.module) if node.module is not None else ""
        if node.relative:
            module = absolute_module(len(node.relative), module or "", package)
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname is not None and type(alias.asname.name) is cst.Name else name
            yield local, f"{module}.{name}" if module else name


def absolute_module(level: int, module: str, package: str) -> str:
    """`from ..db import x` in package "app.sub": "app.db"."""
    parts = package.split(".") if package else []
    base = parts[: max(len(parts) - (level - 1), 0)]
    return ".".join(base + ([module] if module else []))


def _collect_alternatives(node: cst.Try, bindings: Bindings, package: str) -> None:
    """`try: import pysqlite3 as sqlite3` / `except ImportError: import sqlite3`:
    the name is one of these, the `try` body's preferred."""
    preferred = dict(_imports_directly_in(node.body, package))
    if not preferred:
        return
    found: dict[str, list[str]] = {name: [target] for name, target in preferred.items()}
    for handler in node.handlers:
        for name, target in _imports_directly_in(handler.body, package):
            if name in found and target not in found[name]:
                found[name].append(target)
    for name, targets in found.items():
        if len(targets) > 1:
            bindings.alternatives[name] = tuple(targets)


def _imports_directly_in(suite: cst.BaseSuite, package: str) -> Iterator[tuple[str, str]]:
    lines = suite.body if type(suite) is cst.IndentedBlock else [suite]
    for line in lines:
        if type(line) in (cst.SimpleStatementLine, cst.SimpleStatementSuite):
            for small in line.body:
                yield from imported_names(small, package)


class ModuleIndex:
    """Imports, module-level names, classes and functions of one module."""

    def __init__(self, module: cst.Module, module_name: str = "", *, is_package: bool = False) -> None:
        self.module = module
        self.module_name = module_name
        self.is_package = is_package
        # what `from . import x` is relative to: the package itself for an `__init__`
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.bindings = Bindings()
        self.functions: list[FunctionInfo] = []
        self.classes: dict[cst.ClassDef, ClassInfo] = {}
        self.classes_by_name: dict[str, ClassInfo] = {}  # by qualname within the module
        collect_bindings(module, self.bindings, self.package)
        self._function_bindings: dict[cst.FunctionDef, Bindings] = {}
        self.resolution_state: dict = {}  # kept here for `leaklint.resolve`, per set of summaries
        self._collect_scopes(module, None, None, "")

    def qualify(self, name_in_module: str) -> str:
        """The absolute name of something this module defines."""
        return f"{self.module_name}.{name_in_module}" if self.module_name else name_in_module

    def bindings_of(self, function: FunctionInfo) -> Bindings:
        found = self._function_bindings.get(function.node)
        if found is None:
            found = self._function_bindings[function.node] = Bindings()
            collect_bindings(function.node.body, found, self.package)
        return found

    def _collect_scopes(
        self,
        body: cst.CSTNode,
        cls: Optional[ClassInfo],
        parent: Optional[FunctionInfo],
        prefix: str,
    ) -> None:
        for node in statements(body):
            if type(node) is cst.ClassDef:
                info = ClassInfo(node, qualname=f"{prefix}{node.name.value}")
                self.classes[node] = info
                self.classes_by_name[info.qualname] = info
                self._collect_class_annotations(info)
                self._collect_scopes(node.body, info, parent, f"{prefix}{node.name.value}.")
            elif type(node) is cst.FunctionDef:
                func = FunctionInfo(node, f"{prefix}{node.name.value}", cls, parent)
                self.functions.append(func)
                if cls is not None and parent is None:
                    cls.methods.setdefault(node.name.value, func)
                    self._collect_self_attributes(func, cls)
                self._collect_scopes(node.body, None, func, f"{func.qualname}.")

    @staticmethod
    def _collect_class_annotations(info: ClassInfo) -> None:
        for stmt in info.node.body.body:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
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
            if type(node) is cst.Assign:
                targets = [t.target for t in node.targets]
                value = node.value
            elif type(node) is cst.AnnAssign:
                targets = [node.target]
                value = node.value
                if is_self_attribute(node.target, self_name):
                    cls.annotations.setdefault(node.target.attr.value, node.annotation.annotation)
            for target in targets:
                if value is not None and is_self_attribute(target, self_name):
                    cls.attributes.setdefault(target.attr.value, []).append(value)
                    cls.setters[value] = func


def is_self_attribute(expr: cst.BaseExpression, self_name: str) -> bool:
    return type(expr) is cst.Attribute and type(expr.value) is cst.Name and expr.value.value == self_name
