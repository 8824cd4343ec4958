"""Where a cold run's CPU time goes, step by step, in one process.

    .venv/bin/python benchmarks/steps.py TREE

Lints TREE as `leaklint --no-cache --jobs 1` does (`leaklint.runner.lint_paths`
with the same discovery), with a timer around each step of the engine:
the byte prefilter, the `ast` second look, the LibCST parse, the analysis
(the first analysis of each module and the second one a module gets on
the same tree when its own helpers' summaries are new), the rules and
positions, the exports, and which summaries each file could use in the
later passes. leaklint's own counters (`LEAKLINT_STATS`) give the parse
and rule seconds; the rest is timed here by wrapping the engine's methods,
so the numbers add up to a little more than a plain run (the wrappers'
own cost).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable


def wrap(owner: object, name: str, step: str, spent: dict[str, float], count: Callable[[tuple, dict], str] | None = None) -> None:
    """Add the CPU seconds of every call of `owner.name` to `spent[step]`."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        key = count(args, kwargs) if count is not None else step
        began = time.process_time()
        try:
            found = original(*args, **kwargs)
            if hasattr(found, "__next__"):  # a generator: its work happens as it is read
                found = list(found)
            return found
        finally:
            spent[key] = spent.get(key, 0.0) + time.process_time() - began

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    args = parser.parse_args(argv)

    import leaklint.analysis as analysis
    import leaklint.engine as engine
    from leaklint import runner
    from leaklint.discovery import discover

    spent: dict[str, float] = {}
    wrap(engine.Linter, "might_have_findings", "byte prefilter", spent)
    wrap(engine.Linter, "deferrable_helpers", "second look (ast)", spent)
    wrap(engine.Linter, "_exports", "exports", spent)
    wrap(runner._CachedWorkers, "usable", "usable summaries (later passes)", spent)
    # a module analysed again on its tree gets the index of the first analysis
    wrap(analysis, "analyze_module", "", spent, lambda a, k: "analysis, again with own summaries" if k.get("index") is not None else "analysis, first")
    with tempfile.TemporaryDirectory(prefix="leaklint-steps-") as scratch:
        stats = Path(scratch) / "stats.jsonl"
        os.environ["LEAKLINT_STATS"] = str(stats)
        began = time.process_time()
        runner.lint_paths(discover([str(args.tree)]).files, engine.Linter(), jobs=1, use_cache=False)
        total = time.process_time() - began
        counters: dict[str, float] = {}
        for line in stats.read_text(encoding="utf-8").splitlines():
            for key, value in json.loads(line).items():
                counters[key] = counters.get(key, 0) + value
    spent["LibCST parse"] = counters.get("parse_seconds", 0.0)
    spent["rules and positions"] = counters.get("rules_seconds", 0.0)
    print(f"| step | CPU s |\n| --- | ---: |")
    for step, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"| {step} | {seconds:.2f} |")
    print(f"| all of `lint_paths` | {total:.2f} |")
    print(f"\n{counters.get('parsed', 0)} LibCST parses, {counters.get('parsed_again', 0)} of a file parsed before")
    return 0


if __name__ == "__main__":
    sys.exit(main())
