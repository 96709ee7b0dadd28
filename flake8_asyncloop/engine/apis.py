"""Qualified names of the APIs the analysis recognises, under every path they are importable from."""

from __future__ import annotations


def words(names: frozenset[str]) -> frozenset[str]:
    """How ``names`` appear in code: the last part of each (``get_event_loop``)."""
    return frozenset(name.rsplit(".", 1)[-1] for name in names)


def _in_modules(name: str, *modules: str) -> frozenset[str]:
    return frozenset(f"{module}.{name}" for module in modules)


# Event-loop classes whose direct call bypasses the event-loop policy.
LOOP_CLASSES: frozenset[str] = (
    _in_modules("SelectorEventLoop", "asyncio", "asyncio.unix_events", "asyncio.windows_events")
    | _in_modules("_UnixSelectorEventLoop", "asyncio.unix_events")
    | _in_modules("_WindowsSelectorEventLoop", "asyncio.windows_events")
    | _in_modules("BaseSelectorEventLoop", "asyncio.selector_events")
    | _in_modules("ProactorEventLoop", "asyncio", "asyncio.windows_events")
    | _in_modules("BaseProactorEventLoop", "asyncio.proactor_events")
    | _in_modules("BaseEventLoop", "asyncio", "asyncio.base_events")
    | _in_modules("AbstractEventLoop", "asyncio", "asyncio.events")
    | _in_modules("EventLoop", "asyncio", "asyncio.unix_events", "asyncio.windows_events")
    | _in_modules("Loop", "uvloop", "uvloop.loop")
)
ABSTRACT_LOOP_CLASSES: frozenset[str] = _in_modules("AbstractEventLoop", "asyncio", "asyncio.events")
# Classes that are no working loop on their own: the interface and the bases that loops extend
# (tests construct them as test doubles).
INCOMPLETE_LOOP_CLASSES: frozenset[str] = (
    ABSTRACT_LOOP_CLASSES
    | _in_modules("BaseEventLoop", "asyncio", "asyncio.base_events")
    | _in_modules("BaseSelectorEventLoop", "asyncio.selector_events")
    | _in_modules("BaseProactorEventLoop", "asyncio.proactor_events")
)
UVLOOP_CLASSES: frozenset[str] = _in_modules("Loop", "uvloop", "uvloop.loop")
# The class asyncio.new_event_loop() makes under the default policy, on every platform (3.13+).
DEFAULT_LOOP_CLASSES: frozenset[str] = _in_modules("EventLoop", "asyncio")
# Loops that start subprocesses through asyncio's Unix child watcher. Not uvloop (it reaps its
# children itself), not the Windows proactor, not the abstract and base classes (they cannot
# start subprocesses at all).
CHILD_WATCHER_LOOPS: frozenset[str] = (
    _in_modules("new_event_loop", "asyncio", "asyncio.events")
    | _in_modules("SelectorEventLoop", "asyncio", "asyncio.unix_events")
    | _in_modules("_UnixSelectorEventLoop", "asyncio.unix_events")
    | _in_modules("EventLoop", "asyncio", "asyncio.unix_events")
)

