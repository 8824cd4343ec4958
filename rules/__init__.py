"""The rule families. Each module holds one family; this registry lists them."""
from __future__ import annotations

from leaklint.rulebase import RuleFamily
from leaklint.ruleinfo import RuleInfo

from .asyncio import AsyncRules
from .objects import ObjectRules
from .parse import PARSE_ERROR
from .release import ReleaseRules
from .streams import StreamRules


def families() -> tuple[RuleFamily, ...]:
    return (ReleaseRules(), AsyncRules(), StreamRules(), ObjectRules())


def all_rules() -> dict[str, RuleInfo]:
    found = {PARSE_ERROR.code: PARSE_ERROR}
    for family in families():
        for rule in family.rules:
            found[rule.code] = rule
    return dict(sorted(found.items()))
