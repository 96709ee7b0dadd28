# asyncloop-target-version: >=3.8
"""ELP106: child-watcher calls on targets that are all 3.8 or newer, where the default
ThreadedChildWatcher needs nothing: attach_loop is a no-op, the API warns from 3.12 and is gone
in 3.14 (AttributeError). Every unguarded call is reported; a shim under a 3.7-only guard is not.
"""
import asyncio
import asyncio.unix_events
import sys
from asyncio import unix_events
from asyncio.unix_events import PidfdChildWatcher


async def run_tool(*argv):
    process = await asyncio.create_subprocess_exec(*argv)
    return await process.wait()


# -- get_child_watcher and attach_loop -----------------------------------------------------------------


def run_in_new_loop(argv):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(run_tool(*argv))
    finally:
        loop.close()


def run_in_new_loop_right(argv):
    return asyncio.run(run_tool(*argv))


def current_watcher_name():
    return type(asyncio.get_child_watcher()).__name__  # error: ELP106


def detach_on_shutdown():
    asyncio.get_child_watcher().attach_loop(None)  # error: ELP106


def only_on_unix(loop):
    if sys.platform != "win32":
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


def only_on_windows(loop):
    # Windows has no child watchers at all: the call is as useless there.
    if sys.platform == "win32":
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


# -- installing a watcher ------------------------------------------------------------------------------


def install_safe_watcher(loop):
    watcher = asyncio.SafeChildWatcher()  # error: ELP106
    watcher.attach_loop(loop)  # ok: ELP106 (only the chained get_child_watcher().attach_loop() is a call site)
    asyncio.set_child_watcher(watcher)  # error: ELP106


def install_fast_watcher():
    watcher = asyncio.FastChildWatcher()  # error: ELP106
    asyncio.set_child_watcher(watcher)  # error: ELP106


def install_threaded_watcher():
    asyncio.set_child_watcher(asyncio.ThreadedChildWatcher())  # error: ELP106


def install_multi_loop_watcher():
    watcher = unix_events.MultiLoopChildWatcher()  # error: ELP106
    asyncio.set_child_watcher(watcher)  # error: ELP106


def install_pidfd_watcher():
    watcher = PidfdChildWatcher()  # error: ELP106
    asyncio.set_child_watcher(watcher)  # error: ELP106


def install_through_the_module_path():
    watcher = asyncio.unix_events.ThreadedChildWatcher()  # error: ELP106
    asyncio.set_child_watcher(watcher)  # error: ELP106


def reset_watcher():
    asyncio.set_child_watcher(None)  # error: ELP106


# -- guarded to 3.7, which these targets never run ---------------------------------------------------


def compatibility_shim(loop):
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def compatibility_shim_with_else(loop):
    if sys.version_info >= (3, 8):
        return None
    else:
        asyncio.set_child_watcher(asyncio.SafeChildWatcher())  # ok: ELP106
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def early_return_shim(loop):
    if sys.version_info[:2] >= (3, 8):
        return
    asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def shim_that_also_runs_on_38(loop):
    if sys.version_info < (3, 9):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


# -- mentioning the classes without calling them -------------------------------------------------------


def uses_threaded_watcher():
    # No call: the value is only inspected. (The get_child_watcher() call itself is reported.)
    current = asyncio.get_child_watcher()  # error: ELP106
    return isinstance(current, (asyncio.ThreadedChildWatcher, PidfdChildWatcher))  # ok: ELP106
