"""LKL108: a cleanup method whose releases a failing call can skip. The
statements from that call up to the releases go into a `try`, and the
releases into its `finally`, each in the `finally` of the one before when
there are several (a release that raises does not skip the next):

    await self.conn.commit()               try:
    await self.pool.release(self.conn)  ->     await self.conn.commit()
    await self.pool.close()                finally:
                                               try:
                                                   await self.pool.release(self.conn)
                                               finally:
                                                   await self.pool.close()
"""
from __future__ import annotations

import libcst as cst

from leaklint.objects import CleanupSkip
from leaklint.rulebase import Finding
from leaklint.syntax import walk

from .base import Change, FixContext, Unfixable, block, code_of

CODES = ("LKL108",)
EXITS = (cst.Return, cst.Break, cst.Continue)


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(finding.site, CleanupSkip)


def group(finding: Finding) -> object:
    return ("cleanup-in-finally", finding.site.method.node)


def build(fx: FixContext, findings: list[Finding]) -> Change:
    skip: CleanupSkip = findings[0].site
    release_line = fx.statement_line(fx.small_statement(skip.release))
    owner, body, index = fx.block_of(release_line)
    start = next((i for i, statement in enumerate(body[:index]) if fx.is_inside(skip.raiser, statement)), None)
    if start is None:
        where = f"`{fx.code(skip.raiser, 40)}` at line {fx.line(skip.raiser)}"
        raise Unfixable(f"{where} is not in the block of the release; move the releases into a `finally` by hand")
    end = index
    while end < len(body) and _releases_only(body[end], skip.release_calls):
        end += 1
    if end == index:
        raise Unfixable(f"the release at line {fx.line(skip.release)} shares its statement with other work; give it a line of its own")
    region, releases = body[start:index], body[index:end]
    for statement in region:
        for node in walk(statement):
            if isinstance(node, EXITS):
                where = f"`{fx.code(node, 30)}` at line {fx.line(node)}"
                raise Unfixable(f"{where} leaves before the releases, and a `finally` would run them there")
    new_try = cst.Try(
        body=block([region[0].with_changes(leading_lines=[]), *region[1:]]),
        finalbody=cst.Finally(body=_nested(releases)),
        leading_lines=region[0].leading_lines,
    )
    replacements: dict = {region[0]: new_try}
    for statement in region[1:] + releases:
        replacements[statement] = cst.RemoveFromParent()
    description = "move the releases into a `finally`: " + ", then ".join(f"`{code_of(r)}`" for r in releases)
    return Change(findings, replacements, True, description)


def _nested(releases: list[cst.BaseStatement]) -> cst.IndentedBlock:
    """The first release, and the others in its `finally`."""
    if len(releases) == 1:
        return block(releases)
    return block([cst.Try(body=block(releases[:1]), finalbody=cst.Finally(body=_nested(releases[1:])))])


def _releases_only(statement: cst.BaseStatement, release_calls: frozenset) -> bool:
    """A line of release calls, or `if <test without calls>:` over such lines."""
    if isinstance(statement, cst.SimpleStatementLine):
        return all(isinstance(s, cst.Expr) and _unawaited(s.value) in release_calls for s in statement.body)
    calls_nothing = isinstance(statement, cst.If) and not any(isinstance(n, (cst.Call, cst.Await)) for n in walk(statement.test))
    if calls_nothing and statement.orelse is None:
        inner = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else [cst.SimpleStatementLine(statement.body.body)]
        return all(_releases_only(s, release_calls) for s in inner)
    return False


def _unawaited(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.expression if isinstance(expr, cst.Await) else expr
