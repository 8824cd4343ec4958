"""What a value keeps reachable, read from its syntax alone: the names a
wrapper or container built around resources keeps (`Server(loop, [sock])`),
the receiver an object derived from it keeps (`conn.cursor()` keeps `conn` as
`cur.connection`), what calling a resource gives (`registry()`), and the
call a thread or an executor will make (`Thread(target=f, args=(conn,))`).
The ownership effects (`ownership.py`) decide what follows from it."""
from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from ..catalogue import REACHED_THROUGH
from ..catalogue.model import ITEMS
from ..syntax import dotted_name, unwrap_await, walk

# Callee names of objects built around the resources given to them.
WRAPPER_WORDS = ("wrap", "make", "transport", "adopt")

# `conn` as ("conn", None); `cur.connection` as ("cur", "connection")
Reference = tuple[str, Optional[str]]


CONTAINER_LITERALS = (cst.Dict, cst.List, cst.Tuple, cst.Set)


def wrapped_names(value: cst.BaseExpression) -> tuple[str, ...]:
    """`Server(loop, [sock])`, `ssl.wrap_socket(sock)`: names a wrapper object
    built around a resource keeps. Its result holding the resource means that
    returning or storing the wrapper hands the resource off too."""
    expr, _ = unwrap_await(value)
    if isinstance(expr, CONTAINER_LITERALS):  # `{"connector": connector}`: the container holds it
        return tuple(node.value for node in walk(expr) if isinstance(node, cst.Name))
    if not isinstance(expr, cst.Call):
        return ()
    callee = (dotted_name(expr.func) or "").rsplit(".", 1)[-1]
    if not (callee[:1].isupper() or any(word in callee.lower() for word in WRAPPER_WORDS)):
        return ()
    names = []
    for arg in expr.args:
        for node in walk(arg.value):
            if isinstance(node, cst.Name):
                names.append(node.value)
    return tuple(names)


def derived_receivers(expr: cst.BaseExpression) -> Iterator[str]:
    """`conn` in `conn.cursor()`, alone or in a returned tuple."""
    for value in _elements(expr):
        derived = derived_from(value)
        if derived is not None:
            yield derived[0]


def called_names(expr: cst.BaseExpression) -> Iterator[str]:
    """`registry` in `registry()`, alone or in a returned tuple: calling a
    resource (a `scoped_session` registry) gives what it keeps, its Session,
    so the value carries the resource with it."""
    for value in _elements(expr):
        value, _ = unwrap_await(value)
        if type(value) is cst.Call and type(value.func) is cst.Name:
            yield value.func.value


def _elements(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """A value, or the elements of the tuple it is."""
    expr, _ = unwrap_await(expr)
    return [e.value for e in expr.elements] if type(expr) is cst.Tuple else [expr]


def derived_from(expr: cst.BaseExpression) -> Optional[Reference]:
    """`conn.cursor()` (a DB-API cursor, whatever the driver): the receiver it
    keeps reachable, and the attribute of the result that does
    (`("conn", "connection")`)."""
    made = made_from(expr)
    attribute = REACHED_THROUGH.get(made[1]) if made is not None else None
    return (made[0].value, attribute) if attribute is not None else None


def made_from(expr: cst.BaseExpression) -> Optional[tuple[cst.Name, str]]:
    """`conn.channel()` -> (`conn`, "channel"); `client[name]` -> (`client`, ITEMS):
    the object a value is made from, and how (the key of `Kind.derived`)."""
    value, _ = unwrap_await(expr)
    if type(value) is cst.Call and type(value.func) is cst.Attribute and type(value.func.value) is cst.Name:
        return value.func.value, value.func.attr.value
    if type(value) is cst.Subscript and type(value.value) is cst.Name:
        return value.value, ITEMS
    return None


def reference(expr: cst.BaseExpression) -> Optional[Reference]:
    """`conn` or `cur.connection` as a `Reference`."""
    if isinstance(expr, cst.Name):
        return expr.value, None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        return expr.value.value, expr.attr.value
    return None


def forwarded_call(call: cst.Call, position: Optional[int], keyword: str, arguments: Optional[str]) -> Optional[cst.Call]:
    """The call that `Thread(target=f, args=(a, b))` (or `submit(f, a, b)`)
    will make, `f(a, b)`, built from its parts; None where it is not spelled out."""
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    target = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)
    if target is None and position is not None and position < len(positional):
        target = positional[position].value
    if target is None:
        return None
    if arguments is None:
        values = [a.value for a in positional[position + 1 :]] if position is not None else []
    else:
        given = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == arguments), None)
        if not isinstance(given, (cst.Tuple, cst.List)):
            return None
        values = [e.value for e in given.elements if isinstance(e, cst.Element)]
    return cst.Call(func=target, args=[cst.Arg(value=v) for v in values])
