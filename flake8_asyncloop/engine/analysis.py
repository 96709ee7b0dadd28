"""The shared analysis that rules ask: one object per module, each part computed once, on demand."""

from __future__ import annotations

import functools
from typing import Optional

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.calls import argument, is_none, method_name
from flake8_asyncloop.engine.index import CallSite, ModuleIndex
from flake8_asyncloop.engine.loops import LoopAnalysis
from flake8_asyncloop.engine.names import Resolver
from flake8_asyncloop.engine.threads import ThreadAnalysis
from flake8_asyncloop.engine.versions import TargetVersions


class ModuleAnalysis:
    """Everything the rules know about one module."""

    def __init__(self, module: cst.Module, targets: TargetVersions) -> None:
        self.module = module
        self.targets = targets
        self.index = ModuleIndex(module)
        self.resolver = Resolver(self.index)
        self._callees: dict[int, Optional[str]] = {}

    # -- calls --------------------------------------------------------------------------------

    def callee(self, site: CallSite) -> Optional[str]:
        """The qualified name of what ``site`` calls, cached per call."""
        key = id(site.node)
        if key not in self._callees:
            self._callees[key] = self.resolver.qualified_name(site.node.func, site.scope)
        return self._callees[key]

    def is_get_event_loop(self, site: CallSite) -> bool:
        """``asyncio.get_event_loop()`` under any alias, or ``asyncio.get_event_loop_policy().get_event_loop()``."""
        if self.callee(site) in apis.GET_EVENT_LOOP:
            return True
        func = site.node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get_event_loop" and isinstance(func.value, cst.Call):
            policy = self.index.call_sites.get(id(func.value))
            return policy is not None and self.callee(policy) in apis.GET_EVENT_LOOP_POLICY
        return False

    def installs_loop(self, site: CallSite) -> bool:
        """``asyncio.set_event_loop(x)`` or any ``<policy>.set_event_loop(x)`` with x not None.

        Any receiver counts (a policy, a test case's helper): precision over recall.
        """
        call = site.node
        named = method_name(call) == "set_event_loop" or self.callee(site) in apis.SET_EVENT_LOOP
        return named and not is_none(argument(call, 0, "loop"))

    def creates_loop(self, site: CallSite) -> bool:
        return self.callee(site) in apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES

    # -- the other layers ---------------------------------------------------------------------

    @functools.cached_property
    def threads(self) -> ThreadAnalysis:
        return ThreadAnalysis(self)

    @functools.cached_property
    def loops(self) -> LoopAnalysis:
        return LoopAnalysis(self)

    # -- positions ----------------------------------------------------------------------------

    @functools.cached_property
    def _positions(self) -> "dict[cst.CSTNode, CodeRange]":
        # Computed only when a rule reports something: most modules never pay for it.
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return dict(wrapper.resolve(PositionProvider))

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        """(line, column) of ``node``: line 1-based, column 0-based, as flake8 reports them."""
        start = self._positions[node].start
        return start.line, start.column

