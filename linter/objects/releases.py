"""What one call does to the names and attributes given to it: releases them
(`self.conn.close()`, `await self.pool.release(self.conn)`, a registered
`self.addCleanup(self.conn.close)`, `closing(self.conn)`), or stores them
elsewhere (`registry.append(self.conn)`). Targets are dotted names
(`self.conn`, `conn`); which kind a release method fits is checked later,
against what the target holds."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import libcst as cst

from leaklint.catalogue import (
    OWNING_CALLS,
    OWNING_METHODS,
    REGISTERING_CALLS,
    REGISTERING_METHODS,
    STORING_METHODS,
    Catalogue,
)
from leaklint.resolve import Resolver
from leaklint.syntax import dotted_name

from .lifecycle import EXIT_DUNDERS
from .model import Role


@dataclass(frozen=True)
class Effect:
    target: str  # "self.conn"
    role: Role
    method: Optional[str] = None  # the release method (`close`, `putconn`), None when it is not one


class CallEffects:
    """Reads calls with the catalogue's release methods and a scope's resolver."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.own = catalogue.own_release_methods
        self.returning = catalogue.return_methods

    def of(self, call: cst.Call, resolver: Resolver) -> list[Effect]:
        return list(self._effects(call, resolver))

    def releases(self, call: cst.Call, resolver: Resolver) -> bool:
        return any(e.role is Role.RELEASE for e in self._effects(call, resolver))

    def _effects(self, call: cst.Call, resolver: Resolver) -> Iterator[Effect]:
        func = call.func
        qualified = resolver.qualified(func) or ""
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        plain = [a for a in call.args if a.keyword is None and not a.star]
        if method is not None:
            receiver = dotted_name(func.value)
            if method in EXIT_DUNDERS and receiver:
                yield Effect(receiver, Role.RELEASE, method)  # a stored context manager exited by hand
            elif method in self.returning and plain:
                yield from self._targets(plain, Role.RELEASE, method)  # `pool.putconn(conn)`
            elif method in self.own and receiver:
                yield Effect(receiver, Role.RELEASE, method)  # `conn.close()`
            elif method in OWNING_METHODS:
                yield from self._targets(plain, Role.RELEASE)  # `stack.enter_context(conn)`
            elif method in STORING_METHODS:
                yield from self._targets(plain, Role.HAND_OFF)  # `registry.append(conn)`
        if qualified in OWNING_CALLS:
            yield from self._targets(plain, Role.RELEASE)  # `closing(conn)`
        if method in REGISTERING_METHODS or qualified in REGISTERING_CALLS:
            yield from self._registered(plain)
        yield from self._project_helper(call, resolver, plain)

    def _registered(self, args: list[cst.Arg]) -> Iterator[Effect]:
        """`atexit.register(self.pool.closeall)`, `stack.callback(self.pool.putconn, self.conn)`."""
        for arg in args:
            value = arg.value
            if isinstance(value, cst.Attribute) and value.attr.value in self.returning:
                yield from self._targets([a for a in args if a is not arg], Role.RELEASE, value.attr.value)
            elif isinstance(value, cst.Attribute) and value.attr.value in self.own and dotted_name(value.value):
                yield Effect(dotted_name(value.value), Role.RELEASE, value.attr.value)
            elif dotted_name(value):
                yield Effect(dotted_name(value), Role.RELEASE)  # `stack.callback(cleanup, self.conn)`

    def _project_helper(self, call: cst.Call, resolver: Resolver, args: list[cst.Arg]) -> Iterator[Effect]:
        """A project function known to release (or keep) its parameter."""
        released = resolver.releases_argument(call)
        if not released:
            return
        kept = resolver.keeps_argument(call)
        for position in sorted(released):
            if position < len(args) and dotted_name(args[position].value):
                yield Effect(dotted_name(args[position].value), Role.HAND_OFF if position in kept else Role.RELEASE)

    @staticmethod
    def _targets(args: list[cst.Arg], role: Role, method: Optional[str] = None) -> Iterator[Effect]:
        for arg in args:
            name = dotted_name(arg.value)
            if name:
                yield Effect(name, role, method)


def self_method(call: cst.Call, self_name: str) -> Optional[str]:
    """`close` for `self.close()` and `super().close()`: a method of the object itself."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    receiver = func.value
    if isinstance(receiver, cst.Name) and receiver.value == self_name:
        return func.attr.value
    if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Name) and receiver.func.value == "super":
        return func.attr.value
    return None


def attribute_of(name: Optional[str], self_name: str) -> Optional[str]:
    """`conn` for "self.conn"; None for anything else (`self.a.b`, `conn`)."""
    if name is None:
        return None
    head, _, rest = name.partition(".")
    return rest if head == self_name and rest and "." not in rest else None
