"""Where leaklint's time goes on one tree, from its own counters.

leaklint appends its counters to the file named by `LEAKLINT_STATS` (see
`linter/stats.py`): files kept by the prefilter, LibCST parses, functions
analysed, CPU seconds of parsing, analysis, rules and positions.  This
runs leaklint twice more per tree, untimed: once cold, and once cached
after one file of a copy of the tree changed, to count what that re-parses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

STATS_VARIABLE = "LEAKLINT_STATS"
TOUCH = b"\n# changed by the benchmark\n"


@dataclass
class Breakdown:
    cold: dict[str, float]  # summed counters of a cold run with 2 workers
    touched: dict[str, float]  # of a cached run after one file changed
    touched_file: str
    error: str = ""


def measure(tree: Path, leaklint: list[str], timeout: float) -> Breakdown:
    with tempfile.TemporaryDirectory(prefix="leaklint-breakdown-") as scratch:
        scratch = Path(scratch)
        cold_out = scratch / "cold.json"
        cold, error = run_counted(leaklint + ["--no-cache", "--jobs", "2", str(tree)], scratch, "cold", timeout, cold_out)
        if error:
            return Breakdown({}, {}, "", error)
        copy = scratch / "tree"
        shutil.copytree(tree, copy, ignore=shutil.ignore_patterns("__pycache__"))
        cached = leaklint + ["--cache-dir", str(scratch / "cache"), "--jobs", "2", str(copy)]
        _, error = run_counted(cached, scratch, "prime", timeout)
        if error:
            return Breakdown(cold, {}, "", error)
        victim = file_to_touch(tree, cold_out)
        with open(copy / victim, "ab") as handle:
            handle.write(TOUCH)
        touched, error = run_counted(cached, scratch, "touched", timeout)
        return Breakdown(cold, touched, str(victim), error)


def run_counted(argv: list[str], scratch: Path, name: str, timeout: float, stdout: Path | None = None) -> tuple[dict, str]:
    """leaklint's summed counters of one run, and why it failed (or "")."""
    stats = scratch / f"{name}.jsonl"
    env = dict(os.environ, **{STATS_VARIABLE: str(stats)})
    cwd = scratch / "cwd"
    cwd.mkdir(exist_ok=True)
    with open(stdout or os.devnull, "wb") as out:
        try:
            done = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return {}, str(error)
    if done.returncode != 0:
        return {}, f"exit {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}"
    return summed(stats), ""


def summed(path: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            for key, value in json.loads(line).items():
                totals[key] = totals.get(key, 0) + value
    return totals


def file_to_touch(tree: Path, findings: Path) -> Path:
    """A file leaklint parses: the first one with a finding, else the
    largest one that opens a connection or socket."""
    try:
        reported = json.loads(findings.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        reported = []
    for finding in reported:
        path = Path(finding["path"])
        if path.is_relative_to(tree):
            return path.relative_to(tree)
    candidates = [p for p in tree.rglob("*.py") if b"connect(" in p.read_bytes()]
    largest = max(candidates or tree.rglob("*.py"), key=lambda p: p.stat().st_size)
    return largest.relative_to(tree)


COLUMNS = (
    ("files", "files linted"),
    ("kept", "kept by the prefilter"),
    ("deferred", "of those, deferred (name nothing acquiring)"),
    ("helpers_needed", "deferred ones linted after all"),
    ("parsed", "LibCST parses"),
    ("functions", "functions in parsed files"),
    ("functions_analysed", "functions flow-analysed"),
    ("later_pass_files", "lints in later summary passes"),
    ("parsed_again", "files parsed a second time"),
    ("parse_seconds", "parse CPU s"),
    ("analysis_seconds", "analysis CPU s"),
    ("rules_seconds", "rules CPU s"),
    ("positions_seconds", "of which positions CPU s"),
)


def table(breakdowns: dict[str, Breakdown]) -> list[str]:
    lines = [
        "#### Where leaklint's time goes",
        "",
        ("leaklint's own counters (`LEAKLINT_STATS`) of one more cold run with 2 workers, "
         "summed over the processes, and the parses of a cached re-run after one file "
         "of a copy of the tree changed (a comment appended)."),
        "",
        "| tree | " + " | ".join(label for _, label in COLUMNS) + " | parses after one file changed |",
        "| --- |" + " ---: |" * (len(COLUMNS) + 1),
    ]
    for name, found in breakdowns.items():
        if found.error and not found.cold:
            lines.append(f"| {name} | " + " | " * len(COLUMNS) + f"failed: {found.error} |")
            continue
        cells = [cell(found.cold.get(key, 0)) for key, _ in COLUMNS]
        touched = (f"{cell(found.touched.get('parsed', 0))} (`{found.touched_file}`)"
                   if not found.error else f"failed: {found.error}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {touched} |")
    return lines + [""]


def cell(value: float) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
