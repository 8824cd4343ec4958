"""LKL101, LKL102, LKL103 (and LKL301 for a named stream): release a resource
on every path by wrapping the code from its acquire to its last use.

The shape comes from the catalogue:

- `with call as var:` / `async with call as var:` where the context manager
  really releases (SQLAlchemy `engine.connect()`, asyncpg `pool.acquire()`,
  psycopg 3 `AsyncConnection.connect()` as `async with await ...`);
- `with closing(call) as var:` where `with` only ends a transaction and the
  object has a plain `close()` (sqlite3, psycopg2; LKL101 only);
- `try:` ... `finally: <release>` where there is no such context manager
  (psycopg2 pools, asyncpg connections) or where the code already releases
  (LKL102/LKL103 keep the release the user wrote, so a commit-on-exit
  context manager never replaces a plain close).

Existing releases inside the wrapped code are removed: they would now run
twice (a second `close()` raises on PyMySQL).
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from leaklint.catalogue import (
    OWNING_CALLS,
    OWNING_METHODS,
    REGISTERING_CALLS,
    REGISTERING_METHODS,
    Await,
    Exit,
    closing_releases,
    exit_of,
)
from leaklint.flow.facts import SiteFacts
from leaklint.rulebase import Finding
from leaklint.syntax import unwrap_await, walk

from .base import (
    LOOPS,
    Change,
    FixContext,
    Unfixable,
    block,
    bound_names,
    canonical_release,
    code_of,
    comment_lines,
    is_canonical_release,
    is_release,
    names_in,
    rebinds,
    uses,
)
from .cleanup import RemoveStatements

CODES = ("LKL101", "LKL102", "LKL103", "LKL301")  # LKL301: a stream left by an early exit, closed the same way


def accepts(finding: Finding) -> bool:
    return finding.code in CODES and isinstance(finding.site, SiteFacts)


def group(finding: Finding) -> object:
    return ("site", finding.site.site.call)


def build(fx: FixContext, findings: list[Finding]) -> Change:
    facts: SiteFacts = findings[0].site
    site = facts.site
    never_released = not facts.released
    function = findings[0].function
    if function is None:
        raise Unfixable("it is acquired at module level, where it lives as long as the process")
    if site.transaction_with is not None:
        raise Unfixable("it is acquired in a `with` header whose exit does not release it; use `with closing(...)` there")
    var = site.var
    statement = site.statement
    if var is None or not isinstance(statement, (cst.Assign, cst.AnnAssign)) or var not in _targets(statement):
        raise Unfixable("the resource is not bound to one plain name")
    siblings = frozenset(_targets(statement)) - {var}  # `reader, writer = ...`: elements of one connection
    line = fx.statement_line(statement)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        raise Unfixable("the acquire shares its line with other statements; put it on a line of its own")
    if facts.handed:
        raise Unfixable(_escape_reason(fx, function, var))
    _, body, index = fx.block_of(line)
    end, derived = _region(body, index, var, derive=never_released, siblings=siblings)
    region = body[index + 1 : end + 1]
    cutoff = _cutoff(fx, body, end, var)
    _check_uses_outside(fx, function, line, region, var, cutoff)
    _check_rebinding(fx, region, var)
    is_async = function.asynchronous is not None
    releases = _releases(fx, function, region, facts, var)
    _check_derived_closed(fx, function, region, facts, var)
    _check_other_releases(fx, function, region, facts, var, {id(_call_of(r)) for r in releases})
    unsafe = _unsafe_reason(fx, function, line, region, derived, cutoff) if never_released else ""

    value = statement.value
    awaited = isinstance(value, cst.Await)
    plain = isinstance(statement, cst.Assign) and not siblings and (value.expression if awaited else value) is site.call
    header = _with_header(facts, value, awaited, is_async) if plain else None
    use_with = header is not None and (
        never_released
        or (
            bool(releases)
            and header[2] == Exit.RELEASES
            and all(is_canonical_release(_call_of(r), site.call, site.acquire, site.kind, var) for r in releases)
        )
    )
    closing_item = None
    imports: tuple = ()
    closable = site.acquire.awaiting == Await.NO and closing_releases(site.acquire, site.kind)
    if not use_with and never_released and plain and not awaited and closable:
        closing_name, imports = fx.closing()
        closing_item = cst.Call(closing_name, args=[cst.Arg(site.call)])

    if use_with or closing_item is not None:
        remover = RemoveStatements(releases)
        statements, footer = _cleaned(region, remover)
        if use_with:
            asynchronous, item, _ = header
        else:
            asynchronous, item = False, closing_item
        body_block = block(statements, header=line.trailing_whitespace).with_changes(footer=footer)
        new = cst.With(
            items=[cst.WithItem(item, asname=cst.AsName(cst.Name(var)))],
            body=body_block,
            asynchronous=cst.Asynchronous() if asynchronous else None,
            leading_lines=line.leading_lines,
        )
        keyword = "async with" if asynchronous else "with"
        description = f"wrap the uses of `{var}` in `{keyword} {code_of(item)} as {var}:`"
        replacements: dict = {line: new}
    else:
        release_line, keep, imports = _finally_release(fx, function, facts, releases, var, is_async)
        remover = RemoveStatements(releases, keep_comments_of=keep)
        teardown = _teardown(fx, region, releases, var)
        statements, footer = _cleaned(region[: len(region) - len(teardown)], remover)
        new_try = cst.Try(
            body=block(statements).with_changes(footer=footer),
            finalbody=cst.Finally(body=cst.IndentedBlock(body=[release_line, *teardown])),
        )
        verb = "move the release into a `finally`" if releases else f"release `{site.acquire.released_through(var)}` in a `finally`"
        description = f"{verb}: `{code_of(release_line.body[0])}`"
        replacements = {line: cst.FlattenSentinel([line, new_try])}
    for statement_node in region:
        replacements[statement_node] = cst.RemoveFromParent()
    return Change(
        findings=findings,
        replacements=replacements,
        safe=not unsafe,
        description=description,
        imports=imports,
        unsafe_reason=unsafe,
    )


# -- the region ---------------------------------------------------------------------------


def _targets(statement) -> list[str]:
    """The names an assignment binds: its one plain name, or the plain names
    of the one tuple it unpacks (`reader, writer = ...`); else none."""
    if isinstance(statement, cst.AnnAssign):
        target = statement.target
    elif len(statement.targets) == 1:
        target = statement.targets[0].target
    else:
        return []  # `a = b = connect()`
    targets = [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        if not all(isinstance(e, cst.Element) for e in target.elements):
            return []  # `conn, *rest = ...`
        targets = [e.value for e in target.elements]
    return [t.value for t in targets] if all(isinstance(t, cst.Name) for t in targets) else []


def _region(body: list, index: int, var: str, *, derive: bool, siblings: frozenset[str] = frozenset()) -> tuple[int, set[str]]:
    """The index of the last statement of the block that uses `var` (or, for a
    resource never released, a value made from it, like its cursor, or
    another element of the tuple it came in)."""
    names = ({var} | siblings) if derive else {var}
    end = index
    for position in range(index + 1, len(body)):
        statement = body[position]
        if rebinds(statement, var) and not _value_uses(statement, var):
            break  # a new value from here on
        if uses(statement, names):
            end = position
            if derive:
                names |= _derived(statement, names)
    return end, names - {var}


def _value_uses(statement: cst.SimpleStatementLine, var: str) -> bool:
    for small in statement.body:
        value = getattr(small, "value", None)
        if value is not None and uses(value, {var}):
            return True
    return False


def _derived(statement: cst.CSTNode, names: set[str]) -> set[str]:
    """Names bound from an expression that uses one of `names`."""
    found: set[str] = set()
    for _ in range(3):
        before = len(found)
        current = names | found
        for node in walk(statement):
            source = None
            targets: list[cst.CSTNode] = []
            if isinstance(node, cst.Assign):
                source, targets = node.value, [t.target for t in node.targets]
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) and node.value is not None:
                source, targets = node.value, [node.target]
            elif isinstance(node, cst.For):
                source, targets = node.iter, [node.target]
            elif isinstance(node, cst.WithItem) and node.asname is not None:
                source, targets = node.item, [node.asname.name]
            elif isinstance(node, cst.NamedExpr):
                source, targets = node.value, [node.target]
            if source is not None and uses(source, current):
                for target in targets:
                    found |= {n.value for n, _ in names_in(target)}
        if len(found) == before:
            break
    return found


def _cutoff(fx: FixContext, body: list, end: int, var: str) -> Optional[tuple[int, int]]:
    """Where `var` gets a new value after the region (uses from there on are
    of that value)."""
    for statement in body[end + 1 :]:
        if rebinds(statement, var):
            return fx.start(statement)
    return None


def _check_uses_outside(fx: FixContext, function, line, region: list, var: str, cutoff) -> None:
    start = fx.start(line)
    loops = [a for a in _ancestors_within(fx, line, function) if isinstance(a, LOOPS)]
    for name, _ in names_in(function.body):
        if name.value != var or _inside_any(fx, name, [line, *region]):
            continue
        position = fx.start(name)
        if cutoff is not None and position >= cutoff:
            continue
        if position > start:
            raise Unfixable(f"`{var}` is still used at line {position[0]}, outside the block that acquires it")
        if any(fx.is_inside(name, loop) for loop in loops):
            raise Unfixable(f"`{var}` is used across loop iterations (line {position[0]})")


def _check_rebinding(fx: FixContext, region: list, var: str) -> None:
    for statement in region:
        for name, binder in bound_names(statement):
            if name.value == var:
                raise Unfixable(f"`{var}` is rebound at line {fx.line(name)} while the resource is in use")


def _ancestors_within(fx: FixContext, node, function):
    for ancestor in fx.ancestors(node):
        if ancestor is function:
            return
        yield ancestor


def _inside_any(fx: FixContext, node, containers: list) -> bool:
    chain = {id(a) for a in fx.ancestors(node)}
    chain.add(id(node))
    return any(id(c) in chain for c in containers)


def _escape_reason(fx: FixContext, function, var: str) -> str:
    for name, scope in names_in(function.body):
        if name.value == var and scope is not None:
            where = getattr(getattr(scope, "name", None), "value", None) or "a lambda"
            label = f"`{where}`" if where != "a lambda" else where
            return (
                f"`{var}` escapes into a closure ({label} at line {fx.line(scope)}), which may use it after this code is done; "
                "release it where the closure is finished with it"
            )
    for node in walk(function.body):
        if isinstance(node, (cst.Return, cst.Yield)) and node.value is not None and _bare(node.value, {var}):
            return f"`{var}` is handed to the caller at line {fx.line(node)} on some path, so it cannot be released in `finally`"
    return f"`{var}` is handed off on some path (stored or passed to an owner), so it cannot be released in `finally`"


# Builtins that consume what they are given and keep none of it.
CONSUMING_BUILTINS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted", "len", "sum", "min", "max", "any", "all", "str", "bool", "int", "float"})


def _bare(expr: cst.BaseExpression, names: set[str]) -> bool:
    """`expr` may keep one of `names` alive: the name itself, a container
    holding it, a call given it (`iter(cur)`, `Rows(cur)`; not `list(cur)`),
    a generator or lambda over it. Data read from it (`cur.fetchall()`) does not."""
    if isinstance(expr, cst.Await):
        expr = expr.expression
    if isinstance(expr, cst.Name):
        return expr.value in names
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return any(_bare(e.value, names) for e in expr.elements)
    if isinstance(expr, cst.Call):
        if isinstance(expr.func, cst.Name) and expr.func.value in CONSUMING_BUILTINS:
            return False
        return any(_bare(a.value, names) for a in expr.args)
    if isinstance(expr, (cst.GeneratorExp, cst.Lambda)):
        return any(isinstance(n, cst.Name) and n.value in names for n in walk(expr, into_scopes=True))
    return False


def _unsafe_reason(fx: FixContext, function, line, region: list, derived: set[str], cutoff) -> str:
    """Why wrapping a never-released resource may change behaviour."""
    if not derived:
        return ""
    start = fx.start(line)
    for name, _ in names_in(function.body):
        if name.value in derived and not _inside_any(fx, name, [line, *region]):
            position = fx.start(name)
            if position > start and (cutoff is None or position < cutoff):
                return f"`{name.value}` comes from the resource and is still used at line {position[0]}, after it would be released"
    for statement in region:
        for node in walk(statement):
            value = None
            if isinstance(node, (cst.Return, cst.Yield)):
                value = node.value
            elif isinstance(node, cst.Assign) and any(not isinstance(t.target, cst.Name) for t in node.targets):
                value = node.value
            if value is not None and _bare(value, derived):
                return f"`{fx.code(value, 30)}` at line {fx.line(node)} comes from the resource and may outlive it"
    return ""


# -- releases ---------------------------------------------------------------------------


def _call_of(expr: cst.Expr) -> cst.Call:
    value = expr.value
    return value.expression if isinstance(value, cst.Await) else value


def _releases(fx: FixContext, function, region: list, facts: SiteFacts, var: str) -> list[cst.Expr]:
    """The statements in the region that release `var`: the catalogue's
    release, or a project helper summarised as releasing it (`give_back(conn)`)."""
    site = facts.site
    resolver = fx.resolver(function)
    found: list[cst.Expr] = []
    for statement in region:
        for node in walk(statement):
            if not isinstance(node, cst.Call):
                continue
            if not is_release(node, site.acquire, site.kind, var) and not _helper_releases(resolver, node, var):
                continue
            parent = fx.parent(node)
            if isinstance(parent, cst.Await):
                parent = fx.parent(parent)
            if not isinstance(parent, cst.Expr):
                raise Unfixable(
                    f"the release `{fx.code(node, 40)}` at line {fx.line(node)} is part of a larger expression; make it a statement of its own"
                )
            found.append(parent)
    return found


def _helper_releases(resolver, call: cst.Call, var: str) -> bool:
    """`call` is a project helper that releases (not keeps) `var`, passed as a plain argument."""
    if resolver is None:
        return False
    positions = [i for i, arg in enumerate(call.args) if arg.keyword is None and isinstance(arg.value, cst.Name) and arg.value.value == var]
    released = resolver.releases_argument(call) or set()
    return any(i in released and i not in resolver.keeps_argument(call) for i in positions)


def _check_derived_closed(fx: FixContext, function, region: list, facts: SiteFacts, var: str) -> None:
    """A cursor that keeps the connection, closed itself in the region
    (`cur.close()`, `with cur:`, `closing(cur)`): PyMySQL, mysqlclient and
    pyodbc drop `cur.connection` then, so a `finally` could no longer reach
    it; or closed after it (entered on a stack), which sqlite3 refuses."""
    site = facts.site
    through = site.acquire.reached_through
    if not through:
        return
    value = unwrap_await(site.statement.value)[0]
    if value is not site.call:  # `cur = stack.enter_context(cursor_for(path))`
        raise Unfixable(
            f"`{fx.code(value, 40)}` closes `{var}` after a `finally` would have closed `{var}.{through}`, "
            "and sqlite3 cannot close a cursor whose connection is closed; release it by hand"
        )
    resolver = fx.resolver(function)
    for statement in region:
        for node in walk(statement):
            if isinstance(node, cst.WithItem) and _is_name(unwrap_await(node.item)[0], var):
                closer = f"with {var}"
            elif isinstance(node, cst.Call) and _closes(resolver, node, site.kind, var):
                closer = fx.code(node, 40)
            else:
                continue
            raise Unfixable(
                f"`{closer}` at line {fx.line(node)} closes `{var}` itself, and some drivers drop `{var}.{through}` with it; "
                f"call `{var}.{through}.close()` before it by hand"
            )


def _closes(resolver, call: cst.Call, kind, var: str) -> bool:
    """`var.close()`, `closing(var)`, `stack.enter_context(var)`, `stack.callback(var.close)`."""
    func = call.func
    if isinstance(func, cst.Attribute) and _is_name(func.value, var):
        return any(r.method == func.attr.value for r in kind.releases)
    method = func.attr.value if isinstance(func, cst.Attribute) else None
    qualified = (resolver.qualified(func) if resolver is not None else None) or ""
    if any(_is_name(a.value, var) for a in call.args):
        return qualified in OWNING_CALLS or method in OWNING_METHODS
    registered = any(isinstance(a.value, cst.Attribute) and _is_name(a.value.value, var) for a in call.args)
    return registered and (qualified in REGISTERING_CALLS or method in REGISTERING_METHODS)


def _is_name(expr: cst.BaseExpression, var: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == var


def _check_other_releases(fx: FixContext, function, region: list, facts: SiteFacts, var: str, moved: set[int]) -> None:
    """A release the fix would not remove (`moved`: the ids of the calls it
    moves): adding one in `finally` would release twice."""
    site = facts.site
    resolver = fx.resolver(function)
    for statement in region:
        for node in walk(statement):
            if isinstance(node, cst.With):
                for item in node.items:
                    expr = item.item.expression if isinstance(item.item, cst.Await) else item.item
                    if isinstance(expr, cst.Name) and expr.value == var:
                        exit_ = site.kind.exit(asynchronous=node.asynchronous is not None)
                        if exit_.ends_ownership:
                            raise Unfixable(
                                f"`with {var}` at line {fx.line(node)} already releases it; a release in `finally` would release it twice"
                            )
            if not isinstance(node, cst.Call) or id(node) in moved:
                continue
            arguments = [a.value for a in node.args]
            mentions = any(
                (isinstance(a, cst.Name) and a.value == var)
                or (isinstance(a, cst.Attribute) and isinstance(a.value, cst.Name) and a.value.value == var)
                for a in arguments
            )
            if not mentions:
                continue
            qualified = (resolver.qualified(node.func) if resolver is not None else None) or ""
            method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
            helper = resolver.releases_argument(node) if resolver is not None else None
            if qualified in OWNING_CALLS or qualified in REGISTERING_CALLS or method in OWNING_METHODS or method in REGISTERING_METHODS or helper:
                raise Unfixable(
                    f"`{fx.code(node, 40)}` at line {fx.line(node)} already takes care of releasing it; a release in `finally` would release it twice"
                )


def _finally_release(fx: FixContext, function, facts: SiteFacts, releases: list[cst.Expr], var: str, is_async: bool):
    """(the release for `finally`, the existing release it keeps the comments of, the imports it needs)."""
    site = facts.site
    if not releases:
        release_line, imports = canonical_release(fx, function, site.call, site.acquire, site.kind, var, site.awaited, is_async)
        return release_line, None, imports
    texts = sorted({code_of(r) for r in releases})
    if len(texts) > 1:
        shown = ", ".join(f"`{t}`" for t in texts)
        raise Unfixable(f"the releases differ ({shown}); merge them into one `finally` by hand")
    keep = releases[0]
    line = fx.parent(keep)
    release_line = cst.SimpleStatementLine([keep.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        release_line = release_line.with_changes(
            leading_lines=comment_lines(line.leading_lines), trailing_whitespace=line.trailing_whitespace
        )
    return release_line, keep, ()


def _teardown(fx: FixContext, region: list, releases: list[cst.Expr], var: str) -> list:
    """`writer.close()` then `await writer.wait_closed()`: plain calls on the
    resource that end the region after its release finish the release, and
    go with it into `finally` (before it they would wait for a close that
    has not happened)."""
    lines = {id(fx.parent(r)) for r in releases}
    last = max((i for i, statement in enumerate(region) if id(statement) in lines), default=None)
    after = region[last + 1 :] if last is not None else []
    if all(_call_on(statement, var) for statement in after):
        return after
    return []


def _call_on(statement: cst.CSTNode, var: str) -> bool:
    """`var.method(...)` or `await var.method(...)` as a statement of its own."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1 or not isinstance(statement.body[0], cst.Expr):
        return False
    call = _call_of(statement.body[0])
    return isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name) and call.func.value.value == var


