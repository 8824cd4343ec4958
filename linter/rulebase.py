"""What a rule family is: its rules' metadata (`leaklint.ruleinfo`) and one
`check` over the flow facts of a module. Families never resolve names or
follow paths themselves; they read the facts the engine computed once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Protocol, Union

import libcst as cst

from .analysis import ModuleFacts
from .catalogue import Acquire
from .flow.facts import Discard, SiteFacts
from .positions import Positions
from .ruleinfo import RuleInfo
from .syntax import call_text


@dataclass
class Finding:
    code: str
    node: cst.CSTNode
    message: str
    acquired_at: Optional[cst.CSTNode] = None
    site: Union[SiteFacts, Discard, None] = None  # the flow facts behind it, for fixes
    function: Optional[cst.FunctionDef] = None  # None at module level


class FileContext:
    """What a rule family may look at while checking one module."""

    def __init__(self, module: cst.Module, facts: ModuleFacts, positions: Positions) -> None:
        self.module = module
        self.facts = facts
        self.positions = positions

    @property
    def catalogue(self):
        return self.facts.resolvers[None].catalogue

    def resolver(self, function: Optional[cst.FunctionDef]):
        """The resolver of a scope (None: module level)."""
        return self.facts.resolvers.get(function) or self.facts.resolvers[None]

    def call_text_full(self, call: cst.Call) -> str:
        """The call as written, arguments included, on one line (shortened)."""
        return self.code(call, 60)

    def line(self, node: cst.CSTNode) -> int:
        return self.positions.line(node)

    def call_text(self, call: cst.Call) -> str:
        return call_text(self.module, call)

    def code(self, node: cst.CSTNode, limit: int = 60) -> str:
        text = " ".join(self.module.code_for_node(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."


class RuleFamily(Protocol):
    rules: tuple[RuleInfo, ...]

    def check(self, context: FileContext) -> Iterable[Finding]: ...


def release_word(acquire: Acquire) -> str:
    return "returned to the pool" if acquire.returned_by else "closed"
