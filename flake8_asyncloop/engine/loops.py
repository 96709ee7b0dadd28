"""Loops this module creates, and what happens to each: run, installed, attached, handed away.

A creation is ``name = asyncio.new_event_loop()`` (or a loop class, or ``with
contextlib.closing(...) as name``), ``self.attr = ...`` in a method, or a loop run straight
from the call (``asyncio.new_event_loop().run_until_complete(...)``). Its uses are read in its
region: the creating function (with closures that do not rebind the name), the whole class for
``self.attr``, the whole module for a module-level name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Sequence, Union

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.calls import method_name
from flake8_asyncloop.engine.index import Assignment, CallSite, ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis

_MAX_DEPTH = 8
# Loop methods whose argument is a coroutine the loop will run.
_COROUTINE_RUNNERS = frozenset({"run_until_complete", "create_task"})


@dataclass(eq=False)
class LoopCreation:
    call: cst.Call
    # How the code refers to the loop: "loop", "self.loop", or "" when it is used straight away.
    target: str
    function: Optional[FunctionInfo]
    runs: list[cst.Call] = field(default_factory=list)
    looks_up_again: bool = False
    installed: bool = False
    attached: bool = False
    escapes: bool = False
    spawns_subprocesses: bool = False


class LoopAnalysis:
    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self._analysis = analysis
        self._spawns_memo: dict[int, bool] = {}
        self.creations: list[LoopCreation] = []
        for assignment in analysis.index.assignments:
            creation = self._creation(assignment)
            if creation is not None:
                self.creations.append(creation)
        for site in analysis.index.calls:
            self._chained_run(site)

    # -- finding creations --------------------------------------------------------------------

    def _creating_call(self, value: cst.BaseExpression) -> Optional[cst.Call]:
        """The loop-creating call in an assigned value: the value itself or ``closing(value)``."""
        if not isinstance(value, cst.Call):
            return None
        site = self._analysis.index.call_sites.get(id(value))
        if site is None:
            return None
        if self._analysis.creates_loop(site):
            return value
        if self._analysis.callee(site) in apis.CONTEXTLIB_CLOSING and len(value.args) == 1:
            return self._creating_call(value.args[0].value)
        return None

    def _creation(self, assignment: Assignment) -> Optional[LoopCreation]:
        call = self._creating_call(assignment.value)
        if call is None:
            return None
        target = assignment.target
        function = assignment.function
        if isinstance(target, cst.Name):
            if assignment.scope.kind not in ("module", "function"):
                return None
            creation = LoopCreation(call, target.value, function)
            name = target.value
            region: cst.CSTNode = function.node if function is not None else self._analysis.module
            self._read_uses(creation, region, lambda e: isinstance(e, cst.Name) and e.value == name, name)
            return creation
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and function is not None
            and function.owner_class is not None
            and target.value.value == function.self_name
        ):
            attr = target.attr.value
            owner = function.owner_class
            creation = LoopCreation(call, f"{target.value.value}.{attr}", function)
            self_names = _self_names(owner)
            self._read_uses(
                creation,
                owner.node,
                lambda e: isinstance(e, cst.Attribute)
                and e.attr.value == attr
                and isinstance(e.value, cst.Name)
                and e.value.value in self_names,
                None,
            )
            return creation
        return None

    def _chained_run(self, site: CallSite) -> None:
        call = site.node
        if method_name(call) in apis.LOOP_RUN_METHODS and isinstance(call.func, cst.Attribute):
            receiver = call.func.value
            inner = self._analysis.index.call_sites.get(id(receiver))
            if isinstance(receiver, cst.Call) and inner is not None and self._analysis.creates_loop(inner):
                creation = LoopCreation(receiver, "", site.function, runs=[call])
                creation.spawns_subprocesses = self._runs_subprocesses(call)
                self.creations.append(creation)

    def _read_uses(
        self,
        creation: LoopCreation,
        region: cst.CSTNode,
        is_loop: Callable[[cst.BaseExpression], bool],
        rebindable_name: Optional[str],
    ) -> None:
        region.visit(_LoopUses(self, creation, is_loop, rebindable_name))

    # -- subprocesses -------------------------------------------------------------------------

    def _runs_subprocesses(self, call: cst.Call) -> bool:
        """Whether a coroutine passed to ``call`` starts subprocesses (through this module's code)."""
        for inner in _calls_within(call.args):
            site = self._analysis.index.call_sites.get(id(inner))
            if site is not None and self._site_spawns(site, 0):
                return True
        return False

    def _site_spawns(self, site: CallSite, depth: int) -> bool:
        if self._analysis.callee(site) in apis.CREATE_SUBPROCESS:
            return True
        if method_name(site.node) in apis.LOOP_SUBPROCESS_METHODS:
            return True
        return any(
            self._function_spawns(callee, depth + 1)
            for callee in self._analysis.resolver.functions(site.node.func, site.scope)
        )

    def _function_spawns(self, function: FunctionInfo, depth: int) -> bool:
        key = id(function.node)
        if key not in self._spawns_memo:
            self._spawns_memo[key] = False  # recursion adds nothing new
            self._spawns_memo[key] = depth < _MAX_DEPTH and any(
                self._site_spawns(site, depth) for site in function.calls
            )
        return self._spawns_memo[key]


def _self_names(owner: ClassInfo) -> set[str]:
    return {method.self_name for method in owner.methods.values() if method.self_name is not None}


class _CallCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def _calls_within(args: Sequence[cst.Arg]) -> list[cst.Call]:
    collector = _CallCollector()
    for arg in args:
        arg.visit(collector)
    return collector.calls


class _LoopUses(cst.CSTVisitor):
    """Reads every use of one loop in its region into its LoopCreation."""

    def __init__(
        self,
        loops: LoopAnalysis,
        creation: LoopCreation,
        is_loop: Callable[[cst.BaseExpression], bool],
        rebindable_name: Optional[str],
    ) -> None:
        super().__init__()
        self._loops = loops
        self._analysis = loops._analysis
        self._creation = creation
        self._is_loop = is_loop
        self._name = rebindable_name
        self._created = False
        self._method_receivers: set[int] = set()

    def _rebinds(self, node: Union[cst.FunctionDef, cst.Lambda]) -> bool:
        """Whether a nested function has its own variable of the loop's name."""
        if self._name is None or node is self._creation_function_node():
            return False
        info = self._analysis.index.function_for(node)
        return info is not None and self._name in info.scope.bindings

    def _creation_function_node(self) -> Optional[cst.CSTNode]:
        return self._creation.function.node if self._creation.function is not None else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return not self._rebinds(node)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return not self._rebinds(node)

    def visit_Call(self, node: cst.Call) -> None:
        creation = self._creation
        if node is creation.call:
            self._created = True
        site = self._analysis.index.call_sites.get(id(node))
        if site is None:
            return
        if isinstance(node.func, cst.Attribute) and self._is_loop(node.func.value):
            self._method_receivers.add(id(node.func))
            method = node.func.attr.value
            if method in apis.LOOP_RUN_METHODS:
                creation.runs.append(node)
            if method in apis.LOOP_SUBPROCESS_METHODS or (
                method in _COROUTINE_RUNNERS and self._loops._runs_subprocesses(node)
            ):
                creation.spawns_subprocesses = True
        if (
            self._created
            and site.function is creation.function
            and not site.guarded_by_runtime_error
            and self._analysis.is_get_event_loop(site)
        ):
            creation.looks_up_again = True
        for arg in node.args:
            if self._is_loop(arg.value):
                self._loop_passed_to(site)

    def _loop_passed_to(self, site: CallSite) -> None:
        creation = self._creation
        callee = self._analysis.callee(site) or ""
        method = method_name(site.node)
        if self._analysis.installs_loop(site):
            creation.installed = True
        elif method == "attach_loop":
            creation.attached = True
        elif callee in apis.CONTEXTLIB_CLOSING:
            pass
        elif callee.startswith("asyncio."):
            if callee in apis.RUN_COROUTINE_THREADSAFE and self._loops._runs_subprocesses(site.node):
                creation.spawns_subprocesses = True
        else:
            creation.escapes = True  # whoever receives it may install it

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # ``loop.run_forever`` handed over uncalled (a thread target, a callback) runs elsewhere.
        if self._is_loop(node.value) and id(node) not in self._method_receivers:
            if node.attr.value in apis.LOOP_RUN_METHODS:
                self._creation.escapes = True

    def _escapes_if_loop(self, value: Optional[cst.BaseExpression]) -> None:
        if value is not None and self._is_loop(value):
            self._creation.escapes = True

    def visit_Return(self, node: cst.Return) -> None:
        self._escapes_if_loop(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        value = node.value
        self._escapes_if_loop(value if isinstance(value, cst.BaseExpression) else None)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._escapes_if_loop(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._escapes_if_loop(node.value)

    def visit_Element(self, node: cst.Element) -> None:
        self._escapes_if_loop(node.value)

    def visit_StarredElement(self, node: cst.StarredElement) -> None:
        self._escapes_if_loop(node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._escapes_if_loop(node.value)

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._escapes_if_loop(node.body)
