"""`[tool.leaklint]` in pyproject.toml: which rules run, which files are
linted, and the project's own resources.

The nearest pyproject.toml with a `[tool.leaklint]` table, searching upward
from the current directory, is the configuration (`--config PATH` chooses
one). Patterns and per-file-ignores are relative to that file's directory.
Every problem is a `ConfigError` whose message is one line naming the file
and the key.

User resources become catalogue data: each `[[tool.leaklint.resources]]`
entry is a `Kind` (release methods, what `with` does) in a `Library` of its
own, and its acquire and release functions are project summaries
(`FunctionSummary`), the way the engine already models a project's own
factories and releasing helpers.
"""
from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

import pathspec

from .catalogue import Acquire, Await, Awaiting, Exit, Kind, Library, Release
from .selection import BadSelector, parse_selectors
from .summaries import FunctionSummary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - depends on the Python version
    import tomli as tomllib

CONFIG_FILE = "pyproject.toml"
TABLE = "[tool.leaklint]"
RESOURCES_TABLE = "[[tool.leaklint.resources]]"
KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude", "per-file-ignores", "resources")
RESOURCE_KEYS = ("acquire", "release", "release-method", "async", "with", "label")
WITH_VALUES = {"closes": Exit.CLOSES, "releases": Exit.RELEASES, "transaction": Exit.TXN_ONLY, "none": Exit.NONE}
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EXPLICIT_FAMILY = "LKL9"  # the shortest selector that turns on an opt-in code


class ConfigError(ValueError):
    """A configuration problem; the message is one line naming file and key."""


@dataclass(frozen=True)
class Resource:
    """One `[[tool.leaklint.resources]]` entry."""

    acquire: tuple[str, ...]
    release: tuple[str, ...] = ()  # functions that release their first argument
    release_methods: tuple[str, ...] = ()  # methods of the resource that release it
    is_async: bool = False
    with_exit: Exit = Exit.NONE
    label: str = ""

    @property
    def kind_name(self) -> str:
        return f"config:{self.acquire[0]}"


@dataclass(frozen=True)
class Config:
    path: Optional[str] = None  # None: no configuration file, the defaults
    root: str = "."  # patterns are relative to this directory
    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: Optional[tuple[str, ...]] = None  # None: the built-in excludes
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    resources: tuple[Resource, ...] = ()

    def libraries(self) -> tuple[Library, ...]:
        """The resources' kinds, as catalogue additions."""
        if not self.resources:
            return ()
        kinds = tuple(_kind(resource) for resource in self.resources)
        return (Library(name="tool.leaklint.resources", module_roots=(), kinds=kinds, functions={}),)

    def summaries(self) -> tuple[FunctionSummary, ...]:
        """The resources' acquire and release functions, as project summaries."""
        out = []
        for resource in self.resources:
            acquire = Acquire(resource.kind_name, Await.COROUTINE if resource.is_async else Await.NO)
            out.extend(FunctionSummary(name, returns=acquire) for name in resource.acquire)
            out.extend(FunctionSummary(name, releases=frozenset({0}), awaitable=resource.is_async) for name in resource.release)
        return tuple(out)


def _kind(resource: Resource) -> Kind:
    awaiting = Awaiting.ASYNC if resource.is_async else Awaiting.SYNC
    last = resource.acquire[0].rsplit(".", 1)[-1]
    return Kind(
        name=resource.kind_name,
        label=resource.label or f"resource from `{last}()`",
        library="tool.leaklint.resources",
        releases=tuple(Release(method, awaiting) for method in resource.release_methods),
        release_functions=resource.release,
        with_exit=Exit.NONE if resource.is_async else resource.with_exit,
        async_with_exit=resource.with_exit if resource.is_async else Exit.NONE,
    )


# -- finding and reading the file ---------------------------------------------------


