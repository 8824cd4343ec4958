"""Benchmark leaklint against a LibCST parse floor and peer linters.

Run it with the project's virtualenv, from anywhere:

    .venv/bin/python benchmarks/run.py [--trees stdlib,django,sqlalchemy,mailman,barman]

Every command runs on the same trees in one session, interleaved, and the
report gives median wall time and peak memory per command, their ratio to
a LibCST parse of every file with the same number of workers, and how the
numbers compare with the project's performance targets.  Only the
standard library is used; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import breakdown
import least_work
from trees import MIB, PYTHON, WORK_DIR, Tree, log, prepare_tree, warm_page_cache

BENCH_DIR = Path(__file__).resolve().parent
BIN_DIR = Path(sys.executable).parent

ALL_TREES = ("stdlib", "django", "sqlalchemy", "mailman", "barman")
# Trees where nearly every file is parsed: the analysis must cost no more than the parse.
PARSE_BOUND_TREES = ("sqlalchemy", "mailman", "barman")
COMMAND_KEYS = ("floor2", "floor1", "cold2", "cached2", "cold1", "pylint2", "ruff", "ruff_all", "flake8_lkl", "flake8")

# Peer linters, installed into this virtualenv when missing.  The newest
# releases need a recent Python; older Pythons get the last that runs.
PEER_PINS = {
    "pylint": "4.1.4" if sys.version_info >= (3, 10) else "3.3.9",
    "ruff": "0.17.6",
    "flake8": "7.5.0" if sys.version_info >= (3, 11) else "7.1.2",
}


# --------------------------------------------------------------- tools


def installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def ensure_peers() -> None:
    for dist, version in PEER_PINS.items():
        installed = installed_version(dist)
        if installed is None:
            log(f"installing {dist}=={version} into {sys.prefix}")
            # A failed install shows up as that tool's failed runs.
            subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", f"{dist}=={version}"], check=False)
        elif installed != version:
            log(f"using the installed {dist} {installed} (the benchmark pins {version})")


def leaklint_command() -> tuple[list[str] | None, str]:
    """How to start leaklint here, or why it cannot be."""
    script = BIN_DIR / "leaklint"
    if script.exists():
        return [str(script)], ""
    probe = subprocess.run(
        [PYTHON, "-m", "leaklint", "--version"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(), check=False,
    )
    if probe.returncode == 0:
        return [PYTHON, "-m", "leaklint"], ""
    return None, f"no {script} and no `python -m leaklint` (pip install -e .)"


def flake8_plugin_registered(name: str) -> bool:
    entry_points = importlib.metadata.entry_points()
    if hasattr(entry_points, "select"):
        group = entry_points.select(group="flake8.extension")
    else:  # Python 3.9
        group = entry_points.get("flake8.extension", [])
    return any(ep.name == name for ep in group)


@dataclass
class Tools:
    leaklint: list[str] | None
    leaklint_missing: str
    lkl_plugin: bool

    @classmethod
    def find(cls) -> Tools:
        leaklint, missing = leaklint_command()
        return cls(leaklint, missing, flake8_plugin_registered("LKL"))


def tool_versions() -> dict[str, str]:
    names = ("leaklint", "libcst", "pylint", "astroid", "ruff", "flake8")
    return {name: installed_version(name) or "not installed" for name in names}


# ------------------------------------------------------------ commands


@dataclass
class Outcome:
    seconds: float = 0.0
    cpu: float = 0.0  # user + system seconds, all processes
    peak: int = 0  # bytes
    code: int = 0
    timed_out: bool = False
    error: str = ""  # could not start
    stdout: Path = Path(os.devnull)
    stderr_tail: str = ""

    @property
    def printed(self) -> bool:
        return self.stdout.stat().st_size > 0


def completed_if_zero(outcome: Outcome) -> bool:
    return outcome.code == 0


def completed_if_pylint_ran(outcome: Outcome) -> bool:
    # pylint's exit status is a bit mask of the kinds of messages it
    # printed: 32 (usage error) and signals mean it did not run, and a
    # bare 1 (fatal) without output is a crash.
    code = outcome.code
    return 0 <= code < 32 and (code != 1 or outcome.printed)


def completed_if_flake8_ran(outcome: Outcome) -> bool:
    # 1 means findings, which flake8 prints all at the end; a plugin that
    # fails to load also exits 1, having printed nothing.
    return outcome.code == 0 or (outcome.code == 1 and outcome.printed)


@dataclass
class Command:
    key: str
    label: str
    argv: list[str]
    workers: int  # the parse floor it is compared with
    completed: Callable[[Outcome], bool] = completed_if_zero
    env: dict[str, str] = field(default_factory=dict)
    unavailable: str = ""  # why it cannot run here
    primed: bool = False  # needs one untimed run first (a warm cache)
    counts_findings: bool = False  # prints leaklint's JSON findings


def build_commands(tree: Path, tools: Tools, cache_dir: Path) -> list[Command]:
    t = str(tree)
    floor = [PYTHON, str(BENCH_DIR / "parse_floor.py")]
    leaklint = (tools.leaklint or ["leaklint"]) + ["--format", "json", "--exit-zero"]
    # Concise output: printing code frames would make ruff look slower.
    ruff = [str(BIN_DIR / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero",
            "--output-format", "concise"]
    # ruff uses a thread per core; hold it to the workers the others get.
    ruff_env = {"RAYON_NUM_THREADS": "2"}
    commands = [
        Command("floor2", "LibCST parse floor, 2 workers", floor + ["--jobs", "2", t], 2),
        Command("floor1", "LibCST parse floor, 1 worker", floor + ["--jobs", "1", t], 1),
        Command("cold2", "leaklint --no-cache --jobs 2", leaklint + ["--no-cache", "--jobs", "2", t], 2),
        Command("cached2", "leaklint --jobs 2 (cached)",
                leaklint + ["--cache-dir", str(cache_dir), "--jobs", "2", t], 2, primed=True),
        Command("cold1", "leaklint --no-cache --jobs 1", leaklint + ["--no-cache", "--jobs", "1", t], 1),
        Command("pylint2", "pylint consider-using-with -j 2",
                [str(BIN_DIR / "pylint"), "--disable=all", "--enable=consider-using-with",
                 "-j", "2", "--recursive=y", t], 2, completed_if_pylint_ran),
        Command("ruff", "ruff check (default rules)", ruff + [t], 2, env=ruff_env),
        Command("ruff_all", "ruff check --select ALL", ruff + ["--select", "ALL", t], 2, env=ruff_env),
        Command("flake8_lkl", "flake8 -j 2 with LKL",
                [str(BIN_DIR / "flake8"), "--isolated", "--extend-select", "LKL", "-j", "2", t],
                2, completed_if_flake8_ran),
        Command("flake8", "flake8 -j 2 without LKL",
                [PYTHON, str(BENCH_DIR / "flake8_without.py"), "LKL", "--isolated", "-j", "2", t],
                2, completed_if_flake8_ran),
    ]
    for command in commands:
        if command.key in ("cold2", "cached2", "cold1"):
            command.counts_findings = True
            command.unavailable = tools.leaklint_missing
        if command.key == "flake8_lkl" and not tools.lkl_plugin:
            command.unavailable = "no flake8.extension entry point LKL"
    return commands


# ------------------------------------------------------------- running


def run_once(command: Command, scratch: Path, timeout: float) -> Outcome:
    """Run one command; wall time from fork to reaping, peak memory from
    wait4(), which is the largest max RSS among the process and the
    descendants it waited for."""
    # An empty working directory, so that no tool finds a config file.
    cwd = scratch / "cwd"
    cwd.mkdir(exist_ok=True)
    out_path, err_path = scratch / "stdout", scratch / "stderr"
    env = dict(os.environ, **command.env)
    expired = threading.Event()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                command.argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, start_new_session=True,
            )
        except OSError as exc:
            return Outcome(error=str(exc))
        timer = threading.Timer(timeout, lambda: (expired.set(), kill_group(proc.pid)))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill_group(proc.pid)
            raise
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Outcome(
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        peak=usage.ru_maxrss * 1024,  # KiB on Linux
        code=proc.returncode,
        timed_out=expired.is_set(),
        stdout=out_path,
        stderr_tail=tail(err_path),
    )


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def tail(path: Path, lines: int = 3, width: int = 300) -> str:
    text = path.read_bytes()[-4096:].decode("utf-8", "replace")
    return " | ".join(text.strip().splitlines()[-lines:])[-width:]


@dataclass
class Result:
    command: Command
    seconds: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    failure: str = ""
    notes: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return bool(self.seconds) and not self.failure

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> int:
        return max(self.peaks)


def record(result: Result, outcome: Outcome, timeout: float) -> None:
    command = result.command
    if outcome.error:
        result.failure = f"could not start: {outcome.error}"
    elif outcome.timed_out:
        result.failure = f"timed out after {timeout:g} s"
    elif not command.completed(outcome):
        result.failure = f"exit {outcome.code}: {outcome.stderr_tail or 'no message'}"
    else:
        result.seconds.append(outcome.seconds)
        result.cpus.append(outcome.cpu)
        result.peaks.append(outcome.peak)
        if command.key.startswith("floor"):
            result.notes.add(outcome.stderr_tail)  # how many files parsed
        if command.key == "pylint2" and outcome.code & 1:
            result.notes.add("printed fatal messages")
        if command.counts_findings:
            result.notes.add(count_findings(outcome.stdout))


def count_findings(stdout: Path) -> str:
    try:
        findings = json.loads(stdout.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "output is not JSON"
    if isinstance(findings, list):
        return f"{len(findings)} findings"
    return "unexpected JSON"


def measure_tree(tree: Tree, tools: Tools, repeat: int, timeout: float, selected: set[str] | None) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="leaklint-bench-") as scratch:
        scratch = Path(scratch)
        commands = build_commands(tree.path, tools, scratch / "cache")
        results = [Result(c) for c in commands]
        for result in results:
            result.failure = result.command.unavailable
            if selected is not None and result.command.key not in selected:
                result.failure = "left out (--commands)"
        warm_page_cache(tree.path)
        for result in results:
            if result.command.primed and not result.failure:
                log(f"[{tree.name}] warming the cache: {result.command.label}")
                record(result, run_once(result.command, scratch, timeout), timeout)
                if result.failure:
                    log(f"[{tree.name}] {progress(result)}")
                result.seconds.clear()
                result.cpus.clear()
                result.peaks.clear()
        for round_no in range(repeat):
            # Rotate the order so no command always follows the same one.
            shift = round_no % len(results)
            for result in results[shift:] + results[:shift]:
                if result.failure:
                    continue
                record(result, run_once(result.command, scratch, timeout), timeout)
                log(f"[{tree.name}] {round_no + 1}/{repeat} {progress(result)}")
        return results


def progress(result: Result) -> str:
    if result.failure:
        return f"{result.command.label}: FAILED {result.failure}"
    return (f"{result.command.label}: {result.seconds[-1]:.2f} s, "
            f"{result.peaks[-1] / MIB:.0f} MiB")


def warm_up_tools(tools: Tools, timeout: float) -> None:
    """Run every command once on a one-file tree, untimed, so that each
    tool's own files are in the page cache before anything is timed."""
    tree = WORK_DIR / "trees" / "warm-up"
    tree.mkdir(parents=True, exist_ok=True)
    (tree / "example.py").write_text(
        "import socket\n\n\ndef ping(host):\n"
        "    s = socket.create_connection((host, 80))\n"
        "    s.sendall(b'ping')\n"
    )
    log("warming up the tools on a one-file tree")
    with tempfile.TemporaryDirectory(prefix="leaklint-bench-") as scratch:
        scratch = Path(scratch)
        for command in build_commands(tree, tools, scratch / "cache"):
            if not command.unavailable:
                run_once(command, scratch, timeout)


