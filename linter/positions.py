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

    def span(self, node: cst.CSTNode) -> Span:
        if self._spans is None:
            self._spans = self._compute()
        found = self._spans.get(node)
        if found is None:
            return (1, 1, 1, 1)
        return (found.start.line, found.start.column + 1, found.end.line, found.end.column + 1)

    def line(self, node: cst.CSTNode) -> int:
        return self.span(node)[0]
