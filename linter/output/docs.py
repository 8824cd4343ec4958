"""The rule pages (docs/rules/*.md, shipped as the package `leaklint.ruledocs`)."""
from __future__ import annotations

from typing import Optional


def _names(code: str, name: str) -> tuple[set[str], tuple[str, ...]]:
    code = code.lower()
    exact = {f"{code}.md", f"{name}.md", f"{code}-{name}.md", f"{code}_{name}.md"}
    return exact, (f"{code}-", f"{code}_")


def rule_page(code: str, name: str = "") -> Optional[str]:
    """The page of one rule (markdown), or None where there is none yet."""
    try:
        from importlib.resources import files

        root = files("leaklint.ruledocs")
        entries = list(root.iterdir())
    except (ImportError, OSError, TypeError):
        return None
    exact, prefixes = _names(code, name)
    for entry in sorted(entries, key=lambda e: e.name):
        lowered = entry.name.lower()
        if lowered.endswith(".md") and (lowered in exact or lowered.startswith(prefixes)):
            try:
                return entry.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
    return None
