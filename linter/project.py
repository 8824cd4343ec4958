"""Where a run's project is: how paths are shown, where the cache lives and
what SARIF locations are relative to, whatever directory leaklint runs from."""
from __future__ import annotations

import os
from typing import Optional, Sequence


def display_path(path: str) -> str:
    """`path` as reports show it: without a leading `./` (as ruff prints
    them; `git apply` rejects `a/./one.py`)."""
    prefixes = ("./", "." + os.sep)
    while path.startswith(prefixes) and len(path) > 2:
        path = path[2:].lstrip("/" + os.sep)
    return path


def project_root(config_path: Optional[str], paths: Sequence[str]) -> str:
    """The directory of the configuration file; without one, the deepest
    directory that holds every linted path."""
    if config_path is not None:
        return os.path.dirname(os.path.abspath(config_path))
    directories = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    if not directories:
        return os.getcwd()
    try:
        return os.path.commonpath(directories)
    except ValueError:  # paths on different drives
        return os.getcwd()


def repository_root(start: str) -> str:
    """The nearest directory upward from `start` that holds `.git` (a
    directory, or a file in a linked checkout or a submodule); `start` if none does."""
    directory = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.abspath(start)
        directory = parent