GET_EVENT_LOOP = _in_modules("get_event_loop", "asyncio", "asyncio.events")
GET_EVENT_LOOP_POLICY = _in_modules("get_event_loop_policy", "asyncio", "asyncio.events")
NEW_EVENT_LOOP = _in_modules("new_event_loop", "asyncio", "asyncio.events", "uvloop")
SET_EVENT_LOOP = _in_modules("set_event_loop", "asyncio", "asyncio.events")
GET_CHILD_WATCHER = _in_modules("get_child_watcher", "asyncio", "asyncio.events")
CREATE_SUBPROCESS = _in_modules("create_subprocess_exec", "asyncio", "asyncio.subprocess") | _in_modules(
    "create_subprocess_shell", "asyncio", "asyncio.subprocess"
)
ASYNCIO_RUN = _in_modules("run", "asyncio", "asyncio.runners")
ASYNCIO_RUNNER = _in_modules("Runner", "asyncio", "asyncio.runners")
# Outside a running loop these bind what they make to the loop get_event_loop() returns, on
# every version (measured on 3.7-3.13: run on another loop, it raises "ValueError: The future
# belongs to a different loop"). An explicit loop= argument binds it instead.
IMPLICIT_LOOKUPS: frozenset[str] = (
    _in_modules("Future", "asyncio", "asyncio.futures")
    | _in_modules("wrap_future", "asyncio", "asyncio.futures")
    | _in_modules("ensure_future", "asyncio", "asyncio.tasks")
    | _in_modules("gather", "asyncio", "asyncio.tasks")
    | _in_modules("shield", "asyncio", "asyncio.tasks")
)
# Before 3.10 queues and synchronisation primitives look the loop up when made (3.10 binds them
# on first use, inside the running loop): waiting on one from another loop fails on 3.7-3.9.
IMPLICIT_LOOKUPS_BEFORE_310: frozenset[str] = frozenset(
    name
    for cls, module in (
        ("Queue", "asyncio.queues"), ("LifoQueue", "asyncio.queues"), ("PriorityQueue", "asyncio.queues"),
        ("Lock", "asyncio.locks"), ("Event", "asyncio.locks"), ("Condition", "asyncio.locks"),
        ("Semaphore", "asyncio.locks"), ("BoundedSemaphore", "asyncio.locks"),
    )
    for name in _in_modules(cls, "asyncio", module)
)

THREAD_CLASSES = _in_modules("Thread", "threading")
TIMER_CLASSES = _in_modules("Timer", "threading")
START_NEW_THREAD = _in_modules("start_new_thread", "_thread") | _in_modules("start_new", "_thread")
TO_THREAD = _in_modules("to_thread", "asyncio", "asyncio.threads")
THREAD_POOL_EXECUTORS = _in_modules("ThreadPoolExecutor", "concurrent.futures", "concurrent.futures.thread")
PROCESS_POOL_EXECUTORS = _in_modules("ProcessPoolExecutor", "concurrent.futures", "concurrent.futures.process")
# multiprocessing's pools, whose ``apply_async(func)`` and the like hand ``func`` to a worker.
THREAD_POOLS = _in_modules("ThreadPool", "multiprocessing.pool") | _in_modules("Pool", "multiprocessing.dummy")
PROCESS_POOLS = _in_modules("Pool", "multiprocessing", "multiprocessing.pool")
POOL_TASK_METHODS = frozenset(
    {"apply", "apply_async", "map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async"}
)
PARTIAL = _in_modules("partial", "functools")
CONTEXTLIB_CLOSING = _in_modules("closing", "contextlib")

# Loop methods that run the loop in the calling thread.
LOOP_RUN_METHODS = frozenset({"run_until_complete", "run_forever"})
LOOP_SUBPROCESS_METHODS = frozenset({"subprocess_exec", "subprocess_shell"})
# Loop methods whose argument is a coroutine the loop will run.
LOOP_COROUTINE_RUNNERS = frozenset({"run_until_complete", "create_task"})

