"""LKL101 on a resource used only in a chain (`psycopg2.connect(dsn).cursor()`):
bind it to a fresh name around the one statement that uses it.

    with closing(sqlite3.connect(path)) as conn:
        conn.execute("vacuum")

Safe when that statement is an expression statement (nothing it makes can
outlive it); unsafe otherwise (a cursor assigned or returned there would
outlive its connection). A result dropped without any use has no fix.
"""
from __future__ import annotations

import libcst as cst

from leaklint.catalogue import Await, closing_releases, exit_of
from leaklint.flow.facts import Discard
from leaklint.rulebase import Finding

from .base import Change, FixContext, Unfixable, canonical_release, code_of
from .region import _check_rebinding, _region, _unsafe_reason

CODES = ("LKL101",)


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(finding.site, Discard)


def group(finding: Finding) -> object:
    return ("discard", finding.site.call)


def build(fx: FixContext, findings: list[Finding]) -> Change:
    discard: Discard = findings[0].site
    call = discard.call
    text = fx.context.call_text(call)
    if not discard.chained:
        raise Unfixable(f"the result of `{text}` is dropped; bind it to a name and release it, or remove the call")
    function = findings[0].function
    if function is None:
        raise Unfixable("it is acquired at module level, where it lives as long as the process")
    small = fx.small_statement(call)
    if small is None:
        raise Unfixable("the call is not part of a statement")
    line = fx.statement_line(small)
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) != 1:
        raise Unfixable("the statement shares its line with others; put it on a line of its own")
    if not isinstance(line, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        raise Unfixable("the statement shares its line with an `if`/`for`/`with` header; put it on its own line")
    _, body, index = fx.block_of(line)
    if fx.enclosing_function(call) is not function:
        raise Unfixable("the call is inside a lambda or nested function")
    is_async = function.asynchronous is not None
    parent = fx.parent(call)
    awaited = isinstance(parent, cst.Await)
    replaced = parent if awaited else call
    var = fx.fresh_name("cur" if discard.acquire.reached_through else "conn", function)  # a factory's cursor
    body_line = line.deep_replace(replaced, cst.Name(var)).with_changes(leading_lines=[])
    header = _header(fx, discard, awaited, is_async, parent)
    region, unsafe = _uses_of_result(fx, function, small, line, body, index)
    safe = not unsafe
    moved = [body_line, *region]
    removed = {statement: cst.RemoveFromParent() for statement in region}
    if header is not None:
        asynchronous, item, imports = header
        new = cst.With(
            items=[cst.WithItem(item, asname=cst.AsName(cst.Name(var)))],
            body=cst.IndentedBlock(body=moved),
            asynchronous=cst.Asynchronous() if asynchronous else None,
            leading_lines=line.leading_lines,
        )
        keyword = "async with" if asynchronous else "with"
        description = f"bind it to `{var}` in `{keyword} {code_of(item)} as {var}:`"
        return Change(findings, {line: new, **removed}, safe, description, imports, unsafe)
    release, imports = canonical_release(fx, function, call, discard.acquire, discard.kind, var, awaited, is_async)
    acquire_line = cst.SimpleStatementLine(
        [cst.Assign(targets=[cst.AssignTarget(cst.Name(var))], value=replaced.with_changes(lpar=[], rpar=[]))],
        leading_lines=line.leading_lines,
    )
    new_try = cst.Try(body=cst.IndentedBlock(body=moved), finalbody=cst.Finally(body=cst.IndentedBlock(body=[release])))
    replacements = {line: cst.FlattenSentinel([acquire_line, new_try]), **removed}
    description = f"bind it to `{var}` and release it in a `finally`: `{code_of(release.body[0])}`"
    return Change(findings, replacements, safe, description, imports, unsafe)


def _uses_of_result(fx: FixContext, function, small, line, body: list, index: int) -> tuple[list, str]:
    """The statements after `line` that use what it assigned (a cursor of the
    connection, say), and why wrapping them may still change behaviour."""
    if isinstance(small, cst.Expr):
        return [], ""
    targets: list[cst.CSTNode] = []
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign):
        targets = [small.target]
    if not targets or not all(isinstance(t, cst.Name) for t in targets):
        return [], f"what `{fx.code(small, 40)}` makes from the connection may outlive it"
    end, derived = index, set()
    for target in targets:
        last, made = _region(body, index, target.value, derive=True)
        end = max(end, last)
        derived |= made | {target.value}
    region = body[index + 1 : end + 1]
    for target in targets:
        _check_rebinding(fx, region, target.value)
    return region, _unsafe_reason(fx, function, line, region, derived, None)


def _header(fx: FixContext, discard: Discard, awaited: bool, is_async: bool, parent):
    acquire, kind, call = discard.acquire, discard.kind, discard.call
    plain_call = call.with_changes(lpar=[], rpar=[])
    if not awaited:
        if acquire.awaiting in (Await.NO, Await.EITHER):
            if exit_of(acquire, kind, asynchronous=False, awaited=False).ends_ownership:
                return False, plain_call, ()
            if is_async and exit_of(acquire, kind, asynchronous=True, awaited=False).ends_ownership:
                return True, plain_call, ()
            if closing_releases(acquire, kind):
                closing_name, imports = fx.closing()
                return False, cst.Call(closing_name, args=[cst.Arg(plain_call)]), imports
        return None
    if not is_async:
        return None
    if acquire.awaiting in (Await.AWAITABLE, Await.EITHER) and exit_of(acquire, kind, asynchronous=True, awaited=False).ends_ownership:
        return True, plain_call, ()
    if acquire.awaiting == Await.COROUTINE and exit_of(acquire, kind, asynchronous=True, awaited=True).ends_ownership:
        return True, parent.with_changes(lpar=[], rpar=[]), ()
    return None
