"""The least a cold leaklint run must do on a tree, measured step by step.

Whatever the analysis costs, a cold run starts the command, reads every
file, runs the byte prefilter on it, gives the files kept for an import
the second look with Python's own parser, and parses with LibCST the files
that name something that acquires (their findings come from that tree).
This measures each of those steps on the tree, in one process, without
any analysis, and the wall time of starting leaklint on an empty tree:

    least wall time with N workers = start + (CPU of the steps) / N

A target below that cannot be met by making the analysis cheaper; it needs
fewer or cheaper parses.  `benchmarks/run.py` runs this on every tree;
alone:

    .venv/bin/python benchmarks/least_work.py TREE [--jobs 2]

The measuring part runs in a child process of the virtualenv's Python,
which imports leaklint (the benchmark script itself only uses the standard
library).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

STEPS = (
    ("read_seconds", "read"),
    ("prefilter_seconds", "byte prefilter"),
    ("second_look_seconds", "second look (`ast`)"),
    ("parse_seconds", "LibCST parse of the files that name an acquisition"),
)


@dataclass
class LeastWork:
    files: int = 0
    kept: int = 0  # by the byte prefilter
    parsed: int = 0  # files that name an acquisition: LibCST must parse them
    start_seconds: float = 0.0  # wall time of leaklint on an empty tree
    steps: dict[str, float] | None = None  # CPU seconds per step
    error: str = ""

    def cpu(self) -> float:
        return sum((self.steps or {}).values())

    def least_wall(self, jobs: int) -> float:
        return self.start_seconds + self.cpu() / jobs


def measure(tree: Path, python: Path, leaklint: list[str], timeout: float) -> LeastWork:
    """The steps' CPU seconds (in a child process of `python`) and the
    median start-up wall time of `leaklint` over three runs."""
    try:
        child = subprocess.run([str(python), __file__, "--child", str(tree)], capture_output=True,
                               timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return LeastWork(error=str(error))
    if child.returncode != 0:
        return LeastWork(error=f"exit {child.returncode}: {child.stderr.decode(errors='replace')[-300:]}")
    found = LeastWork(**json.loads(child.stdout))
    with tempfile.TemporaryDirectory(prefix="leaklint-start-") as empty:
        (Path(empty) / "empty.py").write_bytes(b"")
        starts = []
        for _ in range(3):
            began = time.perf_counter()
            done = subprocess.run(leaklint + ["--no-cache", "--jobs", "2", empty], cwd=empty, capture_output=True,
                                  timeout=timeout, check=False, stdin=subprocess.DEVNULL)
            starts.append(time.perf_counter() - began)
            if done.returncode != 0:
                found.error = f"start-up run: exit {done.returncode}"
    found.start_seconds = statistics.median(starts)
    return found


def child(tree: str) -> dict:
    """In the virtualenv's Python: the steps, timed with `time.process_time`."""
    import libcst

    from leaklint.discovery import discover
    from leaklint.engine import Linter
    from leaklint.source import UnreadableSource, decode
    from leaklint.summaries import Summaries

    linter = Linter()
    summaries = Summaries(())  # the first pass: no other module's summaries yet
    steps = dict.fromkeys((key for key, _ in STEPS), 0.0)
    clock = time.process_time

    began = clock()
    raws = []
    for path in discover([tree]).files:
        try:
            raws.append(Path(path).read_bytes())
        except OSError:
            pass
    steps["read_seconds"] = clock() - began

    began = clock()
    kept = [raw for raw in raws if linter.might_have_findings(raw, summaries)]
    steps["prefilter_seconds"] = clock() - began

    began = clock()
    named = [raw for raw in kept if linter.deferrable_helpers(raw, summaries) is None]
    steps["second_look_seconds"] = clock() - began

    began = clock()
    for raw in named:
        try:
            libcst.parse_module(decode(raw).text)
        except (UnreadableSource, libcst.ParserSyntaxError, RecursionError):
            pass
    steps["parse_seconds"] = clock() - began
    return {"files": len(raws), "kept": len(kept), "parsed": len(named), "steps": steps}


def table(found: dict[str, LeastWork], cold_walls: dict[str, float | None], floors: dict[str, float | None],
          jobs: int = 2) -> list[str]:
    """The report's section: per tree, the steps and the least wall time
    beside the cold run's and the parse floor's (both with `jobs` workers)."""
    lines = [
        "#### The least a cold run must do",
        "",
        (f"`benchmarks/least_work.py`: the CPU seconds of the steps every cold run takes before any analysis, "
         f"measured alone in one process, and the least wall time they allow with {jobs} workers "
         f"(leaklint's start on an empty tree plus their CPU seconds divided by {jobs})."),
        "",
        "| tree | files | kept by the prefilter | named an acquisition (parsed) | "
        + " | ".join(f"{label} CPU s" for _, label in STEPS)
        + f" | start s | least wall s, {jobs} workers | cold run s | least / parse floor |",
        "| --- |" + " ---: |" * (len(STEPS) + 7),
    ]
    for name, work in found.items():
        if work.error and work.steps is None:
            lines.append(f"| {name} | failed: {work.error} |" + " |" * (len(STEPS) + 6))
            continue
        least = work.least_wall(jobs)
        floor, cold = floors.get(name), cold_walls.get(name)
        cells = [str(work.files), str(work.kept), str(work.parsed)]
        cells += [f"{(work.steps or {}).get(key, 0.0):.2f}" for key, _ in STEPS]
        cells += [f"{work.start_seconds:.2f}", f"{least:.2f}", f"{cold:.2f}" if cold else "-",
                  f"{least / floor:.2f}x" if floor else "-"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--jobs", type=int, default=2, help="workers the least wall time is computed for (default 2)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(str(args.tree))))
        return 0
    bin_dir = Path(sys.executable).parent
    work = measure(args.tree.resolve(), Path(sys.executable), [str(bin_dir / "leaklint"), "--format", "json", "--exit-zero"], 1800)
    if work.error and work.steps is None:
        print(f"failed: {work.error}", file=sys.stderr)
        return 1
    print("\n".join(table({args.tree.name: work}, {}, {}, args.jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
