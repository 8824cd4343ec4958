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
def _catalogue_names(catalogue: Catalogue) -> tuple[frozenset[str], frozenset[str], "re.Pattern[bytes]"]:
    """(the qualified names that acquire, type a resource or are one, every dotted
    prefix of them, a pattern of their last names)."""
    # module-level objects (`django.db.connection`) count: their methods acquire
    acquiring = frozenset(catalogue.functions) | frozenset(catalogue.types) | frozenset(catalogue.objects)
    prefixes = frozenset(name.rsplit(".", depth)[0] for name in acquiring for depth in range(1, name.count(".") + 1))
    last_names = sorted({name.rsplit(".", 1)[-1] for name in acquiring})
    words = re.compile(rb"\b(?:" + b"|".join(re.escape(name.encode()) for name in last_names) + rb")\b")
    return acquiring, prefixes, words


def helpers_without_acquisition(raw: bytes, catalogue: Catalogue) -> Optional[frozenset[str]]:
    """None when the file may name a catalogue function or type (or Python
    cannot parse it: LibCST decides then); else the names of its functions
    that may release or keep a parameter, the only summaries it can export."""
    try:
        tree = ast.parse(raw)  # first: a syntax error is LibCST's to report (LKL000)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    acquiring, prefixes, last_names = _catalogue_names(catalogue)
    if last_names.search(raw) and _names_an_acquisition(tree, catalogue, acquiring, prefixes):
        return None  # without one of their last names, nothing can name them
    return frozenset(_helpers(tree, catalogue.release_methods))


def _names_an_acquisition(tree: ast.AST, catalogue: Catalogue, acquiring: frozenset[str], prefixes: frozenset[str]) -> bool:
    uses = _Uses()
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Import or kind is ast.ImportFrom:
            if uses.imported(node, catalogue, acquiring, prefixes):
                return True
        elif kind is ast.Attribute:
            if uses.attribute(node, acquiring):
                return True
        elif kind is ast.Name:
            uses.names.append(node)
        elif kind is ast.Constant and type(node.value) is str and DOTTED.fullmatch(node.value):
            uses.chains.append(node.value.split("."))  # a string annotation: "sqlite3.Connection"
    return uses.acquire(acquiring)


def _helpers(tree: ast.AST, release_methods: frozenset[str]) -> set[str]:
    """Functions with a positional parameter they store (`self.conn = conn`),
    pass to a release method (`conn.close()`, `pool.putconn(conn)`), or call
    and return (`return make()`): the analysis summarises no other
    (`leaklint.analysis`); nested scopes are included, which only adds names.
    One walk: each node is checked against the functions it is inside."""
    found = set()
    stack: list[tuple[ast.AST, tuple]] = [(tree, ())]
    while stack:
        node, enclosing = stack.pop()
        kind = type(node)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            params = {a.arg for a in node.args.posonlyargs + node.args.args}
            if params:
                enclosing = (*enclosing, (node.name, params))
        elif enclosing and kind in _HANDING_ON:
            for name, params in enclosing:
                if name not in found and _keeps_or_releases(node, params, release_methods):
                    found.add(name)
        stack.extend((child, enclosing) for child in ast.iter_child_nodes(node))
    return found


_HANDING_ON = (ast.Assign, ast.Call, ast.Return)  # what `_keeps_or_releases` can accept


def _keeps_or_releases(node: ast.AST, params: set[str], release_methods: frozenset[str]) -> bool:
    kind = type(node)
    if kind is ast.Assign:
        return _is_param(node.value, params) and any(type(t) in (ast.Attribute, ast.Subscript) for t in node.targets)
    if kind is ast.Call and type(node.func) is ast.Attribute and node.func.attr in release_methods:
        values = [node.func.value, *node.args, *(k.value for k in node.keywords)]
        return any(_is_param(v.value if type(v) is ast.Starred else v, params) for v in values)
    if kind is ast.Return and node.value is not None:  # `return make()`: what a callable parameter gives
        value = node.value.value if type(node.value) is ast.Await else node.value
        return type(value) is ast.Call and _is_param(value.func, params)
    return False


def _is_param(node: ast.AST, params: set[str]) -> bool:
    return type(node) is ast.Name and node.id in params


class _Uses:
    """What one walk of the tree found: the catalogue modules (or classes)
    imports bind to local names, the dotted chains and the plain names."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}
        self.chains: list[list[str]] = []
        self.names: list[ast.Name] = []
        self.heads: set[int] = set()  # the names that start a chain

    def imported(self, node, catalogue: Catalogue, acquiring: frozenset[str], prefixes: frozenset[str]) -> bool:
        """Records what the import binds; True when it names an acquisition
        itself (or a star import may)."""
        if type(node) is ast.Import:
            for alias in node.names:
                root = alias.name.split(".", 1)[0]
                if root in catalogue.module_roots:
                    if alias.asname and alias.name in acquiring:
                        return True
                    self.modules[alias.asname or root] = alias.name if alias.asname else root
            return False
        if not node.module or node.level or node.module.split(".", 1)[0] not in catalogue.module_roots:
            return False
        for alias in node.names:
            qualified = f"{node.module}.{alias.name}"
            if alias.name == "*" or qualified in acquiring:
                return True
            if qualified in prefixes:
                self.modules[alias.asname or alias.name] = qualified
        return False

    def attribute(self, node: ast.Attribute, acquiring: frozenset[str]) -> bool:
        """Records the chain; True when it names an acquisition through an
        import seen already (the walk meets module-level imports first)."""
        parts = []
        while type(node) is ast.Attribute:
            parts.append(node.attr)
            node = node.value
        if type(node) is not ast.Name:
            return False
        self.heads.add(id(node))
        parts.append(node.id)
        parts.reverse()
        self.chains.append(parts)
        return self._acquires(parts, acquiring)

    def acquire(self, acquiring: frozenset[str]) -> bool:
        """After the walk: a chain through an import met later (in a function),
        or a module bound by an import and used as a plain value (`db =
        sqlite3`), which is not followed."""
        if any(self._acquires(chain, acquiring) for chain in self.chains):
            return True
        return any(node.id in self.modules and id(node) not in self.heads for node in self.names)

    def _acquires(self, chain: list[str], acquiring: frozenset[str]) -> bool:
        head, *parts = chain
        qualified = self.modules.get(head)
        if qualified is None:
            return False
        for part in parts:
            qualified = f"{qualified}.{part}"
            if qualified in acquiring:
                return True
        return False
