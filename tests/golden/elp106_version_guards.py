# asyncloop-target-version: >=3.7
"""ELP106 when the targets include 3.7, which needs the child watcher: a call that only 3.7 (or
older) can reach is the 3.7 recipe and is not reported; a call that 3.8+ also reaches is, since
there it does nothing (3.8-3.11), warns (3.12-3.13) or raises AttributeError (3.14+)."""
import asyncio
import os
import platform
import sys

PY37 = sys.version_info < (3, 8)


async def run_tool(*argv):
    process = await asyncio.create_subprocess_exec(*argv)
    return await process.wait()


# -- guarded shims: only 3.7 reaches them -----------------------------------------------------------


def new_loop_for_subprocesses():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106
    return loop


def new_loop_for_subprocesses_unguarded():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
    return loop


def attach_on_37_only(loop):
    if sys.version_info[:2] == (3, 7):
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def attach_on_37_and_38(loop):
    if sys.version_info[:2] <= (3, 8):
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


def attach_by_minor(loop):
    if sys.version_info.minor < 8:
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106
    if sys.version_info.minor < 12:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


def attach_unless_modern(loop):
    if sys.version_info >= (3, 8):
        return
    asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def attach_in_else(loop):
    if sys.version_info >= (3, 8):
        pass
    else:
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


def attach_on_unix_37(loop):
    if sys.platform != "win32" and sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def attach_on_unix(loop):
    # A platform guard alone: 3.8+ on Unix still reaches the call.
    if sys.platform.startswith("linux"):
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


def attach_on_windows(loop):
    # Windows has no child watchers: 3.8+ on Windows reaching the call is still a reason to report.
    if os.name == "nt":
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
    if platform.system() == "Windows" and sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def attach_behind_a_flag_guard(loop):
    if PY37:
        # A module constant defined once from sys.version_info guards like its test.
        asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106


def attach_if_present(loop):
    try:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
    except AttributeError:
        pass


# -- installing a watcher ----------------------------------------------------------------------------------


def install_fast_watcher_on_37():
    if sys.version_info < (3, 8):
        watcher = asyncio.FastChildWatcher()  # ok: ELP106
        asyncio.set_child_watcher(watcher)  # ok: ELP106


def install_fast_watcher():
    watcher = asyncio.FastChildWatcher()  # error: ELP106
    asyncio.set_child_watcher(watcher)  # error: ELP106


def install_threaded_watcher_everywhere():
    # ThreadedChildWatcher exists from 3.8: this shape backports 3.8's default to 3.7.
    if sys.version_info < (3, 8):
        asyncio.set_child_watcher(asyncio.unix_events.SafeChildWatcher())  # ok: ELP106
    else:
        asyncio.set_child_watcher(asyncio.ThreadedChildWatcher())  # error: ELP106


def main(argv):
    loop = new_loop_for_subprocesses()
    try:
        return loop.run_until_complete(run_tool(*argv))
    finally:
        loop.close()


if sys.version_info >= (3, 8):
    # The rest of this module is for 3.7 only.
    raise ImportError("use the asyncio.run() entry point on Python 3.8+")


def module_after_a_guard(loop):
    asyncio.get_child_watcher().attach_loop(loop)  # ok: ELP106
    asyncio.set_child_watcher(asyncio.SafeChildWatcher())  # ok: ELP106
