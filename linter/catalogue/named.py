"""The prefilter's second look, with Python's own parser (about a ninth of
a LibCST parse): a file that the byte test kept only because it imports a
catalogue module, but never names anything of it that acquires or types a
resource, cannot hold a finding.

The resolver finds an acquisition or a resource kind only through a
qualified name: an import of a catalogue module followed by attributes
(`sqlite3.connect`, `psycopg2.extensions.connection` in an annotation, a
string annotation too), or a name imported from it (`from socket import
create_connection`). Anything this test cannot follow (a star import, a
module bound by an import used as a plain value) counts as naming one.
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Optional

from .catalogue import Catalogue

DOTTED = re.compile(r"[A-Za-z_][\w.]*")


@lru_cache(maxsize=8)
def _catalogue_names(catalogue: Catalogue) -> tuple[frozenset[str], frozenset[str]]:
    """(the qualified names that acquire or type a resource, every dotted prefix of them)."""
    acquiring = frozenset(catalogue.functions) | frozenset(catalogue.types)
    prefixes = frozenset(name.rsplit(".", depth)[0] for name in acquiring for depth in range(1, name.count(".") + 1))
    return acquiring, prefixes


def names_an_acquisition(raw: bytes, catalogue: Catalogue) -> bool:
    """Whether the file may name a catalogue function or type (True when
    Python cannot parse it: LibCST decides then)."""
    try:
        tree = ast.parse(raw)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    acquiring, prefixes = _catalogue_names(catalogue)
    modules = _imported_modules(tree, catalogue, acquiring, prefixes)
    if modules is None:
        return True
    return bool(modules) and _uses_an_acquiring_name(tree, modules, acquiring)


def _imported_modules(tree: ast.AST, catalogue: Catalogue, acquiring: frozenset[str], prefixes: frozenset[str]) -> Optional[dict[str, str]]:
    """Local name -> catalogue module (or class path) bound by imports in any
    scope; None when an import already names an acquisition (or a star import
    may)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if type(node) is ast.Import:
            for alias in node.names:
                if alias.name.split(".", 1)[0] in catalogue.module_roots:
                    if alias.asname:
                        if alias.name in acquiring:
                            return None
                        bound[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".", 1)[0]
                        bound[root] = root
        elif type(node) is ast.ImportFrom and node.module and not node.level:
            if node.module.split(".", 1)[0] in catalogue.module_roots:
                for alias in node.names:
                    qualified = f"{node.module}.{alias.name}"
                    if alias.name == "*" or qualified in acquiring:
                        return None
                    if qualified in prefixes:
                        bound[alias.asname or alias.name] = qualified
    return bound


def _uses_an_acquiring_name(tree: ast.AST, modules: dict[str, str], acquiring: frozenset[str]) -> bool:
    attribute_heads: set[int] = set()
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Attribute:
            parts = []
            while type(node) is ast.Attribute:
                parts.append(node.attr)
                node = node.value
            if type(node) is ast.Name:
                attribute_heads.add(id(node))
                if node.id in modules and _acquires(modules[node.id], reversed(parts), acquiring):
                    return True
        elif kind is ast.Constant and type(node.value) is str and DOTTED.fullmatch(node.value):
            head, *parts = node.value.split(".")  # a string annotation: "sqlite3.Connection"
            if head in modules and _acquires(modules[head], parts, acquiring):
                return True
    # a module bound by an import and used as a plain value (`db = sqlite3`): not followed
    return any(
        type(node) is ast.Name and node.id in modules and id(node) not in attribute_heads
        for node in ast.walk(tree)
    )


def _acquires(start: str, parts, acquiring: frozenset[str]) -> bool:
    qualified = start
    for part in parts:
        qualified = f"{qualified}.{part}"
        if qualified in acquiring:
            return True
    return False
