"""Which project a document belongs to, and the summaries in force there.

A project is one `[tool.leaklint]` configuration and the files below it; a
file with no configuration belongs to the workspace folder that holds it.
Its summaries come from the last scan of the files on disk, except for
open documents, whose last lint of the unsaved text wins.
"""
from __future__ import annotations

import asyncio
import os
from typing import Callable, Iterable, Optional

from .adapter import Project, Summary, SummaryPool, find_project_config


class ProjectState:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.on_disk: dict[str, frozenset[Summary]] = {}
        self.in_buffers: dict[str, frozenset[Summary]] = {}
        self.scan: Optional[asyncio.Task] = None
        self.rescan = False  # files changed while a scan was running
        self._entries: Optional[frozenset[Summary]] = None
        self._pool: Optional[SummaryPool] = None

    def pool(self) -> SummaryPool:
        """The summaries in force; the same object until they change."""
        if self._pool is None:
            self._pool = SummaryPool(self._in_force())
        return self._pool

    def set_buffer(self, path: str, exported: frozenset[Summary]) -> bool:
        """An open document's summaries; True if those in force changed."""
        self.in_buffers[path] = exported
        return self._changed()

    def drop_buffer(self, path: str) -> bool:
        """The document was closed: the file on disk counts again."""
        self.in_buffers.pop(path, None)
        return self._changed()

    def set_disk(self, found: dict[str, frozenset[Summary]]) -> bool:
        self.on_disk = found
        return self._changed()

    def _in_force(self) -> frozenset[Summary]:
        if self._entries is None:
            entries: set[Summary] = set()
            for path, exported in self.on_disk.items():
                if path not in self.in_buffers:
                    entries.update(exported)
            for exported in self.in_buffers.values():
                entries.update(exported)
            self._entries = frozenset(entries)
        return self._entries

    def _changed(self) -> bool:
        """After an update: whether the summaries in force changed."""
        before, self._entries = self._entries, None
        if before is not None and self._in_force() == before:
            return False
        self._pool = None
        return True


class Projects:
    """The projects of the open documents, found once per directory."""

    def __init__(self, folders: Callable[[], Iterable[str]]) -> None:
        self._folders = folders  # the workspace folders' paths, as the client says now
        self._located: dict[str, tuple[Optional[str], Optional[str]]] = {}
        self._states: dict[tuple, ProjectState] = {}

    def for_path(self, path: Optional[str]) -> ProjectState:
        """`path` None: a document that is not a file (an unsaved new buffer)."""
        if path is None:
            return self._state((None, None, None))
        directory = os.path.dirname(path)
        located = self._located.get(directory)
        if located is None:
            located = self._located[directory] = find_project_config(directory)
        config_path, problem = located
        root = None if config_path else self._folder_of(path)
        return self._state((config_path, root, problem))

    def forget(self) -> None:
        """A configuration changed: find every project again."""
        self._located.clear()
        self._states.clear()

    def holding(self, path: str) -> list[ProjectState]:
        """The projects whose scanned files include `path`'s folder."""
        return [s for s in self._states.values() if s.project.root is not None and _inside(path, s.project.root)]

    def _state(self, key: tuple) -> ProjectState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = ProjectState(Project(*key))
        return state

    def _folder_of(self, path: str) -> Optional[str]:
        holding = [folder for folder in self._folders() if _inside(path, folder)]
        return max(holding, key=len) if holding else None


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == os.path.abspath(folder)
    except ValueError:  # different drives
        return False
