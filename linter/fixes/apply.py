"""Apply changes to a module: each replaces original nodes of it. Only the
top-level statements that hold a replaced node are rebuilt (the others stay
the very same objects, so what changed is known without comparing text),
and the imports the changes need are added where isort and ruff put them
(`imports`)."""
from __future__ import annotations

from typing import Sequence

import libcst as cst

from .base import Change, FixContext
from .imports import add_imports
from .sections import Sections


class _Replace(cst.CSTTransformer):
    """Replaces the nodes of `replacements`, descending only into the nodes
    that hold one (`around`): the rest of the tree is kept as it is."""

    def __init__(self, replacements: dict, around: set[int]) -> None:
        super().__init__()
        self.replacements = replacements
        self.around = around

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.around

    def on_leave(self, original_node, updated_node):
        found = self.replacements.get(original_node)
        return updated_node if found is None else found


def apply_changes(fx: FixContext, changes: Sequence[Change], sections: Sections) -> cst.Module:
    """The module of `fx` with `changes` (which must not overlap) applied."""
    replacements: dict = {}
    imports: list = []
    for change in changes:
        replacements.update(change.replacements)
        imports.extend(change.imports)
    around = {id(ancestor) for node in replacements for ancestor in fx.ancestors(node)}
    touched = {id(_top_level(fx, node)) for node in replacements}
    replace = _Replace(replacements, around)
    body: list = []
    for statement in fx.module.body:
        if id(statement) not in touched:
            body.append(statement)
            continue
        new = statement.visit(replace)
        if isinstance(new, cst.FlattenSentinel):
            body.extend(new.nodes)
        elif not isinstance(new, cst.RemovalSentinel):
            body.append(new)
    module = fx.module.with_changes(body=body)
    return add_imports(module, imports, sections) if imports else module


def _top_level(fx: FixContext, node: cst.CSTNode) -> cst.CSTNode:
    """The statement of the module's body that holds `node`."""
    for ancestor in (node, *fx.ancestors(node)):
        if fx.parent(ancestor) is fx.module:
            return ancestor
    return node
