"""Line and column of nodes, computed only for modules that have findings.

LibCST's PositionProvider through a MetadataWrapper costs about twice the
parse, and even its code generator with positions (no wrapper, no deep
copy) costs more than the parse: it builds two position objects for every
node. Here the module's code is generated once counting characters only:
each node gets its (start, end) offsets, and the few nodes a finding
needs get their line and column from the offsets. The spans are the ones
LibCST's PositionProvider gives.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata.position_provider import NEWLINE_RE

from .stats import timed

Span = tuple[int, int, int, int]  # line, column (1-based), end line, end column (1-based)
Offsets = tuple[int, int]  # of the node's first and past its last character in the module's code


@dataclass
class _OffsetState(CodegenState):
    """A code generator that records each node's offsets, with the rules of
    LibCST's PositionProvidingCodegenState: the syntactic span where a node
    declares one, the span with its whitespace otherwise."""

    offset: int = 0
    indent_length: int = 0
    spans: dict = field(default_factory=dict)
    _starts: list = field(default_factory=list)

    def increase_indent(self, value: str) -> None:
        self.indent_tokens.append(value)
        self.indent_length += len(value)

    def decrease_indent(self) -> None:
        self.indent_length -= len(self.indent_tokens.pop())

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.offset += self.indent_length

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.spans:
            self.spans[node] = (start, self.offset)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None) -> "_Syntactic":
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """The `with` block of `record_syntactic_position`, without a generator per node."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _OffsetState, node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exception: object) -> None:
        spans = self.state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else self.state.offset
        spans[self.node] = (start, end)


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._spans: Optional[dict] = None
        self._line_starts: list[int] = [0]

    def _compute(self) -> dict:
        state = _OffsetState(default_indent=self._module.default_indent, default_newline=self._module.default_newline)
        self._module._codegen(state)
        code = "".join(state.tokens)
        self._line_starts = [0] + [match.end() for match in NEWLINE_RE.finditer(code)]
        return state.spans

    def _computed(self) -> dict:
        if self._spans is None:
            with timed("positions_seconds"):
                try:
                    self._spans = self._compute()
                except (RecursionError, KeyError):  # codegen recursed too deep (a KeyError while unwinding)
                    self._spans = _with_deep_stack(self._compute) or {}
        return self._spans

    def span(self, node: cst.CSTNode) -> Span:
        found = self._computed().get(node)
        if found is None:
            return self._by_text(node)
        return self._place(found[0]) + self._place(found[1])

    def _place(self, offset: int) -> tuple[int, int]:
        """(line, 1-based column) of an offset in the module's code."""
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line(self, node: cst.CSTNode) -> int:
        return self.span(node)[0]

    @property
    def exact(self) -> bool:
        """The spans come from generating the module's code, not from searching its text."""
        return bool(self._computed())

    def _by_text(self, node: cst.CSTNode) -> Span:
        """Where the node's own code first occurs in the module's code: used only
        when positions could not be computed for the whole module."""
        try:
            text = self._module.code_for_node(node).strip()
            code = self._module.code
        except RecursionError:
            return (1, 1, 1, 1)
        index = code.find(text) if text else -1
        if index < 0:
            return (1, 1, 1, 1)
        line = code.count("\n", 0, index) + 1
        column = index - (code.rfind("\n", 0, index) + 1) + 1
        return (line, column, line, column)


DEEP_STACK_BYTES = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 200_000


def _with_deep_stack(function):
    """Run `function` in a thread with a large C stack and a high recursion
    limit; None if even that is not enough."""
    import sys
    import threading

    outcome: list = []

    def run() -> None:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(DEEP_RECURSION_LIMIT)
        try:
            outcome.append(function())
        except (RecursionError, KeyError, MemoryError):
            pass
        finally:
            sys.setrecursionlimit(limit)

    previous = threading.stack_size()
    try:
        threading.stack_size(DEEP_STACK_BYTES)
        worker = threading.Thread(target=run, name="leaklint-positions")
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    return outcome[0] if outcome else None
