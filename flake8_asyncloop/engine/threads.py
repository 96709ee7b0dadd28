"""Which functions run in a worker thread, and where such a thread looks up a loop it never set.

A thread starts from ``threading.Thread(target=...)``, a ``Thread`` subclass's ``run``,
``threading.Timer``, ``_thread.start_new_thread``, a thread-pool executor's ``submit``/``map``
/``initializer``, ``loop.run_in_executor`` and ``asyncio.to_thread``. From each entry the
analysis follows calls to functions of the same module, in source order, tracking whether the
thread has installed a loop (``set_event_loop``) by the time each call happens. A pool task starts
with a loop installed when the pool's ``initializer`` installs one, or when an earlier task on the
same single-worker pool did (its one thread runs the tasks in order); any thread does when a
policy of the module's own was set before it started (such a policy may create loops anywhere).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, Optional

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.callfacts import CallFacts
from flake8_asyncloop.engine.calls import argument, is_none, keyword_argument, method_name
from flake8_asyncloop.engine.index import CallSite, ClassInfo, FunctionInfo, Scope
from flake8_asyncloop.engine.reads import Reads


ExecutorKind = Literal["thread", "process"]
_MAX_DEPTH = 8

# What the thread analysis reads (``reads.py``): where threads start, and from there the calls to
# functions that look a loop up or install one, and the policy a module sets.
READS = Reads(
    names=apis.SET_EVENT_LOOP | apis.SET_EVENT_LOOP_POLICY | apis.POLICY_APIS,
    thread_starts=apis.THREAD_CLASSES | apis.TIMER_CLASSES | apis.START_NEW_THREAD | apis.TO_THREAD
    | apis.THREAD_POOL_EXECUTORS | apis.PROCESS_POOL_EXECUTORS | apis.THREAD_POOLS | apis.PROCESS_POOLS
    | apis.POOL_TASK_METHODS | {"run_in_executor", "submit", "initializer"},
    located=apis.GET_EVENT_LOOP,
)
# Test fixtures that run before each test method of their class.
_SET_UP_METHODS = frozenset({"setUp", "asyncSetUp", "setUpClass", "setup_method", "setup_class", "setup"})


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
    def __init__(self, calls: CallFacts) -> None:
        self._calls = calls
        self._resolver = calls.resolver
        self._installs_memo: dict[FunctionInfo, bool] = {}
        self._custom_policies = [site for site in calls.index.calls if self._sets_custom_policy(site)]
        self._in_thread: dict[FunctionInfo, ThreadStart] = {}
        self.lookups_without_loop: list[LookupInThread] = []
        # Threads whose target is imported (``Thread(target=workers.work)``): (start, the name as
        # imported, whether a loop is installed when it starts). The project may know the target.
        self.imported_targets: list[tuple[CallSite, str, bool]] = []
        entries = self._entries()
        # Functions a thread starts in directly (not helpers they call).
        self.entry_functions = {function for function, _, _ in entries}
        self._follow(entries)

    @functools.cached_property
    def _order(self) -> dict[cst.Call, int]:
        """Each call's place in evaluation order; only asked where the module sets a policy of
        its own, so made on first use."""
        return {site.node: number for number, site in enumerate(self._calls.index.calls)}

    def start_of(self, function: Optional[FunctionInfo]) -> Optional[ThreadStart]:
        """The thread start through which ``function`` runs in a worker thread, if any."""
        return self._in_thread.get(function) if function is not None else None

    # -- thread entries -----------------------------------------------------------------------

    def _entries(self) -> list[tuple[FunctionInfo, ThreadStart, bool]]:
        """Where threads start: (function, start, whether a loop is installed when it starts)."""
        entries: list[tuple[FunctionInfo, ThreadStart, bool]] = []
        for site in self._calls.index.calls:
            target = self._thread_target(site)
            if target is not None:
                start = ThreadStart(site.node)
                installed = self._custom_policy_before(site) or self._worker_has_loop(site)
                functions = self._resolver.functions(target, site.scope)
                entries.extend((f, start, installed) for f in functions)
                imported = self._resolver.imported_name(target, site.scope) if not functions else None
                if imported is not None:
                    self.imported_targets.append((site, imported, installed))
        for info in self._calls.index.classes.values():
            run = self._resolver.method(info, "run")  # possibly inherited from a local mixin
            if run is not None and self._is_thread_subclass(info, set()):
                entries.append((run, ThreadStart(info.node), False))
        return entries

    def _thread_target(self, site: CallSite) -> Optional[cst.BaseExpression]:
        call = site.node
        callee = self._calls.callee(site)
        if callee in apis.THREAD_CLASSES:
            return argument(call, 1, "target")
        if callee in apis.TIMER_CLASSES:
            return argument(call, 1, "function")
        if callee in apis.START_NEW_THREAD:
            return argument(call, 0, "function")
        if callee in apis.TO_THREAD:
            return argument(call, 0, "func")
        if callee in apis.THREAD_POOL_EXECUTORS or callee in apis.THREAD_POOLS:
            return _initializer(call, callee in apis.THREAD_POOL_EXECUTORS)
        method = method_name(call)
        if method == "run_in_executor":
            # None is the loop's default thread pool; any other executor must be known to be
            # one (a process pool's worker runs in its process's main thread).
            executor = argument(call, 0, "executor")
            if executor is None or not (is_none(executor) or self.executor_kind(executor, site.scope, 0) == "thread"):
                return None
            return argument(call, 1, "func")
        if (method == "submit" or method in apis.POOL_TASK_METHODS) and isinstance(call.func, cst.Attribute):
            if self.executor_kind(call.func.value, site.scope, 0) == "thread":
                return argument(call, 0, "fn") or argument(call, 0, "func")
        return None

    def executor_kind(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[ExecutorKind]:
        """Whether ``expr`` is a thread pool or a process pool made in this module, if known."""
        made = self._executors(expr, scope, depth)
        kinds = {kind for _, kind in made} if made else set()
        return kinds.pop() if len(kinds) == 1 else None

    def _executors(
        self, expr: cst.BaseExpression, scope: Scope, depth: int
    ) -> Optional[list[tuple[cst.Call, ExecutorKind]]]:
        """Every ``ThreadPoolExecutor(...)``/``ProcessPoolExecutor(...)`` call ``expr`` may be; None
        when some value it may have is not one (or is not known)."""
        if depth > _MAX_DEPTH:
            return None
        values: list[tuple[cst.BaseExpression, Scope]] = []
        if isinstance(expr, cst.Call):
            kind = self._pool_kind(expr, scope)
            return [(expr, kind)] if kind is not None else None
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
        if not values:
            return None
        made: list[tuple[cst.Call, ExecutorKind]] = []
        for value, value_scope in values:
            found = self._executors(value, value_scope, depth + 1)
            if found is None:
                return None
            made.extend(found)
        return made

    def _pool_kind(self, call: cst.Call, scope: Scope) -> Optional[ExecutorKind]:
        """Whether ``call`` makes a pool of threads or of processes (an executor, a ``Pool``)."""
        qualified = self._resolver.qualified_name(call.func, scope)
        if qualified in apis.THREAD_POOL_EXECUTORS or qualified in apis.THREAD_POOLS:
            return "thread"
        if qualified in apis.PROCESS_POOL_EXECUTORS or qualified in apis.PROCESS_POOLS:
            return "process"
        return None

    def _executor_of(self, site: CallSite) -> Optional[cst.BaseExpression]:
        """The executor a ``submit``/``map``/``run_in_executor`` call hands its task to."""
        method = method_name(site.node)
        if method == "run_in_executor":
            return argument(site.node, 0, "executor")
        if (method == "submit" or method in apis.POOL_TASK_METHODS) and isinstance(site.node.func, cst.Attribute):
            return site.node.func.value
        return None

    def _thread_pools(self, site: CallSite) -> Optional[list[cst.Call]]:
        """The ``ThreadPoolExecutor(...)`` calls whose pool ``site`` hands a task to, when known."""
        executor = self._executor_of(site)
        made = self._executors(executor, site.scope, 0) if executor is not None else None
        if not made or any(kind != "thread" for _, kind in made):
            return None
        return [call for call, _ in made]

    def _worker_has_loop(self, site: CallSite) -> bool:
        """Whether the pool thread that runs the task handed over at ``site`` has a loop installed
        already: the pool's ``initializer`` installs one in each worker before any task, or an
        earlier task on the same single-worker pool did (tornado's tests: its one thread runs the
        tasks in order, and a loop installed by one stays for the next)."""
        pools = self._thread_pools(site)
        if pools is None:
            return False
        if all(self._initializer_installs(pool) for pool in pools):
            return True
        if not all(_single_worker(pool) for pool in pools):
            return False
        neighbours = site.function.calls if site.function is not None else self._calls.index.calls
        for earlier in neighbours:
            if earlier is site:
                return False
            if earlier.function is not site.function or not earlier.always_runs_before(site):
                continue
            earlier_pools = self._thread_pools(earlier)
            same_pools = earlier_pools == pools  # nodes compare by identity
            if not same_pools:
                continue
            target = self._thread_target(earlier)
            tasks = self._resolver.functions(target, earlier.scope) if target is not None else []
            if tasks and all(not task.is_async and self._installs(task, 0) for task in tasks):
                return True
        return False

    def _sets_custom_policy(self, site: CallSite) -> bool:
        """``set_event_loop_policy(policy)`` with a policy neither asyncio nor uvloop ships: it may
        create a loop wherever one is asked for (tornado's AnyThreadEventLoopPolicy), so a
        get_event_loop() in a worker thread need not raise. The shipped ones raise there."""
        if self._calls.callee(site) not in apis.SET_EVENT_LOOP_POLICY:
            return False
        policy = argument(site.node, 0, "policy")
        if policy is None or is_none(policy):
            return False
        values = [policy]
        if isinstance(policy, cst.Name):
            bindings = site.scope.lookup(policy.value) or []
            if bindings and all(binding.kind == "value" and binding.value is not None for binding in bindings):
                values = [binding.value for binding in bindings if binding.value is not None]
        return not all(
            isinstance(value, cst.Call) and self._calls.callee_of(value) in apis.SHIPPED_POLICIES
            for value in values
        )

    def _custom_policy_before(self, start: CallSite) -> bool:
        """Whether a custom policy is set before the thread starts at ``start``: earlier in the
        same function (and not only in a branch of its own), in a setUp of the same class, or at
        import time."""
        for policy in self._custom_policies:
            if policy.function is None:
                if start.function is not None or self._order[policy.node] < self._order[start.node]:
                    return True
            elif policy.function is start.function:
                if self._order[policy.node] < self._order[start.node] and policy.always_runs_before(start):
                    return True
            elif (
                start.function is not None
                and start.function.owner_class is not None
                and policy.function.owner_class is start.function.owner_class
                and policy.function.name in _SET_UP_METHODS
            ):
                return True
        return False

    def _initializer_installs(self, pool: cst.Call) -> bool:
        site = self._calls.index.call_sites.get(pool)
        initializer = _initializer(pool, site is not None and self._calls.callee(site) in apis.THREAD_POOL_EXECUTORS)
        if site is None or initializer is None:
            return False
        functions = self._resolver.functions(initializer, site.scope)
        return bool(functions) and all(not f.is_async and self._installs(f, 0) for f in functions)

    def _is_thread_subclass(self, info: ClassInfo, seen: set[ClassInfo]) -> bool:
        if info in seen:
            return False
        seen.add(info)
        for arg in info.node.bases:
            if self._resolver.qualified_name(arg.value, info.outer_scope) in apis.THREAD_CLASSES:
                return True
        return any(self._is_thread_subclass(base, seen) for base in self._resolver.local_bases(info))

    # -- following calls ----------------------------------------------------------------------

    def _follow(self, entries: list[tuple[FunctionInfo, ThreadStart, bool]]) -> None:
        # Each function is walked at most twice: reached with no loop installed, and with one.
        seen: set[tuple[FunctionInfo, bool, bool]] = set()
        # (function, its thread's start, loop installed yet, reached through a call)
        work = [(function, start, installed, False) for function, start, installed in entries if not function.is_async]
        while work:
            function, start, installed, called = work.pop()
            if (function, installed, called) in seen:
                continue
            seen.add((function, installed, called))
            self._in_thread.setdefault(function, start)
            for site in function.calls:
                if self._calls.installs_loop(site):
                    installed = True
                    continue
                if self._calls.is_get_event_loop(site):
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
        unique: dict[cst.Call, LookupInThread] = {}
        for found in self.lookups_without_loop:
            unique.setdefault(found.site.node, found)
        self.lookups_without_loop = list(unique.values())

    def _installs(self, function: FunctionInfo, depth: int) -> bool:
        """Whether calling ``function`` installs a loop (itself, or through functions it calls)."""
        if function in self._installs_memo:
            return self._installs_memo[function]
        self._installs_memo[function] = False  # a recursive call does not install anything new
        result = depth < _MAX_DEPTH and any(
            self._calls.installs_loop(site)
            or any(
                not callee.is_async and self._installs(callee, depth + 1)
                for callee in self._resolver.functions(site.node.func, site.scope)
            )
            for site in function.calls
        )
        self._installs_memo[function] = result
        return result


def _single_worker(pool: cst.Call) -> bool:
    """``ThreadPoolExecutor(1)``, ``max_workers=1`` (``processes=1`` for a ``ThreadPool``): one
    thread runs every task."""
    workers = argument(pool, 0, "max_workers") or keyword_argument(pool, "processes")
    return isinstance(workers, cst.Integer) and workers.evaluated_value == 1


def _initializer(pool: cst.Call, executor: bool) -> Optional[cst.BaseExpression]:
    """The ``initializer`` of a ``ThreadPoolExecutor`` (its third argument) or of a
    ``ThreadPool`` (its second)."""
    return argument(pool, 2 if executor else 1, "initializer")
