"""Small, fast helpers over LibCST nodes.

LibCST's visitor and metadata providers cost as much as the parse itself, so
the engine walks nodes through their dataclass fields and only where a rule
needs to look.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator, Optional, Union

import libcst as cst

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_SKIPPED_TYPES = (
    cst.BaseParenthesizableWhitespace,
    cst.Comma,
    cst.LeftParen,
    cst.RightParen,
    cst.Dot,
    cst.AssignEqual,
    cst.Colon,
)


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if not f.name.startswith(("whitespace", "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after"))
        )
        _CHILD_FIELDS[node_type] = names
    return names


_SKIP_BY_TYPE: dict[type, bool] = {}


def _skipped(node_type: type) -> bool:
    # isinstance against LibCST's abstract bases is slow; decide once per type
    found = _SKIP_BY_TYPE.get(node_type)
    if found is None:
        found = _SKIP_BY_TYPE[node_type] = not issubclass(node_type, cst.CSTNode) or issubclass(node_type, _SKIPPED_TYPES)
    return found


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes that carry code (no whitespace, commas or parentheses).
    A list, built with the type decisions looked up inline: it runs for
    every node of every walk."""
    found = []
    skip = _SKIP_BY_TYPE
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        value_type = type(value)
        if value_type is list or value_type is tuple:
            for item in value:
                skipped = skip.get(type(item))
                if skipped is None:
                    skipped = _skipped(type(item))
                if not skipped:
                    found.append(item)
        elif value is not None:
            skipped = skip.get(value_type)
            if skipped is None:
                skipped = _skipped(value_type)
            if not skipped:
                found.append(value)
    return found


SCOPE_NODES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# LibCST's classes are ABCs: `isinstance` on them runs Python code in the
# hot loops below, so they compare the concrete (final) types instead
SCOPE_TYPES = frozenset(SCOPE_NODES)
DEFINITIONS = frozenset({cst.FunctionDef, cst.ClassDef})
SUITES = frozenset({cst.IndentedBlock, cst.SimpleStatementSuite})
SEQUENCES = frozenset({list, tuple})


def walk(node: cst.CSTNode, *, into_scopes: bool = False) -> Iterator[cst.CSTNode]:
    """Pre-order walk; nested functions, classes and lambdas are yielded but not entered."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and not into_scopes and type(current) in SCOPE_TYPES:
            continue
        kids = children(current)
        kids.reverse()
        stack.extend(kids)


COMPOUND_BODIES = ("body", "orelse", "handlers", "finalbody", "cases")


def statements(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every statement (and small statement) of a scope, without expressions and
    without entering nested functions or classes: far cheaper than `walk`."""
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if current is not node:
            yield current
            if kind in DEFINITIONS:
                continue
        if kind is cst.SimpleStatementLine:
            stack.extend(reversed(current.body))
            continue
        if kind is cst.With:
            stack.extend(reversed(current.items))
        for name in COMPOUND_BODIES:
            value = getattr(current, name, None)
            if value is None:
                continue
            if type(value) in SEQUENCES:
                stack.extend(reversed(value))
            elif type(value) in SUITES:
                body = value.body
                stack.extend(reversed(body) if type(body) in SEQUENCES else [])
            elif isinstance(value, cst.CSTNode):
                stack.append(value)


def dotted_name(expr: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` -> "a.b.c"; None for anything that is not a plain dotted name."""
    parts = []
    while type(expr) is cst.Attribute:
        parts.append(expr.attr.value)
        expr = expr.value
    if type(expr) is cst.Name:
        parts.append(expr.value)
        return ".".join(reversed(parts))
    return None


def last_name(expr: cst.BaseExpression) -> str:
    """The last identifier of a receiver: `app.state.pool` -> "pool"."""
    if type(expr) is cst.Attribute:
        return expr.attr.value
    if type(expr) is cst.Name:
        return expr.value
    if type(expr) is cst.Call:
        return last_name(expr.func)
    if type(expr) is cst.Subscript:
        return last_name(expr.value)
    return ""


def root_name(expr: cst.BaseExpression) -> Optional[str]:
    """`conn` in `conn.execution_options(...).execute` or `conn.cursor()`."""
    while type(expr) in (cst.Call, cst.Attribute):
        expr = expr.func if type(expr) is cst.Call else expr.value
    return expr.value if type(expr) is cst.Name else None


def unwrap_await(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, bool]:
    """`await x` and, in a generator-based coroutine, `yield from x`: (x, True)."""
    if type(expr) is cst.Await:
        return expr.expression, True
    if type(expr) is cst.Yield and type(expr.value) is cst.From:
        return expr.value.item, True
    return expr, False


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return type(expr) is cst.Name and expr.value == "None"


def decorator_names(node: Union[cst.FunctionDef, cst.ClassDef]) -> list[str]:
    names = []
    for dec in node.decorators:
        expr = dec.decorator
        if type(expr) is cst.Call:
            expr = expr.func
        names.append(dotted_name(expr) or "")
    return names


def call_text(module: cst.Module, call: cst.Call, limit: int = 60) -> str:
    """`pool.getconn()` for messages: the callee and empty parentheses."""
    func = call.func
    name = dotted_name(func)
    if name is None:
        name = module.code_for_node(func)
    text = f"{name}()"
    if len(text) > limit:
        text = text[: limit - 4] + "...()"
    return text


def literal_true(expr: cst.BaseExpression) -> bool:
    return type(expr) is cst.Name and expr.value == "True"


def argument(call: cst.Call, keyword: Optional[str], position: Optional[int]) -> Optional[cst.BaseExpression]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if keyword is not None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
    if position is not None and position < len(positional):
        return positional[position].value
    return None


def arguments_at(call: cst.Call, keywords: Iterable[str], positions: Iterable[int]) -> list[cst.BaseExpression]:
    """The values passed to `call` by one of `keywords` or at one of `positions`."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    wanted = set(keywords)
    values = [positional[i].value for i in positions if i < len(positional)]
    return values + [a.value for a in call.args if a.keyword is not None and a.keyword.value in wanted]


def argument_names(call: cst.Call, keywords: Iterable[str], positions: Iterable[int]) -> list[str]:
    """Of those, the plain names."""
    return [v.value for v in arguments_at(call, keywords, positions) if type(v) is cst.Name]
