"""Remove release statements from a block of statements and tidy what is left:
a block left empty gets `pass`, a `finally` left empty goes, a trailing
`except ...: raise` that only re-raised after the release goes, and a `try`
left with neither handlers nor `finally` is replaced by its body. Comments of
removed statements move to the next statement (or the end of the block)."""
from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from leaklint.syntax import walk

from .base import comment_lines


class RemoveStatements(cst.CSTTransformer):
    def __init__(self, targets: Sequence[cst.Expr], keep_comments_of: Optional[cst.Expr] = None) -> None:
        super().__init__()
        self.targets = set(targets)
        self.keep_comments_of = keep_comments_of
        self.placeholders: set[cst.CSTNode] = set()  # stand-ins carrying the comments of removed lines
        self.empty: set[cst.CSTNode] = set()  # `pass` put into a block left empty
        self.touched: set[cst.CSTNode] = set()  # original handlers that held a removed release
        self.elifs: set[cst.CSTNode] = set()

    # -- the statements themselves ---------------------------------------------------

    def leave_Expr(self, original: cst.Expr, updated: cst.Expr):
        if original in self.targets:
            return cst.RemoveFromParent()
        return updated

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if not any(small in self.targets for small in original.body):
            return updated
        if updated.body:
            return updated
        comments = []
        if self.keep_comments_of not in original.body:
            comments = comment_lines(original.leading_lines)
            if original.trailing_whitespace.comment is not None:
                comments.append(cst.EmptyLine(comment=original.trailing_whitespace.comment))
        placeholder = cst.SimpleStatementLine([cst.Pass()], leading_lines=comments)
        self.placeholders.add(placeholder)
        return placeholder

    def leave_SimpleStatementSuite(self, original: cst.SimpleStatementSuite, updated: cst.SimpleStatementSuite):
        if not updated.body:
            filler = updated.with_changes(body=[cst.Pass()])
            self.empty.add(filler)
            return filler
        return updated

    def visit_If(self, node: cst.If) -> None:
        if isinstance(node.orelse, cst.If):
            self.elifs.add(node.orelse)

    def leave_If(self, original: cst.If, updated: cst.If):
        """`if flag: <release>` is now `if flag: pass`: it goes, when the test
        has no effect of its own (names, attributes, comparisons)."""
        if original in self.elifs or not self._is_empty(updated.body) or not _pure(updated.test):
            return updated
        orelse = updated.orelse
        if orelse is not None and not (isinstance(orelse, cst.Else) and self._is_empty(orelse.body)):
            return updated
        placeholder = cst.SimpleStatementLine([cst.Pass()], leading_lines=comment_lines(updated.leading_lines))
        self.placeholders.add(placeholder)
        return placeholder

    # -- blocks ---------------------------------------------------------------------------

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock):
        body: list[cst.BaseStatement] = []
        pending: list[cst.EmptyLine] = []
        for statement in updated.body:
            if statement in self.placeholders:
                pending.extend(statement.leading_lines)
                continue
            if pending:
                statement = statement.with_changes(leading_lines=[*pending, *statement.leading_lines])
                pending = []
            body.append(statement)
        if not body:
            filler = cst.SimpleStatementLine([cst.Pass()], leading_lines=pending)
            self.empty.add(filler)
            return updated.with_changes(body=[filler])
        if len(body) == len(updated.body) and not pending:
            return updated
        return updated.with_changes(body=body, footer=[*pending, *updated.footer])

    def _is_empty(self, suite: cst.BaseSuite) -> bool:
        if suite in self.empty:
            return True
        return isinstance(suite, cst.IndentedBlock) and len(suite.body) == 1 and suite.body[0] in self.empty

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if any(sub in self.targets for sub in walk(node, into_scopes=True)):
            self.touched.add(node)

    def leave_Try(self, original: cst.Try, updated: cst.Try):
        handlers = list(updated.handlers)
        originals = list(original.handlers)
        comments: list[cst.EmptyLine] = []
        # `except ...: <release>; raise` is now `except ...: raise`: a no-op when it is the last handler
        while handlers and originals[len(handlers) - 1] in self.touched and _only_bare_raise(handlers[-1].body):
            comments = _comments_in(handlers[-1].body) + comments
            handlers.pop()
        finalbody = updated.finalbody
        if finalbody is not None and self._is_empty(finalbody.body):
            comments = comments + _comments_in(finalbody.body)
            finalbody = None
        if handlers == list(updated.handlers) and finalbody is updated.finalbody:
            return updated
        body = updated.body
        if comments and isinstance(body, cst.IndentedBlock):
            body = body.with_changes(footer=[*body.footer, *comments])
        if handlers or finalbody is not None:
            orelse = updated.orelse
            if not handlers and orelse is not None:  # `try/else` needs an `except`
                body = body.with_changes(body=[*body.body, *_statements(orelse.body)])
                orelse = None
            return updated.with_changes(handlers=handlers, finalbody=finalbody, orelse=orelse, body=body)
        statements = [s for s in _statements(body) if s not in self.empty]
        if updated.orelse is not None:
            statements += [s for s in _statements(updated.orelse.body) if s not in self.empty]
        lead = comment_lines(updated.leading_lines)
        if isinstance(body, cst.IndentedBlock) and body.footer:
            tail = comment_lines(body.footer)
        else:
            tail = []
        if not statements:
            filler = cst.SimpleStatementLine([cst.Pass()], leading_lines=lead + tail)
            self.placeholders.add(filler)
            return filler
        first = statements[0]
        statements[0] = first.with_changes(leading_lines=[*updated.leading_lines, *first.leading_lines])
        if tail:
            # comments that ended the try body stay at the end of what replaces it
            filler = cst.SimpleStatementLine([cst.Pass()], leading_lines=tail)
            self.placeholders.add(filler)
            statements.append(filler)
        return cst.FlattenSentinel(statements)


def _statements(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [cst.SimpleStatementLine(list(suite.body))]


def _only_bare_raise(suite: cst.BaseSuite) -> bool:
    smalls = []
    if isinstance(suite, cst.IndentedBlock):
        for statement in suite.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                return False
            smalls.extend(s for s in statement.body if not isinstance(s, cst.Pass))
    else:
        smalls = [s for s in suite.body if not isinstance(s, cst.Pass)]
    return len(smalls) == 1 and isinstance(smalls[0], cst.Raise) and smalls[0].exc is None


def _comments_in(suite: cst.BaseSuite) -> list[cst.EmptyLine]:
    if not isinstance(suite, cst.IndentedBlock):
        return []
    found: list[cst.EmptyLine] = []
    for statement in suite.body:
        found.extend(comment_lines(getattr(statement, "leading_lines", ())))
    found.extend(comment_lines(suite.footer))
    return found


def _pure(expr: cst.BaseExpression) -> bool:
    """Evaluating `expr` calls nothing: names, constants, attribute reads,
    comparisons and `not`/`and`/`or` over those."""
    if isinstance(expr, (cst.Name, cst.Integer, cst.Float, cst.SimpleString, cst.Ellipsis)):
        return True
    if isinstance(expr, cst.Attribute):
        return _pure(expr.value)
    if isinstance(expr, cst.UnaryOperation):
        return _pure(expr.expression)
    if isinstance(expr, cst.BooleanOperation):
        return _pure(expr.left) and _pure(expr.right)
    if isinstance(expr, cst.Comparison):
        return _pure(expr.left) and all(_pure(c.comparator) for c in expr.comparisons)
    return False
