"""Counters of where a run's time goes: files seen, kept by the prefilter and
parsed, functions analysed, and the CPU seconds of each step.

Written only when `LEAKLINT_STATS` names a file: each process appends one
JSON line per batch of work (the benchmark sums them). A normal run pays
for a few additions per file and writes nothing.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from typing import Iterator

ENVIRONMENT_VARIABLE = "LEAKLINT_STATS"


@dataclass
class Stats:
    files: int = 0  # sources the engine was given
    kept: int = 0  # of those, the ones the prefilter let through
    deferred: int = 0  # kept for an import only, naming nothing that acquires: not parsed
    parsed: int = 0  # LibCST parses
    functions: int = 0  # functions of the parsed modules
    functions_analysed: int = 0  # of those, the ones the flow analysis ran on
    later_pass_files: int = 0  # files linted again with other modules' summaries
    parsed_again: int = 0  # of those, the ones an earlier pass had parsed already
    helpers_needed: int = 0  # deferred files linted after all: another file looked up a name of theirs
    parse_seconds: float = 0.0
    analysis_seconds: float = 0.0
    rules_seconds: float = 0.0  # the rule families and the diagnostics, positions included
    positions_seconds: float = 0.0

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


STATS = Stats()


@contextmanager
def timed(counter: str) -> Iterator[None]:
    """Adds the CPU seconds of the block to `STATS.<counter>`."""
    start = time.process_time()
    try:
        yield
    finally:
        setattr(STATS, counter, getattr(STATS, counter) + time.process_time() - start)


def flush() -> None:
    """Append this process's counters to the stats file, if one is asked for,
    and start again from zero."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    if not path or STATS.is_empty():
        return
    line = json.dumps(asdict(STATS)) + "\n"
    for counter in fields(STATS):
        setattr(STATS, counter.name, counter.default)
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line)  # one short append: lines of concurrent workers do not interleave
    except OSError:
        pass
