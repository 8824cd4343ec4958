"""What every fix shape shares: the change a shape proposes, the reason it
gives when it cannot fix, and the syntax helpers (parents, blocks, names,
release statements) the shapes build on.

A shape never edits text. It returns a `Change`: replacements keyed by the
original nodes of the module the findings point into, plus the imports it
needs; the fixer applies non-overlapping changes in one transformer and adds
the imports where isort and ruff put them (`apply`, `imports`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Union

import libcst as cst

from leaklint.catalogue import Acquire, Kind
from leaklint.releasers import release_function, spell
from leaklint.rulebase import FileContext, Finding
from leaklint.syntax import children, dotted_name, walk

Replacement = Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]

LOOPS = (cst.For, cst.While)
SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class Unfixable(Exception):
    """Raised by a shape that cannot fix a finding; the message says why."""

    @property
    def reason(self) -> str:
        return str(self.args[0]) if self.args else "no fix is known for this shape"


@dataclass
class Change:
    """One fix: which original nodes it replaces, and with what."""

    findings: list[Finding]
    replacements: dict[cst.CSTNode, Replacement]
    safe: bool
    description: str  # what the fix does, for the reports: "release `conn` in a `finally`: `conn.close()`"
    imports: tuple[tuple[str, Optional[str]], ...] = ()  # (module, name) to import; name None: `import module`
    unsafe_reason: str = ""

    @property
    def footprint(self) -> tuple[cst.CSTNode, ...]:
        """The original nodes this change rebuilds: two changes overlap when a
        node of one is inside (or is) a node of the other."""
        return tuple(self.replacements)


# -- the tree around a node -----------------------------------------------------------


class FixContext:
    """One pass over one module: the findings' module plus a parent map."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.module = context.module
        self._parents: Optional[dict[cst.CSTNode, cst.CSTNode]] = None
        self._module_names: Optional[set[str]] = None
        self._defined: Optional[set[str]] = None

    @property
    def parents(self) -> dict[cst.CSTNode, cst.CSTNode]:
        if self._parents is None:
            parents: dict[cst.CSTNode, cst.CSTNode] = {}
            stack: list[cst.CSTNode] = [self.module]
            while stack:
                node = stack.pop()
                for kid in children(node):
                    parents[kid] = node
                    stack.append(kid)
            self._parents = parents
        return self._parents

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def is_inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.ancestors(node))

    def line(self, node: cst.CSTNode) -> int:
        return self.context.positions.line(node)

    def start(self, node: cst.CSTNode) -> tuple[int, int]:
        line, column, _, _ = self.context.positions.span(node)
        return line, column

    def end(self, node: cst.CSTNode) -> tuple[int, int]:
        _, _, line, column = self.context.positions.span(node)
        return line, column

    def code(self, node: cst.CSTNode, limit: int = 60) -> str:
        return self.context.code(node, limit)

    def resolver(self, function: Optional[cst.FunctionDef]):
        return self.context.facts.resolvers.get(function)

    # -- statements and blocks ----------------------------------------------------

    def small_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The small or compound statement that contains `node`."""
        current: Optional[cst.CSTNode] = node
        while current is not None and not isinstance(current, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            current = self.parent(current)
        return current

    def statement_line(self, statement: cst.CSTNode) -> cst.CSTNode:
        """The line-level statement: a SimpleStatementLine for a small statement
        (or the SimpleStatementSuite it sits in), the statement itself otherwise."""
        if isinstance(statement, cst.BaseSmallStatement):
            parent = self.parent(statement)
            if parent is not None:
                return parent
        return statement

    def block_of(self, line: cst.CSTNode) -> tuple[Union[cst.IndentedBlock, cst.Module], list[cst.CSTNode], int]:
        """(the block, its statements, the index of `line` in them)."""
        owner = self.parent(line)
        if not isinstance(owner, (cst.IndentedBlock, cst.Module)):
            raise Unfixable("the statement shares its line with an `if`/`for`/`with` header; put it on its own line")
        body = list(owner.body)
        for index, item in enumerate(body):
            if item is line:
                return owner, body, index
        raise Unfixable("the statement is not part of a block")

    def enclosing_function(self, node: cst.CSTNode) -> Optional[Union[cst.FunctionDef, cst.Lambda]]:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return ancestor
        return None

    # -- names ------------------------------------------------------------------------

    def module_names(self) -> set[str]:
        if self._module_names is None:
            self._module_names = {n.value for n, _ in names_in(self.module)}
        return self._module_names

    def _defined_names(self) -> set[str]:
        if self._defined is None:
            self._defined = {
                node.name.value
                for node in walk(self.module, into_scopes=True)
                if isinstance(node, (cst.FunctionDef, cst.ClassDef))
            }
        return self._defined

    def name_taken(self, name: str) -> bool:
        """The module uses `name` already (a variable, function or class)."""
        return name in self.module_names() or name in self._defined_names()

    def fresh_name(self, base: str, scope: cst.CSTNode) -> str:
        taken = {n.value for n, _ in names_in(scope)} | self.module_names()
        if base not in taken:
            return base
        number = 1
        while f"{base}_{number}" in taken:
            number += 1
        return f"{base}_{number}"

    def closing(self, asynchronous: bool = False) -> tuple[cst.BaseExpression, tuple[tuple[str, Optional[str]], ...]]:
        """`closing` (imported from contextlib) or `contextlib.closing` where
        the bare name is taken by something else."""
        name = "aclosing" if asynchronous else "closing"
        bindings = self.context.facts.index.bindings
        bound = bindings.imports.get(name)
        if bound == f"contextlib.{name}":
            return cst.Name(name), ()
        if bound is None and not self.name_taken(name):
            return cst.Name(name), (("contextlib", name),)
        return cst.Attribute(cst.Name("contextlib"), cst.Name(name)), (("contextlib", None),)


def names_in(node: cst.CSTNode) -> Iterator[tuple[cst.Name, Optional[cst.CSTNode]]]:
    """Every Name used as a variable under `node` (not attribute names or
    keywords), with the nested function, lambda or class it sits in (None
    when it is in `node`'s own scope)."""
    stack: list[tuple[cst.CSTNode, Optional[cst.CSTNode]]] = [(node, None)]
    while stack:
        current, scope = stack.pop()
        if isinstance(current, cst.Name):
            yield current, scope
            continue
        if isinstance(current, cst.Attribute):
            stack.append((current.value, scope))
            continue
        if isinstance(current, cst.Arg):
            stack.append((current.value, scope))
            continue
        if isinstance(current, (cst.Import, cst.ImportFrom)):
            continue
        inner = scope
        if current is not node and isinstance(current, SCOPES):
            inner = current
        for kid in children(current):
            if isinstance(current, (cst.FunctionDef, cst.ClassDef)) and kid is current.name:
                continue
            stack.append((kid, inner))


def uses(node: cst.CSTNode, names: set[str]) -> bool:
    return any(n.value in names for n, _ in names_in(node))


def bound_names(node: cst.CSTNode) -> Iterator[tuple[cst.Name, cst.CSTNode]]:
    """(name, binding node) for every name bound under `node` in its own scope:
    assignment targets, `for` targets, `with ... as`, `except ... as`, walrus, `del`."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if current is not node and isinstance(current, SCOPES):
            continue
        targets: list[cst.CSTNode] = []
        if isinstance(current, cst.AssignTarget):
            targets.append(current.target)
        elif isinstance(current, (cst.AnnAssign, cst.AugAssign)):
            targets.append(current.target)
        elif isinstance(current, (cst.For, cst.CompFor)):
            targets.append(current.target)
        elif isinstance(current, cst.AsName):
            targets.append(current.name)
        elif isinstance(current, cst.NamedExpr):
            targets.append(current.target)
        elif isinstance(current, cst.Del):
            targets.append(current.target)
        for target in targets:
            for name in _target_names(target):
                yield name, current
        stack.extend(children(current))


def _target_names(target: cst.CSTNode) -> Iterator[cst.Name]:
    """The names a target binds: `a`, `a, *b`; not `a` in `a.x = ...` or `a[i] = ...`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def rebinds(statement: cst.CSTNode, var: str) -> bool:
    """`statement` is a plain `var = ...` at its own level."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == var for t in small.targets):
            return True
        if isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name) and small.target.value == var:
            return True
    return False


def stable_receiver(call: cst.Call) -> Optional[cst.BaseExpression]:
    """The pool of `pool.getconn()` when it is a plain (dotted) name that
    means the same thing later in the function."""
    func = call.func
    if isinstance(func, cst.Attribute) and dotted_name(func.value) is not None:
        return func.value
    return None


# -- releases ----------------------------------------------------------------------------


def canonical_release(
    fx: FixContext, function: Optional[cst.FunctionDef], call: cst.Call, acquire: Acquire, kind: Kind, var: str, awaited: bool, is_async: bool
) -> tuple[cst.SimpleStatementLine, tuple[tuple[str, Optional[str]], ...]]:
    """`pool.putconn(conn)`, `await pool.release(conn)`, `conn.close()`, or the
    project's own `give_back(conn)` (`leaklint.releasers`): the release for
    what `call` acquired into `var`, with the imports it needs."""
    resolver = fx.resolver(function)
    helper = release_function(resolver, call, acquire, kind) if resolver is not None else None
    if helper is not None:
        release_call = spell(resolver, helper, fx.name_taken)
        if release_call.awaited and not is_async:
            raise Unfixable(f"its release `{release_call.callee}()` must be awaited, and this is not an `async def`")
        return cst.SimpleStatementLine([cst.Expr(cst.parse_expression(release_call.text(acquire.released_through(var))))]), release_call.imports
    if acquire.returned_by:
        release = acquire.returned_by[0]
        receiver = stable_receiver(call)
        if receiver is None:
            raise Unfixable(
                f"the pool in `{_code(call.func)}` is not a plain name, so the fix cannot call `{release.method}()` on it later"
            )
        expr: cst.BaseExpression = cst.Call(cst.Attribute(receiver.deep_clone(), cst.Name(release.method)), args=[cst.Arg(holder(acquire, var))])
    elif kind.releases:
        release = kind.releases[0]
        expr = cst.Call(cst.Attribute(holder(acquire, var), cst.Name(release.method)))
    else:
        raise Unfixable(f"leaklint knows no call that releases the {kind.label}")
    if release.must_be_awaited(acquire_awaited=awaited):
        if not is_async:
            raise Unfixable(f"its release `{release.method}()` must be awaited, and this is not an `async def`")
        expr = cst.Await(expr)
    return cst.SimpleStatementLine([cst.Expr(expr)]), ()


def holder(acquire: Acquire, var: str) -> cst.BaseExpression:
    """What a release takes: `conn`, or `cur.connection` for a cursor that keeps its connection."""
    if acquire.reached_through:
        return cst.Attribute(cst.Name(var), cst.Name(acquire.reached_through))
    return cst.Name(var)


def is_holder(expr: cst.BaseExpression, acquire: Acquire, var: str) -> bool:
    """`expr` is what `holder` spells."""
    if acquire.reached_through:
        expr = expr.value if isinstance(expr, cst.Attribute) and expr.attr.value == acquire.reached_through else None
    return isinstance(expr, cst.Name) and expr.value == var


def is_release(call: cst.Call, acquire: Acquire, kind: Kind, var: str) -> bool:
    func = call.func
    if not isinstance(func, cst.Attribute):
        return False
    method = func.attr.value
    if is_holder(func.value, acquire, var):
        return any(r.method == method for r in kind.releases) and method not in kind.closes_without_returning
    if any(r.method == method for r in acquire.returned_by):
        return any(is_holder(a.value, acquire, var) for a in call.args)
    return False


def is_canonical_release(call: cst.Call, acquire_call: cst.Call, acquire: Acquire, kind: Kind, var: str) -> bool:
    """`pool.release(conn)` on the pool it came from, or `conn.close()`, with
    no other arguments: what a `with` exit does too."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return False
    if acquire.returned_by:
        receiver = stable_receiver(acquire_call)
        return (
            receiver is not None
            and func.attr.value == acquire.returned_by[0].method
            and receiver.deep_equals(func.value)
            and len(call.args) == 1
            and is_holder(call.args[0].value, acquire, var)
            and call.args[0].keyword is None
        )
    return is_holder(func.value, acquire, var) and not call.args and any(r.method == func.attr.value for r in kind.releases)


# -- small builders --------------------------------------------------------------------------


def comment_lines(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    return [line for line in lines if line.comment is not None]


def strip_blank_leading(statement: cst.CSTNode) -> cst.CSTNode:
    """The first statement of a new block keeps its comments, not blank lines."""
    leading = getattr(statement, "leading_lines", None)
    if leading is None:
        return statement
    kept = list(leading)
    while kept and kept[0].comment is None:
        kept.pop(0)
    if len(kept) == len(leading):
        return statement
    return statement.with_changes(leading_lines=kept)


def block(statements: Sequence[cst.BaseStatement], header: Optional[cst.TrailingWhitespace] = None) -> cst.IndentedBlock:
    body = list(statements) or [cst.SimpleStatementLine([cst.Pass()])]
    body[0] = strip_blank_leading(body[0])
    if header is not None:
        return cst.IndentedBlock(body=body, header=header)
    return cst.IndentedBlock(body=body)


def _code(node: cst.CSTNode) -> str:
    return " ".join(cst.Module([]).code_for_node(node).split())


def code_of(node: cst.CSTNode) -> str:
    return _code(node)
