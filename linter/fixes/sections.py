"""The section isort's default profile and ruff's `I` rules put an import in
(future, standard library, third party, first party, local folder), and the
order they sort imports in within one section.

A project's `known_first_party` (`[tool.isort]`) or `known-first-party`
(`[tool.ruff.lint.isort]`, or the older `[tool.ruff.isort]`) in the
pyproject.toml nearest to the fixed file wins over the standard library, as
it does in both tools: a project package named like a standard module is
first party.
"""
from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any, Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - depends on the Python version
    import tomli as tomllib


class Section(IntEnum):
    FUTURE = 0
    STANDARD_LIBRARY = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL_FOLDER = 4


@dataclass(frozen=True)
class Sections:
    first_party: tuple[str, ...] = ()  # module patterns, `*` and `?` as in both tools

    @classmethod
    def for_file(cls, path: str) -> "Sections":
        """The sections as configured for the file at `path`."""
        return cls(_first_party(_nearest_pyproject(os.path.dirname(os.path.abspath(path)))))

    def of(self, module: str, relative: bool = False) -> Section:
        if relative:
            return Section.LOCAL_FOLDER
        if module == "__future__":
            return Section.FUTURE
        parts = module.split(".")
        prefixes = [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes for pattern in self.first_party):
            return Section.FIRST_PARTY
        if parts[0] in _standard_library():
            return Section.STANDARD_LIBRARY
        return Section.THIRD_PARTY  # first party detected by location sorts after it too; a fix adds standard imports only


def natural_key(name: str) -> tuple:
    """Case-insensitive, numbers by value (`naturally` in isort, `natord` in ruff)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.lower()))


def member_key(name: str) -> tuple:
    """The order of the names in `from m import ...`: constants, classes, then
    the rest (both tools' `order-by-type`)."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return (kind, natural_key(name))


@lru_cache(maxsize=None)
def _standard_library() -> frozenset[str]:
    names = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if names is not None:
        return frozenset(names)
    return frozenset(_standard_library_on_disk())  # pragma: no cover - Python 3.9


def _standard_library_on_disk() -> Iterable[str]:  # pragma: no cover - Python 3.9
    import pkgutil
    import sysconfig

    yield from sys.builtin_module_names
    stdlib = sysconfig.get_paths()["stdlib"]
    for module in pkgutil.iter_modules([stdlib, os.path.join(stdlib, "lib-dynload")]):
        yield module.name


@lru_cache(maxsize=64)
def _nearest_pyproject(directory: str) -> Optional[str]:
    candidate = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(candidate):
        return candidate
    parent = os.path.dirname(directory)
    return None if parent == directory else _nearest_pyproject(parent)


@lru_cache(maxsize=16)
def _first_party(pyproject: Optional[str]) -> tuple[str, ...]:
    if pyproject is None:
        return ()
    try:
        with open(pyproject, "rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except (OSError, ValueError):  # a broken file configures nothing here; linting reports it
        return ()
    ruff = tool.get("ruff", {}) if isinstance(tool, dict) else {}
    tables = (
        (tool.get("isort") if isinstance(tool, dict) else None, "known_first_party"),
        (_get(ruff, "lint", "isort"), "known-first-party"),
        (_get(ruff, "isort"), "known-first-party"),
    )
    found: list[str] = []
    for table, key in tables:
        if isinstance(table, dict):
            found.extend(_names(table.get(key)))
    return tuple(found)


def _get(table: Any, *keys: str) -> Any:
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table


def _names(value: Any) -> list[str]:
    """A list of module names, or isort's comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [name.strip() for name in value if isinstance(name, str) and name.strip()]
