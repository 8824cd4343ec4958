"""What one expression does, found in one walk over it: its calls (and which
of them can raise), awaits and yields, and the names it lets escape as
values (as opposed to names it only uses as a receiver)."""
from __future__ import annotations

from typing import Callable, Iterator, Optional

import libcst as cst

from ..syntax import children, walk

# Builtins that read their argument and keep nothing of it: `next(cur)`.
CONSUMING_BUILTINS = frozenset({"next", "anext", "len", "list", "tuple", "sorted", "any", "all", "sum", "min", "max", "isinstance", "id", "repr", "str"})


class ExprFacts:
    def __init__(self, expr: cst.BaseExpression, cannot_raise: Callable[[cst.Call], bool]) -> None:
        """`cannot_raise`: the ownership's word on a call (a catalogue release,
        `contextlib.suppress(...)`), so that only calls that can fail start a raise edge."""
        self.calls: list[cst.Call] = []
        self.raising_calls: list[cst.Call] = []
        self.awaits: list[cst.Await] = []
        self.yields: list[cst.CSTNode] = []
        self.yielded_names: list[str] = []
        self.value_names: list[str] = []
        # of those, the ones passed straight to a call: (name, call, position; None for a keyword)
        self.arguments: list[tuple[str, cst.Call, Optional[int]]] = []
        self.captured: set[str] = set()  # names a lambda in it closes over
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        stack: list[tuple[cst.CSTNode, Optional[cst.CSTNode]]] = [(expr, None)]
        receivers: set[cst.CSTNode] = set()
        while stack:
            node, parent = stack.pop()
            if parent is not None:
                self.parents[node] = parent
            if type(node) is cst.Lambda:
                self.captured.update(names_in(node.body))
                continue
            if type(node) is cst.Call:
                self.calls.append(node)
                receivers.add(node.func)
                if type(node.func) is cst.Attribute:
                    receivers.add(node.func.value)
                elif type(node.func) is cst.Name and node.func.value in CONSUMING_BUILTINS:
                    receivers.update(a.value for a in node.args)  # `next(cur)` reads it, keeps nothing
            elif type(node) is cst.Attribute:
                receivers.add(node.value)
            elif type(node) is cst.Await:
                self.awaits.append(node)
            elif type(node) is cst.Yield:
                self.yields.append(node)
                if type(node.value) is cst.Name:
                    self.yielded_names.append(node.value.value)
            elif type(node) is cst.Name and node not in receivers:
                self.value_names.append(node.value)
                if type(parent) is cst.Arg:
                    self._argument(node.value, parent)
            kids = children(node)
            kids.reverse()
            stack.extend((kid, node) for kid in kids)
        # outermost first (a raise edge starts at the first)
        self.raising_calls = [call for call in self.calls if not cannot_raise(call)]

    def _argument(self, name: str, arg: cst.Arg) -> None:
        call = self.parents.get(arg)
        if type(call) is cst.Call and not arg.star:
            positional = [a for a in call.args if a.keyword is None and not a.star]
            self.arguments.append((name, call, next((i for i, a in enumerate(positional) if a is arg), None)))

    def is_awaited(self, call: cst.Call) -> bool:
        parent = self.parents.get(call)
        if type(parent) in (cst.Await, cst.From):  # `yield from x.close()` in a generator-based coroutine
            return True
        # asyncio.wait_for(pool.acquire(), 5)
        if type(parent) is cst.Arg:
            outer = self.parents.get(parent)
            return type(outer) is cst.Call and isinstance(self.parents.get(outer), cst.Await)
        return False

    def chained_method(self, call: cst.Call) -> Optional[str]:
        """`cursor` in `connect(dsn).cursor()` (or `(await connect(dsn)).cursor()`)."""
        node = self.parents.get(call)
        if type(node) is cst.Await:
            node = self.parents.get(node)
        if type(node) is cst.Attribute:
            return node.attr.value
        return None

    def candidate_discards(self, root: cst.CSTNode, discard_root: bool) -> Iterator[tuple[cst.Call, bool]]:
        """(call, chained): calls whose result is used only as a receiver, and
        the root call itself when the statement drops its value."""
        for call in self.calls:
            parent = self.parents.get(call)
            if type(parent) is cst.Await:
                parent = self.parents.get(parent)
            if type(parent) is cst.Attribute and parent.value in (call, self.parents.get(call)):
                yield call, True
            elif call is root and discard_root:
                yield call, False


def names_in(node: cst.CSTNode) -> Iterator[str]:
    """Every name used in `node`, nested functions and lambdas included."""
    for sub in walk(node, into_scopes=True):
        if type(sub) is cst.Name:
            yield sub.value