# ------------------------------------------------------------- report


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "n/a"


def tree_table(tree: Tree, results: list[Result]) -> list[str]:
    floors = {r.command.workers: r for r in results
              if r.command.key in ("floor1", "floor2") and r.ok}
    lines = [
        f"#### {tree.name}: {tree.files} files, {tree.size / MIB:.1f} MiB",
        "",
        f"{tree.description}; `{tree.path}`",
        "",
        "| command | median s | range s | CPU s | peak MiB | time vs floor | memory vs floor | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if not r.ok:
            lines.append(f"| {r.command.label} | | | | | | | {escape_cell(r.failure)} |")
            continue
        floor = floors.get(r.command.workers)
        lines.append(
            f"| {r.command.label} | {r.median:.2f} "
            f"| {min(r.seconds):.2f}–{max(r.seconds):.2f} "
            f"| {statistics.median(r.cpus):.2f} | {r.peak / MIB:.0f} "
            f"| {ratio(r.median, floor.median) if floor else 'n/a'} "
            f"| {ratio(r.peak, floor.peak) if floor else 'n/a'} "
            f"| {escape_cell('; '.join(sorted(r.notes)))} |"
        )
    return lines + [""]


def escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass
class Target:
    name: str
    wanted: str
    measured: str = ""
    verdict: str = "n/a"  # PASS, FAIL or n/a


def workers(count: int) -> str:
    return f"{count} worker" + ("s" if count != 1 else "")


def time_ratio(a: Result, b: Result) -> float:
    return a.median / b.median


def memory_ratio(a: Result, b: Result) -> float:
    return a.peak / b.peak


def evaluate_targets(all_results: dict[str, list[Result]],
                     breakdowns: dict[str, breakdown.Breakdown]) -> list[Target]:
    measured = {(tree, r.command.key): r
                for tree, results in all_results.items() for r in results if r.ok}

    def target(name, wanted, tree, keys, measure, passes, unit="x"):
        """measure() gets the results of keys on tree, passes() its value."""
        if tree not in all_results:
            return Target(name, wanted, f"{tree} not measured")
        found = [measured.get((tree, key)) for key in keys]
        if None in found:
            labels = {r.command.key: r.command.label for r in all_results[tree]}
            missing = ", ".join(labels[k] for k, r in zip(keys, found) if r is None)
            return Target(name, wanted, f"no successful run of {missing}")
        value = measure(*found)
        return Target(name, wanted, f"{value:.2f}{unit}", "PASS" if passes(value) else "FAIL")

    targets = [
        target("stdlib: pylint consider-using-with -j 2 time / leaklint cold --jobs 2 time",
               "≥ 20x", "stdlib", ["pylint2", "cold2"], time_ratio, lambda v: v >= 20),
        target("stdlib: leaklint cold --jobs 2 / parse floor, 2 workers",
               "≤ 0.14x (1/7)", "stdlib", ["cold2", "floor2"], time_ratio, lambda v: v <= 1 / 7),
    ]
    targets += [
        target("stdlib: leaklint cached re-run --jobs 2", "< 0.3 s", "stdlib", ["cached2"],
               lambda cached: cached.median, lambda v: v < 0.3, unit=" s"),
        target("stdlib: leaklint cached re-run / ruff uncached (default rules)",
               "≤ 3x", "stdlib", ["cached2", "ruff"], time_ratio, lambda v: v <= 3),
        target("stdlib: flake8 -j 2 with LKL / without", "≤ 1.2x", "stdlib",
               ["flake8_lkl", "flake8"], time_ratio, lambda v: v <= 1.2),
    ]
    targets.append(touch_target(breakdowns.get("stdlib")))
    for tree in all_results:
        for jobs in (2, 1):
            against_floor = [f"cold{jobs}", f"floor{jobs}"]
            if tree in PARSE_BOUND_TREES:
                targets.append(target(f"{tree}: leaklint cold --jobs {jobs} / parse floor, {workers(jobs)}",
                                      "≤ 1.0x", tree, against_floor, time_ratio, lambda v: v <= 1.0))
            targets.append(target(f"{tree}: leaklint cold --jobs {jobs} peak memory / parse floor's",
                                  "≤ 2x", tree, against_floor, memory_ratio, lambda v: v <= 2))
    return targets


def touch_target(found: breakdown.Breakdown | None) -> Target:
    name, wanted = "stdlib: LibCST parses of a cached re-run after one file changed", "≤ 1"
    if found is None:
        return Target(name, wanted, "stdlib not measured")
    if found.error:
        return Target(name, wanted, f"failed: {found.error}")
    parsed = found.touched.get("parsed", 0)
    return Target(name, wanted, f"{parsed}", "PASS" if parsed <= 1 else "FAIL")


def commands_section(tools: Tools) -> list[str]:
    lines = [
        "#### Commands",
        "",
        ("TREE stands for the tree's path; every command runs in an empty directory, "
         "so that no configuration file applies."),
        "",
    ]
    for c in build_commands(Path("TREE"), tools, Path("CACHE")):
        env = " ".join(f"{k}={v}" for k, v in c.env.items())
        argv = " ".join(shorten(a) for a in c.argv)
        lines.append(f"- {c.label}: `{(env + ' ' + argv).strip()}`")
    return lines + [""]


def shorten(arg: str) -> str:
    """Paths relative to the virtualenv or this directory, for reading."""
    for prefix, name in ((str(BIN_DIR), "$VENV/bin"), (str(BENCH_DIR), "benchmarks")):
        if arg.startswith(prefix + os.sep):
            return name + arg[len(prefix):]
    return arg


def report(trees: list[Tree], all_results: dict[str, list[Result]],
           breakdowns: dict[str, breakdown.Breakdown], least: dict[str, least_work.LeastWork],
           tools: Tools, args: argparse.Namespace, load_before: float) -> str:
    launcher = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    versions = ", ".join(f"{k} {v}" for k, v in tool_versions().items())
    quick = "; quick mode" if args.quick else ""
    lines = [
        "### Benchmark run",
        "",
        f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- tools: {versions}",
        f"- repetitions: {args.repeat}, interleaved, median reported{quick}",
        # Competing work inflates wall times: say how busy the machine was.
        (f"- load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
         f"well above 0 means something else competed for the CPUs"),
        (f"- peak memory: the largest max RSS of one process, which includes the "
         f"{launcher / MIB:.0f} MiB of the benchmark script itself (see docs/performance.md)"),
        "",
    ]
    for tree in trees:
        lines += tree_table(tree, all_results[tree.name])
    lines += breakdown.table(breakdowns)
    lines += least_work.table(least, medians(all_results, "cold2"), medians(all_results, "floor2"))
    lines += commands_section(tools)
    lines += ["#### Targets", ""]
    if args.quick:
        lines += ["Quick mode: the stdlib figures come from a subset and are indicative only.", ""]
    lines += ["| target | measured | wanted | result |", "| --- | --- | --- | --- |"]
    for t in evaluate_targets(all_results, breakdowns):
        lines.append(f"| {t.name} | {escape_cell(t.measured)} | {t.wanted} | {t.verdict} |")
    return "\n".join(lines) + "\n"


def medians(all_results: dict[str, list[Result]], key: str) -> dict[str, float | None]:
    """Per tree, the median wall time of one command (None where it failed)."""
    return {tree: next((r.median for r in results if r.command.key == key and r.ok), None)
            for tree, results in all_results.items()}


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark leaklint (see docs/performance.md).")
    parser.add_argument("--trees", help="comma-separated, from: " + ",".join(ALL_TREES)
                        + " (default: all; stdlib with --quick)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="one repetition and only the stdlib's top-level modules")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report here")
    parser.add_argument("--commands", help="comma-separated command keys to run (default: all): "
                        + ",".join(COMMAND_KEYS))
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds before a run is killed and counted as failed (default 1800)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    default = "stdlib" if args.quick else ",".join(ALL_TREES)
    args.trees = [t.strip() for t in (args.trees or default).split(",") if t.strip()]
    unknown = set(args.trees) - set(ALL_TREES)
    if unknown:
        parser.error(f"unknown trees: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.commands is not None:
        args.commands = {c.strip() for c in args.commands.split(",") if c.strip()}
        if args.commands - set(COMMAND_KEYS):
            parser.error(f"unknown commands: {', '.join(sorted(args.commands - set(COMMAND_KEYS)))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    WORK_DIR.mkdir(exist_ok=True)
    ensure_peers()
    tools = Tools.find()
    if tools.leaklint is None:
        log(f"leaklint is not runnable: {tools.leaklint_missing}")
    trees = [prepare_tree(name, args.quick) for name in args.trees]
    warm_up_tools(tools, args.timeout)
    all_results = {}
    breakdowns = {}
    least = {}
    for tree in trees:
        log(f"[{tree.name}] {tree.files} files, {tree.size / MIB:.1f} MiB in {tree.path}")
        all_results[tree.name] = measure_tree(tree, tools, args.repeat, args.timeout, args.commands)
        if tools.leaklint is not None:
            log(f"[{tree.name}] counting where leaklint's time goes")
            breakdowns[tree.name] = breakdown.measure(tree.path, tools.leaklint + ["--format", "json", "--exit-zero"],
                                                      args.timeout)
            log(f"[{tree.name}] measuring the least a cold run must do")
            least[tree.name] = least_work.measure(tree.path, Path(PYTHON), tools.leaklint + ["--format", "json", "--exit-zero"],
                                                  args.timeout)
    text = report(trees, all_results, breakdowns, least, tools, args, load_before)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
        log(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