def find_config(start: str) -> Optional[str]:
    """The nearest pyproject.toml with a `[tool.leaklint]` table, upward from `start`."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, CONFIG_FILE)
        if os.path.isfile(candidate) and _tool_table(_read_toml(candidate), candidate) is not None:
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_config(path: Optional[str] = None, *, start: str = ".", known_codes: Iterable[str] = ()) -> Config:
    """`path` (from `--config`) or the nearest configuration; the defaults if none."""
    if path is None:
        path = find_config(start)
        if path is None:
            return Config(root=os.path.abspath(start))
    elif not os.path.isfile(path):
        raise ConfigError(f"{path}: no such configuration file")
    table = _tool_table(_read_toml(path), path) or {}
    return parse_config(table, path, known_codes=known_codes)


def _read_toml(path: str) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 (byte {error.object[error.start]:#04x} at offset {error.start})") from None


def _tool_table(document: dict, path: str) -> Optional[dict]:
    tool = document.get("tool")
    if not isinstance(tool, dict) or "leaklint" not in tool:
        return None
    table = tool["leaklint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {TABLE} must be a table")
    return table


# -- checking the values ----------------------------------------------------------


def parse_config(table: Mapping[str, Any], path: str, *, known_codes: Iterable[str] = ()) -> Config:
    known = tuple(known_codes)
    where = _Where(path)
    for key in table:
        if key not in KEYS:
            raise where.error(key, f"unknown key{_did_you_mean(key, KEYS)}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise where.error("per-file-ignores", "must be a table of pattern = [codes]")
    resources = table.get("resources", [])
    if not isinstance(resources, list):
        raise where.error("resources", f"must be an array of tables ({RESOURCES_TABLE})")
    return Config(
        path=os.path.abspath(path),
        root=os.path.dirname(os.path.abspath(path)),
        select=where.codes(table, "select", known) if "select" in table else None,
        extend_select=where.codes(table, "extend-select", known),
        ignore=where.codes(table, "ignore", known),
        exclude=tuple(where.strings(table, "exclude")) if "exclude" in table else None,
        extend_exclude=tuple(where.strings(table, "extend-exclude")),
        per_file_ignores=tuple(
            (pattern, where.codes(per_file, pattern, known, key=f"per-file-ignores.{_quote(pattern)}"))
            for pattern in per_file
        ),
        resources=tuple(_resource(entry, number, where) for number, entry in enumerate(resources, start=1)),
    )


class _Where:
    def __init__(self, path: str) -> None:
        self.path = path

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {TABLE} {key}: {problem}")

    def strings(self, table: Mapping[str, Any], name: str, *, key: Optional[str] = None) -> list[str]:
        value = table.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key or name, f"must be a list of strings, not {_describe(value)}")
        return value

    def codes(self, table: Mapping[str, Any], name: str, known: Sequence[str], *, key: Optional[str] = None) -> tuple[str, ...]:
        values = self.strings(table, name, key=key)
        try:
            return parse_selectors(values, known=known)
        except BadSelector as error:
            raise self.error(key or name, str(error)) from None


def _resource(entry: Any, number: int, where: _Where) -> Resource:
    prefix = f"resources[{number}]"
    if not isinstance(entry, dict):
        raise where.error(prefix, f"must be a table ({RESOURCES_TABLE}), not {_describe(entry)}")
    for key in entry:
        if key not in RESOURCE_KEYS:
            raise where.error(f"{prefix}.{key}", f"unknown key{_did_you_mean(key, RESOURCE_KEYS)}")
    if "acquire" not in entry:
        raise where.error(f"{prefix}.acquire", "missing: the qualified name of the function that acquires, e.g. \"myapp.db.get_connection\"")
    acquire = where.strings(entry, "acquire", key=f"{prefix}.acquire")
    release = where.strings(entry, "release", key=f"{prefix}.release")
    methods = where.strings(entry, "release-method", key=f"{prefix}.release-method")
    if not acquire:
        raise where.error(f"{prefix}.acquire", "must name at least one function")
    for key, names in (("acquire", acquire), ("release", release)):
        for name in names:
            if not DOTTED.match(name):
                raise where.error(f"{prefix}.{key}", f"{name!r} is not a qualified name like \"myapp.db.get_connection\"")
    for method in methods:
        if not IDENTIFIER.match(method):
            raise where.error(f"{prefix}.release-method", f"{method!r} is not a method name like \"close\"")
    is_async = entry.get("async", False)
    if not isinstance(is_async, bool):
        raise where.error(f"{prefix}.async", f"must be true or false, not {_describe(is_async)}")
    with_value = entry.get("with", "none")
    if with_value not in WITH_VALUES:
        choices = ", ".join(f'"{v}"' for v in WITH_VALUES)
        raise where.error(f"{prefix}.with", f"must be one of {choices}, not {_describe(with_value)}")
    label = entry.get("label", "")
    if not isinstance(label, str):
        raise where.error(f"{prefix}.label", f"must be a string, not {_describe(label)}")
    with_exit = WITH_VALUES[with_value]
    if not release and not methods and not with_exit.ends_ownership:
        raise where.error(prefix, 'nothing releases it: give release, release-method, or with = "closes"/"releases"')
    return Resource(
        acquire=tuple(acquire),
        release=tuple(release),
        release_methods=tuple(methods),
        is_async=is_async,
        with_exit=with_exit,
        label=label,
    )


def _did_you_mean(key: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(choices)}"


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}" if not isinstance(value, (dict, list)) else type(value).__name__


def _quote(pattern: str) -> str:
    return f'"{pattern}"'


# -- applying it -------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One source of rule selection (the file, then the command line)."""

    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def enabled_codes(layers: Sequence[Layer], known: Iterable[str], explicit: Iterable[str] = ()) -> frozenset[str]:
    """ruff's layering: a layer's `select` replaces everything before it (its
    ignores included); otherwise its extend-select/ignore adjust the result.
    Within a layer, the more specific selector wins. A code in `explicit` is
    off by default and selected only by a selector at least as specific as
    its family (`LKL9`, `LKL900`), never by `LKL` or `ALL`."""
    known = tuple(known)
    explicit = frozenset(explicit)
    enabled = {code for code in known if code not in explicit}  # the default: every other rule
    for layer in layers:
        selectors = (layer.select or ()) + layer.extend_select
        if layer.select is not None:
            enabled = set()
        for code in known:
            if code in explicit:
                chosen = _most_specific(code, [s for s in selectors if len(s) >= len(EXPLICIT_FAMILY)])
            else:
                chosen = _most_specific(code, selectors)
            dropped = _most_specific(code, layer.ignore)
            if chosen > dropped:
                enabled.add(code)
            elif dropped >= 0:
                enabled.discard(code)
    return frozenset(enabled)