# Every name a star import from these modules can bring in that the rules care about.
STAR_IMPORTABLE: frozenset[str] = frozenset(
    name.rsplit(".", 1)[1]
    for name in LOOP_CLASSES | GET_EVENT_LOOP | NEW_EVENT_LOOP | SET_EVENT_LOOP | GET_CHILD_WATCHER
    | CREATE_SUBPROCESS | TO_THREAD | THREAD_CLASSES | TIMER_CLASSES | GET_EVENT_LOOP_POLICY
)
RUN_COROUTINE_THREADSAFE = _in_modules("run_coroutine_threadsafe", "asyncio", "asyncio.tasks")
SET_CHILD_WATCHER = _in_modules("set_child_watcher", "asyncio", "asyncio.events")
CHILD_WATCHER_CLASSES: frozenset[str] = frozenset(
    name
    for cls in ("SafeChildWatcher", "FastChildWatcher", "ThreadedChildWatcher", "PidfdChildWatcher",
                "MultiLoopChildWatcher")
    for name in _in_modules(cls, "asyncio", "asyncio.unix_events")
)
CHILD_WATCHER_APIS = GET_CHILD_WATCHER | SET_CHILD_WATCHER | CHILD_WATCHER_CLASSES
UVLOOP_INSTALL = _in_modules("install", "uvloop")
UVLOOP_POLICIES = _in_modules("EventLoopPolicy", "uvloop")
SET_EVENT_LOOP_POLICY = _in_modules("set_event_loop_policy", "asyncio", "asyncio.events")
# The loop factory that replaces each policy (module, attribute), for asyncio.run(loop_factory=).
POLICY_FACTORIES: dict[str, tuple[str, str]] = {
    **{name: ("uvloop", "new_event_loop") for name in _in_modules("EventLoopPolicy", "uvloop") | UVLOOP_INSTALL},
    **{
        name: ("asyncio", "SelectorEventLoop")
        for name in _in_modules("WindowsSelectorEventLoopPolicy", "asyncio", "asyncio.windows_events")
    },
    **{
        name: ("asyncio", "ProactorEventLoop")
        for name in _in_modules("WindowsProactorEventLoopPolicy", "asyncio", "asyncio.windows_events")
    },
}
POLICY_APIS: frozenset[str] = (
    GET_EVENT_LOOP_POLICY
    | _in_modules("set_event_loop_policy", "asyncio", "asyncio.events")
    | _in_modules("DefaultEventLoopPolicy", "asyncio", "asyncio.unix_events", "asyncio.windows_events")
    | _in_modules("WindowsSelectorEventLoopPolicy", "asyncio", "asyncio.windows_events")
    | _in_modules("WindowsProactorEventLoopPolicy", "asyncio", "asyncio.windows_events")
    | _in_modules("EventLoopPolicy", "uvloop")
    | UVLOOP_INSTALL
)
# The policies asyncio and uvloop ship: a new one has no loop set in any thread, and in a thread
# other than the main one its get_event_loop() raises.
SHIPPED_POLICIES: frozenset[str] = frozenset(name for name in POLICY_APIS if name.endswith("EventLoopPolicy"))
# asyncio's policy classes warn on 3.14-3.15 when the module attribute is read (a module
# ``__getattr__``), not when called: ``from asyncio import DefaultEventLoopPolicy`` warns once, there.
POLICY_CLASSES_WARNING_ON_READ: frozenset[str] = frozenset(
    name for name in SHIPPED_POLICIES if name.startswith("asyncio.")
)
# What a class may subclass that goes with the policy system: asyncio's module attributes warn
# when read on 3.14-3.15 (its ``__getattr__``), so the class statement warns; 3.16 removes them.
POLICY_BASE_CLASSES: frozenset[str] = POLICY_CLASSES_WARNING_ON_READ | frozenset({"asyncio.AbstractEventLoopPolicy"})
# What a class may subclass that goes with the child watchers: subclassing warns on 3.12-3.13
# (``AbstractChildWatcher.__init_subclass__``, measured), and 3.14 removes them.
CHILD_WATCHER_BASE_CLASSES: frozenset[str] = CHILD_WATCHER_CLASSES | _in_modules(
    "AbstractChildWatcher", "asyncio", "asyncio.unix_events"
)
# Library calls that change which loop the calling thread has set (``loopstate.py``): nest_asyncio
# makes get_event_loop() create a loop whenever none is set; tornado's IOLoop.current() and the
# IOLoop constructor may make and install one, depending on the version, which stays unknown.
NEST_ASYNCIO_APPLY = _in_modules("apply", "nest_asyncio") | _in_modules("apply", "nest_asyncio2")
TORNADO_LOOP_SETTERS = frozenset(
    {"tornado.ioloop.IOLoop", "tornado.ioloop.IOLoop.current", "tornado.ioloop.IOLoop.instance",
     "tornado.ioloop.IOLoop.make_current"}
)
