"""Which files to lint: directories recursively (`.py`/`.pyi`), honouring
`.gitignore` and default excludes; explicit file arguments always. Each
file is named as reports show it (no leading `./`)."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import pathspec

from .project import display_path

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".leaklint_cache",
    "*.egg-info",
)
SUFFIXES = (".py", ".pyi")


@dataclass
class Discovered:
    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)


def _spec(patterns: Iterable[str], invalid: Optional[list[str]] = None) -> pathspec.PathSpec:
    """The patterns that pathspec accepts; the others are left out (as git
    leaves out a .gitignore line it cannot use) and listed in `invalid`."""
    lines = [line for line in patterns if line]
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # one bad line (`[z-a]`, `!`): find it and keep the rest
        kept = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except Exception:
                if invalid is not None:
                    invalid.append(line)
                continue
            kept.append(line)
        return pathspec.GitIgnoreSpec.from_lines(kept)


def _gitignore(directory: str) -> Optional[pathspec.PathSpec]:
    path = os.path.join(directory, ".gitignore")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the run
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            return _spec(handle.read().splitlines())
    except OSError:
        return None


def discover(
    paths: Iterable[str],
    excludes: Iterable[str] = (),
    respect_gitignore: bool = True,
    defaults: Iterable[str] = DEFAULT_EXCLUDES,
) -> Discovered:
    found = Discovered()
    invalid: list[str] = []
    exclude_spec = _spec(list(defaults) + list(excludes), invalid)
    for pattern in invalid:
        found.errors.append((pattern, "invalid exclude pattern; ignored"))
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path, exclude_spec, respect_gitignore, found):
                _add(found, seen, file)
        elif os.path.exists(path) or os.path.islink(path):
            _add(found, seen, path)  # explicit files are always linted
        else:
            found.errors.append((path, "no such file or directory"))
    return found


def _add(found: Discovered, seen: set[str], path: str) -> None:
    key = os.path.normpath(path)
    if key not in seen:
        seen.add(key)
        found.files.append(display_path(path))


def _lintable(path: str) -> bool:
    """A file found while walking a directory is read only if it is a regular
    file: a directory named `x.py` is walked, not read, and a FIFO, socket or
    device named `x.py` would block or never end (skipped, as git does). A
    broken symlink is kept: reading it reports why it cannot be read."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    return stat.S_ISREG(mode)


def _walk(root: str, exclude_spec: pathspec.PathSpec, respect_gitignore: bool, found: Discovered) -> Iterator[str]:
    ignores: list[tuple[str, pathspec.PathSpec]] = []
    visited: set[tuple[int, int]] = set()

    def ignored(path: str, is_dir: bool) -> bool:
        name = os.path.basename(path)
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        suffix = "/" if is_dir else ""
        if exclude_spec.match_file(name + suffix) or (relative != "." and exclude_spec.match_file(relative + suffix)):
            return True
        for base, spec in ignores:
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            if not rel.startswith("..") and spec.match_file(rel + suffix):
                return True
        return False

    def onerror(error: OSError) -> None:
        found.errors.append((error.filename or root, error.strerror or str(error)))

    for directory, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
        try:
            stat = os.stat(directory)
            identity = (stat.st_dev, stat.st_ino)
        except OSError:
            identity = None
        if identity is not None:
            if identity in visited:  # a symlink loop
                dirnames[:] = []
                continue
            visited.add(identity)
        if respect_gitignore:
            spec = _gitignore(directory)
            if spec is not None:
                ignores.append((directory, spec))
        dirnames[:] = sorted(d for d in dirnames if not ignored(os.path.join(directory, d), True))
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if name.endswith(SUFFIXES) and not ignored(path, False):
                if not _lintable(path):
                    continue
                yield path