def _most_specific(code: str, selectors: Iterable[str]) -> int:
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)


@dataclass
class FileFilter:
    """Excludes and per-file-ignores, relative to the configuration's directory.

    Patterns that match at any depth (`build`, `*_pb2.py`) prune the walk
    (discovery); patterns with a `/` are anchored at the configuration's
    directory and are checked here, whatever directory was given to lint."""

    root: str
    patterns: tuple[str, ...]
    per_file: list[tuple[pathspec.PathSpec, tuple[str, ...]]] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: Config, default_excludes: Sequence[str]) -> "FileFilter":
        patterns = tuple(default_excludes if config.exclude is None else config.exclude) + config.extend_exclude
        return cls(
            root=config.root,
            patterns=patterns,
            per_file=[(pathspec.GitIgnoreSpec.from_lines([pattern]), codes) for pattern, codes in config.per_file_ignores],
        )

    def __post_init__(self) -> None:
        self._all = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        prune = set(self.unanchored())
        self._anchored = pathspec.GitIgnoreSpec.from_lines([p for p in self.patterns if p not in prune])

    def unanchored(self) -> list[str]:
        """Patterns that match at any depth: safe to prune a walk with, whatever its root."""
        return [p for p in self.patterns if "/" not in p.rstrip("/") and not p.startswith("!")]

    def _relative(self, path: str) -> Optional[str]:
        relative = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        return None if relative == ".." or relative.startswith("../") else relative

    def excluded(self, path: str, *, explicit: bool = False) -> bool:
        """A walked file: the anchored patterns (the walk applied the others).
        An explicit file (with `--force-exclude`): every pattern."""
        relative = self._relative(path)
        if explicit:
            return self._all.match_file(relative if relative is not None else os.path.basename(path))
        return relative is not None and self._anchored.match_file(relative)

    def ignored_codes(self, path: str) -> tuple[str, ...]:
        relative = self._relative(path)
        if relative is None:
            relative = os.path.basename(path)  # outside the project: unanchored patterns only
        out: list[str] = []
        for spec, codes in self.per_file:
            if spec.match_file(relative):
                out.extend(codes)
        return tuple(out)

    def enabled(self, code: str, path: str, base: Iterable[str]) -> bool:
        """`code` is on (`base`) and not ignored for `path` by per-file-ignores."""
        return code in base and _most_specific(code, self.ignored_codes(path)) < 0


