"""What the engine may change about the process it runs in: nothing, unless the caller owns it.

The engine's entry points (``check_source``, ``check_focused``, ``reported``, ``fix_source``) take
a ``process``. ``GUEST``, their default, is a library call in a process someone else owns (the
codemod inside libcst's tool, the language server, any caller's code): the work runs plainly in
the calling thread, and the garbage collector, the recursion limit, the threads' stack size and
libcst's validation stay as they are. A file nested too deeply for that gets no diagnostics.

``OWNER`` is for the adapters that own their process, the flake8 plugin (in flake8's processes)
and the command. The work runs where deep trees fit, with the collector paused, and libcst's
parser output is not re-validated (``libcst_private``). All of these are process-wide settings.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import sys
import threading
from typing import Callable, Iterator, TypeVar

import libcst as cst

from flake8_asyncloop.engine import libcst_private

# libcst's native parser recurses on the C stack, and the tree walkers recurse in Python: an
# `elif` chain of a few hundred branches or thousands of nested operators exceed an 8 MiB stack
# or the default recursion limit. The deep run is a thread with a large stack (the memory is
# reserved, and only touched when used) and a raised recursion limit.
DEEP_STACK_BYTES = 512 * 1024 * 1024
_DEEP_RECURSION_LIMIT = 50_000
# Both settings are process-wide: one deep run at a time, and each restored afterwards.
_DEEP_LOCK = threading.Lock()

T = TypeVar("T")


class Process:
    """A guest's process: the work runs as it is, and libcst parses as it always does."""

    # Whether ``run`` gives the work a deep stack: only then is libcst's parser handed text
    # that CPython's parser did not vouch for first (``checker.newer_syntax_candidate``).
    deep = False

    def run(self, work: Callable[[], T]) -> T:
        return work()

    def parse(self, code: str) -> cst.Module:
        return cst.parse_module(code)


class _OwnedProcess(Process):
    deep = True

    def run(self, work: Callable[[], T]) -> T:
        return run_deep(work)

    def parse(self, code: str) -> cst.Module:
        return libcst_private.parse_module_unvalidated(code)


GUEST = Process()
OWNER: Process = _OwnedProcess()


def run_deep(work: Callable[[], T]) -> T:
    """``work()``, where deep trees fit, with the collector paused; in the calling thread if no
    large stack can be had."""
    results: list[T] = []
    errors: list[BaseException] = []
    # The work runs for the caller: in its context (what it is reading, ``projectfiles.reading``).
    context = contextvars.copy_context()

    def target() -> None:
        try:
            with _collector_paused():
                results.append(context.run(work))
        except BaseException as error:  # handed to the caller below
            errors.append(error)

    with _DEEP_LOCK:
        limit = sys.getrecursionlimit()
        try:
            previous_stack = threading.stack_size(DEEP_STACK_BYTES)
        except (ValueError, RuntimeError):
            previous_stack = None
        thread = threading.Thread(target=target, name="flake8-asyncloop-deep")
        sys.setrecursionlimit(max(limit, _DEEP_RECURSION_LIMIT))
        try:
            thread.start()
            started = True
        except (RuntimeError, MemoryError):
            started = False  # no memory for the stack (a ulimit, a 32-bit process)
        finally:
            if previous_stack is not None:
                threading.stack_size(previous_stack)
        try:
            if started:
                thread.join()
        finally:
            sys.setrecursionlimit(limit)
    if not started:
        with _collector_paused():
            return work()
    if errors:
        raise errors[0]
    return results[0]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The work allocates hundreds of thousands of tree nodes: the cyclic garbage collector's
    passes over them while they are in use find nothing, and in flake8's process (a larger heap)
    they cost a quarter of the plugin's time. What the work leaves in cycles (the analysis holds
    the tree through some) is collected once, after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
