"""Findings as LSP diagnostics: the range, where the resource was acquired,
the rule's page and the severity."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from lsprotocol import types

from .adapter import PARSE_ERROR, Finding, Rule
from .text import Lines

SOURCE = "leaklint"


def to_lsp(findings: Sequence[Finding], lines: Lines, uri: str, rules: Mapping[str, Rule]) -> list[types.Diagnostic]:
    return [_diagnostic(finding, lines, uri, rules.get(finding.code)) for finding in findings]


def _diagnostic(finding: Finding, lines: Lines, uri: str, rule: Rule | None) -> types.Diagnostic:
    related = None
    if finding.acquired_line is not None:
        where = types.Location(uri=uri, range=lines.code_range(finding.acquired_line))
        related = [types.DiagnosticRelatedInformation(location=where, message="acquired here")]
    page = rule.page if rule is not None else None
    return types.Diagnostic(
        range=lines.range(finding.line, finding.column, finding.end_line, finding.end_column),
        message=finding.message,
        severity=types.DiagnosticSeverity.Error if finding.code == PARSE_ERROR else types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=types.CodeDescription(href=Path(page).as_uri()) if page else None,
        source=SOURCE,
        related_information=related,
    )


def contains(diagnostic: types.Diagnostic, position: types.Position) -> bool:
    start, end = diagnostic.range.start, diagnostic.range.end
    return (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character)
