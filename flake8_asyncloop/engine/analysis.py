"""The shared analysis that rules ask: one object per module, each part computed once, on demand."""

from __future__ import annotations

import ast
import functools
from typing import Iterable, Optional

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.edits import FixBuilder, SourceLines
from flake8_asyncloop.engine.focus import Focused
from flake8_asyncloop.engine.calls import argument, is_none, keyword_argument, method_name
from flake8_asyncloop.engine.guards import EVERYWHERE, Reach
from flake8_asyncloop.engine.index import CallSite, ModuleIndex
from flake8_asyncloop.engine.loops import LoopAnalysis
from flake8_asyncloop.engine.names import Resolver
from flake8_asyncloop.engine.threads import ThreadAnalysis
from flake8_asyncloop.engine.versions import TargetVersions


def _called_name(func: "ast.expr | cst.BaseExpression") -> Optional[str]:
    """The last name in what a call calls (``b`` in ``a.b()``), in either parser's tree."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def _characters(line: str, byte_offset: int) -> int:
    """CPython counts columns in UTF-8 bytes; flake8 and libcst count characters."""
    return byte_offset if line.isascii() else len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


class ModuleAnalysis:
    """Everything the rules know about one module."""

    def __init__(
        self,
        module: cst.Module,
        targets: TargetVersions,
        source: Optional[str] = None,
        focused: Optional[Focused] = None,
        tree: Optional[ast.Module] = None,
    ) -> None:
        self.module = module
        # The text ``module`` was parsed from, when the caller has it: positions of calls then
        # come from CPython's parser, and fixes need no regenerated text.
        self.source_text = focused.code if focused is not None else source
        # On flake8's path, ``module`` holds only the statements that matter, and positions are
        # told in the file's lines.
        self._focused = focused
        # CPython's tree of ``source``, when the caller has it (positions of calls come from it).
        self._tree = tree
        self.targets = targets
        self.index = ModuleIndex(module)
        self.resolver = Resolver(self.index)
        self._callees: dict[cst.Call, frozenset[str]] = {}

    # -- calls --------------------------------------------------------------------------------

    def possible_callees(self, site: CallSite) -> frozenset[str]:
        """Every qualified name ``site`` may call (empty when unknown), cached per call."""
        call = site.node
        if call not in self._callees:
            self._callees[call] = self.resolver.possible_names(call.func, site.scope)
        return self._callees[call]

    def callee(self, site: CallSite) -> Optional[str]:
        """The qualified name of what ``site`` calls, when it is exactly one."""
        names = self.possible_callees(site)
        return next(iter(names)) if len(names) == 1 else None

    def callee_of(self, call: cst.Call) -> Optional[str]:
        site = self.index.call_sites.get(call)
        return self.callee(site) if site is not None else None

    def source(self, node: cst.CSTNode) -> str:
        """The code of ``node`` as written (for messages)."""
        return self.module.code_for_node(node)

    def reach(self, call: cst.Call) -> Reach:
        """The target versions and the platforms that can execute ``call``, given its guards."""
        site = self.index.call_sites.get(call)
        guarded = site.reach if site is not None else EVERYWHERE
        return Reach.of(minors=self.targets.minors) & guarded

    def is_get_event_loop(self, site: CallSite) -> bool:
        """``asyncio.get_event_loop()`` under any alias, or ``asyncio.get_event_loop_policy().get_event_loop()``."""
        if self.callee(site) in apis.GET_EVENT_LOOP:
            return True
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get_event_loop"):
            return False
        receiver = func.value
        if isinstance(receiver, cst.Name):
            # policy = asyncio.get_event_loop_policy(); policy.get_event_loop()
            bindings = site.scope.lookup(receiver.value) or []
            values = [b.value for b in bindings if b.kind == "value"]
            if not values or len(values) != len(bindings):
                return False
            return all(self._is_policy_call(value) for value in values)
        return self._is_policy_call(receiver)

    def looks_up_loop(self, site: CallSite) -> bool:
        """``site`` asks for the current loop when not run by one: get_event_loop(), or an API
        that binds to it (``asyncio.gather()``, ``Future()``; queues and locks before 3.10)."""
        if self.is_get_event_loop(site):
            return True
        if keyword_argument(site.node, "loop") is not None:
            return False
        callee = self.callee(site)
        if callee in apis.IMPLICIT_LOOKUPS:
            return True
        return callee in apis.IMPLICIT_LOOKUPS_BEFORE_310 and self.reach(site.node).includes(range(10))

    def _is_policy_call(self, expr: Optional[cst.BaseExpression]) -> bool:
        site = self.index.call_sites.get(expr) if isinstance(expr, cst.Call) else None
        return site is not None and self.callee(site) in apis.GET_EVENT_LOOP_POLICY

    def _sets_event_loop(self, site: CallSite) -> bool:
        """``asyncio.set_event_loop(...)`` or any ``<policy>.set_event_loop(...)``.

        Any receiver counts (a policy, a test case's helper): precision over recall.
        """
        return method_name(site.node) == "set_event_loop" or self.callee(site) in apis.SET_EVENT_LOOP

    def installs_loop(self, site: CallSite) -> bool:
        """``set_event_loop(x)`` with x not None."""
        return self._sets_event_loop(site) and not is_none(argument(site.node, 0, "loop"))

    def statement_installs(self, statement: cst.BaseStatement, name: str) -> bool:
        """Whether ``statement`` is just ``set_event_loop(name)`` (as ``installs_loop`` sees it)."""
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return False
        expression = statement.body[0]
        if not (isinstance(expression, cst.Expr) and isinstance(expression.value, cst.Call)):
            return False
        site = self.index.call_sites.get(expression.value)
        installed = argument(expression.value, 0, "loop")
        if site is None or installed is None or not self.installs_loop(site):
            return False
        return self.source(installed) == name

    def uninstalls_loop(self, site: CallSite) -> bool:
        """``set_event_loop(None)``."""
        return self._sets_event_loop(site) and is_none(argument(site.node, 0, "loop"))

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
        return self.span(node)[0]

    def span(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        """Start and end (line, column) of ``node``, without surrounding whitespace or comments."""
        if isinstance(node, cst.Call) and not node.lpar:
            found = self._call_spans.get(node)
            if found is not None:
                return found
        code_range = self._positions[node]
        start, end = code_range.start, code_range.end
        if self._focused is None:
            return (start.line, start.column), (end.line, end.column)
        line_numbers = self._focused.line_numbers
        return (line_numbers[start.line - 1], start.column), (line_numbers[end.line - 1], end.column)

    @functools.cached_property
    def _call_spans(self) -> dict[cst.Call, tuple[tuple[int, int], tuple[int, int]]]:
        """Where each call starts and ends, from CPython's parser: many times cheaper than
        libcst's PositionProvider, which walks and regenerates the whole module.

        Both parsers see the same calls; ordered by where they start (an outer call before
        the calls inside it, which start at the same place), the n-th of one is the n-th of
        the other. Each pair must also call the same name, or nothing is taken from CPython.
        """
        if self._focused is not None:
            # flake8's own tree of the file has them: no second parse.
            found: Iterable[ast.Call] = self._focused.calls()
            text = self._focused.source
        elif self.source_text is not None:
            tree = self._tree
            if tree is None:
                try:
                    tree = ast.parse(self.source_text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return {}
            found = (node for node in ast.walk(tree) if isinstance(node, ast.Call))
            text = self.source_text
        else:
            return {}
        calls = sorted(
            found, key=lambda call: (call.lineno, call.col_offset, -(call.end_lineno or 0), -(call.end_col_offset or 0))
        )
        ours = self.index.calls_in_source_order
        if len(calls) != len(ours):
            return {}
        lines = SourceLines(text)
        spans = {}
        for theirs, mine in zip(calls, ours):
            if _called_name(theirs.func) != _called_name(mine.func) or theirs.end_lineno is None:
                return {}
            start = (theirs.lineno, _characters(lines.line(theirs.lineno), theirs.col_offset))
            end = (theirs.end_lineno, _characters(lines.line(theirs.end_lineno), theirs.end_col_offset or 0))
            spans[mine] = (start, end)
        return spans

    @functools.cached_property
    def fixes(self) -> FixBuilder:
        return FixBuilder(self)
