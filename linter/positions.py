"""Line and column of nodes, computed only for modules that have findings.

LibCST's PositionProvider through a MetadataWrapper costs about twice the
parse; generating the module's code once with a position-recording state,
without the wrapper's deep copy, is cheaper, and most files never need it.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.metadata.position_provider import PositionProvidingCodegenState

Span = tuple[int, int, int, int]  # line, column (1-based), end line, end column (1-based)


class _Sink:
    def __init__(self) -> None:
        self._computed: dict = {}


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._spans: Optional[dict] = None

    def _compute(self) -> dict:
        sink = _Sink()
        state = PositionProvidingCodegenState(
            default_indent=self._module.default_indent,
            default_newline=self._module.default_newline,
            provider=sink,
        )
        self._module._codegen(state)
        return sink._computed

    def _computed(self) -> dict:
        if self._spans is None:
            try:
                self._spans = self._compute()
            except (RecursionError, KeyError):  # codegen recursed too deep (a KeyError while unwinding)
                self._spans = _with_deep_stack(self._compute) or {}
        return self._spans

    def span(self, node: cst.CSTNode) -> Span:
        found = self._computed().get(node)
        if found is None:
            return self._by_text(node)
        return (found.start.line, found.start.column + 1, found.end.line, found.end.column + 1)

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
