"""LKL104: a `with` whose exit only ends a transaction.

- `with sqlite3.connect(p) as c:` -> `with closing(sqlite3.connect(p)) as c, c:`
  (the outer `closing` closes, the inner `c` keeps the commit/rollback);
- `with pool.getconn() as conn:` (psycopg2 / psycopg_pool) ->
  `conn = pool.getconn()` + `try: with conn: ... finally: pool.putconn(conn)`
  (the contract's decision: keep the transaction, give the slot back);
- anything else without a plain `close()`: the same split, with the
  catalogue's release in `finally`.
"""
from __future__ import annotations

import libcst as cst

from leaklint.catalogue import closing_releases
from leaklint.flow.facts import SiteFacts
from leaklint.rulebase import Finding

from .base import Change, FixContext, Unfixable, canonical_release, code_of, names_in, rebinds

CODES = ("LKL104",)


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(finding.site, SiteFacts) and finding.site.site.transaction_with is not None


def group(finding: Finding) -> object:
    return ("with", finding.site.site.transaction_with)


def build(fx: FixContext, findings: list[Finding]) -> Change:
    facts: SiteFacts = findings[0].site
    site = facts.site
    item = site.transaction_with
    with_node = fx.parent(item)
    if not isinstance(with_node, cst.With):
        raise Unfixable("the `with` item is not part of a `with` statement")
    if item.asname is not None and not isinstance(item.asname.name, cst.Name):
        raise Unfixable("the `with` binds the connection to something other than a plain name")
    scope = findings[0].function or fx.module
    var = item.asname.name.value if item.asname is not None else fx.fresh_name("conn", scope)
    _check_used_after(fx, with_node, scope, var, item.asname is not None)
    asynchronous = with_node.asynchronous is not None
    value = item.item
    awaited = isinstance(value, cst.Await)
    if not asynchronous and not awaited and closing_releases(site.acquire, site.kind):
        return _closing(fx, findings, with_node, item, var)
    return _split(fx, findings, with_node, item, var)


def _closing(fx: FixContext, findings, with_node: cst.With, item: cst.WithItem, var: str) -> Change:
    closing_name, imports = fx.closing()
    outer = cst.WithItem(
        cst.Call(closing_name, args=[cst.Arg(item.item)]),
        asname=cst.AsName(cst.Name(var)),
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
    )
    inner = cst.WithItem(cst.Name(var), comma=item.comma)
    items = []
    for existing in with_node.items:
        items.extend([outer, inner] if existing is item else [existing])
    new = with_node.with_changes(items=items)
    return Change(
        findings=findings,
        replacements={with_node: new},
        safe=True,
        description=f"close it on exit and keep the transaction: `with {code_of(outer.item)} as {var}, {var}:`",
        imports=imports,
    )


def _split(fx: FixContext, findings, with_node: cst.With, item: cst.WithItem, var: str) -> Change:
    facts: SiteFacts = findings[0].site
    site = facts.site
    if with_node.items[0] is not item:
        raise Unfixable("the connection is not the first item of its `with`; give it a `with` of its own")
    line_owner = fx.parent(with_node)
    if not isinstance(line_owner, (cst.IndentedBlock, cst.Module)):
        raise Unfixable("the `with` is not part of a block")
    function = findings[0].function
    is_async = function is not None and function.asynchronous is not None
    release, imports = canonical_release(fx, function, site.call, site.acquire, site.kind, var, isinstance(item.item, cst.Await), is_async)
    acquire_line = cst.SimpleStatementLine(
        [cst.Assign(targets=[cst.AssignTarget(cst.Name(var))], value=item.item)],
        leading_lines=with_node.leading_lines,
    )
    first = cst.WithItem(cst.Name(var), comma=item.comma)
    inner_with = with_node.with_changes(items=[first, *with_node.items[1:]], leading_lines=[])
    new_try = cst.Try(
        body=cst.IndentedBlock(body=[inner_with]),
        finalbody=cst.Finally(body=cst.IndentedBlock(body=[release])),
    )
    keyword = "async with" if with_node.asynchronous is not None else "with"
    return Change(
        findings=findings,
        replacements={with_node: cst.FlattenSentinel([acquire_line, new_try])},
        safe=True,
        description=(
            f"keep the transaction and release it in a `finally`: "
            f"`{var} = {code_of(item.item)}`, `try: {keyword} {var}: ... finally: {code_of(release.body[0])}`"
        ),
        imports=imports,
    )


def _check_used_after(fx: FixContext, with_node: cst.With, scope, var: str, named: bool) -> None:
    """Closing at the end of the block breaks a later use of the connection."""
    if not named:
        return
    end = fx.end(with_node)
    cutoff = None
    owner = fx.parent(with_node)
    if isinstance(owner, (cst.IndentedBlock, cst.Module)):
        seen = False
        for statement in owner.body:
            if statement is with_node:
                seen = True
            elif seen and rebinds(statement, var):
                cutoff = fx.start(statement)
                break
    at_module = isinstance(scope, cst.Module)
    for name, inner in names_in(scope):
        if name.value != var or fx.is_inside(name, with_node) or (at_module and inner is not None):
            continue
        position = fx.start(name)
        if position > end and (cutoff is None or position < cutoff):
            raise Unfixable(f"`{var}` is still used at line {position[0]}, after the `with` block; closing it there would break that use")
