"""LKL107 and LKL108: the statements of `__enter__` and of the cleanup
methods, in order, against the releases that should follow them.

- `__enter__`/`__aenter__`: after a resource its `__exit__` would release is
  acquired, the first statement that can raise (a call or an `await` that is
  not a release) and leaves the method without releasing it leaks it:
  `__exit__` never runs for an `__enter__` that raised.
- A cleanup method (`close`, `__aexit__`, ...): a release of a `self`
  resource that an earlier statement can skip by raising, outside a
  `finally` (or a handler) that would still run it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

import libcst as cst

from leaklint.resolve import ClassInfo

from .lifecycle import CLEANUP_METHODS, EXIT_DUNDERS, EXIT_OF_ENTER
from .model import Acquisition, Category, CleanupSkip, EnterLeak, Method, Role, Use
from .ownership import Ownership
from .releases import attribute_of, self_method
from .steps import Step, categories, escape, exclusive, reaches, steps


@dataclass
class _Reading:
    """A method's steps, and what each releases."""

    steps: list[Step]
    attributes: dict[int, set[str]] = field(default_factory=dict)  # step order -> `self` attributes it releases
    names: dict[int, set[str]] = field(default_factory=dict)  # step order -> local names it releases
    release_call: dict[int, cst.Call] = field(default_factory=dict)  # step order -> its first release call
    release_calls: set = field(default_factory=set)  # every release call of any kind

    def raising(self, step: Step) -> bool:
        """A call or `await` that is not a release of any kind, nor a lock's
        `acquire()` (the idiom `self.lock.acquire(); try: ... finally:
        self.lock.release()`: taking a lock does not fail in practice)."""
        if step.order in self.release_call:
            return False
        return step.awaits is not None or any(not _takes_a_lock(call) for call in step.calls)


