"""The engine: one file at a time. Read -> prefilter -> parse once ->
analyse -> rule families -> sorted diagnostics. It knows nothing about any
single rule.

The summaries of the project's other modules come in from the passes
(`leaklint.passes`); those of the file's own module (a factory called a few
lines below it) the analysis finds itself, on the same tree.
"""
from __future__ import annotations

import ast
import os
import re
import reprlib
import sys
import traceback
from functools import cached_property
from typing import TYPE_CHECKING, Iterable, NamedTuple, Optional, Sequence, Union

from .catalogue import Catalogue, Prefilter, default_catalogue
from .diagnostics import NO_AUTOMATIC_FIX, Diagnostic, Fix
from .stats import STATS, timed
from .selection import Selection
from .source import Source, UnreadableSource, decode
from .results import FileResult, InternalError, RunResult
from .summaries import MAX_SUMMARY_PASSES, FunctionSummary, Summaries, module_name_for

# LibCST, the analysis and the rules are imported where a file is parsed:
# a run whose results all come from the cache never needs them.
if TYPE_CHECKING:
    import libcst as cst

    from .config import Config

    from .analysis import ModuleFacts
    from .rulebase import FileContext, Finding
    from .ruleinfo import RuleInfo


class Analysis(NamedTuple):
    """One source parsed once and analysed: linting turns the findings into
    diagnostics, fixing rewrites the module where they point."""

    module: cst.Module
    context: FileContext
    findings: list[Finding]


class DoesNotParse(Exception):
    """LibCST cannot parse the source: a syntax error, or nesting too deep for its parser."""

    def __init__(self, syntax_error: Optional[cst.ParserSyntaxError]) -> None:
        super().__init__(syntax_error.message if syntax_error is not None else "too deeply nested to parse")
        self.syntax_error = syntax_error


