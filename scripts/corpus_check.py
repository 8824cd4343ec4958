#!/usr/bin/env python3
"""Lint a large tree of real code nobody here wrote, and fail on any crash.

The corpus is this interpreter's standard library plus the site-packages of
a virtual environment that this script creates (once, under a cache dir)
from the pinned list in `scripts/corpus-requirements.txt`.

Lint phase (in-process, `Linter().lint_files`, one directory at a time):
  - any internal error, any exception escaping the engine, any file that
    takes longer than --file-timeout seconds is a failure;
  - every LKL000 must be a real syntax error: the file is compiled with
    `compile()`, and the error must be on the line LKL000 names.
Fix phase (the CLI, `leaklint --fix --unsafe-fixes`, on a copy of the tree):
  - every changed file still compiles, nothing else is written, and a second
    run changes nothing.

    python scripts/corpus_check.py                      # everything (10,000+ files)
    python scripts/corpus_check.py --subset stdlib --limit 600   # CI-sized, < 5 min

Exit status: 0 all checks passed, 1 a check failed, 2 the corpus could not
be set up (e.g. the venv could not be installed).
"""
from __future__ import annotations

import argparse
import ast
import collections
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "corpus-requirements.txt"
SUFFIXES = (".py", ".pyi")
SKIP_DIRS = {"__pycache__", "site-packages", "dist-packages", ".git"}


# -- the corpus -------------------------------------------------------------------------


@dataclass
class Corpus:
    roots: dict[str, Path]  # label -> directory
    files: list[tuple[str, Path]] = field(default_factory=list)  # (label, path)


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def cache_dir(explicit: Optional[str]) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("LEAKLINT_CORPUS_CACHE"):
        return Path(os.environ["LEAKLINT_CORPUS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "leaklint-corpus"


def requirements_key() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:12]


def ensure_venv(cache: Path) -> Path:
    """The site-packages of the corpus venv, created on first use."""
    key = requirements_key()
    venv = cache / f"venv-py{sys.version_info[0]}{sys.version_info[1]}-{key}"
    marker = venv / ".leaklint-corpus-complete"
    python = venv / "bin" / "python"
    if not marker.exists():
        if venv.exists():
            shutil.rmtree(venv)  # a half-made one from an interrupted run
        venv.parent.mkdir(parents=True, exist_ok=True)
        say(f"creating the corpus venv in {venv} (once; this downloads the packages in {REQUIREMENTS.name})")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # every package is pinned in the list, dependencies included: --no-deps keeps it exact
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "--no-deps", "-r", str(REQUIREMENTS)],
            check=True,
        )
        marker.write_text(key + "\n")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return Path(purelib)


def walk(root: Path) -> Iterable[Path]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(SUFFIXES):
                path = Path(directory) / name
                if path.is_file():  # no FIFOs, no broken links
                    yield path


def collect(args: argparse.Namespace) -> Corpus:
    roots: dict[str, Path] = {}
    if args.subset in ("all", "stdlib"):
        roots["stdlib"] = stdlib_root()
    if args.subset in ("all", "site-packages"):
        roots["site-packages"] = ensure_venv(cache_dir(args.cache_dir))
    corpus = Corpus(roots)
    seen: set[str] = set()
    for label, root in roots.items():
        for path in walk(root):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                corpus.files.append((label, path))
    if args.limit and len(corpus.files) > args.limit:
        # evenly spread over the whole corpus rather than its first N files
        step = len(corpus.files) / args.limit
        corpus.files = [corpus.files[int(i * step)] for i in range(args.limit)]
    return corpus


# -- the lint phase ---------------------------------------------------------------------


class FileTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` in
    the engine takes it for a rule's error."""


def _alarm(signum, frame):
    raise FileTimeout()


@dataclass
class LintStats:
    files: int = 0
    bytes: int = 0
    parsed: int = 0
    prefiltered: int = 0
    skipped: dict[str, list[str]] = field(default_factory=lambda: collections.defaultdict(list))
    codes: collections.Counter = field(default_factory=collections.Counter)
    lkl000: list[tuple[str, int, str]] = field(default_factory=list)
    internal_errors: list[tuple[str, str, str]] = field(default_factory=list)  # (path, rule, last line)
    timeouts: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fixable_files: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str, int]] = field(default_factory=list)  # (seconds, directory, files)
    seconds: float = 0.0


def lint_phase(corpus: Corpus, timeout: float) -> LintStats:
    from leaklint.engine import Linter

    stats = LintStats()
    groups: dict[Path, list[str]] = collections.defaultdict(list)
    for _, path in corpus.files:
        groups[path.parent].append(str(path))
    previous = signal.signal(signal.SIGALRM, _alarm)
    linter = Linter()
    started = time.perf_counter()
    done = 0
    try:
        for directory, paths in groups.items():
            t0 = time.perf_counter()
            results, linter = _lint_group(linter, paths, timeout, stats)
            stats.slowest.append((time.perf_counter() - t0, str(directory), len(paths)))
            for result in results:
                _account(result, stats)
            done += len(paths)
            if sys.stderr.isatty():
                sys.stderr.write(f"\r  linted {done}/{len(corpus.files)} files")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    stats.seconds = time.perf_counter() - started
    stats.slowest = sorted(stats.slowest, reverse=True)[:5]
    return stats


def _lint_group(linter, paths: list[str], timeout: float, stats: LintStats):
    """All files of one directory together (their summaries cross files); on a
    timeout or an escaped exception, each file alone to find the culprit."""
    from leaklint.engine import Linter

    try:
        signal.setitimer(signal.ITIMER_REAL, timeout * len(paths))
        try:
            return linter.lint_files(paths).files, linter
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except (FileTimeout, Exception):
        pass
    linter = Linter()  # the interrupted one may hold half-made state
    results = []
    for path in paths:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                results.extend(linter.lint_files([path]).files)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except FileTimeout:
            stats.timeouts.append(path)
            stats.failures.append(f"{path}: not linted within {timeout:g}s (a hang?)")
            stats.files += 1
            linter = Linter()
        except BaseException as error:  # noqa: BLE001 - anything escaping the engine is the bug we look for
            if isinstance(error, KeyboardInterrupt):
                raise
            stats.internal_errors.append((path, "escaped lint_files", f"{type(error).__name__}: {error}"))
            stats.failures.append(f"{path}: {type(error).__name__} escaped Linter.lint_files: {error}")
            stats.files += 1
            linter = Linter()
    return results, linter


def _account(result, stats: LintStats) -> None:
    stats.files += 1
    try:
        raw = Path(result.path).read_bytes()
    except OSError:
        raw = b""
    stats.bytes += len(raw)
    if result.parsed:
        stats.parsed += 1
    if result.skipped:
        stats.skipped[result.skipped].append(result.path)
        if _compiles(raw, result.path) is None:
            stats.warnings.append(f"{result.path}: skipped ({result.skipped}) but CPython compiles it")
    elif not result.parsed and not result.diagnostics:
        stats.prefiltered += 1
    for error in result.errors:
        last = error.detail.strip().splitlines()[-1] if error.detail.strip() else ""
        stats.internal_errors.append((result.path, error.rule, last))
        stats.failures.append(f"{result.path}: internal error in {error.rule}: {last}")
    fixable = False
    for d in result.diagnostics:
        stats.codes[d.code] += 1
        fixable = fixable or d.fix is not None
        if d.code == "LKL000":
            stats.lkl000.append((result.path, d.line, d.message))
            problem = _compiles(raw, result.path)
            if problem is None:
                stats.failures.append(f"{result.path}:{d.line}: LKL000 on a file CPython compiles ({d.message})")
            elif problem[0] is not None and problem[0] != d.line:
                stats.failures.append(
                    f"{result.path}:{d.line}: LKL000 at line {d.line}, CPython says line {problem[0]} ({problem[1]})"
                )
    if fixable:
        stats.fixable_files.append(result.path)


def _compiles(raw: bytes, path: str) -> Optional[tuple[Optional[int], str]]:
    """None if CPython compiles the bytes; else (line, why)."""
    try:
        compile(raw, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return error.lineno, error.msg
    except (ValueError, RecursionError, MemoryError) as error:
        return None, f"{type(error).__name__}: {error}"
    return None


# -- the fix phase ----------------------------------------------------------------------


FIX_OPTIONS = ("--fix", "--unsafe-fixes", "--format", "json", "--no-cache", "--isolated", "--exit-zero", "--quiet")


@dataclass
class FixStats:
    files: int = 0
    fixable: int = 0
    changed: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for directory, _, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).digest()
    return out


def fix_phase(corpus: Corpus, fixable: list[str], timeout: float, keep: bool) -> FixStats:
    stats = FixStats()
    work = Path(tempfile.mkdtemp(prefix="leaklint-corpus-fix-"))
    try:
        originals: dict[str, Path] = {}
        fixable_set = {os.path.realpath(p) for p in fixable}
        by_directory: dict[Path, list[str]] = collections.defaultdict(list)
        for label, path in corpus.files:
            target = work / label / path.relative_to(corpus.roots[label])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            originals[str(target)] = path
            if os.path.realpath(path) in fixable_set:
                by_directory[target.parent].append(str(target))
        stats.files = len(originals)
        # the fixer runs on the files with fixable findings (the rest are copied
        # all the same: a write beside them would show), a directory at a time
        batches = [files[i : i + 200] for files in by_directory.values() for i in range(0, len(files), 200)]
        stats.fixable = sum(len(b) for b in batches)
        before = _snapshot(work)
        t0 = time.perf_counter()
        _run_fix(batches, timeout, stats, "first")
        after = _snapshot(work)
        for relative in sorted(set(after) - set(before)):
            stats.failures.append(f"--fix left a new file behind: {relative}")
        for relative in sorted(set(before) - set(after)):
            stats.failures.append(f"--fix removed a file: {relative}")
        for relative in sorted(k for k in before.keys() & after.keys() if before[k] != after[k]):
            copy = work / relative
            stats.changed.append(str(originals.get(str(copy), copy)))
            original = originals[str(copy)].read_bytes()
            fixed = copy.read_bytes()
            if _compiles(original, str(copy)) is None and (problem := _compiles(fixed, str(copy))) is not None:
                stats.failures.append(f"{originals[str(copy)]}: the fixed file does not compile: line {problem[0]}: {problem[1]}")
        _run_fix(batches, timeout, stats, "second")
        again = _snapshot(work)
        for relative in sorted(k for k in after.keys() & again.keys() if after[k] != again[k]):
            stats.failures.append(f"{originals.get(str(work / relative), relative)}: a second --fix changed it again (not idempotent)")
        for relative in sorted(set(again) ^ set(after)):
            stats.failures.append(f"the second --fix added or removed {relative}")
        stats.seconds = time.perf_counter() - t0
    finally:
        if keep:
            say(f"fixed copy kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return stats


def _run_fix(batches: list[list[str]], timeout: float, stats: FixStats, which: str) -> None:
    for files in batches:
        command = [sys.executable, "-m", "leaklint", *FIX_OPTIONS, *files]
        try:
            done = run_bounded(command, timeout=timeout * len(files) + 60)
        except subprocess.TimeoutExpired:
            stats.failures.append(f"{which} --fix on {len(files)} files under {Path(files[0]).parent} did not finish in time")
            continue
        stderr = done.stderr.strip()
        if done.returncode not in (0, 1, 2) or "Traceback" in stderr or "internal error" in stderr:
            lines = stderr.splitlines()
            shown = lines if len(lines) <= 16 else lines[:4] + ["..."] + lines[-12:]
            text = "\n    ".join(shown)
            stats.failures.append(f"{which} --fix exited {done.returncode} on {len(files)} files under {Path(files[0]).parent}:\n    {text}")
        elif stderr and which == "first":
            stats.messages.extend(stderr.splitlines())


def run_bounded(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    """subprocess.run whose timeout kills the whole process group (the CLI's workers too)."""
    with subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


# -- reporting --------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, flush=True)


def report(corpus: Corpus, lint: LintStats, fix: Optional[FixStats]) -> int:
    rate = lint.files / lint.seconds if lint.seconds else 0.0
    say("")
    say("== corpus")
    for label, root in corpus.roots.items():
        say(f"  {label}: {root} ({sum(1 for l, _ in corpus.files if l == label)} files)")
    say("== lint phase")
    say(f"  files:            {lint.files} ({lint.bytes / 1e6:.1f} MB)")
    say(f"  parsed:           {lint.parsed}")
    say(f"  prefiltered out:  {lint.prefiltered} (no resource words: not parsed)")
    say(f"  skipped:          {sum(len(v) for v in lint.skipped.values())}")
    for reason, paths in sorted(lint.skipped.items()):
        say(f"    {len(paths):5d} {reason}  (e.g. {paths[0]})")
    say(f"  findings:         {sum(lint.codes.values())}")
    for code, count in sorted(lint.codes.items()):
        say(f"    {code}: {count}")
    say(f"  LKL000:           {len(lint.lkl000)} (each checked with compile())")
    say(f"  internal errors:  {len(lint.internal_errors)}")
    say(f"  timeouts:         {len(lint.timeouts)}")
    say(f"  time:             {lint.seconds:.1f}s, {rate:.1f} files/s, {lint.bytes / 1e6 / lint.seconds if lint.seconds else 0:.2f} MB/s")
    say("  slowest directories: " + "; ".join(f"{d} ({n} files) {s:.1f}s" for s, d, n in lint.slowest))
    failures = list(lint.failures)
    if fix is not None:
        say("== fix phase")
        say(f"  files copied:     {fix.files}, with fixable findings: {fix.fixable}")
        say(f"  files changed:    {len(fix.changed)} (each compiled; a second --fix changed {'nothing' if not any('second' in f for f in fix.failures) else 'something'})")
        say(f"  messages:         {len(fix.messages)}")
        for message in fix.messages[:10]:
            say(f"    {message}")
        say(f"  time:             {fix.seconds:.1f}s (two --fix runs)")
        failures.extend(fix.failures)
    if lint.warnings:
        say(f"== warnings ({len(lint.warnings)})")
        for warning in lint.warnings[:20]:
            say(f"  {warning}")
    if failures:
        say(f"== FAILED: {len(failures)} problem(s)")
        for failure in failures[:50]:
            say(f"  {failure}")
        return 1
    say("== OK: no internal error, every LKL000 is a real syntax error" + (", fixes compile and are idempotent" if fix else ""))
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subset", choices=("all", "stdlib", "site-packages"), default="all", help="which part of the corpus (default: all)")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="lint N files spread over the corpus (default: all)")
    parser.add_argument("--cache-dir", metavar="DIR", help="where the corpus venv lives (default: $LEAKLINT_CORPUS_CACHE or ~/.cache/leaklint-corpus)")
    parser.add_argument("--file-timeout", type=float, default=60.0, metavar="S", help="seconds one file may take before it counts as a hang (default: 60)")
    parser.add_argument("--no-fix", action="store_true", help="skip the fix phase")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy of the tree")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args(argv)
    try:
        corpus = collect(args)
    except (subprocess.CalledProcessError, OSError) as error:
        say(f"cannot set up the corpus: {error}")
        return 2
    say(f"corpus: {len(corpus.files)} files ({', '.join(corpus.roots)})")
    lint = lint_phase(corpus, args.file_timeout)
    fix = None if args.no_fix else fix_phase(corpus, lint.fixable_files, args.file_timeout, args.keep)
    status = report(corpus, lint, fix)
    if args.json:
        data = {
            "files": lint.files,
            "parsed": lint.parsed,
            "prefiltered": lint.prefiltered,
            "skipped": {k: len(v) for k, v in lint.skipped.items()},
            "findings": dict(lint.codes),
            "lkl000": len(lint.lkl000),
            "internal_errors": lint.internal_errors,
            "timeouts": lint.timeouts,
            "seconds": lint.seconds,
            "files_per_second": lint.files / lint.seconds if lint.seconds else 0,
            "fixable_files": lint.fixable_files,
            "fix": None if fix is None else {"changed": fix.changed, "failures": fix.failures},
            "failures": lint.failures + (fix.failures if fix else []),
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
