"""Baselines: the findings a project already has, so that only new ones are
reported (`--write-baseline FILE`, `--baseline FILE`).

An entry does not name a line: it is keyed by the file (relative to the
baseline's directory), the code, the enclosing function's qualified name and
the reported code's text (the acquiring call, or the flagged statement), with
the number of findings that share the key. Code added above a finding, or a
function moved within its file, leaves its entry matching; a second leak of
the same shape in the same function is new once the count is used up.

    {"version": 1, "findings": [{"path": "app/db.py", "code": "LKL101",
      "function": "Store.load", "text": "sqlite3.connect(path)", "count": 1}]}
"""
from __future__ import annotations

import ast
import json
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Callable, Optional, Sequence

from .diagnostics import Diagnostic

VERSION = 1
MAX_TEXT = 200  # characters of the reported code kept in a key
WHITESPACE = re.compile(r"\s+")
NEWLINES = re.compile(r"\r\n|\r|\n")

ReadText = Callable[[str], Optional[str]]  # a path's source, None when it cannot be read


class BaselineError(Exception):
    """The baseline file cannot be read or is not a leaklint baseline."""


@dataclass(frozen=True, order=True)
class BaselineKey:
    path: str  # relative to the baseline's directory, with `/`
    code: str
    function: str  # the enclosing function's qualified name ("" at module level)
    text: str  # the reported code, its whitespace collapsed


@dataclass(frozen=True)
class Baseline:
    counts: Counter  # BaselineKey -> findings allowed
    directory: str  # entry paths are relative to it

    def new_findings(self, diagnostics: Sequence[Diagnostic], read_text: ReadText) -> list[Diagnostic]:
        """The diagnostics the baseline does not account for, in order."""
        budget = Counter(self.counts)
        out = []
        for diagnostic, key in zip(diagnostics, keys(diagnostics, self.directory, read_text)):
            if budget[key] > 0:
                budget[key] -= 1
            else:
                out.append(diagnostic)
        return out


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: not a JSON baseline: {error}") from None
    if not isinstance(document, dict) or document.get("version") != VERSION or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a leaklint baseline of version {VERSION}")
    counts: Counter = Counter()
    for number, entry in enumerate(document["findings"], start=1):
        try:
            key = BaselineKey(entry["path"], entry["code"], entry["function"], entry["text"])
            count = entry["count"]
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: finding {number} lacks path, code, function, text or count") from None
        if not all(isinstance(part, str) for part in asdict(key).values()) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{path}: finding {number} has a value of the wrong type")
        counts[key] += count
    return Baseline(counts, _directory(path))


def write(path: str, diagnostics: Sequence[Diagnostic], read_text: ReadText) -> int:
    """Write the baseline of `diagnostics` to `path`; the number of findings in it."""
    counts = Counter(keys(diagnostics, _directory(path), read_text))
    findings = [dict(asdict(key), count=count) for key, count in sorted(counts.items())]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"version": VERSION, "findings": findings}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return len(diagnostics)


def _directory(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))


# -- keys --------------------------------------------------------------------------------


def keys(diagnostics: Sequence[Diagnostic], directory: str, read_text: ReadText) -> list[BaselineKey]:
    """The key of each diagnostic; each file is read and parsed once."""
    files: dict[str, tuple[list[str], _Functions]] = {}
    out = []
    for d in diagnostics:
        if d.path not in files:
            text = read_text(d.path) or ""
            files[d.path] = (NEWLINES.split(text), _Functions(text))
        lines, functions = files[d.path]
        relative = os.path.relpath(os.path.abspath(d.path), directory).replace(os.sep, "/")
        out.append(BaselineKey(relative, d.code, functions.at(d.line), _reported_text(d, lines)))
    return out


def _reported_text(d: Diagnostic, lines: list[str]) -> str:
    """The code of the reported span (the whole line when the span is empty)."""
    if not 1 <= d.line <= len(lines):
        return ""
    end_line = min(max(d.end_line, d.line), len(lines))
    if end_line == d.line:
        text = lines[d.line - 1][d.column - 1 : d.end_column - 1] if d.end_column > d.column else ""
    else:
        middle = lines[d.line : end_line - 1]
        text = "\n".join([lines[d.line - 1][d.column - 1 :], *middle, lines[end_line - 1][: max(d.end_column - 1, 0)]])
    if not text.strip():
        text = lines[d.line - 1]
    return WHITESPACE.sub(" ", text).strip()[:MAX_TEXT]


class _Functions:
    """The qualified name of the innermost function (or class) around a line."""

    def __init__(self, text: str) -> None:
        self.spans: list[tuple[int, int, str]] = []  # (first line, last line, qualified name), outer first
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return  # a file that does not parse: every finding is at module level
        self._collect(tree, "")

    def _collect(self, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                self.spans.append((first, child.end_lineno or child.lineno, name))
                self._collect(child, name + ".")
            else:
                self._collect(child, prefix)

    def at(self, line: int) -> str:
        inside = [name for first, last, name in self.spans if first <= line <= last]
        return inside[-1] if inside else ""