class Guards:
    def __init__(self, ownership: Ownership) -> None:
        self.ownership = ownership
        self._readings: dict[tuple[cst.ClassDef, Method], _Reading] = {}

    def enter_leaks(self, cls: ClassInfo) -> Iterator[EnterLeak]:
        for method in self.ownership.methods.get(cls.node, {}).values():
            exit_name = EXIT_OF_ENTER.get(method.name)
            exit_method = self.ownership.resolve(cls, exit_name) if exit_name else None
            if exit_method is None:
                continue
            closed_by_exit = self.ownership.released_by(cls, exit_method)
            held = [a for a in self.ownership.acquisitions(cls) if a.method is method and a.attribute in closed_by_exit]
            if held:
                reading = self._reading(cls, method)
                for acquisition in held:
                    leak = self._first_leak(reading, method, acquisition, exit_name)
                    if leak is not None:
                        yield leak

    def cleanup_skips(self, cls: ClassInfo, seen: set) -> Iterator[CleanupSkip]:
        held = {a.attribute: a for c in self.ownership.hierarchy.family(cls) for a in self.ownership.acquisitions(c)}
        for method in self.ownership.family_methods(cls):
            if method.name not in CLEANUP_METHODS or method in seen:
                continue
            seen.add(method)
            skip = self._first_skip(self._reading(cls, method), method, held)
            if skip is not None:
                yield skip

    # -- LKL107 ---------------------------------------------------------------------------------

    def _first_leak(self, reading: _Reading, method: Method, acquisition: Acquisition, exit_name: str) -> Optional[EnterLeak]:
        start = next((s for s in reading.steps if acquisition.call in s.calls), None)
        if start is None:
            return None
        for step in reading.steps[start.order + 1 :]:
            if not reading.raising(step) or exclusive(start, step):
                continue
            for category in categories(step, method.is_async):
                way_out = escape(step, category)
                if way_out.swallowed_by is not None:
                    continue  # the method goes on: `__exit__` will run
                if not any(self._releases(reading, s, acquisition) for s in reading.steps if any(s.within(r) for r in way_out.regions)):
                    return EnterLeak(acquisition, step.node, _raiser(step, category), category, exit_name)
        return None

    @staticmethod
    def _releases(reading: _Reading, step: Step, acquisition: Acquisition) -> bool:
        return acquisition.attribute in reading.attributes.get(step.order, ()) or (
            acquisition.local is not None and acquisition.local in reading.names.get(step.order, ())
        )

    # -- LKL108 ---------------------------------------------------------------------------------

    def _first_skip(self, reading: _Reading, method: Method, held: dict[str, Acquisition]) -> Optional[CleanupSkip]:
        for target in reading.steps:
            released = [a for a in sorted(reading.attributes.get(target.order, ())) if a in held]
            call = reading.release_call.get(target.order)
            if not released or call is None or self._unawaited(method, call, held[released[0]]):
                continue  # an unawaited release is LKL201's defect
            for step in reading.steps[: target.order]:
                if not reading.raising(step) or exclusive(step, target) or target.inside(step.node):
                    continue  # the test of an `if` around the release guards it, it does not skip it
                for category in categories(step, method.is_async):
                    if not reaches(escape(step, category), step, target):
                        raiser = _raiser(step, category)
                        return CleanupSkip(method, call, released[0], held[released[0]], raiser, category, frozenset(reading.release_calls))
        return None

    def _unawaited(self, method: Method, call: cst.Call, acquisition: Acquisition) -> bool:
        scope = self.ownership.facts.calls.get(method.node)
        fact = scope.by_node().get(call) if scope is not None else None
        if fact is None or fact.awaited or fact.returned or not isinstance(call.func, cst.Attribute):
            return False
        name = call.func.attr.value
        releases = acquisition.kind.releases + acquisition.acquire.returned_by
        release = next((r for r in releases if r.method == name), None)
        return release is not None and release.must_be_awaited(acquire_awaited=acquisition.awaited)

    # -- reading a method ---------------------------------------------------------------------------

    def _reading(self, cls: ClassInfo, method: Method) -> _Reading:
        key = (cls.node, method)
        found = self._readings.get(key)
        if found is None:
            found = self._readings[key] = self._read(cls, method)
        return found

    def _read(self, cls: ClassInfo, method: Method) -> _Reading:
        resolver = self.ownership.facts.resolvers[method.node]
        reading = _Reading(steps(method.node.body))
        for step in reading.steps:
            attributes: set[str] = set()
            names: set[str] = set()
            for call in step.calls:
                if self._releases_by(cls, method, call, resolver, attributes, names):
                    reading.release_calls.add(call)
                    reading.release_call.setdefault(step.order, call)
            reading.attributes[step.order] = attributes
            reading.names[step.order] = names
        return reading

    def _releases_by(self, cls: ClassInfo, method: Method, call: cst.Call, resolver, attributes: set, names: set) -> bool:
        """Is `call` a release of any kind? Adds the attributes and local names it releases."""
        ownership = self.ownership
        released = False
        for effect in ownership.effects.of(call, resolver):
            if effect.role is not Role.RELEASE:
                continue
            released = True
            attribute = attribute_of(effect.target, method.self_name) or ownership.scan(method).aliases.get(effect.target)
            if attribute is None:
                names.add(effect.target)
            elif ownership.fits(cls, Use(attribute, Role.RELEASE, method, call, effect.method)):
                attributes.add(attribute)
                if effect.method in EXIT_DUNDERS:  # what was entered from this context manager
                    attributes.update(a.attribute for a in ownership.held_from(cls, attribute))
        callee_name = self_method(call, method.self_name)
        callee = ownership.resolve(cls, callee_name) if callee_name else None
        if callee is not None and callee is not method and ownership.released_by(cls, callee):
            attributes.update(ownership.released_by(cls, callee))  # `self.close()`
            released = True
        return released


def _raiser(step: Step, category: Category) -> cst.CSTNode:
    """The call (or, for a cancellation, the `await`) that raises."""
    if category is Category.CANCEL and step.awaits is not None:
        return step.awaits
    return step.calls[0] if step.calls else (step.awaits or step.node)


def _takes_a_lock(call: cst.Call) -> bool:
    """`self.lock.acquire()`, `self.acquire()` (a logging handler's lock): no arguments, not awaited."""
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "acquire" and not call.args
