"""SARIF 2.1.0 for code-scanning services (GitHub code scanning reads it).

Every rule leaklint has is listed with its help (the rule's page where it
exists) and the description of its fix; each result points at the reported
span, with the acquire line as a related location, and carries the fix
`--fix` applies to it (`fixes`, with its edits; none when it has no fix).
Paths are relative to `%SRCROOT%`, the repository's root, whatever
directory leaklint ran from, so that code scanning finds the files of a
monorepo's subfolder.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Mapping, Optional, Sequence
from urllib.parse import quote

from ..diagnostics import Diagnostic, Fix
from ..ruleinfo import RuleInfo
from .docs import rule_page

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def _rule(rule: RuleInfo) -> dict:
    page = rule_page(rule.code, rule.name)
    fix_line = f"Fix ({rule.fix_safety}): {rule.fix.help}" if rule.fix else "No automatic fix."
    text = page or f"{rule.summary}\n\n{fix_line}"
    entry = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {fix_line}"},
        "help": {"text": text, "markdown": page or f"{rule.summary}\n\n**{fix_line}**"},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["reliability", "resource-leak"],
            "fix": {"safety": rule.fix_safety, "description": rule.fix.help} if rule.fix else None,
        },
    }
    return entry


def _location(path: str, region: dict, root: str) -> dict:
    """A path under `root` relative to `%SRCROOT%`; any other as an absolute URI."""
    relative = os.path.relpath(os.path.abspath(path), root)
    if relative.startswith(".."):
        artifact = {"uri": Path(os.path.abspath(path)).as_uri()}
    else:
        artifact = {"uri": quote(Path(relative).as_posix(), safe="/"), "uriBaseId": SRCROOT}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _fix(path: str, fix: Fix, root: str) -> dict:
    """A SARIF fix: whole lines replaced (an empty region inserts)."""
    text = fix.description if fix.safety == "safe" else f"{fix.description} (unsafe: {fix.unsafe_reason or 'it may change behaviour'})"
    replacements = [
        {
            "deletedRegion": {"startLine": edit.line, "startColumn": 1, "endLine": edit.end_line, "endColumn": 1},
            "insertedContent": {"text": edit.content},
        }
        for edit in fix.edits
    ]
    return {
        "description": {"text": text},
        "artifactChanges": [{"artifactLocation": _location(path, {}, root)["physicalLocation"]["artifactLocation"], "replacements": replacements}],
        "properties": {"safety": fix.safety},
    }


def _result(d: Diagnostic, index: int, root: str) -> dict:
    region = {
        "startLine": d.line,
        "startColumn": d.column,
        "endLine": d.end_line or d.line,
        "endColumn": max(d.end_column or d.column, d.column),
    }
    result = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": d.message},
        "locations": [_location(d.path, region, root)],
        "properties": {
            "name": d.name,
            "fix": None if d.fix is None else {"safety": d.fix.safety, "description": d.fix.description},
        },
    }
    if d.fix is not None and d.fix.edits:
        result["fixes"] = [_fix(d.path, d.fix, root)]
    if d.note_line:
        related = _location(d.path, {"startLine": d.note_line}, root)
        related["id"] = 1
        related["message"] = {"text": "the resource is acquired here"}
        result["relatedLocations"] = [related]
    return result


def sarif_log(diagnostics: Sequence[Diagnostic], rules: Mapping[str, RuleInfo], version: str, root: Optional[str] = None) -> dict:
    """The log; paths are relative to `root` (the repository; default: the current directory)."""
    root = os.path.abspath(root or os.getcwd())
    listed = dict(rules)
    for d in diagnostics:  # a code outside the registry (LKL900) still needs its rule
        if d.code not in listed:
            listed[d.code] = RuleInfo(d.code, d.name, d.message.split(":")[0])
    ordered = sorted(listed)
    index = {code: i for i, code in enumerate(ordered)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "leaklint",
                        "version": version,
                        "semanticVersion": version,
                        "rules": [_rule(listed[code]) for code in ordered],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.code], root) for d in diagnostics],
            }
        ],
    }


def write_sarif(diagnostics: Sequence[Diagnostic], out: IO[str], rules: Mapping[str, RuleInfo], version: str, root: Optional[str] = None) -> None:
    json.dump(sarif_log(diagnostics, rules, version, root), out, indent=2, ensure_ascii=False)
    out.write("\n")
