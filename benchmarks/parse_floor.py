"""Parse every .py file of a tree with LibCST and do nothing else.

A LibCST-based linter that parsed every file could not be faster than
this, so the benchmark reports each tool's time and memory as a ratio to
it.  Files that fail to parse are skipped, as a linter would skip them.

Usage: python benchmarks/parse_floor.py [--jobs N] TREE
"""

from __future__ import annotations

import argparse
import os
import sys
from multiprocessing import Pool

import libcst

# Big enough to keep inter-process traffic negligible, small enough to
# keep both workers busy until the end.
CHUNKSIZE = 4


def python_files(root: str) -> list[str]:
    """All .py files under root, largest first so no worker gets a big
    file last while the other one idles."""
    sized = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                sized.append((os.path.getsize(path), path))
    sized.sort(reverse=True)
    return [path for _, path in sized]


def parse(path: str) -> bool:
    with open(path, "rb") as f:
        source = f.read()
    try:
        # Bytes, so that LibCST detects the encoding the way linters do.
        libcst.parse_module(source)
    except Exception:  # syntax errors, undecodable files
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)

    files = python_files(args.tree)
    with Pool(args.jobs) as pool:
        parsed = sum(pool.imap_unordered(parse, files, CHUNKSIZE))
        # Reap the workers before exiting, so that the caller's wait4()
        # includes their peak memory.
        pool.close()
        pool.join()
    # No timing here: the caller measures the whole process.
    print(f"parsed {parsed} of {len(files)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
