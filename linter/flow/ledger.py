"""The record of one function's analysis across all its paths: the sites met
so far and what happened to each on some path (the facts rules read), the
parameters followed, and the loops the interpretation is inside."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from ..catalogue import Acquire, Kind
from ..syntax import root_name
from .facts import FunctionFacts, Site, SiteFacts
from .state import ParameterSite


class Ledger:
    def __init__(self, facts: FunctionFacts) -> None:
        self.facts = facts
        self.loops: list[cst.CSTNode] = []  # innermost last
        self.tracked_names: set[str] = set()  # names acquisitions are bound to
        self.parameters: list[ParameterSite] = []
        self._sites: dict[cst.Call, Site] = {}
        self._site_facts: dict[Site, SiteFacts] = {}
        self._next_id = 0

    def site(
        self,
        call: cst.Call,
        acquire: Acquire,
        kind: Kind,
        var: Optional[str],
        statement: cst.CSTNode,
        *,
        awaited: bool = False,
        transaction_with: Optional[cst.CSTNode] = None,
    ) -> Site:
        """The site of `call`: made the first time the call is met (a loop meets it again)."""
        site = self._sites.get(call)
        if site is None:
            parent = root_name(call.func.value) if isinstance(call.func, cst.Attribute) else None
            site = Site(self._take_id(), call, acquire, kind, var, statement, awaited, transaction_with, tuple(self.loops), parent)
            self._sites[call] = site
            self._site_facts[site] = SiteFacts(site)
            if var:
                self.tracked_names.add(var)
        return site

    def parameter(self, name: str) -> ParameterSite:
        parameter = ParameterSite(self._take_id(), name)
        self.parameters.append(parameter)
        return parameter

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def of(self, site: Site) -> SiteFacts:
        return self._site_facts[site]

    def stream_named(self, name: str) -> Optional[Site]:
        """The first stream acquired into `name`."""
        for site in self._sites.values():
            if site.var == name and site.stream:
                return site
        return None

    def has_streams(self) -> bool:
        return any(site.stream for site in self._sites.values())

    def site_facts(self) -> list[SiteFacts]:
        """The facts of every site, in the order the sites were met."""
        return list(self._site_facts.values())
