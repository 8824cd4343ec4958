"""The call that releases a stored resource, as code: what the messages
advise and what the fixes insert (`await self.session.close()`,
`self.pool.putconn(self.conn)`)."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from leaklint.syntax import dotted_name

from .model import Acquisition


def release_call(acquisition: Acquisition, holder: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The catalogue's release of what `holder` holds, awaited where it must
    be; None when the acquiring call gives no pool to give it back to."""
    call = acquisition.call
    if acquisition.acquire.returned_by:
        release = acquisition.acquire.returned_by[0]
        if not isinstance(call.func, cst.Attribute) or dotted_name(call.func.value) is None:
            return None  # the pool is not a plain name that still means the same
        expr: cst.BaseExpression = cst.Call(cst.Attribute(call.func.value.deep_clone(), cst.Name(release.method)), args=[cst.Arg(holder)])
    elif acquisition.kind.releases:
        release = acquisition.kind.releases[0]
        expr = cst.Call(cst.Attribute(holder, cst.Name(release.method)))
    else:
        return None
    if release.must_be_awaited(acquire_awaited=acquisition.awaited):
        expr = cst.Await(expr)
    return expr


def attribute_holder(acquisition: Acquisition) -> cst.Attribute:
    """`self.conn`, written with the method's own name for `self`."""
    return cst.Attribute(cst.Name(acquisition.method.self_name), cst.Name(acquisition.attribute))


def release_text(acquisition: Acquisition) -> str:
    expr = release_call(acquisition, attribute_holder(acquisition))
    return cst.Module([]).code_for_node(expr) if expr is not None else f"{acquisition.method.self_name}.{acquisition.attribute}.close()"
