"""`--fix`: rewrite leaks into code that cannot leak.

One pass = analyse the text, plan a change for each finding (`fixes.plan`,
the plan the reports label findings with), apply the changes that do not
overlap in one LibCST transformer with the imports they need
(`fixes.apply`), and check that the result parses and compiles. Overlapping
fixes wait for the next pass, which works on the re-analysed text; passes
stop when nothing changes (at most `MAX_PASSES`). A finding that gets no
fix keeps the reason why.

`fix_text` is the pure core (text in, text out); it analyses each pass
through `Linter.analyze`, the path linting takes too. `run_fixes` is what the
CLI calls: it runs the summary passes over the files (`leaklint.passes`),
fixes the files with fixable findings, each analysed with the summaries it
was linted with, and writes them atomically, or prints a unified diff.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field, replace
from typing import IO, Callable, Optional, Sequence

from .engine import DoesNotParse, Linter, NotAnalysed
from .fixes import FIXABLE_CODES, Change, FixContext
from .fixes.apply import apply_changes
from .fixes.plan import plan
from .fixes.sections import Sections
from .passes import InProcess, lint_project
from .rulebase import Finding
from .source import Source, UnreadableSource, read
from .summaries import Summaries, module_name_for
from .writer import ChangedOnDisk, WriteError, check_text, unified_diff, write_atomic

MAX_PASSES = 5

Allowed = Callable[[str, int, str], bool]  # (path, line, code): may this finding be fixed?


@dataclass(frozen=True)
class AppliedFix:
    code: str
    line: int  # in the text of the pass that applied it (the original text for pass 1)
    description: str
    safe: bool = True


@dataclass(frozen=True)
class DroppedFix:
    """A finding of a fixable rule that was left as it is, and why."""

    code: str
    line: int  # in the fixed text
    message: str
    reason: str


@dataclass
class FixOutcome:
    text: str
    applied: list[AppliedFix] = field(default_factory=list)
    dropped: list[DroppedFix] = field(default_factory=list)
    remaining: int = 0  # diagnostics left in `text` (every rule, one per line and code)
    passes: int = 0


@dataclass
class FileFixReport:
    path: str
    applied: list[AppliedFix] = field(default_factory=list)
    remaining: int = 0
    dropped: list[DroppedFix] = field(default_factory=list)
    changed: bool = False  # the fixes change the file (in diff mode: would change it)
    written: bool = False
    diff: str = ""
    error: Optional[str] = None  # why the file was left alone

    @property
    def fixed(self) -> int:
        return len(self.applied)


@dataclass
class FixReport:
    files: list[FileFixReport] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return sum(f.fixed for f in self.files)

    @property
    def remaining(self) -> int:
        return sum(f.remaining for f in self.files)

    @property
    def dropped(self) -> list[tuple[str, DroppedFix]]:
        return [(f.path, d) for f in self.files for d in f.dropped]

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [(f.path, f.error) for f in self.files if f.error]

    @property
    def changed_files(self) -> list[str]:
        return [f.path for f in self.files if f.changed and not f.error]

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files if not f.error)


# -- one text ----------------------------------------------------------------------------


def fix_text(
    source: Source,
    path: str,
    linter: Linter,
    *,
    unsafe: bool = False,
    summaries: Optional[Summaries] = None,
    module_name: Optional[str] = None,
    max_passes: int = MAX_PASSES,
    allowed: Optional[Allowed] = None,
) -> FixOutcome:
    """The text with its leaks fixed, the fixes and the findings left alone.
    `summaries` are the other modules' summaries the file may use (the
    analysis finds its own module's); none by default, as when the file is
    linted alone."""
    if module_name is None:
        module_name = module_name_for(path)
    if summaries is None:
        summaries = Summaries()
    text = source.text
    sections = Sections.for_file(path)  # where added imports go
    outcome = FixOutcome(text)
    blocked: dict[tuple, str] = {}  # fixes that did not compile: never tried again
    suppressed: set[tuple] = set()  # findings `allowed` turned down: neither fixed nor reported
    previous: Optional[tuple[str, int]] = None  # the text before the last pass, and the fixes applied until then
    for number in range(max_passes + 1):
        try:
            _, context, findings = linter.analyze(replace(source, text=text), path, summaries, module_name)
        except DoesNotParse:
            break
        except NotAnalysed as failure:
            if previous is None:
                raise
            # the engine cannot analyse what the last pass made: undo that pass
            detail = failure.detail.strip().splitlines()[-1] if failure.detail else failure.reason
            text, kept = previous
            undone = outcome.applied[kept:]
            del outcome.applied[kept:]
            outcome.dropped.extend(
                DroppedFix(a.code, a.line, "", f"the fixed code could not be analysed again ({detail}); fix was dropped") for a in undone
            )
            break
        fx = FixContext(context)
        keys = finding_keys(fx, findings)
        if allowed is not None:
            findings = _permitted(fx, findings, keys, path, allowed, suppressed, text if text is not source.text else None)
        changes, dropped = _plan(fx, findings, keys, unsafe, blocked)
        chosen = _without_overlaps(fx, changes)
        outcome.remaining = len({(context.line(f.node), f.code) for f in findings})
        outcome.dropped = list(dict.fromkeys(_dropped(fx, f, reason) for f, reason in dropped))
        if not chosen:
            break
        if number == max_passes:  # out of passes: say so rather than leave a finding without a reason
            for change in changes:
                for finding in change.findings:
                    outcome.dropped.append(_dropped(fx, finding, f"not fixed within {max_passes} passes; run --fix again"))
            break
        new_text, applied = _apply_checked(fx, chosen, path, blocked, keys, sections)
        if new_text is None:
            continue  # every chosen change was blocked; the next pass reports them
        if new_text == text:
            for change in chosen:
                for finding in change.findings:
                    blocked[keys[id(finding)]] = "the fix would change nothing"
            continue
        previous = (text, len(outcome.applied))
        outcome.applied.extend(applied)
        outcome.passes = number + 1
        text = new_text
    outcome.text = text
    return outcome


def _permitted(fx: FixContext, findings, keys: dict, path: str, allowed: Allowed, suppressed: set, edited: Optional[str]) -> list[Finding]:
    """The findings `allowed(path, line, code)` lets through. Lines are those of
    the file as read; once a pass has moved them, an inline suppression is
    looked up in the edited text too, and a finding turned down once stays so."""
    directives = None
    kept = []
    for finding in findings:
        key = keys[id(finding)]
        if key in suppressed:
            continue
        line = fx.line(finding.node)
        ok = allowed(path, line, finding.code)
        if ok and edited is not None:
            if directives is None:
                from .suppressions import parse

                directives = parse(edited)
            ok = not directives.suppresses(line, finding.code)
        if ok:
            kept.append(finding)
        else:
            suppressed.add(key)
    return kept


def _plan(fx: FixContext, findings: Sequence[Finding], keys: dict, unsafe: bool, blocked: dict) -> tuple[list[Change], list[tuple[Finding, str]]]:
    """The changes to apply in this pass, and the findings left as they are with the reason."""
    changes: list[Change] = []
    dropped: list[tuple[Finding, str]] = []
    for entry in plan(fx, findings, lambda finding: blocked.get(keys[id(finding)])):
        change = entry.change
        if change is None:
            dropped.extend((f, entry.reason) for f in entry.findings)
        elif not change.safe and not unsafe:
            why = f" ({change.unsafe_reason})" if change.unsafe_reason else ""
            dropped.extend((f, f"the fix is unsafe{why}; apply it with --unsafe-fixes") for f in entry.findings)
        else:
            changes.append(change)
    return changes, dropped


def _without_overlaps(fx: FixContext, changes: list[Change]) -> list[Change]:
    chosen: list[Change] = []
    for change in changes:
        if any(_overlap(fx, change, other) for other in chosen):
            continue  # the next pass works on the re-analysed text
        chosen.append(change)
    return chosen


def _overlap(fx: FixContext, first: Change, second: Change) -> bool:
    for a in first.footprint:
        for b in second.footprint:
            if fx.is_inside(a, b) or fx.is_inside(b, a):
                return True
    return False


def _apply_checked(fx: FixContext, chosen: list[Change], path: str, blocked: dict, keys: dict, sections: Sections):
    """Apply the changes; a change whose result does not compile is blocked
    (with the reason) and the others are applied without it."""
    try:
        text = apply_changes(fx, chosen, sections).code
        problem = check_text(text, path)
    except Exception as error:  # LibCST refuses a node we built
        text, problem = None, f"could not be generated: {error}"
    if problem is None:
        return text, _applied(fx, chosen)
    good: list[Change] = []
    for change in chosen:
        try:
            alone = check_text(apply_changes(fx, [change], sections).code, path)
        except Exception as error:
            alone = f"could not be generated: {error}"
        if alone is None:
            good.append(change)
        else:
            for finding in change.findings:
                blocked[keys[id(finding)]] = f"the fixed code {alone}; fix was dropped"
    if not good:
        return None, []
    text = apply_changes(fx, good, sections).code
    if check_text(text, path) is not None:  # each compiles alone but not together: one at a time
        good = good[:1]
        text = apply_changes(fx, good, sections).code
    return text, _applied(fx, good)


def _applied(fx: FixContext, changes: Sequence[Change]) -> list[AppliedFix]:
    found = [AppliedFix(f.code, fx.line(f.node), c.description, c.safe) for c in changes for f in c.findings]
    return list(dict.fromkeys(found))  # the same code is reported once per line


def _dropped(fx: FixContext, finding: Finding, reason: str) -> DroppedFix:
    return DroppedFix(finding.code, fx.line(finding.node), finding.message, reason)


def finding_keys(fx: FixContext, findings: Sequence[Finding]) -> dict[int, tuple]:
    """Who each finding is, across passes that move its lines: its code, its
    function, the code of its acquire and of its node, and how many findings
    with those same texts come before it. Keyed by `id(finding)`."""
    bases = []
    for finding in findings:
        anchor = finding.acquired_at if finding.acquired_at is not None else finding.node
        function = finding.function.name.value if finding.function is not None else ""
        bases.append((fx.start(finding.node), finding, (finding.code, function, fx.code(anchor, 200), fx.code(finding.node, 200))))
    counts: dict[tuple, int] = {}
    keys: dict[int, tuple] = {}
    for _, finding, base in sorted(bases, key=lambda item: item[0]):
        keys[id(finding)] = base + (counts.get(base, 0),)
        counts[base] = counts.get(base, 0) + 1
    return keys


# -- files -------------------------------------------------------------------------------------


def run_fixes(
    paths: list[str],
    linter: Linter,
    *,
    unsafe: bool,
    diff_only: bool,
    out: IO[str],
    allowed: Optional[Allowed] = None,
    max_passes: int = MAX_PASSES,
) -> FixReport:
    """Fix `paths` (files, as discovered by the CLI). In diff mode the unified
    diffs go to `out` and nothing is written. `allowed(path, line, code)`, when
    given, keeps suppressed or per-file-ignored findings as they are."""
    run = lint_project(InProcess(linter, paths))
    report = FixReport()
    for path, result, linted_with in zip(paths, run.files, run.linted_with):
        file_report = FileFixReport(path, remaining=len(result.diagnostics))
        report.files.append(file_report)
        if result.skipped:
            file_report.error = f"{path}: not fixed: {result.skipped}"
            continue
        if result.errors:
            file_report.error = f"{path}: not fixed: leaklint had an internal error on this file ({result.errors[0].rule})"
            continue
        if not result.parsed or not any(d.code in FIXABLE_CODES for d in result.diagnostics):
            continue
        try:
            source = read(path)
        except UnreadableSource as error:
            file_report.error = f"{path}: not fixed: {error}"
            continue
        try:
            outcome = fix_text(
                source,
                path,
                linter,
                unsafe=unsafe,
                summaries=Summaries(linted_with),
                module_name=module_name_for(path),
                max_passes=max_passes,
                allowed=allowed,
            )
        except NotAnalysed as failure:
            file_report.error = f"{path}: not fixed: {failure.reason}" + (f"\n{failure.detail}" if failure.detail else "")
            continue
        except RecursionError:
            file_report.error = f"{path}: not fixed: too deeply nested"
            continue
        except Exception:
            file_report.error = f"{path}: not fixed: internal error in the fixer:\n{traceback.format_exc(limit=8)}"
            continue
        file_report.dropped = outcome.dropped
        if outcome.text == source.text:
            continue
        file_report.diff = unified_diff(path, source.text, outcome.text)
        if diff_only:
            out.write(file_report.diff)
        else:
            try:
                write_atomic(path, source, outcome.text)
            except ChangedOnDisk as error:
                file_report.error = str(error)
                file_report.diff = ""
                continue
            except WriteError as error:
                file_report.error = str(error)
                file_report.diff = ""
                continue
            file_report.written = True
        file_report.changed = True
        file_report.applied = outcome.applied
        file_report.remaining = outcome.remaining
    return report
