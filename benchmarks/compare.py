"""CPU time of leaklint at another commit against the working tree, on one
tree, in alternating runs: how a change's speed is measured here.

    .venv/bin/python benchmarks/compare.py --base REV TREE [--repeat 5] [--jobs 1]

The other commit's `linter/`, `rules/` and `docs/rules/` are unpacked as the
`leaklint` package into a temporary directory and run with the same Python
(`python -m leaklint` with that directory first on `PYTHONPATH`); the working
tree runs as installed. After one untimed run of each, each round runs both, in turn, with `--no-cache
--exit-zero --format json`; the report gives each run's user + system CPU
seconds (of the process and its workers), the medians and their ratio, and
whether every run printed the same JSON (a speed change must not change the
findings).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# where each source folder goes in the package (pyproject.toml's package-dir)
PACKAGE_DIRS = {"linter": "leaklint", "rules": "leaklint/rules", "docs/rules": "leaklint/ruledocs"}


def unpack(rev: str, into: Path) -> None:
    """The package of commit `rev`, as `pip install` lays it out."""
    for source, target in PACKAGE_DIRS.items():
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, source], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # the archive lists the folders above `source` too (`docs/` for `docs/rules`)
            members = [m for m in tar.getmembers() if Path(m.name).is_relative_to(source)]
            for member in members:
                member.name = str(Path(target) / Path(member.name).relative_to(source))
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Pythons that have it warn without it
            tar.extractall(into, members=members, **safe)


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bytes]:
    """(user + system CPU seconds of the run and its children, its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.decode(errors='replace')[-400:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--jobs", type=int, default=1, help="leaklint's --jobs (default 1)")
    args = parser.parse_args(argv)
    options = ["--no-cache", "--exit-zero", "--format", "json", "--jobs", str(args.jobs), str(args.tree.resolve())]
    with tempfile.TemporaryDirectory(prefix="leaklint-compare-") as scratch:
        scratch = Path(scratch)
        unpack(args.base, scratch / "base")
        (scratch / "cwd").mkdir()  # no configuration file applies
        base_env = dict(os.environ, PYTHONPATH=str(scratch / "base"))
        runs = {
            "base": ([sys.executable, "-m", "leaklint", *options], base_env),
            "work": ([sys.executable, "-m", "leaklint", *options], dict(os.environ)),
        }
        seconds: dict[str, list[float]] = {name: [] for name in runs}
        outputs: set[bytes] = set()
        for command, env in runs.values():  # untimed: compiles the base's bytecode, warms the page cache
            outputs.add(timed(command, env, scratch / "cwd")[1])
        for round_ in range(1, args.repeat + 1):
            for name, (command, env) in runs.items():
                cpu, output = timed(command, env, scratch / "cwd")
                seconds[name].append(cpu)
                outputs.add(output)
            print(f"round {round_}: base {seconds['base'][-1]:.2f} s, work {seconds['work'][-1]:.2f} s", flush=True)
    base, work = statistics.median(seconds["base"]), statistics.median(seconds["work"])
    print(f"median CPU s: base ({args.base}) {base:.2f}, working tree {work:.2f}, ratio {work / base:.3f}")
    print("output: identical in every run" if len(outputs) == 1 else "output: DIFFERENT between runs")
    return 0 if len(outputs) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
