"""Add the imports a fix needs where isort's default profile and ruff's `I`
rules put them, so that the fixed file passes both unchanged.

The module's first block of imports is taken to be sorted already: a new
`from m import name` joins an existing `from m import ...` (its names kept
in order), and a new line goes into its section (`Sections`) at its place:
straight imports before `from` imports, each by module name. A section that
is not there yet gets a blank line on either side. A module without imports
gets the import after its docstring, with the blank lines a top-level
`def`/`class` needs after it (two, or one before other code).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

import libcst as cst

from leaklint.syntax import dotted_name

from .sections import Section, Sections, member_key, natural_key

Needed = tuple[str, Optional[str]]  # ("contextlib", "closing"): from contextlib import closing; ("contextlib", None): import contextlib


@dataclass(frozen=True)
class _Line:
    """An import statement of the block, as the tools sort it."""

    index: int  # in the module's body
    section: Section
    straight: bool  # `import m`, not `from m import ...`
    module: str

    @property
    def key(self) -> tuple:
        return (self.section, not self.straight, natural_key(self.module))


def add_imports(module: cst.Module, needed: Sequence[Needed], sections: Sections) -> cst.Module:
    for module_name, name in dict.fromkeys(needed):
        module = _add(module, module_name, name, sections)
    return module


def _add(module: cst.Module, module_name: str, name: Optional[str], sections: Sections) -> cst.Module:
    body = list(module.body)
    block = _first_block(body, sections)
    if any(_imports(statement, module_name, name) for statement in body if isinstance(statement, cst.SimpleStatementLine)):
        return module
    if name is not None:
        for line in block:
            merged = _merged(body[line.index], module_name, name)
            if merged is not None:
                body[line.index] = merged
                return module.with_changes(body=body)
    new = _Line(-1, sections.of(module_name), name is None, module_name)
    statement = _statement(module_name, name)
    if not block:
        return module.with_changes(body=_into_module_without_imports(body, statement))
    place = next((position for position, line in enumerate(block) if line.key > new.key), len(block))
    previous = block[place - 1] if place > 0 else None
    if place == len(block):  # the last line of the block
        lead = [] if previous.section == new.section else [_blank()]
        body.insert(previous.index + 1, statement.with_changes(leading_lines=lead))
        return module.with_changes(body=body)
    following = block[place]
    blanks, comments = _split_leading(body[following.index].leading_lines)
    if following.section == new.section:  # the new line takes the gap above the next one
        lead, rest = blanks, comments
    elif previous is not None and previous.section == new.section:  # the last of its section
        lead, rest = [], blanks + comments
    else:  # a section of its own, before the next one
        lead, rest = ([_blank()] if previous is not None else blanks), [_blank(), *comments]
    body[following.index] = body[following.index].with_changes(leading_lines=rest)
    body.insert(following.index, statement.with_changes(leading_lines=lead))
    return module.with_changes(body=body)


def _first_block(body: list, sections: Sections) -> list[_Line]:
    """The first run of import statements at module level."""
    lines: list[_Line] = []
    for index, statement in enumerate(body):
        line = _as_import(index, statement, sections)
        if line is not None:
            lines.append(line)
        elif lines:
            break
    return lines


def _as_import(index: int, statement: cst.CSTNode, sections: Sections) -> Optional[_Line]:
    if not isinstance(statement, cst.SimpleStatementLine) or not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
        return None
    first = statement.body[0]
    if isinstance(first, cst.Import):
        name = dotted_name(first.names[0].name) or ""
        return _Line(index, sections.of(name), True, name)
    name = dotted_name(first.module) if first.module is not None else ""
    return _Line(index, sections.of(name or "", relative=bool(first.relative)), False, name or "")


def _imports(statement: cst.SimpleStatementLine, module_name: str, name: Optional[str]) -> bool:
    """The statement already imports it, under its own name."""
    for small in statement.body:
        if name is None and isinstance(small, cst.Import):
            if any(dotted_name(a.name) == module_name and a.asname is None for a in small.names):
                return True
        if name is not None and isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
            if dotted_name(small.module) == module_name and not isinstance(small.names, cst.ImportStar):
                if any(a.name.value == name and a.asname is None for a in small.names if isinstance(a.name, cst.Name)):
                    return True
    return False


def _merged(statement: cst.SimpleStatementLine, module_name: str, name: str) -> Optional[cst.SimpleStatementLine]:
    """`from m import a, c` with `name` in its sorted place; None if the statement is not that."""
    if len(statement.body) != 1:
        return None
    node = statement.body[0]
    if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None or dotted_name(node.module) != module_name:
        return None
    if isinstance(node.names, cst.ImportStar):
        return None
    names = list(node.names)
    position = next((i for i, alias in enumerate(names) if member_key(_alias_name(alias)) > member_key(name)), len(names))
    between = next((a.comma for a in names if isinstance(a.comma, cst.Comma)), cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    if position == len(names):  # last: it takes the trailing comma, if any
        new = cst.ImportAlias(cst.Name(name), comma=names[-1].comma)
        names[-1] = names[-1].with_changes(comma=between)
    else:
        new = cst.ImportAlias(cst.Name(name), comma=between)
    names.insert(position, new)
    return statement.with_changes(body=[node.with_changes(names=names)])


def _alias_name(alias: cst.ImportAlias) -> str:
    return dotted_name(alias.name) or ""


def _statement(module_name: str, name: Optional[str]) -> cst.SimpleStatementLine:
    target = cst.parse_expression(module_name)
    if name is None:
        small: Union[cst.Import, cst.ImportFrom] = cst.Import(names=[cst.ImportAlias(target)])
    else:
        small = cst.ImportFrom(module=target, names=[cst.ImportAlias(cst.Name(name))])
    return cst.SimpleStatementLine(body=[small])


def _into_module_without_imports(body: list, statement: cst.SimpleStatementLine) -> list:
    """After the docstring; the statement after it gets the blank lines
    `lines-after-imports` and E302 ask for."""
    index = 1 if body and _is_docstring(body[0]) else 0
    if index < len(body):
        following = body[index]
        blanks, comments = _split_leading(following.leading_lines)
        gap = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
        body[index] = following.with_changes(leading_lines=[_blank()] * gap + comments)
        statement = statement.with_changes(leading_lines=blanks)
    body.insert(index, statement)
    return body


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _split_leading(lines: Sequence[cst.EmptyLine]) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """(the blank lines above the first comment, the rest): comments stay with their statement."""
    lines = list(lines)
    first_comment = next((i for i, line in enumerate(lines) if line.comment is not None), len(lines))
    return lines[:first_comment], lines[first_comment:]


def _blank() -> cst.EmptyLine:
    return cst.EmptyLine()
