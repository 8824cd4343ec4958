"""What a call of the project's own code does with a resource: which
arguments the callee releases or keeps (a constructor that stores its
argument, `Base.__init__(self, conn)`, `super().__init__(conn)`), and what it
gives back (a factory, the elements of a tuple, the result of calling a
callable argument: `retry(lambda: connect(dsn))`).

Mixed into `leaklint.resolve.Resolver`, which answers the names.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional

import libcst as cst

from .catalogue import Acquire, Await
from .summaries import OTHER, FunctionSummary

if TYPE_CHECKING:
    from .resolve import Resolver

STANDARD_LIBRARY = frozenset(getattr(sys, "stdlib_module_names", ()))
PARTIAL_CALLS = frozenset({"functools.partial"})


@dataclass(frozen=True)
class Callee:
    """The project function a call runs."""

    summary: Optional[FunctionSummary]  # None: known, and it neither releases, keeps nor returns anything
    implicit: int  # its parameters bound rather than passed (`self`, `cls`)

    def positions(self, params: frozenset[int]) -> set[int]:
        """Parameter positions as positions among the call's arguments."""
        return {i - self.implicit for i in params if i >= self.implicit}


class ProjectCallees:
    """The calls of the project's own functions, methods and constructors."""

    def releases_argument(self: Resolver, call: cst.Call) -> Optional[set[int]]:
        """Argument positions a project function releases or keeps (its summary)."""
        callee = self.callee(call)
        released = callee.positions(callee.summary.releases) if callee is not None and callee.summary is not None else set()
        return released or None

    def keeps_argument(self: Resolver, call: cst.Call) -> set[int]:
        """Of `releases_argument`, the positions the function stores (keeps)."""
        callee = self.callee(call)
        return callee.positions(callee.summary.keeps) if callee is not None and callee.summary is not None else set()

    def kept_positions(self: Resolver, call: cst.Call) -> Optional[set[int]]:
        """The positional arguments the callee keeps; None when it is not known
        (it may keep any): `return f(conn)` borrows `conn` only if `f` is known."""
        callee = self.callee(call)
        if callee is None:
            return None
        return callee.positions(callee.summary.keeps) if callee.summary is not None else set()

    def callee(self: Resolver, call: cst.Call) -> Optional[Callee]:
        """The project function, method or constructor a call runs; None when
        the callee is not the project's or not known."""
        func = call.func
        if isinstance(func, cst.Name) and func.value == self.self_name and self.function is not None and self.function.binding == "class":
            return self._constructor(self.own_class or "")  # `cls(...)` in a classmethod
        qualified = self.qualified(func)
        if qualified is not None:
            if self.classes.is_class(qualified):
                return self._constructor(qualified)
            summary, binding = self.classes.function_summary(qualified, by_summary=True)
            if summary is not None:
                return Callee(summary, 1 if binding == "class" else 0)  # `Base.__init__(self, x)` passes `self`
            init = self.summaries.function(f"{qualified}.__init__")  # a class of another module known by its constructor
            if init is not None:
                return Callee(init, 1)
            if self.classes.local_function(qualified) is not None:
                return Callee(None, 0)
            self._want(qualified, call)
            return None
        if isinstance(func, cst.Attribute):
            owner = self._receiver_class(func.value)
            if owner is not None:
                method = self.classes.find_method(owner[0], func.attr.value, after=owner[1], by_summary=True)
                if method is None or method.qualname is None:
                    if method is not None and method.unknown_base is not None:
                        self._want(f"{method.unknown_base}.{func.attr.value}", call)
                    return None
                return Callee(self.summaries.function(method.qualname), 0 if method.binding == "static" else 1)
        return None

    def _constructor(self: Resolver, qualname: str) -> Optional[Callee]:
        init, stored = self.classes.stored_arguments(qualname)
        if stored:  # a dataclass
            return Callee(FunctionSummary(qualname, releases=stored, keeps=stored), 0)
        if init is not None:
            return Callee(init, 1)
        method = self.classes.find_method(qualname, "__init__", by_summary=True)
        if method is not None and method.qualname is None:
            return None  # a base outside the project may keep it
        return Callee(None, 1)

    def _want(self: Resolver, qualified: str, call: cst.Call) -> None:
        """Ask for the summary of a name outside this module, the standard
        library and the catalogue when a resource is passed to it."""
        if not self._may_want(qualified):
            return
        for arg in call.args:
            if arg.keyword is None and not arg.star and self._passes_a_resource(arg.value):
                self._shared().wanted.add(qualified)
                return

    def want_base(self: Resolver, qualified: str) -> None:
        """Ask for the summary of a base class in another module (even one
        already summarised for other reasons): which of `self`'s attributes
        its methods may release."""
        if self._outside_libraries(qualified) and not self.classes.local(qualified):
            self._shared().wanted.add(qualified)

    def _may_want(self: Resolver, qualified: str) -> bool:
        return self._outside_libraries(qualified) and not self._is_project_name(qualified)

    def _outside_libraries(self: Resolver, qualified: str) -> bool:
        return qualified.split(".", 1)[0] not in STANDARD_LIBRARY and not self.catalogue.is_catalogue_module(qualified)

    def _passes_a_resource(self: Resolver, value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.Lambda):  # `retry(lambda: connect(dsn))`
            return isinstance(value.body, cst.Call) and self.acquire_of(value.body) is not None
        return isinstance(value, cst.Name) and self.kind_of(value) not in (None, OTHER)

    @property
    def wanted(self: Resolver) -> set[str]:
        """The names `_want` asked for, in this module's analysis."""
        return self._shared().wanted

    # -- what the callee gives back ------------------------------------------------

    def summary_acquire(self: Resolver, summary: FunctionSummary, implicit: int, call: cst.Call) -> Optional[Acquire]:
        """What a call of a summarised function acquires: what it returns, or
        what the callable it is given returns (`retry(lambda: connect(dsn))`)."""
        if summary.returns is not None or summary.returns_result_of is None:
            return summary.returns
        positional = [a for a in call.args if a.keyword is None and not a.star]
        position = summary.returns_result_of - implicit
        if not 0 <= position < len(positional):
            return None
        found = self._result_of_callable(positional[position].value)
        if found is None:
            return None
        awaiting = Await.COROUTINE if summary.awaitable else found.awaiting
        return replace(found, awaiting=awaiting, when=None, with_exit=None, async_with_exit=None)

    def _result_of_callable(self: Resolver, value: cst.BaseExpression) -> Optional[Acquire]:
        if isinstance(value, cst.Lambda):
            return self.acquire_of(value.body) if isinstance(value.body, cst.Call) else None
        if isinstance(value, cst.Call) and self.qualified(value.func) in PARTIAL_CALLS and value.args:
            return self._result_of_callable(value.args[0].value)  # `partial(connect, dsn)`
        if isinstance(value, (cst.Name, cst.Attribute)):  # `retry(sqlite3.connect, path)`
            return self.acquire_of(cst.Call(func=value))
        return None

    def acquired_parts(self: Resolver, call: cst.Call) -> tuple[Optional[Acquire], ...]:
        """What each element of the tuple a call gives is: a catalogue call
        (`reader, writer = await open_connection()`) or a project function
        (`conn, cur = open_pair()`); empty when it gives no such tuple."""
        acquire = self.acquire_of(call)
        if acquire is not None:
            return acquire.parts
        if not self.summaries.returns_tuples:
            return ()
        func = call.func
        qualified = self.qualified(func)
        summary = self.classes.function_summary(qualified)[0] if qualified is not None else None
        if qualified is None and isinstance(func, cst.Attribute):
            owner = self._receiver_class(func.value)
            method = self.classes.find_method(owner[0], func.attr.value, after=owner[1]) if owner is not None else None
            summary = self.summaries.function(method.qualname) if method is not None and method.qualname else None
        return summary.returns_parts if summary is not None else ()