class NotAnalysed(Exception):
    """The source parsed, but its analysis failed."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail  # the traceback of a bug in the engine; empty when it is nested too deeply


class Linter:
    """Everything that stays the same across the files of one run."""

    def __init__(
        self,
        catalogue: Optional[Catalogue] = None,
        selection: Optional[Selection] = None,
        summaries: Iterable[FunctionSummary] = (),
        *,
        label_fixes: bool = True,
    ) -> None:
        self.catalogue = catalogue or default_catalogue()
        self.selection = selection or Selection()
        # what `--fix` does to each finding (`fixes.plan`); an editor that asks
        # the fixer per code action can skip it, it costs more than the lint
        self.label_fixes = label_fixes
        # configured functions (`[[tool.leaklint.resources]]`): they win over what the project's code says
        self.configured = tuple(summaries)
        self._pattern_cache: dict[tuple[frozenset, frozenset], Prefilter] = {}

    @classmethod
    def for_config(cls, config: "Config", selection: Optional[Selection] = None, *, label_fixes: bool = True) -> "Linter":
        """The linter of a project's configuration (every front end builds it
        here): its declared resources extend the catalogue, and its declared
        acquiring and releasing functions are summaries that win."""
        catalogue = default_catalogue()
        if config.resources:
            catalogue = catalogue.with_additions(config.libraries())
        return cls(catalogue=catalogue, selection=selection, summaries=config.summaries(), label_fixes=label_fixes)

    @cached_property
    def families(self) -> tuple:
        from leaklint.rules import families

        return families()

    @cached_property
    def rules(self) -> dict[str, RuleInfo]:
        from leaklint.rules import all_rules

        return all_rules()

    # -- prefilter ---------------------------------------------------------------

    def might_have_findings(self, raw: bytes, summaries: Summaries) -> bool:
        return self._prefilter(summaries).matches(raw)

    def deferrable_helpers(self, raw: bytes, summaries: Summaries) -> Optional[frozenset[str]]:
        """Of the files `might_have_findings` keeps, one that only imports a
        catalogue module (or names a project helper that releases or keeps a
        parameter) and names nothing that acquires can hold no finding: the
        names of its functions whose summaries it may export; None for the others."""
        from .catalogue.named import helpers_without_acquisition

        if self._prefilter(summaries).reason(raw) != "import":
            return None
        helpers = helpers_without_acquisition(raw, self.catalogue)
        wanted = {w.qualname.rsplit(".", 1)[-1] for w in summaries.wanted()}
        if wanted:
            wanted.add("__init__")  # `Wrapper(conn)` wants its class's constructor
        if helpers is not None and helpers.intersection(wanted):
            return None  # another module passes a resource to one of its helpers: analyse it now
        if helpers is not None and any(_defines_class(raw, name) for name in wanted):
            return None  # a subclass in another module asks what its methods release
        return helpers

    def _prefilter(self, summaries: Summaries) -> Prefilter:
        factories = frozenset(summaries.factory_names())
        helpers = frozenset(summaries.names()) - factories
        prefilter = self._pattern_cache.get((factories, helpers))
        if prefilter is None:
            prefilter = Prefilter(self.catalogue.prefilter_parts(), factories, helpers)
            self._pattern_cache[(factories, helpers)] = prefilter
        return prefilter

    # -- one file --------------------------------------------------------------------

    def lint_file(self, path: str, summaries: Summaries, raw: Optional[bytes] = None, *, defer_helpers: bool = False) -> FileResult:
        try:
            if raw is None:
                with open(path, "rb") as handle:
                    raw = handle.read()
            source = decode(raw)
        except OSError as error:
            return FileResult(path, skipped=error.strerror or str(error))
        except UnreadableSource as error:
            return FileResult(path, skipped=str(error))
        return self.lint_source(source, path, summaries, module_name_for(path), defer_helpers=defer_helpers)

    def lint_source(
        self, source: Source, path: str, summaries: Summaries, module_name: str = "", *, defer_helpers: bool = False
    ) -> FileResult:
        """The diagnostics and summaries of one source, linted with the other
        modules' `summaries` it may use. With `defer_helpers`, a file that can
        hold no finding (`deferrable_helpers`) is not parsed: its result
        says `deferred`, and the passes lint it if another file needs its summaries."""
        result = FileResult(path)
        summaries = self._in_force(summaries, source.raw, module_name)
        summaries.looked_up = set()  # this file's own record
        STATS.files += 1
        if not self.might_have_findings(source.raw, summaries):
            return result
        STATS.kept += 1
        helpers = self.deferrable_helpers(source.raw, summaries) if defer_helpers else None
        if helpers is not None:
            STATS.deferred += 1
            result.deferred = True
            result.helpers = tuple(sorted(helpers))
            return result
        try:
            analysis = self._analyse(source, path, summaries, module_name, result.errors)
        except DoesNotParse as failure:
            if failure.syntax_error is None:
                result.skipped = str(failure)
            elif self.selection.enabled("LKL000"):
                self._parse_error(result, source, failure.syntax_error)
            return result
        except NotAnalysed as failure:
            result.parsed = True
            if failure.detail:  # an engine bug must not stop the run
                result.errors.append(InternalError(path, "engine", failure.detail))
            else:
                result.skipped = failure.reason
            return result
        result.parsed = True
        result.summaries = self._exports(analysis, result, source.raw)
        result.looked_up = tuple(sorted(summaries.looked_up))  # the exports look names up too
        labels = self._fix_labels(analysis, path, source.text) if self.label_fixes else {}
        with timed("rules_seconds"):
            result.diagnostics = _dedupe(self._diagnostic(path, analysis.context, f, labels.get(id(f))) for f in analysis.findings)
        return result

    def _exports(self, analysis: Analysis, result: FileResult, raw: bytes) -> list:
        """What the module offers the project's other modules (`leaklint.exports`)."""
        from .exports import module_summaries

        facts = analysis.context.facts
        try:
            return module_summaries(facts.resolvers[None], facts.summaries, raw)
        except RecursionError:
            return list(facts.summaries)
        except Exception:  # an engine bug must not stop the run
            result.errors.append(InternalError(result.path, "engine", describe_error()))
            return list(facts.summaries)

    def _fix_labels(self, analysis: Analysis, path: str, text: str) -> dict[int, Union[Fix, str]]:
        """What `--fix` does to each finding of a fixable rule: the fixer's own
        plan for this analysis (a file without such findings pays nothing)."""
        if not any(self.rules[f.code].fix is not None for f in analysis.findings):
            return {}
        from .fixes.plan import labels

        return labels(analysis.context, analysis.findings, path, text)

    def analyze(self, source: Source, path: str, summaries: Summaries, module_name: str = "") -> Analysis:
        """The module, its facts and the enabled rules' findings with their nodes,
        as linting sees them (fixes work on these), with the other modules'
        `summaries` it may use. Raises `DoesNotParse` or `NotAnalysed`; a rule
        family that fails is left out of the findings (linting reports it)."""
        return self._analyse(source, path, self._in_force(summaries, source.raw, module_name), module_name, [])

    def _analyse(self, source: Source, path: str, summaries: Summaries, module_name: str, errors: list[InternalError]) -> Analysis:
        import libcst as cst

        from .positions import Positions
        from .rulebase import FileContext

        STATS.parsed += 1
        try:
            with timed("parse_seconds"):
                module = cst.parse_module(source.text)
        except cst.ParserSyntaxError as error:
            raise DoesNotParse(error) from None
        except RecursionError:
            raise DoesNotParse(None) from None
        try:
            with timed("analysis_seconds"):
                is_package = os.path.basename(path) == "__init__.py"
                facts = self._analyse_with_own_summaries(module, source.text, summaries, module_name, is_package=is_package)
        except RecursionError:
            raise NotAnalysed("too deeply nested to analyse") from None
        except Exception as error:
            raise NotAnalysed("internal error in the engine", describe_error()) from error
        STATS.functions += len(facts.index.functions)
        STATS.functions_analysed += len(facts.functions)
        context = FileContext(module, facts, Positions(module))
        with timed("rules_seconds"):
            findings = self._findings(context, path, errors)
        return Analysis(module, context, findings)

    def _analyse_with_own_summaries(self, module: cst.Module, text: str, summaries: Summaries, module_name: str, *, is_package: bool) -> ModuleFacts:
        """A helper used in its own module (a factory called a few lines below)
        needs its summary: analyse again on the same tree, no second parse."""
        from .analysis import analyze_module

        facts = analyze_module(module, self.catalogue, summaries, module_name, is_package=is_package)
        known = set(summaries.items().values())
        for _ in range(MAX_SUMMARY_PASSES - 1):
            new = [s for s in facts.summaries if s not in known]
            if not new or not _may_call_any(text, {s.qualname.rsplit(".", 1)[-1] for s in new}):
                break
            known.update(new)
            summaries = summaries.merged(new)
            facts = analyze_module(module, self.catalogue, summaries, module_name, is_package=is_package, index=facts.index)
        return facts

    def _findings(self, context: FileContext, path: str, errors: list[InternalError]) -> list[Finding]:
        """The enabled rules' findings; a family that fails adds to `errors`."""
        out = []
        for family in self.families:
            if not any(self.selection.enabled(rule.code) for rule in family.rules):
                continue
            try:
                findings = list(family.check(context))
            except Exception:
                codes = ",".join(r.code for r in family.rules)
                errors.append(InternalError(path, codes, describe_error()))
                continue
            out.extend(f for f in findings if self.selection.enabled(f.code))
        return out

    def _in_force(self, summaries: Summaries, raw: bytes, module_name: str) -> Summaries:
        """The summaries the file could use, and the configured ones, which win."""
        usable = summaries.usable_by(raw, module_name)
        return usable.merged(self.configured) if self.configured else usable

    def _diagnostic(self, path: str, context: FileContext, finding: Finding, label: Union[Fix, str, None]) -> Diagnostic:
        try:
            line, column, end_line, end_column = context.positions.span(finding.node)
            note = context.positions.line(finding.acquired_at) if finding.acquired_at is not None else None
        except RecursionError:
            line, column, end_line, end_column, note = 1, 1, 1, 1, None
        return Diagnostic(
            path=path,
            line=line,
            column=column,
            code=finding.code,
            message=finding.message,
            name=self.rules[finding.code].name,
            end_line=end_line,
            end_column=end_column,
            fix=label if isinstance(label, Fix) else None,
            note_line=note if note != line else None,
            no_fix_reason=label if isinstance(label, str) else NO_AUTOMATIC_FIX,
        )

    def _parse_error(self, result: FileResult, source: Source, error: cst.ParserSyntaxError) -> None:
        line, column, reason = error.raw_line, error.raw_column + 1, error.message
        try:
            compile(source.text, result.path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as syntax_error:  # CPython's own line is the one users see elsewhere
            line = syntax_error.lineno or line
            column = syntax_error.offset or column
            reason = syntax_error.msg
        except (ValueError, RecursionError, MemoryError):
            pass
        else:  # valid Python that LibCST cannot read: not the user's error
            result.skipped = f"LibCST cannot parse this valid file (line {line}: {reason})"
            return
        from leaklint import messages

        rule = self.rules["LKL000"]
        result.diagnostics.append(
            Diagnostic(result.path, line, column, "LKL000", messages.PARSE_ERROR.format(reason=reason), name=rule.name, end_line=line, end_column=column)
        )

    # -- a whole run ------------------------------------------------------------------

    def lint_files(self, paths: Sequence[str]) -> RunResult:
        """`paths` linted in this process, with the project summary passes."""
        from .passes import InProcess, lint_project

        return lint_project(InProcess(self, paths))


def describe_error() -> str:
    """The current exception for a bug report. Never the repr of a whole CST
    node (a deep tree's repr takes minutes): the message is cut short."""
    kind, value, tb = sys.exc_info()
    frames = "".join(traceback.format_tb(tb, limit=-8))
    try:
        message = reprlib.repr(value.args[0]) if value is not None and value.args else ""
    except Exception:  # a repr that fails is no reason to fail here
        message = "?"
    return f"Traceback (most recent call last):\n{frames}{kind.__name__ if kind else 'Error'}: {message}"


def _may_call_any(text: str, names: set[str]) -> bool:
    """Whether the code may call one of `names` (`f(`, `obj.f(`): a test of
    the text that never misses a call (between a callee's name and its
    parenthesis there can only be spaces, line continuations, comments and
    closing parentheses); a name in a string only costs another analysis."""
    callee = "|".join(re.escape(name) for name in sorted(names))
    return re.search(rf"\b(?:{callee})\b(?:[\s\\)]|#[^\n]*)*\(", text) is not None


def _dedupe(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The same code is reported once per line."""
    seen = set()
    out = []
    for diagnostic in sorted(diagnostics):
        key = (diagnostic.line, diagnostic.code)
        if key not in seen:
            seen.add(key)
            out.append(diagnostic)
    return out


def _defines_class(raw: bytes, name: str) -> bool:
    return re.search(rb"^[ \t]*class[ \t]+" + re.escape(name.encode()) + rb"\b", raw, re.MULTILINE) is not None