def _cleaned(region: list, remover: RemoveStatements) -> tuple[list, list]:
    if not region:
        return [], []
    holder = cst.IndentedBlock(body=region).visit(remover)
    statements = [s for s in holder.body if s not in remover.empty]
    footer = list(holder.footer)
    if not statements and holder.body:
        footer = comment_lines(holder.body[0].leading_lines) + footer
    return statements, footer


# -- shapes ---------------------------------------------------------------------------------


def _with_header(facts: SiteFacts, value, awaited: bool, is_async: bool):
    """(async?, the item expression, its exit) of a `with` that releases, or None."""
    site = facts.site
    acquire, kind = site.acquire, site.kind
    if not awaited:
        if acquire.awaiting in (Await.NO, Await.EITHER):
            exit_ = exit_of(acquire, kind, asynchronous=False, awaited=False)
            if exit_.ends_ownership:
                return False, site.call, exit_
            exit_ = exit_of(acquire, kind, asynchronous=True, awaited=False)
            if is_async and exit_.ends_ownership:
                return True, site.call, exit_
        return None
    if not is_async:
        return None
    if acquire.awaiting in (Await.AWAITABLE, Await.EITHER):
        exit_ = exit_of(acquire, kind, asynchronous=True, awaited=False)
        if exit_.ends_ownership:
            return True, site.call, exit_
    if acquire.awaiting == Await.COROUTINE:
        exit_ = exit_of(acquire, kind, asynchronous=True, awaited=True)
        if exit_.ends_ownership:
            return True, value, exit_
    return None
