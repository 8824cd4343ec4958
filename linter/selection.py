"""Which rules are on: `--select`/`--ignore` with codes or prefixes. As in
ruff, the more specific entry wins (`--select LKL --ignore LKL1 --select LKL103`
enables LKL103 alone among LKL1xx)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

CODE_PREFIX = re.compile(r"^LKL\d{0,3}$")


class BadSelector(ValueError):
    pass


def parse_selectors(values: Iterable[str], *, known: Iterable[str] = ()) -> tuple[str, ...]:
    out = []
    known = set(known)
    for value in values:
        for item in value.split(","):
            item = item.strip().upper()
            if not item:
                continue
            if item == "ALL":
                item = "LKL"
            if not CODE_PREFIX.match(item):
                raise BadSelector(f"invalid rule selector {item!r}: expected LKL followed by up to three digits")
            if known and len(item) == 6 and item not in known:
                raise BadSelector(f"unknown rule code {item!r}")
            out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ("LKL",)
    ignore: tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        selected = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return selected > ignored
