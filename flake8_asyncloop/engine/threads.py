"""Which functions run in a worker thread, and where such a thread looks up a loop it never set.

A thread starts from ``threading.Thread(target=...)``, a ``Thread`` subclass's ``run``,
``threading.Timer``, ``_thread.start_new_thread``, a thread-pool executor's ``submit``/``map``
/``initializer``, ``loop.run_in_executor`` and ``asyncio.to_thread``. From each entry the
analysis follows calls to functions of the same module, in source order, tracking whether the
thread has installed a loop (``set_event_loop``) by the time each call happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Optional

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.calls import argument, is_none, method_name
from flake8_asyncloop.engine.index import CallSite, ClassInfo, FunctionInfo, Scope

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis

ExecutorKind = Literal["thread", "process"]
_MAX_DEPTH = 8


@dataclass(frozen=True)
class ThreadStart:
    """Where a worker thread is started: a call, or the ``class`` of a Thread subclass."""

    origin: cst.CSTNode


@dataclass(frozen=True)
class LookupInThread:
    """A ``get_event_loop()`` that runs in a worker thread with no loop installed."""

    site: CallSite
    start: ThreadStart


class ThreadAnalysis:
    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self._analysis = analysis
        self._resolver = analysis.resolver
        self._installs_memo: dict[int, bool] = {}
        self._in_thread: dict[int, ThreadStart] = {}
        self.lookups_without_loop: list[LookupInThread] = []
        entries = self._entries()
        # Functions a thread starts in directly (not helpers they call).
        self.entry_functions = {id(function.node) for function, _ in entries}
        self._follow(entries)

    def start_of(self, function: Optional[FunctionInfo]) -> Optional[ThreadStart]:
        """The thread start through which ``function`` runs in a worker thread, if any."""
        return self._in_thread.get(id(function.node)) if function is not None else None

    # -- thread entries -----------------------------------------------------------------------

    def _entries(self) -> list[tuple[FunctionInfo, ThreadStart]]:
        entries: list[tuple[FunctionInfo, ThreadStart]] = []
        for site in self._analysis.index.calls:
            target = self._thread_target(site)
            if target is not None:
                start = ThreadStart(site.node)
                entries.extend((f, start) for f in self._resolver.functions(target, site.scope))
        for info in self._analysis.index.classes.values():
            run = self._resolver.method(info, "run")  # possibly inherited from a local mixin
            if run is not None and self._is_thread_subclass(info, set()):
                entries.append((run, ThreadStart(info.node)))
        return entries

    def _thread_target(self, site: CallSite) -> Optional[cst.BaseExpression]:
        call = site.node
        callee = self._analysis.callee(site)
        if callee in apis.THREAD_CLASSES:
            return argument(call, 1, "target")
        if callee in apis.TIMER_CLASSES:
            return argument(call, 1, "function")
        if callee in apis.START_NEW_THREAD:
            return argument(call, 0, "function")
        if callee in apis.TO_THREAD:
            return argument(call, 0, "func")
        if callee in apis.THREAD_POOL_EXECUTORS:
            return argument(call, 2, "initializer")
        method = method_name(call)
        if method == "run_in_executor":
            # None is the loop's default thread pool; any other executor must be known to be
            # one (a process pool's worker runs in its process's main thread).
            executor = argument(call, 0, "executor")
            if executor is None or not (is_none(executor) or self.executor_kind(executor, site.scope, 0) == "thread"):
                return None
            return argument(call, 1, "func")
        if method in ("submit", "map") and isinstance(call.func, cst.Attribute):
            if self.executor_kind(call.func.value, site.scope, 0) == "thread":
                return argument(call, 0, "fn")
        return None

    def executor_kind(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[ExecutorKind]:
        """Whether ``expr`` is a thread pool or a process pool made in this module, if known."""
        if depth > _MAX_DEPTH:
            return None
        values: list[tuple[cst.BaseExpression, Scope]] = []
        if isinstance(expr, cst.Call):
            qualified = self._resolver.qualified_name(expr.func, scope)
            if qualified in apis.THREAD_POOL_EXECUTORS:
                return "thread"
            if qualified in apis.PROCESS_POOL_EXECUTORS:
                return "process"
            return None
        if isinstance(expr, cst.Name):
            bindings = scope.lookup(expr.value) or []
            if not bindings or any(b.kind != "value" or b.value is None for b in bindings):
                return None
            values = [(b.value, b.scope) for b in bindings if b.value is not None]
        elif isinstance(expr, cst.Attribute):
            owner = self._resolver.self_class(expr.value, scope)
            assigned = owner.attribute_values.get(expr.attr.value, []) if owner is not None else []
            # Attribute values are evaluated in their method; module-level names are what they use.
            values = [(value, scope) for value in assigned]
        kinds = {self.executor_kind(value, value_scope, depth + 1) for value, value_scope in values}
        return kinds.pop() if len(kinds) == 1 else None

    def _is_thread_subclass(self, info: ClassInfo, seen: set[int]) -> bool:
        if id(info) in seen:
            return False
        seen.add(id(info))
        for arg in info.node.bases:
            if self._resolver.qualified_name(arg.value, info.outer_scope) in apis.THREAD_CLASSES:
                return True
        return any(self._is_thread_subclass(base, seen) for base in self._resolver.local_bases(info))

    # -- following calls ----------------------------------------------------------------------

    def _follow(self, entries: list[tuple[FunctionInfo, ThreadStart]]) -> None:
        # Each function is walked at most twice: reached with no loop installed, and with one.
        seen: set[tuple[int, bool, bool]] = set()
        # (function, its thread's start, loop installed yet, reached through a call)
        work = [(function, start, False, False) for function, start in entries if not function.is_async]
        while work:
            function, start, installed, called = work.pop()
            if (id(function.node), installed, called) in seen:
                continue
            seen.add((id(function.node), installed, called))
            self._in_thread.setdefault(id(function.node), start)
            for site in function.calls:
                if self._analysis.installs_loop(site):
                    installed = True
                    continue
                if self._analysis.is_get_event_loop(site):
                    # A fallback for a missing parameter, in a helper: the caller usually passes
                    # the loop (precision first: a helper's own default is not followed).
                    if called and site.parameter_fallback:
                        continue
                    if not installed and not site.guarded_by_runtime_error:
                        self.lookups_without_loop.append(LookupInThread(site, start))
                    continue
                for callee in self._resolver.functions(site.node.func, site.scope):
                    if callee.is_async:
                        continue  # a coroutine runs under a running loop, if at all
                    work.append((callee, start, installed, True))
                    if self._installs(callee, 0):
                        installed = True
        # A lookup reached from several threads is one problem: keep the first start found.
        unique: dict[int, LookupInThread] = {}
        for found in self.lookups_without_loop:
            unique.setdefault(id(found.site.node), found)
        self.lookups_without_loop = list(unique.values())

    def _installs(self, function: FunctionInfo, depth: int) -> bool:
        """Whether calling ``function`` installs a loop (itself, or through functions it calls)."""
        key = id(function.node)
        if key in self._installs_memo:
            return self._installs_memo[key]
        self._installs_memo[key] = False  # a recursive call does not install anything new
        result = depth < _MAX_DEPTH and any(
            self._analysis.installs_loop(site)
            or any(
                not callee.is_async and self._installs(callee, depth + 1)
                for callee in self._resolver.functions(site.node.func, site.scope)
            )
            for site in function.calls
        )
        self._installs_memo[key] = result
        return result
